"""The ML-KEM hybrids with NIST-curve ECDH (draft-kampanakis-curdle-ssh-pq-ke):
mlkem768nistp256-sha256 and mlkem1024nistp384-sha384.

- the default offer: right after mlkem768x25519-sha256;
- an independent client: the raw client (ML-KEM-768 in plain Python,
  P-256 from python3-cryptography) checks the exchange hash signature;
- nanossh's own client role (nanossh-probe) logs in with each;
- OpenSSH 10: Debian 12's OpenSSH 9.2 has neither method, so the client
  named by the environment variable NSSH_SSH10 (an OpenSSH 10.x ssh
  built outside the tree) logs in with each method it implements
  (OpenSSH 10.5 has mlkem768nistp256-sha256 but not
  mlkem1024nistp384-sha384). Without NSSH_SSH10 those rows do not exist:
  no Debian package has such a client, and a skipped row would read as a
  failure; the raw client and the probe cover both methods regardless.
"""
import os
import subprocess

import pytest

import rawkex
from conftest import explain, ssh_cmd
from test_matrix_raw import CLIENT, VERSION, Session
from matrix import matrix_server  # noqa: F401
from test_probe import probe, run_probe  # noqa: F401

NIST = ["mlkem768nistp256-sha256", "mlkem1024nistp384-sha384"]


def test_default_offer_order(matrix_server):
    """The server's KEXINIT: the x25519 hybrid first, then these two."""
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "ML-KEM hybrids in the default offer") as row, \
            Session(matrix_server.port) as s:
        assert s.server_kex[:3] == ["mlkem768x25519-sha256"] + NIST, \
            row.explain(f"server offers {s.server_kex}")


def test_raw_mlkem768nistp256(matrix_server):
    kex = "mlkem768nistp256-sha256"
    assert kex in rawkex.SUPPORTED
    with matrix_server.row(CLIENT, VERSION, "kex", kex) as row, \
            Session(matrix_server.port) as s:
        s.kexinit(kex, "ssh-ed25519")
        ex = rawkex.Exchange(kex)
        s.send(ex.init_payload())
        assert s.reply(ex, row) == "ssh-ed25519"
        row.expect(kex=kex, hostkey="ssh-ed25519")
        row.note = "exchange hash signature verified"


@pytest.mark.parametrize("kex", NIST)
def test_probe_login(probe, server, keys, kex):  # noqa: F811
    """The engine's client role against the daemon: kex, login, exit 0."""
    rc, doc = run_probe(probe, server.port, "-o", f"KexAlgorithms={kex}",
                        "-l", "root", "-i", str(keys["ed25519"].path))
    facts = {k: v for k, v in doc.items() if k in ("ok", "failure", "login")}
    assert rc == 0, explain(server, None, f"probe: {facts}")
    assert doc["algorithms"]["negotiated"]["kex"] == kex, doc
    assert doc["login"] == {"ok": True, "exit_status": 0}, doc


SSH10 = os.environ.get("NSSH_SSH10")


def ssh10_methods():
    """The kex methods of the OpenSSH 10 client, and its version."""
    assert os.access(SSH10, os.X_OK), f"NSSH_SSH10={SSH10} is not an executable"
    q = subprocess.run([SSH10, "-Q", "kex"], capture_output=True, text=True,
                       timeout=30)
    v = subprocess.run([SSH10, "-V"], capture_output=True, text=True,
                       timeout=30)
    return q.stdout.split(), (v.stderr or v.stdout).strip()


if SSH10:
    SSH10_KEX, SSH10_VERSION = ssh10_methods()

    def test_openssh10_has_a_nist_hybrid():
        assert any(k in SSH10_KEX for k in NIST), \
            f"{SSH10_VERSION} ({SSH10}) implements none of {NIST}"

    @pytest.mark.parametrize("kex", [k for k in NIST if k in SSH10_KEX])
    def test_openssh10_login(server, keys, kex):
        cmd = ssh_cmd(server, keys["ed25519"], "echo ok; exit 3",
                      opts=[f"KexAlgorithms={kex}"], verbose=True)
        cmd[0] = SSH10
        res = subprocess.run(cmd, capture_output=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        assert res.returncode == 3 and res.stdout == b"ok\n", \
            explain(server, res, f"{SSH10_VERSION}: login with {kex}")
        assert f"kex: algorithm: {kex}" in res.stderr.decode(errors="replace"), \
            explain(server, res, f"{SSH10_VERSION} did not report {kex}")
