"""A software security key and a minimal SSH client that logs in with it.

The tests have no FIDO hardware, so this module plays the authenticator
(OpenSSH PROTOCOL.u2f): a key pair made with the cryptography package, the
public key blob with its application string, and signatures over
SHA256(application) || flags || counter || SHA256(message) with the flags
and counter appended to the SSH signature blob. Flags, counter and the
application can be chosen (or made to disagree with what was signed) to
test the server's checks.

The client is just enough SSH for one publickey attempt (RFC 4253, 4252):
curve25519-sha256 through rawkex.Exchange, aes128-ctr and hmac-sha2-256,
ssh-userauth, one signed USERAUTH_REQUEST; it returns what the server
answered (SUCCESS 52 or FAILURE 51).
"""
import hashlib
import hmac
import os
import socket
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import rawkex
import rawssh
from rawkex import mpint, string

ED25519_SK = "sk-ssh-ed25519@openssh.com"
ECDSA_SK = "sk-ecdsa-sha2-nistp256@openssh.com"
USER_PRESENT, USER_VERIFIED = 0x01, 0x04


class SoftKey:
    """A security key in software: kind is ED25519_SK or ECDSA_SK."""

    def __init__(self, kind, application="ssh:"):
        self.kind, self.application = kind, application
        if kind == ED25519_SK:
            self.priv = ed25519.Ed25519PrivateKey.generate()
            pub = self.priv.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.blob = string(kind) + string(pub) + string(application)
        else:
            self.priv = ec.generate_private_key(ec.SECP256R1())
            q = self.priv.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint)
            self.blob = (string(kind) + string("nistp256") + string(q) +
                         string(application))

    def line(self, options=None):
        import base64
        text = f"{self.kind} {base64.b64encode(self.blob).decode()} softkey"
        return f"{options} {text}" if options else text

    def sign(self, message, flags=USER_PRESENT, counter=1, signed_app=None,
             signed_flags=None, signed_counter=None):
        """SSH signature blob over message. signed_* make the authenticator
        sign other values than the blob then claims (tampering)."""
        app = self.application if signed_app is None else signed_app
        sf = flags if signed_flags is None else signed_flags
        sc = counter if signed_counter is None else signed_counter
        tbs = (hashlib.sha256(app.encode()).digest() + bytes([sf]) +
               struct.pack(">I", sc) + hashlib.sha256(message).digest())
        if self.kind == ED25519_SK:
            raw = string(self.priv.sign(tbs))
        else:
            r, s = decode_dss_signature(
                self.priv.sign(tbs, ec.ECDSA(hashes.SHA256())))
            raw = string(mpint_int(r) + mpint_int(s))
        return string(self.kind) + raw + bytes([flags]) + struct.pack(">I", counter)


def mpint_int(v):
    return mpint(v.to_bytes((v.bit_length() + 7) // 8 or 1, "big"))


class Transport:
    """aes128-ctr + hmac-sha2-256 after one curve25519-sha256 exchange."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.raw = rawssh.RawClient(port, host, timeout)
        self.seq_out = self.seq_in = 0
        self.enc = self.dec = None
        self.buf = b""

    def close(self):
        self.raw.close()

    def _recv(self, n):
        while len(self.buf) < n:
            chunk = self.raw.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, payload):
        if self.enc is None:
            self.raw.send_payload(payload)
        else:
            pad = 16 - (5 + len(payload)) % 16
            if pad < 4:
                pad += 16
            pkt = struct.pack(">IB", 1 + len(payload) + pad, pad) + payload + \
                os.urandom(pad)
            mac = hmac.new(self.mac_out, struct.pack(">I", self.seq_out) + pkt,
                           hashlib.sha256).digest()
            self.raw.sock.sendall(self.enc.update(pkt) + mac)
        self.seq_out = (self.seq_out + 1) & 0xffffffff

    def read(self):
        if self.dec is None:
            p = self.raw.read_packet()
            self.seq_in = (self.seq_in + 1) & 0xffffffff
            return p.payload
        first = self.dec.update(self._recv(16))
        length = struct.unpack(">I", first[:4])[0]
        if length > 35000:
            raise ValueError(f"packet length {length}")
        rest = self.dec.update(self._recv(length + 4 - 16))
        pkt = first + rest
        mac = self._recv(32)
        want = hmac.new(self.mac_in, struct.pack(">I", self.seq_in) + pkt,
                        hashlib.sha256).digest()
        if not hmac.compare_digest(mac, want):
            raise ValueError("bad MAC from the server")
        self.seq_in = (self.seq_in + 1) & 0xffffffff
        pad = pkt[4]
        return pkt[5:4 + length - pad]

    def handshake(self):
        v_c = b"SSH-2.0-skauth_0.1"
        self.raw.send_version(v_c.decode())
        v_s = self.raw.read_version()
        v_s = v_s.encode() if isinstance(v_s, str) else v_s
        v_s = v_s.rstrip(b"\r\n")
        i_c = rawssh.kexinit_payload(kex="curve25519-sha256",
                                     hostkey="ssh-ed25519,ecdsa-sha2-nistp256,"
                                             "rsa-sha2-256")
        self.send(i_c)
        i_s = self.read()
        while i_s[0] != rawssh.MSG_KEXINIT:
            i_s = self.read()
        x = rawkex.Exchange("curve25519-sha256")
        self.send(x.init_payload())
        reply = self.read()
        _, h = x.check_reply(reply, v_c, v_s, i_c, i_s)
        k = x.shared_secret(_q_s(reply))
        self.session_id = h
        self.send(bytes([21]))
        while self.read()[0] != 21:
            pass
        self.buf, self.raw.buf = self.raw.buf, b""

        def derive(letter, n):
            out = hashlib.sha256(k + h + letter + h).digest()
            while len(out) < n:
                out += hashlib.sha256(k + h + out).digest()
            return out[:n]
        iv_c, iv_s = derive(b"A", 16), derive(b"B", 16)
        key_c, key_s = derive(b"C", 16), derive(b"D", 16)
        self.mac_out, self.mac_in = derive(b"E", 32), derive(b"F", 32)
        self.enc = Cipher(algorithms.AES(key_c), modes.CTR(iv_c)).encryptor()
        self.dec = Cipher(algorithms.AES(key_s), modes.CTR(iv_s)).decryptor()

    def next_auth_reply(self):
        """The next USERAUTH answer, skipping EXT_INFO, BANNER, IGNORE."""
        while True:
            p = self.read()
            if p[0] in (2, 4, 7, 53):
                continue
            return p


def _q_s(reply):
    r = rawkex.Reader(reply[1:])
    r.string()
    return r.string()


def login(port, key, user="root", **sign_args):
    """One publickey login with key; returns 52 (SUCCESS), 51 (FAILURE) or
    1 (DISCONNECT)."""
    t = Transport(port)
    try:
        t.handshake()
        t.send(bytes([5]) + string("ssh-userauth"))
        p = t.next_auth_reply()
        assert p[0] == 6, f"message {p[0]}, want SERVICE_ACCEPT"
        body = (string(user) + string("ssh-connection") + string("publickey") +
                b"\x01" + string(key.kind) + string(key.blob))
        signed = string(t.session_id) + bytes([50]) + body
        t.send(bytes([50]) + body + string(key.sign(signed, **sign_args)))
        return t.next_auth_reply()[0]
    finally:
        t.close()
