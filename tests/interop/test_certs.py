"""OpenSSH certificates (PROTOCOL.certkeys) made with Debian's ssh-keygen -s:
user certificates through TrustedUserCAKeys, AuthorizedPrincipalsFile and
cert-authority lines, their validity, principals, critical options and
extensions, CASignatureAlgorithms; host certificates (HostCertificate)
seen by ssh -o StrictHostKeyChecking=yes through a @cert-authority line,
and by ssh-keyscan -c; AuthorizedPrincipalsCommand and RevokedKeys (KRLs
by serial and key id, plain lists naming the CA). Refusals are checked
against sshd's log lines."""
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from conftest import SSH_BASE, Key, explain, make_key, need_tool, ssh, wait_for_log


@pytest.fixture(scope="module")
def cas(tmp_path_factory):
    d = tmp_path_factory.mktemp("ca")
    return {"ed": make_key(d, "ca_ed25519", "ed25519"),
            "other": make_key(d, "ca_other", "ed25519"),
            "rsa": make_key(d, "ca_rsa", "rsa", 2048)}


def sign(ca, key, principals="root", ident="cert-test", validity=None,
         options=(), host=False, serial=7):
    """ssh-keygen -s: writes <key>-cert.pub next to the key (where ssh -i
    looks for it) and returns its path."""
    cmd = ["ssh-keygen", "-q", "-s", ca.path, "-I", ident, "-n", principals,
           "-z", str(serial)]
    if validity:
        cmd += ["-V", validity]
    if host:
        cmd.append("-h")
    for o in options:
        cmd += ["-O", o]
    cmd.append(key.path + ".pub")
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return key.path + "-cert.pub"


@pytest.fixture
def user_key(tmp_path):
    return make_key(tmp_path, "id_user", "ed25519")


def ca_server(start_server, ca, tmp_path, opts=(), authorized=()):
    trusted = tmp_path / "trusted_ca"
    trusted.write_text(ca.pub + "\n")
    return start_server(authorized=authorized,
                        opts=[f"TrustedUserCAKeys={trusted}", *opts])


def login(srv, key, *cmd, **kw):
    return ssh(srv, key, *(cmd or ("echo", "cert-ok")), **kw)


def assert_in(srv, res, ok):
    if ok:
        assert res.returncode == 0 and b"cert-ok" in res.stdout, explain(srv, res)
    else:
        assert res.returncode != 0 and b"cert-ok" not in res.stdout, explain(srv, res)


def test_trusted_ca_valid(start_server, cas, user_key, tmp_path):
    sign(cas["ed"], user_key, ident="alice-laptop", serial=42)
    srv = ca_server(start_server, cas["ed"], tmp_path)
    res = login(srv, user_key)
    assert_in(srv, res, True)
    assert wait_for_log(srv, 'Accepted certificate ID "alice-laptop" (serial 42) '
                        'signed by ED25519 CA SHA256:'), srv.log_tail()
    assert wait_for_log(srv, "Accepted publickey for root from 127.0.0.1"), srv.log_tail()
    assert "ED25519-CERT SHA256:" in srv.log_text()


@pytest.mark.parametrize("validity,reason,ok", [
    ("20200101:20200102", "Certificate invalid: expired", False),
    ("+520w:+1040w", "Certificate invalid: not yet valid", False),
    # valid_before past 2038 (a 64-bit time): still valid today.
    ("-1d:21060101", None, True),
])
def test_validity(start_server, cas, user_key, tmp_path, validity, reason, ok):
    sign(cas["ed"], user_key, validity=validity)
    srv = ca_server(start_server, cas["ed"], tmp_path)
    assert_in(srv, login(srv, user_key), ok)
    if reason:
        assert wait_for_log(srv, f"Refusing certificate ID \"cert-test\" serial=7 "
                            f"signed by ED25519 CA SHA256:"), srv.log_tail()
        assert reason in srv.log_text(), srv.log_tail()


def test_wrong_principal(start_server, cas, user_key, tmp_path):
    sign(cas["ed"], user_key, principals="alice,bob")
    srv = ca_server(start_server, cas["ed"], tmp_path)
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "Certificate invalid: name is not a listed principal"), \
        srv.log_tail()


