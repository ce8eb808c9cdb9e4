"""Interop matrix, compiled clients: golang.org/x/crypto/ssh (Debian's
golang-golang-x-crypto-dev) and libssh (libssh-dev).

Both small clients live in clients/ and are built once per session into a
temporary directory: the Go one in GOPATH mode against Debian's packaged
sources, the C one with `cc ... -lssh`. Rows: each client's defaults, then
each key exchange and cipher (and for libssh each MAC) it has that nanossh
offers, forced one at a time."""
import os
import pathlib
import subprocess

import pytest

from conftest import need_tool
from matrix import CIPHERS, KEXES, MACS, deb_version, matrix_server  # noqa: F401

HERE = pathlib.Path(__file__).resolve().parent
TIMEOUT = 60


def run(cmd, row, env=None):
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT,
                             stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(row.explain(f"timed out after {TIMEOUT} s: {' '.join(cmd)}\n"
                                f"stderr: {(e.stderr or b'').decode(errors='replace')}"))
    assert res.returncode == 3 and res.stdout == b"ok\n", \
        row.explain("login and command", res)
    return res.stderr.decode(errors="replace")


# ---- Go ------------------------------------------------------------------

GO = "Go x/crypto/ssh"
# golang.org/x/crypto 0.4 (Debian 12): client key exchanges and ciphers.
GO_KEXES = [k for k in KEXES if k in (
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256",
    "diffie-hellman-group-exchange-sha256")]
GO_CIPHERS = [c for c in CIPHERS if c in (
    "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr",
    "aes192-ctr", "aes256-ctr")]


@pytest.fixture(scope="module")
def goclient(tmp_path_factory):
    """The Go client, built in GOPATH mode from Debian's packaged sources."""
    go = need_tool("go")
    out = tmp_path_factory.mktemp("goclient")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=str(out / "cache"), GOFLAGS="", CGO_ENABLED="0")
    res = subprocess.run([go, "build", "-o", str(out / "goclient"), "."],
                         cwd=HERE / "clients" / "goclient", env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"go build failed:\n{res.stdout}{res.stderr}"
    return str(out / "goclient")


@pytest.fixture(scope="module")
def go_version():
    go = subprocess.run(["go", "version"], capture_output=True, text=True,
                        timeout=30).stdout.split()
    return f"{deb_version('golang-golang-x-crypto-dev')} ({go[2] if len(go) > 2 else '?'})"


def go_run(ms, client, keys, row, kex="-", cipher="-"):
    return run([client, "127.0.0.1", str(ms.port), "root", keys["ed25519"].path,
                kex, cipher, "echo ok; exit 3"], row)


def test_go_default(matrix_server, goclient, keys, go_version):
    with matrix_server.row(GO, go_version, "default", "defaults") as row:
        err = go_run(matrix_server, goclient, keys, row)
        n = row.expect()
        assert f"hostkey: {n.hostkey}" in err, \
            row.explain(f"the Go client saw another host key type: {err}")


@pytest.mark.parametrize("kex", GO_KEXES)
def test_go_kex(matrix_server, goclient, keys, go_version, kex):
    with matrix_server.row(GO, go_version, "kex", kex) as row:
        go_run(matrix_server, goclient, keys, row, kex=kex)
        row.expect(kex=kex)


@pytest.mark.parametrize("cipher", GO_CIPHERS)
def test_go_cipher(matrix_server, goclient, keys, go_version, cipher):
    with matrix_server.row(GO, go_version, "cipher", cipher) as row:
        go_run(matrix_server, goclient, keys, row, cipher=cipher)
        row.expect(cipher=cipher)


# ---- libssh --------------------------------------------------------------

LS = "libssh"
# libssh 0.10 (Debian 12): client key exchanges, ciphers and MACs.
LS_KEXES = [k for k in KEXES if k in (
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group18-sha512",
    "diffie-hellman-group16-sha512", "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group14-sha256")]
LS_CIPHERS = list(CIPHERS)
LS_MACS = list(MACS)


@pytest.fixture(scope="module")
def libsshclient(tmp_path_factory):
    cc = need_tool("cc")
    out = tmp_path_factory.mktemp("libsshclient") / "libsshclient"
    res = subprocess.run([cc, "-std=gnu11", "-Wall", "-Wextra", "-O1",
                          str(HERE / "clients" / "libsshclient.c"), "-o",
                          str(out), "-lssh"], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, f"building libsshclient failed:\n{res.stderr}"
    return str(out)


@pytest.fixture(scope="module")
def ls_version():
    return deb_version("libssh-dev")


def ls_run(ms, client, keys, row, kex="-", cipher="-", mac="-"):
    err = run([client, "127.0.0.1", str(ms.port), "root", keys["ed25519"].path,
               kex, cipher, mac, "echo ok; exit 3"], row)
    facts = {}
    for line in err.splitlines():
        k, sep, v = line.partition(": ")
        if sep and k in ("kex", "host key", "cipher", "mac"):
            facts[k] = v.strip()
    return facts


def test_libssh_default(matrix_server, libsshclient, keys, ls_version):
    with matrix_server.row(LS, ls_version, "default", "defaults") as row:
        facts = ls_run(matrix_server, libsshclient, keys, row)
        n = row.expect()
        assert facts.get("kex") == n.kex, \
            row.explain(f"libssh reports {facts}, the daemon {n}")


@pytest.mark.parametrize("kex", LS_KEXES)
def test_libssh_kex(matrix_server, libsshclient, keys, ls_version, kex):
    with matrix_server.row(LS, ls_version, "kex", kex) as row:
        facts = ls_run(matrix_server, libsshclient, keys, row, kex=kex)
        # libssh 0.10 has no name for the group-exchange methods: "(null)".
        gex = kex.startswith("diffie-hellman-group-exchange-")
        assert facts.get("kex") == kex or (gex and facts.get("kex") == "(null)"), \
            row.explain(f"libssh reports {facts}")
        row.expect(kex=kex)


@pytest.mark.parametrize("cipher", LS_CIPHERS)
def test_libssh_cipher(matrix_server, libsshclient, keys, ls_version, cipher):
    with matrix_server.row(LS, ls_version, "cipher", cipher) as row:
        facts = ls_run(matrix_server, libsshclient, keys, row, cipher=cipher)
        assert facts.get("cipher") == f"{cipher}/{cipher}", \
            row.explain(f"libssh reports {facts}")
        row.expect(cipher=cipher)


@pytest.mark.parametrize("mac", LS_MACS)
def test_libssh_mac(matrix_server, libsshclient, keys, ls_version, mac):
    with matrix_server.row(LS, ls_version, "MAC", mac) as row:
        facts = ls_run(matrix_server, libsshclient, keys, row,
                       cipher="aes128-ctr", mac=mac)
        assert facts.get("mac") == f"{mac}/{mac}", \
            row.explain(f"libssh reports {facts}")
        row.expect(cipher="aes128-ctr")
