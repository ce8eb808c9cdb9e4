"""Interop matrix, legacy algorithms (SHA-1 and MD5 MACs, UMAC, CBC ciphers,
the 1024-bit group): off by default (a row of test_matrix_raw.py checks
that), they work with OpenSSH, paramiko and Dropbear once sshd_config's
list syntax turns them on (KexAlgorithms=+..., Ciphers=+..., MACs=+...,
HostKeyAlgorithms=+ssh-rsa)."""
import paramiko
import pytest

from conftest import ssh
from matrix import start_matrix_server, stop_matrix_server, version_of
from test_matrix_cli import DB, db_keys, dbclient, dbclient_knows, home  # noqa: F401
from test_matrix_py import only, pk_run

LEGACY_KEX = ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
              "diffie-hellman-group1-sha1"]
LEGACY_MAC = ["hmac-sha1", "hmac-sha1-etm@openssh.com", "hmac-sha1-96",
              "hmac-sha1-96-etm@openssh.com", "hmac-md5", "hmac-md5-etm@openssh.com",
              "hmac-md5-96", "hmac-md5-96-etm@openssh.com", "umac-64@openssh.com",
              "umac-128@openssh.com", "umac-64-etm@openssh.com",
              "umac-128-etm@openssh.com"]
LEGACY_CIPHER = ["aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc"]
LEGACY_HOSTKEY = ["ssh-rsa"]
OPTS = ["KexAlgorithms=+" + ",".join(LEGACY_KEX),
        "Ciphers=+" + ",".join(LEGACY_CIPHER),
        "MACs=+" + ",".join(LEGACY_MAC),
        "HostKeyAlgorithms=+" + ",".join(LEGACY_HOSTKEY)]
OPENSSH = "OpenSSH ssh"
PK = "paramiko"


@pytest.fixture(scope="module")
def legacy_server(nanosshd, keydir, keys, tmp_path_factory):
    ms = start_matrix_server(nanosshd, keydir, tmp_path_factory,
                             [k.line() for k in keys.values()], opts=OPTS)
    yield ms
    stop_matrix_server(ms)


@pytest.fixture(scope="module")
def ssh_version():
    return version_of(["ssh", "-V"], r"OpenSSH_([^,\s]+)")


def openssh_row(ms, keys, version, category, alg, want, opts=(), args=()):
    """One OpenSSH row: the command runs and ssh -v prints want."""
    with ms.row(OPENSSH, version, f"{category} (legacy)", alg) as row:
        res = ssh(ms, keys["ed25519"], "echo ok; exit 3", opts=opts, args=args,
                  verbose=True)
        assert res.returncode == 3 and res.stdout == b"ok\n", \
            row.explain("login and command", res)
        assert want in res.stderr.decode(errors="replace"), \
            row.explain(f"ssh -v does not say {want!r}", res)
        return row.expect()


@pytest.mark.parametrize("kex", LEGACY_KEX)
def test_legacy_openssh_kex(legacy_server, keys, ssh_version, kex):
    openssh_row(legacy_server, keys, ssh_version, "kex", kex,
                f"kex: algorithm: {kex}", opts=[f"KexAlgorithms={kex}"])


@pytest.mark.parametrize("mac", LEGACY_MAC)
def test_legacy_openssh_mac(legacy_server, keys, ssh_version, mac):
    openssh_row(legacy_server, keys, ssh_version, "MAC", mac,
                f"cipher: aes128-ctr MAC: {mac}",
                args=["-c", "aes128-ctr", "-m", mac])


# Each CBC cipher with a classic MAC (MAC over the plaintext, the length
# encrypted: the first block is decrypted before the rest arrives) and with
# an encrypt-then-MAC one (length in clear); 3des-cbc has an 8-byte block.
CBC_ROWS = [(c, m) for c in LEGACY_CIPHER
            for m in ("hmac-sha2-256", "hmac-sha2-512-etm@openssh.com")] + \
    [("3des-cbc", "hmac-md5-96"), ("aes256-cbc", "umac-64-etm@openssh.com")]


@pytest.mark.parametrize("cipher,mac", CBC_ROWS)
def test_legacy_openssh_cipher(legacy_server, keys, ssh_version, cipher, mac):
    openssh_row(legacy_server, keys, ssh_version, "cipher", f"{cipher} + {mac}",
                f"cipher: {cipher} MAC: {mac}", args=["-c", cipher, "-m", mac])


def test_legacy_openssh_ssh_rsa(legacy_server, keys, ssh_version):
    openssh_row(legacy_server, keys, ssh_version, "host key", "ssh-rsa",
                "kex: host key algorithm: ssh-rsa",
                opts=["HostKeyAlgorithms=ssh-rsa"])


PK_LEGACY = [("kex", "kex", k) for k in LEGACY_KEX] + \
    [("macs", "MAC", m) for m in LEGACY_MAC
     if m in paramiko.Transport._preferred_macs] + \
    [("ciphers", "cipher", c) for c in LEGACY_CIPHER
     if c in paramiko.Transport._preferred_ciphers] + \
    [("keys", "host key", "ssh-rsa")]


@pytest.mark.parametrize("what,category,alg", PK_LEGACY)
def test_legacy_paramiko(legacy_server, keys, what, category, alg):
    with legacy_server.row(PK, paramiko.__version__, f"{category} (legacy)",
                           alg) as row:
        disabled = only(what, alg)
        if what == "macs":
            disabled["ciphers"] = [c for c in paramiko.Transport._preferred_ciphers
                                   if c != "aes128-ctr"]
        facts = pk_run(legacy_server, keys, row, disabled)
        if what == "macs":
            assert facts["MAC"] == facts["MAC out"] == alg, \
                row.explain(f"paramiko used {facts}")
        if what == "ciphers":
            assert facts["cipher"] == facts["cipher out"] == alg, \
                row.explain(f"paramiko used {facts}")
        n = row.expect()
        got = {"kex": n.kex, "keys": n.hostkey, "ciphers": n.cipher_in}.get(what, alg)
        assert got == alg, row.explain(f"the daemon negotiated {n}")


@pytest.mark.parametrize("mac", dbclient_knows("-m", LEGACY_MAC))
def test_legacy_dropbear_mac(legacy_server, db_keys, home, mac):
    version = version_of(["dbclient", "-V"], r"v(\d[\d.]*)")
    with legacy_server.row(DB, version, "MAC (legacy)", mac) as row:
        dbclient(legacy_server, db_keys["ssh-ed25519"], home, row,
                 ["-c", "aes128-ctr", "-m", mac])
        row.expect(cipher="aes128-ctr")