def test_wrong_ca(start_server, cas, user_key, tmp_path):
    sign(cas["other"], user_key)
    srv = ca_server(start_server, cas["ed"], tmp_path)
    res = login(srv, user_key)
    assert_in(srv, res, False)
    assert "Accepted certificate" not in srv.log_text()


def test_principals_file(start_server, cas, user_key, tmp_path):
    """AuthorizedPrincipalsFile with %u: the names there replace the user
    name; options on a line apply."""
    pdir = tmp_path / "principals"
    pdir.mkdir()
    (pdir / "root").write_text("# ops\nops-team\nno-pty,command=\"echo via-principals\" "
                               "deploy\n")
    opts = [f"AuthorizedPrincipalsFile={pdir}/%u"]
    sign(cas["ed"], user_key, principals="ops-team")
    srv = ca_server(start_server, cas["ed"], tmp_path, opts)
    assert_in(srv, login(srv, user_key), True)
    sign(cas["ed"], user_key, principals="deploy")
    res = login(srv, user_key)
    assert res.returncode == 0 and b"via-principals" in res.stdout, explain(srv, res)
    # "root" is the user name but not in the file: refused.
    sign(cas["ed"], user_key, principals="root")
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "Certificate does not contain an authorized principal"), \
        srv.log_tail()


def test_force_command(start_server, cas, user_key, tmp_path):
    sign(cas["ed"], user_key, options=["force-command=echo forced-by-cert"])
    srv = ca_server(start_server, cas["ed"], tmp_path)
    res = ssh(srv, user_key, "echo", "asked-for")
    assert res.returncode == 0, explain(srv, res)
    assert b"forced-by-cert" in res.stdout and b"asked-for" not in res.stdout, \
        explain(srv, res)


@pytest.mark.parametrize("source,ok", [("127.0.0.1/32,::1", True),
                                       ("10.0.0.0/8", False)])
def test_source_address(start_server, cas, user_key, tmp_path, source, ok):
    sign(cas["ed"], user_key, options=[f"source-address={source}"])
    srv = ca_server(start_server, cas["ed"], tmp_path)
    assert_in(srv, login(srv, user_key), ok)
    if not ok:
        assert wait_for_log(srv, "Refused by certificate options"), srv.log_tail()
        assert "with valid certificate but not from a permitted source address " \
               "(127.0.0.1)" in srv.log_text()


def test_no_pty_extension(start_server, cas, user_key, tmp_path):
    """A certificate without permit-pty: pty-req refused; with it, a
    terminal."""
    srv = ca_server(start_server, cas["ed"], tmp_path)
    sign(cas["ed"], user_key)
    res = ssh(srv, user_key, "tty", tty=True)
    assert b"/dev/pts/" in res.stdout, explain(srv, res)
    sign(cas["ed"], user_key, options=["no-pty"])
    res = ssh(srv, user_key, "tty", tty=True)
    assert b"/dev/pts/" not in res.stdout, explain(srv, res)
    assert b"PTY allocation request failed" in res.stderr, explain(srv, res)


def test_ca_signature_algorithm(start_server, cas, user_key, tmp_path):
    """An RSA CA signs with rsa-sha2-512: refused when CASignatureAlgorithms
    leaves it out, accepted by default."""
    sign(cas["rsa"], user_key)
    srv = ca_server(start_server, cas["rsa"], tmp_path,
                    ["CASignatureAlgorithms=ssh-ed25519,ecdsa-sha2-nistp256"])
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "certificate signature algorithm rsa-sha2-512"), \
        srv.log_tail()
    srv = ca_server(start_server, cas["rsa"], tmp_path)
    assert_in(srv, login(srv, user_key), True)


def test_cert_authority_line(start_server, cas, user_key, tmp_path):
    """cert-authority with principals= in authorized_keys; the CA key itself
    is not a user key there."""
    line = f'cert-authority,principals="alice,ops" {cas["ed"].pub}'
    srv = start_server(authorized=[line])
    sign(cas["ed"], user_key, principals="ops")
    assert_in(srv, login(srv, user_key), True)
    assert wait_for_log(srv, 'Accepted certificate ID "cert-test" (serial 7) '
                        'signed by CA ED25519 SHA256:'), srv.log_tail()
    sign(cas["ed"], user_key, principals="root")
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "Certificate does not contain an authorized principal"), \
        srv.log_tail()
    os.unlink(user_key.path + "-cert.pub")
    assert_in(srv, login(srv, cas["ed"]), False)


