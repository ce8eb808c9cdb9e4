"""A raw SSH client that goes past the key exchange, for hostile tests.

rawssh.py speaks the plain-text start of a connection and rawkex.py checks
the server's key-exchange reply; this adds what comes after: the session
keys (RFC 4253 section 7.2), aes128-ctr with hmac-sha2-256 (RFC 4344,
RFC 6668) both ways, public-key authentication with an ed25519 key
(RFC 4252 section 7, RFC 8709) and plain channel messages (RFC 4254).
Every field of every packet is the caller's to choose, so a test can send
what no well-behaved client would: a wrong MAC, a bad length, data past
the window, messages for channels that do not exist.

Sequence numbers follow RFC 4253 section 6.4, and reset after NEWKEYS when
both sides offered strict KEX (OpenSSH PROTOCOL, kex-strict-*-v00).
"""
import hashlib
import hmac
import os
import socket
import struct
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import rawkex
import rawssh

MSG_DISCONNECT = 1
MSG_IGNORE = 2
MSG_UNIMPLEMENTED = 3
MSG_DEBUG = 4
MSG_SERVICE_REQUEST = 5
MSG_SERVICE_ACCEPT = 6
MSG_EXT_INFO = 7
MSG_KEXINIT = 20
MSG_NEWKEYS = 21
MSG_USERAUTH_REQUEST = 50
MSG_USERAUTH_FAILURE = 51
MSG_USERAUTH_SUCCESS = 52
MSG_GLOBAL_REQUEST = 80
MSG_REQUEST_SUCCESS = 81
MSG_REQUEST_FAILURE = 82
MSG_CHANNEL_OPEN = 90
MSG_CHANNEL_OPEN_CONFIRMATION = 91
MSG_CHANNEL_OPEN_FAILURE = 92
MSG_CHANNEL_WINDOW_ADJUST = 93
MSG_CHANNEL_DATA = 94
MSG_CHANNEL_EOF = 96
MSG_CHANNEL_CLOSE = 97
MSG_CHANNEL_REQUEST = 98
MSG_CHANNEL_SUCCESS = 99
MSG_CHANNEL_FAILURE = 100

STRICT_C = "kex-strict-c-v00@openssh.com"
STRICT_S = "kex-strict-s-v00@openssh.com"
KEX = "curve25519-sha256"
BLOCK = 16          # aes128-ctr
MAC_LEN = 32        # hmac-sha2-256

string = rawkex.string


def u32(n):
    return struct.pack(">I", n)


def boolean(b):
    return b"\x01" if b else b"\x00"


class Disconnected(Exception):
    """The server sent SSH_MSG_DISCONNECT."""

    def __init__(self, reason, text):
        super().__init__(f"DISCONNECT {reason}: {text}")
        self.reason, self.text = reason, text


class Direction:
    """One direction's keys and sequence number."""

    def __init__(self):
        self.seq = 0
        self.enc = None      # a cryptography CipherContext once keyed
        self.mac_key = None

    def key(self, iv, key, mac_key, encrypt):
        c = Cipher(algorithms.AES(key[:16]), modes.CTR(iv[:16]))
        self.enc = c.encryptor() if encrypt else c.decryptor()
        self.mac_key = mac_key[:32]

    def mac(self, seq, data):
        return hmac.new(self.mac_key, u32(seq) + data, hashlib.sha256).digest()


def pad_packet(payload, block, padlen=None):
    """length || padding_length || payload || padding, the whole a multiple
    of block with 4 to 4 + block - 1 bytes of padding, unless padlen says
    otherwise."""
    if padlen is None:
        padlen = block - (5 + len(payload)) % block
        if padlen < 4:
            padlen += block
    return struct.pack(">IB", 1 + len(payload) + padlen, padlen) + payload + \
        os.urandom(padlen)


