"""AuthenticationMethods publickey,publickey: the options of both keys
are combined as sshd combines them (auth_activate_options): a forced
command of either key applies, restrictions accumulate, two different
forced commands refuse the login; a certificate counts as the key it
certifies, so a key and its own certificate are not two keys. Client: the
system's OpenSSH ssh with two -i keys."""
from conftest import explain, make_key, ssh, wait_for_log
from test_certs import sign

TWO = ["AuthenticationMethods=publickey,publickey"]


def two_keys(tmp_path):
    return make_key(tmp_path, "k1", "ed25519"), make_key(tmp_path, "k2", "ecdsa", 256)


def login(srv, k1, k2, *cmd, **kw):
    return ssh(srv, k1, *(cmd or ("echo", "asked-for")),
               opts=["IdentitiesOnly=yes"], args=["-i", k2.path], **kw)


def test_forced_command_of_first_key_stays(start_server, tmp_path):
    k1, k2 = two_keys(tmp_path)
    srv = start_server(authorized=[k1.line('command="echo forced-one"'),
                                   k2.line("no-port-forwarding")], opts=TWO)
    res = login(srv, k1, k2)
    assert res.returncode == 0, explain(srv, res)
    assert b"forced-one" in res.stdout and b"asked-for" not in res.stdout, \
        explain(srv, res)
    assert wait_for_log(srv, "Partial publickey for root"), srv.log_tail()


def test_restrictions_accumulate(start_server, tmp_path):
    """no-pty on the first key, nothing on the second: still no pty."""
    k1, k2 = two_keys(tmp_path)
    srv = start_server(authorized=[k1.line("no-pty"), k2.line()], opts=TWO)
    res = login(srv, k1, k2, "tty", tty=True)
    assert b"PTY allocation request failed" in res.stderr, explain(srv, res)
    assert b"/dev/pts/" not in res.stdout, explain(srv, res)
    one = start_server(authorized=[k1.line(), k2.line()], opts=TWO)
    res = login(one, k1, k2, "tty", tty=True)
    assert b"/dev/pts/" in res.stdout, explain(one, res)


def test_conflicting_forced_commands_refused(start_server, tmp_path):
    k1, k2 = two_keys(tmp_path)
    srv = start_server(authorized=[k1.line('command="echo A"'),
                                   k2.line('command="echo B"')], opts=TWO)
    res = login(srv, k1, k2)
    assert res.returncode != 0 and res.stdout == b"", explain(srv, res)
    assert wait_for_log(srv, "Inconsistent authentication options: forced "
                        "command options do not match"), srv.log_tail()


def test_key_and_its_certificate_are_one_key(start_server, tmp_path):
    ca = make_key(tmp_path, "ca", "ed25519")
    k1 = make_key(tmp_path, "k1", "ed25519")
    cert = sign(ca, k1)
    trusted = tmp_path / "trusted"
    trusted.write_text(ca.pub + "\n")
    srv = start_server(authorized=[k1.line()],
                       opts=TWO + [f"TrustedUserCAKeys={trusted}"])
    res = ssh(srv, k1, "echo", "asked-for",
              opts=["IdentitiesOnly=yes", f"CertificateFile={cert}"])
    assert res.returncode != 0 and res.stdout == b"", explain(srv, res)
    assert wait_for_log(srv, "refusing previously-used ED25519 key"), srv.log_tail()