def test_rsa_and_ecdsa_certs(start_server, cas, tmp_path):
    """rsa-sha2-512-cert-v01 / ecdsa-sha2-nistp256-cert-v01 as userauth
    algorithms."""
    srv = ca_server(start_server, cas["ed"], tmp_path)
    for name, kt, bits in (("id_rsa", "rsa", 2048), ("id_ecdsa", "ecdsa", 256)):
        k = make_key(tmp_path, name, kt, bits)
        sign(cas["ed"], k)
        assert_in(srv, login(srv, k), True)
    log = srv.log_text()
    assert "RSA-CERT SHA256:" in log and "ECDSA-CERT SHA256:" in log, srv.log_tail()


def test_privsep(start_server, cas, user_key, tmp_path):
    """The monitor decides: certificates work with privilege separation."""
    sign(cas["ed"], user_key, options=["force-command=echo cert-ok-privsep"])
    srv = ca_server(start_server, cas["ed"], tmp_path, ["UsePrivilegeSeparation=yes"])
    res = login(srv, user_key)
    assert res.returncode == 0 and b"cert-ok-privsep" in res.stdout, explain(srv, res)
    sign(cas["ed"], user_key, validity="20200101:20200102")
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "Certificate invalid: expired"), srv.log_tail()


# ---- Host certificates -------------------------------------------------------

@pytest.fixture
def host_cert(cas, tmp_path):
    hk = make_key(tmp_path, "host_cert_key", "ed25519")
    return hk, sign(cas["ed"], hk, principals="127.0.0.1,localhost",
                    ident="host-cert", host=True)


