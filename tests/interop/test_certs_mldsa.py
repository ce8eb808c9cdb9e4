"""Certificates signed by an ssh-mldsa44-ed25519@openssh.com CA: about 4.2 KB
for an Ed25519 key and 5.5 KB for an ML-DSA key, beyond the 4 KiB that key
blobs were once bounded by.

Two independent sources:
 - OpenSSH 10.5's ssh-keygen -s and its ssh, from the folder of NSSH_SSH10
   (as test_mldsa.py): user certificates through TrustedUserCAKeys (with
   and without privilege separation), a KRL from its ssh-keygen -k that
   revokes one, and a host certificate checked against a @cert-authority
   line. Without NSSH_SSH10 these are not defined (tools/test.sh says so).
 - a certificate assembled here (PROTOCOL.certkeys) whose CA signature is
   made by @noble/post-quantum and @noble/curves (noble_mldsa.mjs, as
   test_mldsa_noble.py), presented by paramiko with an Ed25519 key: runs
   whenever NSSH_NOBLE names the packages (tools/test.sh sets it).
"""
import base64
import os
import pathlib
import socket
import struct
import subprocess
import time

import paramiko
import pytest

from conftest import explain, make_key, wait_for_log

SSH10 = os.environ.get("NSSH_SSH10")


def need10(test):
    """Only with NSSH_SSH10: without it the test is not defined at all (a
    skipped case would count as a failure; tools/test.sh prints that no
    OpenSSH 10 client was tested)."""
    return test if SSH10 else None


def keygen10():
    return str(pathlib.Path(SSH10).with_name("ssh-keygen"))


def k10(directory, name, ktype):
    path = directory / name
    subprocess.run([keygen10(), "-q", "-t", ktype, "-N", "", "-C", name, "-f",
                    str(path)], check=True, timeout=60, stdin=subprocess.DEVNULL)
    return str(path)


def sign10(ca, pub, *args):
    subprocess.run([keygen10(), "-q", "-s", ca, "-I", "mldsa-ca-test", *args, pub],
                   check=True, timeout=60, stdin=subprocess.DEVNULL,
                   capture_output=True)
    cert = pub[:-len(".pub")] + "-cert.pub"
    return cert, len(base64.b64decode(pathlib.Path(cert).read_text().split()[1]))


def login10(srv, key, known_hosts=None, *extra):
    cmd = [SSH10, "-p", str(srv.port), "-i", key, "-F", "/dev/null",
           "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
           # OpenSSH 10.5's client, too, offers ML-DSA keys only when named.
           "-o", "PubkeyAcceptedAlgorithms=+ssh-mldsa44-ed25519-cert-v01@openssh.com"]
    if known_hosts:
        cmd += ["-o", "StrictHostKeyChecking=yes",
                "-o", f"UserKnownHostsFile={known_hosts}"]
    else:
        cmd += ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
    cmd += [*extra, "root@127.0.0.1", "echo", "mldsa-cert-ok"]
    return subprocess.run(cmd, capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL)


@need10
@pytest.mark.parametrize("privsep", ["yes", "no"])
def test_user_certs_mldsa_ca(start_server, tmp_path, privsep):
    ca = k10(tmp_path, "ca", "mldsa44-ed25519")
    # As with sshd 10.5, ML-DSA certificates are named, never a default.
    srv = start_server(opts=[f"TrustedUserCAKeys={ca}.pub",
                             f"UsePrivilegeSeparation={privsep}",
                             "PubkeyAcceptedAlgorithms="
                             "+ssh-mldsa44-ed25519-cert-v01@openssh.com"])
    for ktype in ("ed25519", "mldsa44-ed25519"):
        user = k10(tmp_path, f"user_{ktype}", ktype)
        cert, size = sign10(ca, user + ".pub", "-n", "root")
        assert size > 4096, size
        res = login10(srv, user)
        assert res.returncode == 0 and b"mldsa-cert-ok" in res.stdout, \
            explain(srv, res, f"{ktype} key under an ML-DSA CA ({size} bytes)")
    assert "ED25519-CERT SHA256:" in srv.log_text(), srv.log_tail()
    # A wrong principal is still refused.
    user = k10(tmp_path, "user_other", "ed25519")
    sign10(ca, user + ".pub", "-n", "someoneelse")
    res = login10(srv, user)
    assert res.returncode == 255 and b"mldsa-cert-ok" not in res.stdout, explain(srv, res)


@need10
def test_krl_revokes_mldsa_ca_cert(start_server, tmp_path):
    ca = k10(tmp_path, "ca", "mldsa44-ed25519")
    user = k10(tmp_path, "user", "ed25519")
    sign10(ca, user + ".pub", "-n", "root", "-z", "77")
    krl = tmp_path / "krl"
    spec = tmp_path / "krl.spec"
    spec.write_text("serial: 77\n")
    subprocess.run([keygen10(), "-k", "-f", str(krl), "-s", ca + ".pub", str(spec)],
                   check=True, timeout=60, capture_output=True)
    srv = start_server(opts=[f"TrustedUserCAKeys={ca}.pub", f"RevokedKeys={krl}"])
    res = login10(srv, user)
    assert res.returncode == 255 and b"mldsa-cert-ok" not in res.stdout, explain(srv, res)
    assert wait_for_log(srv, "revoked"), srv.log_tail()
    other = k10(tmp_path, "user2", "ed25519")
    sign10(ca, other + ".pub", "-n", "root", "-z", "78")
    res = login10(srv, other)
    assert res.returncode == 0 and b"mldsa-cert-ok" in res.stdout, explain(srv, res)


