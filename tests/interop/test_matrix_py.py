"""Interop matrix, Python libraries: paramiko (Debian's 2.12) and AsyncSSH.

paramiko: its defaults (log in with a key, exec, exit status), then each
key exchange, host key algorithm, cipher and MAC it has that nanossh
offers, forced by disabling all the others (disabled_algorithms), and each
client key type. AsyncSSH: its defaults, then each key exchange, host key
algorithm, cipher and MAC forced by a one-element list."""
import asyncio
import socket
import warnings

import paramiko
import pytest

from matrix import CIPHERS, HOSTKEY_ALGS, KEXES, MACS, matrix_server  # noqa: F401

with warnings.catch_warnings():
    # AsyncSSH imports ciphers that python3-cryptography deprecates.
    warnings.simplefilter("ignore")
    import asyncssh
    from asyncssh.encryption import get_encryption_algs
    from asyncssh.kex import get_kex_algs
    from asyncssh.mac import get_mac_algs
    from asyncssh.public_key import get_public_key_algs

TIMEOUT = 60

# ---- paramiko ----------------------------------------------------------------

PK = "paramiko"
PK_KEXES = [k for k in KEXES if k in paramiko.Transport._preferred_kex]
PK_HOSTKEYS = [k for k in HOSTKEY_ALGS if k in paramiko.Transport._preferred_keys]
PK_CIPHERS = [c for c in CIPHERS if c in paramiko.Transport._preferred_ciphers]
PK_MACS = [m for m in MACS if m in paramiko.Transport._preferred_macs]
PK_KEYCLASS = {"ed25519": paramiko.Ed25519Key, "ecdsa": paramiko.ECDSAKey,
               "rsa": paramiko.RSAKey}


def only(category, name):
    """disabled_algorithms that leave only name in its category."""
    preferred = {"kex": paramiko.Transport._preferred_kex,
                 "keys": paramiko.Transport._preferred_keys,
                 "ciphers": paramiko.Transport._preferred_ciphers,
                 "macs": paramiko.Transport._preferred_macs}[category]
    return {category: [a for a in preferred if a != name]}


def pk_run(ms, keys, row, disabled=None, ktype="ed25519"):
    """Log in, run a command; returns the client's Transport facts."""
    key = PK_KEYCLASS[ktype].from_private_key_file(keys[ktype].path)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=ms.port, username="root", pkey=key,
                       allow_agent=False, look_for_keys=False, timeout=TIMEOUT,
                       banner_timeout=TIMEOUT, auth_timeout=TIMEOUT,
                       disabled_algorithms=disabled or {})
        t = client.get_transport()
        facts = {"host key": t.host_key_type, "cipher": t.remote_cipher,
                 "cipher out": t.local_cipher, "MAC": t.remote_mac,
                 "MAC out": t.local_mac}
        _, stdout, _ = client.exec_command("echo ok; exit 3", timeout=TIMEOUT)
        out = stdout.read()
        status = stdout.channel.recv_exit_status()
    except (paramiko.SSHException, socket.error, EOFError) as e:
        pytest.fail(row.explain(f"paramiko: {type(e).__name__}: {e}"))
    finally:
        client.close()
    assert out == b"ok\n" and status == 3, \
        row.explain(f"paramiko: stdout {out!r}, exit status {status}")
    return facts


@pytest.fixture(scope="module")
def pk_version():
    return paramiko.__version__


def test_paramiko_default(matrix_server, keys, pk_version):
    with matrix_server.row(PK, pk_version, "default", "defaults") as row:
        facts = pk_run(matrix_server, keys, row)
        row.expect(hostkey=facts["host key"], cipher=facts["cipher"])


@pytest.mark.parametrize("kex", PK_KEXES)
def test_paramiko_kex(matrix_server, keys, pk_version, kex):
    with matrix_server.row(PK, pk_version, "kex", kex) as row:
        pk_run(matrix_server, keys, row, only("kex", kex))
        row.expect(kex=kex)


@pytest.mark.parametrize("hostalg", PK_HOSTKEYS)
def test_paramiko_hostkey(matrix_server, keys, pk_version, hostalg):
    with matrix_server.row(PK, pk_version, "host key", hostalg) as row:
        facts = pk_run(matrix_server, keys, row, only("keys", hostalg))
        assert facts["host key"] == hostalg, \
            row.explain(f"paramiko used host key {facts['host key']}")
        row.expect(hostkey=hostalg)


