"""Interop matrix, OpenSSH: every key exchange, host key algorithm, cipher
and MAC that both sides have, forced one at a time, against one daemon that
holds every host key type.

Each row asserts that the command ran, that `ssh -v` names the algorithm
("kex: algorithm:", "kex: host key algorithm:", "cipher: ... MAC: ...")
and that the daemon's log names it too. See matrix.py for how rows are
recorded for INTEROP.md."""
import re
import subprocess

import pytest

from conftest import ssh
from matrix import (CIPHERS, HOSTKEY_ALGS, KEXES, MACS, matrix_server,  # noqa: F401
                    version_of)

CLIENT = "OpenSSH ssh"


def _knows(what, candidates):
    """The candidates `ssh -Q what` lists. A missing ssh, or a probe that
    lists nothing, keeps every candidate: each row then fails on its own
    instead of the matrix silently shrinking."""
    try:
        out = subprocess.run(["ssh", "-Q", what], capture_output=True,
                             text=True, timeout=30).stdout.split()
    except OSError:
        out = []
    if not out:
        return list(candidates)
    return [c for c in candidates if c in out]


# Only what this ssh knows: OpenSSH 9.2 has no mlkem768x25519-sha256.
SSH_KEXES = _knows("kex", KEXES)
SSH_HOSTKEYS = _knows("HostKeyAlgorithms", HOSTKEY_ALGS)
SSH_CIPHERS = _knows("cipher", CIPHERS)
SSH_MACS = _knows("mac", MACS)


@pytest.fixture(scope="module")
def version():
    return version_of(["ssh", "-V"], r"OpenSSH_([^,\s]+)")


def negotiated(stderr):
    """ssh -v's 'kex: client->server cipher: X MAC: Y' lines, both ways."""
    return re.findall(r"kex: (client->server|server->client) cipher: (\S+) "
                      r"MAC: (\S+)", stderr)


def run(ms, keys, row, *, opts=(), args=()):
    res = ssh(ms, keys["ed25519"], "echo ok; exit 3", opts=opts, args=args,
              verbose=True)
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 3 and res.stdout == b"ok\n", \
        row.explain("login and command", res)
    return err


@pytest.mark.parametrize("kex", SSH_KEXES)
def test_openssh_kex(matrix_server, keys, version, kex):
    with matrix_server.row(CLIENT, version, "kex", kex) as row:
        err = run(matrix_server, keys, row, opts=[f"KexAlgorithms={kex}"])
        assert f"kex: algorithm: {kex}" in err, \
            row.explain(f"ssh -v does not name {kex}")
        row.expect(kex=kex)


@pytest.mark.parametrize("hostalg", SSH_HOSTKEYS)
def test_openssh_hostkey(matrix_server, keys, version, hostalg):
    with matrix_server.row(CLIENT, version, "host key", hostalg) as row:
        err = run(matrix_server, keys, row, opts=[f"HostKeyAlgorithms={hostalg}"])
        assert f"kex: host key algorithm: {hostalg}" in err, \
            row.explain(f"ssh -v does not name {hostalg}")
        row.expect(hostkey=hostalg)


@pytest.mark.parametrize("cipher", SSH_CIPHERS)
def test_openssh_cipher(matrix_server, keys, version, cipher):
    with matrix_server.row(CLIENT, version, "cipher", cipher) as row:
        err = run(matrix_server, keys, row, args=["-c", cipher])
        got = negotiated(err)
        assert len(got) == 2 and all(c == cipher for _, c, _ in got), \
            row.explain(f"ssh -v shows {got}, want {cipher} both ways")
        row.expect(cipher=cipher)


@pytest.mark.parametrize("mac", SSH_MACS)
def test_openssh_mac(matrix_server, keys, version, mac):
    # An AEAD cipher would leave the MAC out of the negotiation.
    with matrix_server.row(CLIENT, version, "MAC", mac) as row:
        err = run(matrix_server, keys, row, args=["-c", "aes128-ctr", "-m", mac])
        got = negotiated(err)
        assert len(got) == 2 and all(m == mac for _, _, m in got), \
            row.explain(f"ssh -v shows {got}, want {mac} both ways")
        row.expect(cipher="aes128-ctr")


@pytest.mark.parametrize("ktype", ["ed25519", "ecdsa", "rsa"])
def test_openssh_userkey(matrix_server, keys, version, ktype):
    """Each client key type; the daemon logs the signature algorithm."""
    name = {"ed25519": "ssh-ed25519", "ecdsa": "ecdsa-sha2-nistp256",
            "rsa": "rsa-sha2-512"}[ktype]
    with matrix_server.row(CLIENT, version, "user key", name) as row:
        res = ssh(matrix_server, keys[ktype], "echo ok", verbose=True)
        assert res.returncode == 0 and res.stdout == b"ok\n", \
            row.explain(f"login with the {ktype} key", res)
        assert f"publickey {name} accepted for root" in row.log(), \
            row.explain(f"the daemon did not accept a {name} signature", res)
        row.note = name


def test_openssh_default(matrix_server, keys, version):
    with matrix_server.row(CLIENT, version, "default", "defaults") as row:
        err = run(matrix_server, keys, row)
        n = row.expect()
        assert f"kex: algorithm: {n.kex}" in err, \
            row.explain(f"ssh -v and the daemon disagree on the kex ({n.kex})")
