"""Interop matrix, nanossh-probe as the client: the engine's own client
role against the daemon, with each algorithm forced through -o, a login
with each user key type, and the host keys the daemon announces
(hostkeys-00@openssh.com) checked against its key files."""
import json
import subprocess

import pytest

from matrix import CIPHERS, HOSTKEY_ALGS, KEXES, MACS, fingerprint, matrix_server  # noqa: F401
from test_probe import check_schema, probe  # noqa: F401

CLIENT = "nanossh-probe"
VERSION = "0.1.0"


def probe_run(probe, ms, row, *args):
    p = subprocess.run([probe, "--json", "--timeout", "10", "-p", str(ms.port),
                        *args, "127.0.0.1"], capture_output=True, text=True,
                       timeout=120)
    doc = json.loads(p.stdout)
    check_schema(doc)
    assert p.returncode == 0 and doc["ok"], row.explain("nanossh-probe", p)
    return doc


def test_probe_default_login(matrix_server, probe, keys, keydir):
    with matrix_server.row(CLIENT, VERSION, "default", "defaults") as row:
        doc = probe_run(probe, matrix_server, row, "-l", "root", "-i",
                        keys["ed25519"].path)
        assert doc["login"] == {"ok": True, "exit_status": 0}
        row.expect()
        # Every host key the daemon has, announced after the login.
        want = {fingerprint(str(k.path) + ".pub")
                for k in matrix_server.hostkeys.values()}
        got = {h["fingerprint"] for h in doc["hostkeys"]}
        assert want == got, (want, got)


@pytest.mark.parametrize("kex", KEXES)
def test_probe_kex(matrix_server, probe, kex):
    with matrix_server.row(CLIENT, VERSION, "kex", kex) as row:
        doc = probe_run(probe, matrix_server, row, "-o", f"KexAlgorithms={kex}")
        assert doc["algorithms"]["negotiated"]["kex"] == kex
        row.expect(kex=kex)


@pytest.mark.parametrize("alg", HOSTKEY_ALGS)
def test_probe_hostkey(matrix_server, probe, alg):
    with matrix_server.row(CLIENT, VERSION, "host key", alg) as row:
        doc = probe_run(probe, matrix_server, row, "-o", f"HostKeyAlgorithms={alg}")
        assert doc["algorithms"]["negotiated"]["hostkey"] == alg
        row.expect(hostkey=alg)


@pytest.mark.parametrize("cipher", CIPHERS)
def test_probe_cipher(matrix_server, probe, cipher):
    with matrix_server.row(CLIENT, VERSION, "cipher", cipher) as row:
        doc = probe_run(probe, matrix_server, row, "-o", f"Ciphers={cipher}")
        assert doc["algorithms"]["negotiated"]["cipher_s2c"] == cipher
        row.expect(cipher=cipher)


@pytest.mark.parametrize("mac", MACS)
def test_probe_mac(matrix_server, probe, mac):
    with matrix_server.row(CLIENT, VERSION, "MAC", mac) as row:
        doc = probe_run(probe, matrix_server, row, "-o", f"MACs={mac}",
                        "-o", "Ciphers=aes128-ctr")
        assert doc["algorithms"]["negotiated"]["mac_s2c"] == mac
        row.expect(cipher="aes128-ctr")