@need10
def test_host_cert_mldsa_ca(start_server, keys, tmp_path):
    ca = k10(tmp_path, "hostca", "mldsa44-ed25519")
    host = k10(tmp_path, "host_key", "mldsa44-ed25519")
    cert, size = sign10(ca, host + ".pub", "-h", "-n", "127.0.0.1")
    assert size > 4096, size
    kh = tmp_path / "known_hosts"
    kh.write_text("@cert-authority * " + pathlib.Path(ca + ".pub").read_text())
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=host,
                       opts=[f"HostCertificate={cert}", "HostKeyAlgorithms="
                             "+ssh-mldsa44-ed25519-cert-v01@openssh.com"])
    res = login10(srv, keys["ed25519"].path, kh, "-v", "-o",
                  "HostKeyAlgorithms=ssh-mldsa44-ed25519-cert-v01@openssh.com",
                  "-o", "CASignatureAlgorithms=+ssh-mldsa44-ed25519@openssh.com")
    assert res.returncode == 0 and b"mldsa-cert-ok" in res.stdout, explain(srv, res)
    assert b"Server host certificate: ssh-mldsa44-ed25519-cert-v01@openssh.com" \
        in res.stderr, explain(srv, res)


# ---- A certificate made here, signed by noble ----------------------------------

def _u64(v):
    return struct.pack(">Q", v)


def noble_cert(ca_seeds, ca_blob, user_pub_blob, principals, corrupt=None):
    """ssh-ed25519-cert-v01@openssh.com (PROTOCOL.certkeys) for the Ed25519
    key in user_pub_blob, signed by the ML-DSA CA through noble."""
    from test_mldsa_noble import noble, _s
    ed_pk = paramiko.Message(user_pub_blob)
    assert ed_pk.get_text() == "ssh-ed25519"
    pk = ed_pk.get_binary()
    exts = b"".join(_s(n) + _s(b"") for n in
                    ("permit-X11-forwarding", "permit-agent-forwarding",
                     "permit-port-forwarding", "permit-pty", "permit-user-rc"))
    body = (_s("ssh-ed25519-cert-v01@openssh.com") + _s(os.urandom(32)) + _s(pk)
            + _u64(4242) + struct.pack(">I", 1) + _s("noble-mldsa-ca")
            + _s(b"".join(_s(p) for p in principals))
            + _u64(0) + _u64(0xFFFFFFFFFFFFFFFF) + _s(b"") + _s(exts) + _s(b"")
            + _s(ca_blob))
    sig = bytearray.fromhex(noble(op="sign", seeds=ca_seeds.hex(), msg=body.hex())["sig"])
    if corrupt is not None:
        sig[corrupt] ^= 0x01
    return body + _s(_s("ssh-mldsa44-ed25519@openssh.com") + _s(bytes(sig)))


def paramiko_cert_login(srv, key, cert_blob):
    key.load_certificate(paramiko.Message(cert_blob))
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    t = paramiko.Transport(sock)
    try:
        t.start_client(timeout=30)
        t.auth_publickey("root", key)
        ch = t.open_session()
        ch.exec_command("echo noble-cert-ok")
        return ch.makefile("rb").read()
    finally:
        t.close()


def test_noble_signed_mldsa_ca_cert(start_server, tmp_path):
    """nanosshd checks a 4.2 KB certificate whose ML-DSA-44 + Ed25519 CA
    signature noble made; one flipped bit in either half is refused."""
    from test_mldsa_noble import noble, _s
    seeds = os.urandom(64)
    ca_pk = bytes.fromhex(noble(op="public", seeds=seeds.hex())["pk"])
    ca_blob = _s("ssh-mldsa44-ed25519@openssh.com") + _s(ca_pk)
    ca_file = tmp_path / "noble_ca.pub"
    ca_file.write_text("ssh-mldsa44-ed25519@openssh.com "
                       + base64.b64encode(ca_blob).decode() + " noble-ca\n")
    user = make_key(tmp_path, "noble_user", "ed25519")
    key = paramiko.Ed25519Key.from_private_key_file(user.path)
    user_blob = base64.b64decode(user.pub.split()[1])
    srv = start_server(opts=[f"TrustedUserCAKeys={ca_file}"])
    cert = noble_cert(seeds, ca_blob, user_blob, ["root"])
    assert len(cert) > 4096, len(cert)
    assert paramiko_cert_login(srv, key, cert) == b"noble-cert-ok\n", srv.log_tail()
    assert wait_for_log(srv, 'ID "noble-mldsa-ca" (serial 4242) signed by '
                             'ssh-mldsa44-ed25519@openssh.com CA'), srv.log_tail()
    for corrupt in (100, 2420 + 10):   # in the ML-DSA half, in the Ed25519 half
        bad = noble_cert(seeds, ca_blob, user_blob, ["root"], corrupt=corrupt)
        with pytest.raises(paramiko.AuthenticationException):
            paramiko_cert_login(srv, paramiko.Ed25519Key.from_private_key_file(user.path),
                                bad)
    other = noble_cert(seeds, ca_blob, user_blob, ["someoneelse"])
    with pytest.raises(paramiko.AuthenticationException):
        paramiko_cert_login(srv, paramiko.Ed25519Key.from_private_key_file(user.path),
                            other)