@pytest.mark.parametrize("cipher", PK_CIPHERS)
def test_paramiko_cipher(matrix_server, keys, pk_version, cipher):
    with matrix_server.row(PK, pk_version, "cipher", cipher) as row:
        facts = pk_run(matrix_server, keys, row, only("ciphers", cipher))
        assert facts["cipher"] == facts["cipher out"] == cipher, \
            row.explain(f"paramiko used {facts}")
        row.expect(cipher=cipher)


@pytest.mark.parametrize("mac", PK_MACS)
def test_paramiko_mac(matrix_server, keys, pk_version, mac):
    with matrix_server.row(PK, pk_version, "MAC", mac) as row:
        facts = pk_run(matrix_server, keys, row, only("macs", mac))
        assert facts["MAC"] == facts["MAC out"] == mac, \
            row.explain(f"paramiko used {facts}")
        row.expect()


@pytest.mark.parametrize("ktype,name", [("ecdsa", "ecdsa-sha2-nistp256"),
                                        ("rsa", "rsa-sha2-512")])
def test_paramiko_userkey(matrix_server, keys, pk_version, ktype, name):
    with matrix_server.row(PK, pk_version, "user key", name) as row:
        pk_run(matrix_server, keys, row, ktype=ktype)
        assert f"publickey {name} accepted for root" in row.log(), \
            row.explain(f"the daemon did not accept a {name} signature")
        row.note = name


# ---- AsyncSSH ----------------------------------------------------------------

AS = "AsyncSSH"


def _as_algs(getter):
    return [a.decode() for a in getter()]


AS_KEXES = [k for k in KEXES if k in _as_algs(get_kex_algs)]
AS_HOSTKEYS = [h for h in HOSTKEY_ALGS if h in _as_algs(get_public_key_algs)]
AS_CIPHERS = [c for c in CIPHERS if c in _as_algs(get_encryption_algs)]
AS_MACS = [m for m in MACS if m in _as_algs(get_mac_algs)]


async def _as_session(ms, keyfile, algs):
    async with asyncssh.connect("127.0.0.1", ms.port, username="root",
                                known_hosts=None, client_keys=[keyfile],
                                agent_path=None, config=None,
                                login_timeout=TIMEOUT, **algs) as conn:
        res = await conn.run("echo ok; exit 3")
        return res.stdout, res.exit_status


def as_run(ms, keys, row, **algs):
    try:
        out, status = asyncio.run(asyncio.wait_for(
            _as_session(ms, keys["ed25519"].path, algs), TIMEOUT))
    except (asyncssh.Error, OSError, asyncio.TimeoutError) as e:
        pytest.fail(row.explain(f"asyncssh: {type(e).__name__}: {e}"))
    assert out == "ok\n" and status == 3, \
        row.explain(f"asyncssh: stdout {out!r}, exit status {status}")


@pytest.fixture(scope="module")
def as_version():
    return asyncssh.__version__


def test_asyncssh_default(matrix_server, keys, as_version):
    with matrix_server.row(AS, as_version, "default", "defaults") as row:
        as_run(matrix_server, keys, row)
        row.expect()


@pytest.mark.parametrize("kex", AS_KEXES)
def test_asyncssh_kex(matrix_server, keys, as_version, kex):
    with matrix_server.row(AS, as_version, "kex", kex) as row:
        as_run(matrix_server, keys, row, kex_algs=[kex])
        row.expect(kex=kex)


@pytest.mark.parametrize("hostalg", AS_HOSTKEYS)
def test_asyncssh_hostkey(matrix_server, keys, as_version, hostalg):
    with matrix_server.row(AS, as_version, "host key", hostalg) as row:
        as_run(matrix_server, keys, row, server_host_key_algs=[hostalg])
        row.expect(hostkey=hostalg)


@pytest.mark.parametrize("cipher", AS_CIPHERS)
def test_asyncssh_cipher(matrix_server, keys, as_version, cipher):
    with matrix_server.row(AS, as_version, "cipher", cipher) as row:
        as_run(matrix_server, keys, row, encryption_algs=[cipher])
        row.expect(cipher=cipher)


@pytest.mark.parametrize("mac", AS_MACS)
def test_asyncssh_mac(matrix_server, keys, as_version, mac):
    with matrix_server.row(AS, as_version, "MAC", mac) as row:
        as_run(matrix_server, keys, row, encryption_algs=["aes128-ctr"],
               mac_algs=[mac])
        row.expect(cipher="aes128-ctr")