def test_host_certificate(start_server, cas, keys, host_cert, tmp_path):
    hk, cert = host_cert
    kh = tmp_path / "known_hosts"
    kh.write_text(f"@cert-authority * {cas['ed'].pub}\n")
    strict = ["StrictHostKeyChecking=yes", f"UserKnownHostsFile={kh}"]
    base = []
    for i in range(0, len(SSH_BASE), 2):   # (-o, value) and (-F, file) pairs
        if not SSH_BASE[i + 1].startswith(("StrictHostKeyChecking",
                                           "UserKnownHostsFile")):
            base += SSH_BASE[i:i + 2]
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=hk.path,
                       opts=[f"HostCertificate={cert}"])
    cmd = ["ssh", "-p", str(srv.port), "-i", keys["ed25519"].path, *base, "-v",
           *sum((["-o", o] for o in strict), []), "root@127.0.0.1", "echo", "cert-ok"]
    res = subprocess.run(cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert res.returncode == 0 and b"cert-ok" in res.stdout, explain(srv, res)
    assert b"Server host certificate: ssh-ed25519-cert-v01@openssh.com" in res.stderr, \
        explain(srv, res)
    assert b"is known and matches the ED25519-CERT host certificate" in res.stderr, \
        explain(srv, res)
    assert kh.read_text().count("\n") == 1   # nothing added

    # Without the certificate the same known_hosts has no key for the host.
    plain = start_server(authorized=[keys["ed25519"].line()], host_key=hk.path)
    cmd[2] = str(plain.port)
    res = subprocess.run(cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert res.returncode != 0 and b"cert-ok" not in res.stdout, explain(plain, res)


def test_keyscan_cert_names(start_server, cas, keys, host_cert, nanosshd, tmp_path):
    """ssh-keyscan -c asks for certificates; HostKeyAlgorithms takes the
    certificate names."""
    need_tool("ssh-keyscan")
    hk, cert = host_cert
    algs = "HostKeyAlgorithms=ssh-ed25519-cert-v01@openssh.com,ssh-ed25519"
    chk = subprocess.run([nanosshd, "-t", "-f", "/dev/null", "-h", hk.path,
                          "-o", algs, "-o", f"HostCertificate={cert}"],
                         capture_output=True, text=True, timeout=30)
    assert chk.returncode == 0, chk.stderr
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=hk.path,
                       opts=[f"HostCertificate={cert}", algs])
    res = subprocess.run(["ssh-keyscan", "-c", "-p", str(srv.port), "127.0.0.1"],
                         capture_output=True, text=True, timeout=60)
    want = open(cert).read().split()[1]
    assert f"ssh-ed25519-cert-v01@openssh.com {want}" in res.stdout, \
        res.stdout + res.stderr + srv.log_tail()


# ---- AuthorizedPrincipalsCommand and RevokedKeys -----------------------------

@pytest.fixture
def helperdir():
    """Helper programs sit where only root can change them (sshd's rule)."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="nanossh-apc-", dir="/run"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_principals_command(start_server, cas, user_key, tmp_path, helperdir):
    """The helper runs as AuthorizedPrincipalsCommandUser with sshd's tokens
    and prints the accepted principals."""
    prog = helperdir / "principals"
    prog.write_text('#!/bin/sh\necho "uid=$(id -un) args=[$*]" >&2\n'
                    'echo ops-team\n')
    os.chmod(prog, 0o755)
    opts = [f"AuthorizedPrincipalsCommand={prog} %u %i %s %T %t %% %f",
            "AuthorizedPrincipalsCommandUser=nobody"]
    cert = sign(cas["ed"], user_key, principals="ops-team", ident="ci-runner",
                serial=77)
    srv = ca_server(start_server, cas["ed"], tmp_path, opts)
    assert_in(srv, login(srv, user_key), True)
    # %f: the certificate's fingerprint as ssh-keygen -l shows it (the
    # certified key's)
    fp = subprocess.run(["ssh-keygen", "-l", "-f", cert], capture_output=True,
                        text=True, check=True, timeout=30).stdout.split()[1]
    want = ("uid=nobody args=[root ci-runner 77 ssh-ed25519 "
            f"ssh-ed25519-cert-v01@openssh.com % {fp}]")
    assert want in srv.log_text(), srv.log_tail()
    sign(cas["ed"], user_key, principals="root")
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "Certificate does not contain an authorized principal"), \
        srv.log_tail()


def krl(ca, path, spec_lines, update=None):
    spec = path.with_suffix(".spec")
    spec.write_text("".join(line + "\n" for line in spec_lines))
    cmd = ["ssh-keygen", "-q", "-k", "-f", str(path), "-s", ca.pub_path]
    if update:
        cmd.insert(3, "-u")
    subprocess.run(cmd + [str(spec)], check=True, capture_output=True, timeout=60)
    return path


def test_revoked(start_server, cas, user_key, tmp_path):
    """A KRL revoking the certificate's serial refuses it with sshd's line;
    another serial of the same CA still logs in; a plain list naming the CA
    key refuses every certificate it signed."""
    ca = cas["ed"]
    ca.pub_path = ca.path + ".pub"
    path = krl(ca, tmp_path / "revoked.krl", ["serial: 100-199", "id: stolen-laptop"])
    srv = ca_server(start_server, ca, tmp_path, [f"RevokedKeys={path}"])
    sign(ca, user_key, serial=150)
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "Authentication key ED25519-CERT SHA256:"), srv.log_tail()
    assert f"revoked by file {path}" in srv.log_text()
    sign(ca, user_key, serial=7, ident="stolen-laptop")
    assert_in(srv, login(srv, user_key), False)
    sign(ca, user_key, serial=7)
    assert_in(srv, login(srv, user_key), True)

    plain = tmp_path / "revoked_keys"
    plain.write_text(ca.pub + "\n")
    srv = ca_server(start_server, ca, tmp_path, [f"RevokedKeys={plain}"])
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, f"revoked by file {plain}"), srv.log_tail()


def test_revoked_several_files(start_server, cas, user_key, tmp_path):
    """RevokedKeys names several files on one line (sshd 9.8 and later;
    OpenSSH's cert-userkey test writes "RevokedKeys /dev/null FILE"): each
    is read, and any one that revokes the key refuses it."""
    ca = cas["ed"]
    empty = tmp_path / "revoked_none"
    empty.write_text("")
    sign(ca, user_key, serial=3)
    srv = ca_server(start_server, ca, tmp_path,
                    [f"RevokedKeys /dev/null {empty}"])
    assert_in(srv, login(srv, user_key), True)
    listed = tmp_path / "revoked_ca"
    listed.write_text(ca.pub + "\n")
    srv = ca_server(start_server, ca, tmp_path,
                    [f"RevokedKeys /dev/null {empty} {listed}"])
    assert_in(srv, login(srv, user_key), False)
    assert wait_for_log(srv, "revoked by file /dev/null"), srv.log_tail()


# ---- Every cert-authority line, and those of AuthorizedKeysCommand -----------

def test_every_cert_authority_line(start_server, cas, user_key, tmp_path):
    """sshd reads every line: a cert-authority line for the CA refused by
    its from= or principals= does not hide a later one that accepts."""
    lines = [f'cert-authority,from="10.9.9.9" {cas["ed"].pub}',
             f'cert-authority,principals="alice" {cas["ed"].pub}',
             f'cert-authority,principals="ops",command="echo third-line" {cas["ed"].pub}']
    srv = start_server(authorized=lines)
    sign(cas["ed"], user_key, principals="ops")
    res = login(srv, user_key)
    assert res.returncode == 0 and b"third-line" in res.stdout, explain(srv, res)
    assert wait_for_log(srv, f"found at {srv.authorized_keys}:3"), srv.log_tail()
    sign(cas["ed"], user_key, principals="bob")
    assert_in(srv, login(srv, user_key), False)


def test_command_cert_authority(start_server, cas, user_key, tmp_path, helperdir):
    """AuthorizedKeysCommand's cert-authority lines are used, and the
    command sees the certificate as %t and %k, the certified key's
    fingerprint as %f (sshd's tokens)."""
    prog = helperdir / "akc"
    prog.write_text('#!/bin/sh\necho "akc-args=[$1 $2 $3]" >&2\n'
                    f"echo 'cert-authority,principals=\"ops\" {cas['ed'].pub}'\n")
    os.chmod(prog, 0o755)
    sign(cas["ed"], user_key, principals="ops")
    srv = start_server(authorized=[], opts=[f"AuthorizedKeysCommand={prog} %t %f %k",
                                            "AuthorizedKeysCommandUser=nobody"])
    assert_in(srv, login(srv, user_key), True)
    assert wait_for_log(srv, "found at AuthorizedKeysCommand:1"), srv.log_tail()
    fp = subprocess.run(["ssh-keygen", "-l", "-f", user_key.path + ".pub"],
                        capture_output=True, text=True, check=True,
                        timeout=30).stdout.split()[1]
    cert_b64 = open(user_key.path + "-cert.pub").read().split()[1]
    # (the log splits a long stderr line: the certificate's start is enough)
    assert f"akc-args=[ssh-ed25519-cert-v01@openssh.com {fp} {cert_b64[:200]}" in \
        srv.log_text(), srv.log_tail()
    sign(cas["ed"], user_key, principals="dev")
    assert_in(srv, login(srv, user_key), False)


def test_ssh_rsa_cert_sha1(start_server, cas, tmp_path):
    """ssh-rsa-cert-v01@openssh.com (SHA-1 signatures): known to the
    configuration and usable once named, never enabled by default (sshd
    10.5's default list has only the rsa-sha2-* certificate names)."""
    k = make_key(tmp_path, "id_rsa1", "rsa", 2048)
    sign(cas["ed"], k)
    client = ["PubkeyAcceptedAlgorithms=ssh-rsa-cert-v01@openssh.com"]
    srv = ca_server(start_server, cas["ed"], tmp_path,
                    ["PubkeyAcceptedAlgorithms=+ssh-rsa-cert-v01@openssh.com"])
    assert_in(srv, login(srv, k, opts=client), True)
    assert wait_for_log(srv, "publickey attempt ssh-rsa-cert-v01@openssh.com"), \
        srv.log_tail()
    default = ca_server(start_server, cas["ed"], tmp_path)
    assert_in(default, login(default, k, opts=client), False)
