"""Interop matrix, command-line clients other than OpenSSH: Dropbear's
dbclient and PuTTY's plink.

dbclient cannot be told which key exchange to use: its rows are its
defaults, each cipher and MAC it has that nanossh offers by default
(`dbclient -c help`, `-m help`; hmac-sha1 is a row of
test_matrix_legacy.py), and client keys made by dropbearconvert (ed25519,
used by every row) and dropbearkey (ECDSA, RSA). plink logs
in with keys converted by puttygen, in batch mode, with the host key
pinned by its SHA256 fingerprint."""
import os
import re
import subprocess

import pytest

from conftest import need_tool
from matrix import (CIPHERS, MACS, fingerprint, matrix_server, start_matrix_server,  # noqa: F401
                    stop_matrix_server, version_of)

TIMEOUT = 60


def run(cmd, env, row):
    try:
        return subprocess.run(cmd, capture_output=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(row.explain(f"timed out after {TIMEOUT} s: {' '.join(cmd)}\n"
                                f"stderr: {(e.stderr or b'').decode(errors='replace')}"))


class ClientEnv(dict):
    """The clients' environment (short repr: tracebacks show it)."""

    def __repr__(self):
        return f"<environment with HOME={self['HOME']}>"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A home directory of its own, so that known_hosts files and PuTTY's
    settings stay out of the real one."""
    h = tmp_path_factory.mktemp("clienthome")
    (h / ".ssh").mkdir(mode=0o700)
    return ClientEnv(os.environ, HOME=str(h))


# ---- Dropbear ---------------------------------------------------------------

DB = "Dropbear dbclient"


def dbclient_knows(flag, candidates):
    """The candidates `dbclient -c help` (or -m help) lists. A missing
    dbclient, or a listing that cannot be read, keeps every candidate: each
    row then fails on its own instead of the matrix silently shrinking."""
    try:
        res = subprocess.run(["dbclient", flag, "help"], capture_output=True,
                             text=True, timeout=30, stdin=subprocess.DEVNULL)
        m = re.search(r"Available \w+: (\S+)", res.stdout + res.stderr)
    except OSError:
        m = None
    if not m:
        return list(candidates)
    have = m.group(1).split(",")
    return [c for c in candidates if c in have]


DB_CIPHERS = dbclient_knows("-c", CIPHERS)
DB_MACS = dbclient_knows("-m", MACS)


@pytest.fixture(scope="module")
def db_version():
    need_tool("dbclient")
    return version_of(["dbclient", "-V"], r"v(\d[\d.]*)")


def dropbear_pub(path):
    """The public key line dropbearkey prints for a private key file."""
    out = subprocess.run(["dropbearkey", "-y", "-f", path], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return next(line for line in out.splitlines()
                if line.startswith(("ssh-", "ecdsa-")))


@pytest.fixture(scope="module")
def db_keys(keys, tmp_path_factory):
    """Dropbear client keys: ed25519 converted from the OpenSSH key by
    dropbearconvert; ECDSA P-256 and RSA made by dropbearkey."""
    need_tool("dropbearkey")
    need_tool("dropbearconvert")
    d = tmp_path_factory.mktemp("dbkeys")
    out = {}
    path = str(d / "ed25519.db")
    subprocess.run(["dropbearconvert", "openssh", "dropbear",
                    keys["ed25519"].path, path], check=True, capture_output=True,
                   timeout=30)
    out["ssh-ed25519"] = path
    for name, args in (("ecdsa-sha2-nistp256", ["-t", "ecdsa", "-s", "256"]),
                       ("ssh-rsa", ["-t", "rsa", "-s", "3072"])):
        path = str(d / f"{name}.db")
        subprocess.run(["dropbearkey"] + args + ["-f", path], check=True,
                       capture_output=True, timeout=120)
        out[name] = path
    return out


@pytest.fixture(scope="module")
def db_server(nanosshd, keydir, keys, db_keys, tmp_path_factory):
    lines = [keys["ed25519"].line()]
    lines += [dropbear_pub(db_keys[k]) for k in ("ecdsa-sha2-nistp256", "ssh-rsa")]
    ms = start_matrix_server(nanosshd, keydir, tmp_path_factory, lines)
    yield ms
    stop_matrix_server(ms)


def dbclient(ms, key, home, row, args=()):
    # -y: accept (and remember, in the private home) the unknown host key.
    cmd = ["dbclient", "-y", "-i", key, "-p", str(ms.port)] + list(args) + \
          ["root@127.0.0.1", "echo ok; exit 3"]
    res = run(cmd, home, row)
    assert res.returncode == 3 and res.stdout == b"ok\n", \
        row.explain("dbclient login and command", res)
    return res


def test_dropbear_default(db_server, db_keys, home, db_version):
    with db_server.row(DB, db_version, "default", "defaults") as row:
        dbclient(db_server, db_keys["ssh-ed25519"], home, row)
        row.expect()


@pytest.mark.parametrize("cipher", DB_CIPHERS)
def test_dropbear_cipher(db_server, db_keys, home, db_version, cipher):
    with db_server.row(DB, db_version, "cipher", cipher) as row:
        dbclient(db_server, db_keys["ssh-ed25519"], home, row, ["-c", cipher])
        row.expect(cipher=cipher)


@pytest.mark.parametrize("mac", DB_MACS)
def test_dropbear_mac(db_server, db_keys, home, db_version, mac):
    with db_server.row(DB, db_version, "MAC", mac) as row:
        dbclient(db_server, db_keys["ssh-ed25519"], home, row,
                 ["-c", "aes128-ctr", "-m", mac])
        row.expect(cipher="aes128-ctr")


@pytest.mark.parametrize("ktype", ["ecdsa-sha2-nistp256", "ssh-rsa"])
def test_dropbear_userkey(db_server, db_keys, home, db_version, ktype):
    """Keys made by dropbearkey (the ed25519 row above is a converted key)."""
    with db_server.row(DB, db_version, "user key",
                       f"{ktype} (dropbearkey)") as row:
        dbclient(db_server, db_keys[ktype], home, row)
        assert "Accepted publickey for root" in row.log(), \
            row.explain("no 'Accepted publickey' line in the log")
        row.expect()


# ---- PuTTY -----------------------------------------------------------------

PLINK = "PuTTY plink"


@pytest.fixture(scope="module")
def plink_version():
    need_tool("plink")
    return version_of(["plink", "-V"], r"Release ([\d.]+)")


@pytest.fixture(scope="module")
def ppk(keys, tmp_path_factory):
    """The OpenSSH client keys converted by puttygen."""
    need_tool("puttygen")
    d = tmp_path_factory.mktemp("ppk")
    out = {}
    for ktype, key in keys.items():
        path = str(d / f"{ktype}.ppk")
        subprocess.run(["puttygen", key.path, "-O", "private", "-o", path],
                       check=True, capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
        out[ktype] = path
    return out


def plink(ms, key, home, row):
    fp = fingerprint(ms.hostkeys["matrix_host_ed25519"].path + ".pub")
    cmd = ["plink", "-ssh", "-batch", "-v", "-P", str(ms.port), "-i", key,
           "-hostkey", fp, "root@127.0.0.1", "echo ok; exit 3"]
    res = run(cmd, home, row)
    assert res.returncode == 3 and res.stdout == b"ok\n", \
        row.explain("plink login and command", res)
    return res


def test_plink_default(matrix_server, ppk, home, plink_version):
    """Default negotiation with the ed25519 key; the pinned ed25519 host
    key is the one used."""
    with matrix_server.row(PLINK, plink_version, "default", "defaults") as row:
        plink(matrix_server, ppk["ed25519"], home, row)
        row.expect(hostkey="ssh-ed25519")


@pytest.mark.parametrize("ktype,name", [("ecdsa", "ecdsa-sha2-nistp256"),
                                        ("rsa", "rsa-sha2-512")])
def test_plink_userkey(matrix_server, ppk, home, plink_version, ktype, name):
    with matrix_server.row(PLINK, plink_version, "user key", name) as row:
        res = plink(matrix_server, ppk[ktype], home, row)
        assert f"publickey {name} accepted for root" in row.log(), \
            row.explain(f"the daemon did not accept a {name} signature", res)
        row.note = name
