"""ssh-mldsa44-ed25519@openssh.com end to end in every run, without OpenSSH
10.5: paramiko drives the connection, and every ML-DSA-44 and Ed25519
operation on the client side is done by independent implementations, the
npm packages @noble/post-quantum and @noble/curves, through
noble_mldsa.mjs (tools/noble.sh installs them; NSSH_NOBLE names the
folder, tools/test.sh sets it).

Checked: nanosshd loads a host key file whose seeds noble chose (so its
key generation must give noble's public key), signs the exchange hash with
it and noble verifies that signature; noble signs the user authentication
and nanosshd accepts it from an authorized_keys line, and refuses the same
login when one byte of the ML-DSA half or of the Ed25519 half is changed.
"""
import base64
import json
import os
import pathlib
import socket
import struct
import subprocess

import paramiko
import pytest

from conftest import ROOT, explain
from processes import free_port

ALG = "ssh-mldsa44-ed25519@openssh.com"
HELPER = pathlib.Path(__file__).with_name("noble_mldsa.mjs")


def _noble_dir():
    d = os.environ.get("NSSH_NOBLE") or str(ROOT / "build-noble")
    if not (pathlib.Path(d) / "node_modules/@noble/post-quantum").is_dir():
        pytest.fail(f"@noble/post-quantum not found in {d}: run tools/noble.sh "
                    "and set NSSH_NOBLE to the folder it prints", pytrace=False)
    return d


def noble(**req):
    r = subprocess.run(["node", str(HELPER)], input=json.dumps(req).encode(),
                       capture_output=True, timeout=60,
                       env=dict(os.environ, NSSH_NOBLE=_noble_dir()))
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return json.loads(r.stdout)


def _s(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


class NobleKey(paramiko.PKey):
    """A paramiko key whose signing and verifying are noble's."""
    verified = []           # results of host key checks, for the tests

    def __init__(self, msg=None, data=None, seeds=None, corrupt=None):
        self.seeds, self.corrupt = seeds, corrupt
        self.public_blob = None
        if seeds is not None:
            self.pk = bytes.fromhex(noble(op="public", seeds=seeds.hex())["pk"])
        else:
            if msg is None:
                msg = paramiko.Message(data)
            assert msg.get_text() == ALG
            self.pk = msg.get_binary()

    def asbytes(self):
        return _s(ALG) + _s(self.pk)

    def get_name(self):
        return ALG

    def get_bits(self):
        return 256

    def can_sign(self):
        return self.seeds is not None

    def sign_ssh_data(self, data, algorithm=None):
        sig = bytearray.fromhex(noble(op="sign", seeds=self.seeds.hex(),
                                      msg=bytes(data).hex())["sig"])
        if self.corrupt is not None:
            sig[self.corrupt] ^= 0x01
        m = paramiko.Message()
        m.add_string(ALG)
        m.add_string(bytes(sig))
        return m

    def verify_ssh_sig(self, data, msg):
        if msg.get_text() != ALG:
            return False
        ok = noble(op="verify", pk=self.pk.hex(), msg=bytes(data).hex(),
                   sig=msg.get_binary().hex())["ok"]
        NobleKey.verified.append(ok)
        return ok

    def line(self):
        return f"{ALG} {base64.b64encode(self.asbytes()).decode()} noble"


def openssh_private_file(path, key):
    """PROTOCOL.key openssh-key-v1, unencrypted, around noble's key."""
    check = os.urandom(4)
    priv = check + check + _s(ALG) + _s(key.pk) + _s(key.seeds) + _s("noble-host")
    pad = 1
    while len(priv) % 8:
        priv += bytes([pad])
        pad += 1
    body = (b"openssh-key-v1\0" + _s("none") + _s("none") + _s(b"")
            + struct.pack(">I", 1) + _s(key.asbytes()) + _s(priv))
    b64 = base64.b64encode(body).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    path.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines)
                    + "\n-----END OPENSSH PRIVATE KEY-----\n")
    os.chmod(path, 0o600)
    return str(path)


@pytest.fixture(scope="module")
def noble_keys():
    return {"host": NobleKey(seeds=os.urandom(64)),
            "user": NobleKey(seeds=os.urandom(64))}


def _login(srv, user_key):
    """paramiko with ssh-mldsa44-ed25519 as the only host key type; returns
    (host key, output) of `echo`, or raises on a refused login."""
    paramiko.Transport._key_info[ALG] = NobleKey
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    t = paramiko.Transport(sock)
    t.get_security_options().key_types = (ALG,)
    try:
        t.start_client(timeout=30)
        host = t.get_remote_server_key()
        t.auth_publickey("root", user_key)
        ch = t.open_session()
        ch.exec_command("echo noble-pq")
        out = ch.makefile("rb").read()
        return host, out, ch.recv_exit_status()
    finally:
        t.close()


def test_noble_hostkey_and_userkey(start_server, noble_keys, tmp_path):
    hk = openssh_private_file(tmp_path / "host_mldsa", noble_keys["host"])
    srv = start_server(authorized=[noble_keys["user"].line()], host_key=hk)
    NobleKey.verified.clear()
    host, out, status = _login(srv, noble_keys["user"])
    assert NobleKey.verified == [True], explain(srv, what="noble's host key check")
    assert host.asbytes() == noble_keys["host"].asbytes()
    assert (out, status) == (b"noble-pq\n", 0), explain(srv)
    assert "Accepted publickey for root" in srv.log_text(), explain(srv)
    assert "MLDSA44-ED25519" in srv.log_text(), explain(srv)


@pytest.mark.parametrize("where", [100, 2420 + 10], ids=["mldsa-half", "ed25519-half"])
def test_noble_bad_signature_refused(start_server, noble_keys, tmp_path, where):
    hk = openssh_private_file(tmp_path / "host_mldsa", noble_keys["host"])
    srv = start_server(authorized=[noble_keys["user"].line()], host_key=hk)
    bad = NobleKey(seeds=noble_keys["user"].seeds, corrupt=where)
    with pytest.raises(paramiko.AuthenticationException):
        _login(srv, bad)
    assert "Accepted publickey" not in srv.log_text(), explain(srv)


def test_host_key_seeds_must_match(nanosshd, noble_keys, tmp_path):
    """A key file whose public half is not its seeds' is refused at load."""
    other = NobleKey(seeds=os.urandom(64))
    mixed = NobleKey(seeds=noble_keys["host"].seeds)
    mixed.pk = other.pk
    hk = openssh_private_file(tmp_path / "host_mixed", mixed)
    r = subprocess.run([nanosshd, "-D", "-e", "-p", str(free_port()), "-o",
                        "ListenAddress=127.0.0.1", "-h", hk],
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode == 255, r
    assert b"Unable to load host key" in r.stderr, r.stderr