class Client:
    """One raw connection: connect() then kex() then auth(); send/recv."""

    def __init__(self, port, host="127.0.0.1", timeout=60.0):
        self.raw = rawssh.RawClient(port, host=host, timeout=timeout)
        self.sock = self.raw.sock
        self.timeout = timeout
        self.out, self.inp = Direction(), Direction()
        self.session_id = None
        self.strict = False
        self.server_kexinit = None
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- The plain-text start ----------------------------------------------

    def hello(self, version="SSH-2.0-rawtransport_0.1"):
        """Version lines both ways, then the server's KEXINIT."""
        self.v_c = version
        self.raw.send_version(version)
        self.v_s = self.raw.read_version()
        self.server_kexinit = self.read_plain()
        assert self.server_kexinit[0] == MSG_KEXINIT, \
            f"message {self.server_kexinit[0]} where the server's KEXINIT belongs"
        return rawssh.Packet(self.server_kexinit).kexinit_lists()

    def send_plain(self, payload, padlen=None):
        """One unencrypted packet (before the first NEWKEYS)."""
        self.sock.sendall(pad_packet(payload, 8, padlen))
        self.out.seq += 1

    def read_plain(self):
        """One unencrypted packet's payload; DISCONNECT raises."""
        self.raw.deadline = time.monotonic() + self.timeout
        p = self.raw.read_packet()
        self.inp.seq += 1
        if p.type == MSG_DISCONNECT:
            raise Disconnected(*p.disconnect())
        return p.payload

    def kexinit(self, strict=True, follows=False, kex=KEX):
        kexlist = kex + ("," + STRICT_C if strict else "")
        self.i_c = rawssh.kexinit_payload(kex=kexlist, follows=follows,
                                          cipher="aes128-ctr", mac="hmac-sha2-256")
        self.send_plain(self.i_c)

    def kex(self, strict=True, before_init=(), guess=None):
        """The whole first key exchange with curve25519-sha256. Payloads in
        before_init are sent between KEXINIT and KEX_ECDH_INIT; guess, if
        given, sets first_kex_packet_follows and is the kex list (the
        wrongly guessed packet is sent right after KEXINIT)."""
        if self.server_kexinit is None:
            self.hello()
        lists = rawssh.Packet(self.server_kexinit).kexinit_lists()
        self.kexinit(strict=strict, follows=guess is not None,
                     kex=guess if guess is not None else KEX)
        ex = rawkex.Exchange(KEX)
        if guess is not None and guess.split(",")[0] != KEX:
            # The wrong guess: a packet of a kex the server did not choose.
            self.send_plain(bytes([rawkex.MSG_KEX_ECDH_INIT]) + string(os.urandom(97)))
        for p in before_init:
            self.send_plain(p)
        self.send_plain(ex.init_payload())
        reply = self.read_plain()
        _, h = ex.check_reply(reply, self.v_c.encode(), self.v_s.encode(),
                              self.i_c, self.server_kexinit)
        r = rawkex.Reader(reply[1:])
        r.string()
        k = ex.shared_secret(r.string())
        self.strict = strict and STRICT_S in lists[0].split(",")
        newkeys = self.read_plain()
        assert newkeys == bytes([MSG_NEWKEYS]), f"message {newkeys[0]}, want NEWKEYS"
        self.send_plain(bytes([MSG_NEWKEYS]))
        self.session_id = h
        self.derive(k, h)
        return h

    def derive(self, k, h, reset=None):
        """RFC 4253 section 7.2: HASH(K || H || X || session_id)."""
        def key(x, n):
            out = hashlib.sha256(k + h + x + self.session_id).digest()
            while len(out) < n:
                out += hashlib.sha256(k + h + out).digest()
            return out[:n]
        self.out.key(key(b"A", 16), key(b"C", 16), key(b"E", 32), True)
        self.inp.key(key(b"B", 16), key(b"D", 16), key(b"F", 32), False)
        if self.strict if reset is None else reset:
            self.out.seq = self.inp.seq = 0

    # ---- Encrypted packets -------------------------------------------------

    def packet(self, payload, padlen=None, seq=None, flip_mac=False,
               length=None):
        """An encrypted packet's bytes; seq overrides the MAC's sequence
        number, flip_mac corrupts one MAC byte, length replaces the
        packet_length field (after the padding is computed)."""
        clear = pad_packet(payload, BLOCK, padlen)
        if length is not None:
            clear = u32(length) + clear[4:]
        mac = self.out.mac(self.out.seq if seq is None else seq, clear)
        if flip_mac:
            mac = bytes([mac[0] ^ 1]) + mac[1:]
        self.out.seq = (self.out.seq + 1) & 0xffffffff
        return self.out.enc.update(clear) + mac

    def send(self, payload, **kw):
        self.sock.sendall(self.packet(payload, **kw))

    def send_raw(self, data):
        self.sock.sendall(data)

    def _more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the server in time")
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the connection")
        self.buf += data

    def recv_any(self, timeout=None):
        """The next packet's payload, whatever it is (DISCONNECT raises)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < BLOCK:
            self._more(deadline)
        first = self.inp.enc.update(self.buf[:BLOCK])
        (plen,) = struct.unpack(">I", first[:4])
        assert 16 <= plen + 4 <= 300000 and (plen + 4) % BLOCK == 0, \
            f"server sent a bad packet length {plen}"
        total = 4 + plen + MAC_LEN
        while len(self.buf) < total:
            self._more(deadline)
        clear = first + self.inp.enc.update(self.buf[BLOCK:4 + plen])
        mac = self.buf[4 + plen:total]
        self.buf = self.buf[total:]
        assert hmac.compare_digest(mac, self.inp.mac(self.inp.seq, clear)), \
            "the server's MAC does not verify"
        self.inp.seq = (self.inp.seq + 1) & 0xffffffff
        payload = clear[5:4 + plen - clear[4]]
        if payload[0] == MSG_DISCONNECT:
            (reason,) = struct.unpack(">I", payload[1:5])
            r = rawkex.Reader(payload[5:])
            raise Disconnected(reason, r.string().decode("utf-8", "replace"))
        return payload

    def recv(self, timeout=None, skip=(MSG_IGNORE, MSG_EXT_INFO, MSG_GLOBAL_REQUEST)):
        """The next payload other than those in skip (the server's
        EXT_INFO and hostkeys-00@openssh.com announcement)."""
        while True:
            p = self.recv_any(timeout)
            if p[0] not in skip:
                return p

    def expect_disconnect(self, timeout=None):
        """Read until the server's DISCONNECT; returns (reason, text)."""
        try:
            while True:
                self.recv_any(timeout)
        except Disconnected as d:
            return d.reason, d.text

    def closed(self, timeout=5.0):
        """True if the server closes the TCP connection within timeout
        (after its DISCONNECT)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._more(deadline)
        except EOFError:
            return True
        except (TimeoutError, socket.timeout):
            return False
        except ConnectionError:
            return True

    # ---- Authentication and channels ---------------------------------------

    def auth(self, key_path, user="root"):
        """ssh-userauth, then publickey with an ed25519 key (RFC 4252
        section 7: the signature covers session_id and the request)."""
        self.send(bytes([MSG_SERVICE_REQUEST]) + string("ssh-userauth"))
        p = self.recv()
        assert p[0] == MSG_SERVICE_ACCEPT, f"message {p[0]}, want SERVICE_ACCEPT"
        with open(key_path, "rb") as f:
            priv = serialization.load_ssh_private_key(f.read(), password=None)
        raw = priv.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)
        blob = string("ssh-ed25519") + string(raw)
        body = (string(user) + string("ssh-connection") + string("publickey") +
                boolean(True) + string("ssh-ed25519") + string(blob))
        sig = priv.sign(string(self.session_id) + bytes([MSG_USERAUTH_REQUEST]) + body)
        self.send(bytes([MSG_USERAUTH_REQUEST]) + body +
                  string(string("ssh-ed25519") + string(sig)))
        p = self.recv()
        assert p[0] == MSG_USERAUTH_SUCCESS, f"message {p[0]}, want USERAUTH_SUCCESS"

    def login(self, key_path, strict=True):
        self.hello()
        self.kex(strict=strict)
        self.auth(key_path)

    def open_session(self, sender=0, window=1 << 20, maxpkt=32768):
        """CHANNEL_OPEN "session"; returns the server's (channel, window,
        maximum packet)."""
        self.send(bytes([MSG_CHANNEL_OPEN]) + string("session") + u32(sender) +
                  u32(window) + u32(maxpkt))
        p = self.recv()
        assert p[0] == MSG_CHANNEL_OPEN_CONFIRMATION, \
            f"message {p[0]}, want CHANNEL_OPEN_CONFIRMATION"
        recipient, ch, win, mp = struct.unpack(">IIII", p[1:17])
        assert recipient == sender
        return ch, win, mp
