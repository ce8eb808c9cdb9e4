"""Glob patterns in AuthorizedKeysFile and AuthorizedPrincipalsFile after
%-token expansion (sshd 10.5 passes each expanded path through glob(3)):
every match is read in order until one holds the key or the principal, and
a pattern that matches nothing names no file. Clients: the system's OpenSSH
ssh and ssh-keygen -s."""
import pytest

from conftest import explain, make_key, ssh, wait_for_log
from test_certs import assert_in, ca_server, login, sign


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return make_key(tmp_path_factory.mktemp("globca"), "ca", "ed25519")


def test_keys_file_glob(start_server, keys, tmp_path):
    """authorized_keys_%u_* : the key sits in the second match."""
    d = tmp_path / "ak"
    d.mkdir()
    other = make_key(tmp_path, "other", "ed25519")
    (d / "keys_root_a").write_text(other.line() + "\n")
    (d / "keys_root_b").write_text(keys["ed25519"].line() + "\n")
    (d / "keys_nobody_c").write_text(keys["ecdsa"].line() + "\n")
    srv = start_server(authkeys_file=False,
                       opts=[f"AuthorizedKeysFile={d}/keys_%u_*"])
    res = ssh(srv, keys["ed25519"], "echo", "glob-ok")
    assert res.returncode == 0 and b"glob-ok" in res.stdout, explain(srv, res)
    assert wait_for_log(srv, f"{d}/keys_root_b:1: matching key found"), srv.log_tail()
    assert ssh(srv, other, "true").returncode == 0, explain(srv)
    # Another user's file is not a match of root's pattern.
    res = ssh(srv, keys["ecdsa"], "echo", "glob-ok")
    assert res.returncode != 0 and b"glob-ok" not in res.stdout, explain(srv, res)


def test_keys_file_no_match(start_server, keys, tmp_path):
    """A pattern with no match names nothing; the next pattern is read."""
    d = tmp_path / "ak2"
    d.mkdir()
    (d / "plain").write_text(keys["ed25519"].line() + "\n")
    srv = start_server(authkeys_file=False,
                       opts=[f"AuthorizedKeysFile={d}/none_* {d}/pla?n"])
    res = ssh(srv, keys["ed25519"], "echo", "second-pattern")
    assert res.returncode == 0 and b"second-pattern" in res.stdout, explain(srv, res)
    alone = start_server(authkeys_file=False,
                         opts=[f"AuthorizedKeysFile={d}/none_*"])
    res = ssh(alone, keys["ed25519"], "echo", "second-pattern")
    assert res.returncode != 0, explain(alone, res)


def test_cert_authority_in_globbed_file(start_server, ca, tmp_path):
    d = tmp_path / "akca"
    d.mkdir()
    (d / "keys_root_1").write_text(f'cert-authority,principals="ops" {ca.pub}\n')
    user = make_key(tmp_path, "id_user", "ed25519")
    sign(ca, user, principals="ops")
    srv = start_server(authkeys_file=False,
                       opts=[f"AuthorizedKeysFile={d}/keys_%u_*"])
    assert_in(srv, login(srv, user), True)
    assert wait_for_log(srv, f"found at {d}/keys_root_1:1"), srv.log_tail()


def test_principals_file_glob(start_server, ca, tmp_path):
    """AuthorizedPrincipalsFile %u_*: the principal is in the second match."""
    d = tmp_path / "principals"
    d.mkdir()
    (d / "root_1").write_text("alice\n")
    (d / "root_2").write_text('command="echo via-glob" ops-team\n')
    user = make_key(tmp_path, "id_user", "ed25519")
    sign(ca, user, principals="ops-team")
    srv = ca_server(start_server, ca, tmp_path,
                    [f"AuthorizedPrincipalsFile={d}/%u_*"])
    res = login(srv, user)
    assert res.returncode == 0 and b"via-glob" in res.stdout, explain(srv, res)
    sign(ca, user, principals="bob")
    assert_in(srv, login(srv, user), False)
    assert wait_for_log(srv, "Certificate does not contain an authorized principal"), \
        srv.log_tail()
    nomatch = ca_server(start_server, ca, tmp_path,
                        [f"AuthorizedPrincipalsFile={d}/nothing_*"])
    sign(ca, user, principals="root")
    assert_in(nomatch, login(nomatch, user), False)
