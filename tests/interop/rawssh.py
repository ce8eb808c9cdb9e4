"""A tiny SSH client that speaks only the unencrypted start of a connection.

It sends a version line and a KEXINIT with chosen name-lists (RFC 4253
sections 4.2 and 7.1), then reads the server's version line and the
plain-text binary packets that follow (RFC 4253 section 6, before NEWKEYS
no cipher and no MAC). Enough to provoke and observe negotiation failures.
"""
import os
import socket
import struct
import time

MSG_DISCONNECT = 1
MSG_KEXINIT = 20

DEFAULT_LISTS = {
    "kex": "curve25519-sha256",
    "hostkey": "ssh-ed25519",
    "cipher": "aes128-ctr",
    "mac": "hmac-sha2-256",
    "compression": "none",
}


def _string(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def kexinit_payload(kex=None, hostkey=None, cipher=None, mac=None,
                    compression=None, follows=False):
    """SSH_MSG_KEXINIT payload; the same cipher/MAC/compression list is
    used for both directions. follows sets first_kex_packet_follows."""
    lists = dict(DEFAULT_LISTS)
    for k, v in (("kex", kex), ("hostkey", hostkey), ("cipher", cipher),
                 ("mac", mac), ("compression", compression)):
        if v is not None:
            lists[k] = v
    p = bytes([MSG_KEXINIT]) + os.urandom(16)
    p += _string(lists["kex"]) + _string(lists["hostkey"])
    p += _string(lists["cipher"]) * 2 + _string(lists["mac"]) * 2
    p += _string(lists["compression"]) * 2
    p += _string("") * 2             # languages
    p += bytes([1 if follows else 0])    # first_kex_packet_follows
    p += struct.pack(">I", 0)            # reserved
    return p


def frame(payload):
    """Unencrypted binary packet: the whole packet a multiple of 8, at least
    4 bytes of padding (RFC 4253 section 6)."""
    pad = 8 - (5 + len(payload)) % 8
    if pad < 4:
        pad += 8
    return struct.pack(">IB", 1 + len(payload) + pad, pad) + payload + os.urandom(pad)


class Packet:
    def __init__(self, payload):
        self.payload = payload
        self.type = payload[0] if payload else None

    def disconnect(self):
        """(reason, description) of an SSH_MSG_DISCONNECT (RFC 4253 11.1)."""
        assert self.type == MSG_DISCONNECT, f"not a DISCONNECT: type {self.type}"
        reason, n = struct.unpack(">II", self.payload[1:9])
        text = self.payload[9:9 + n].decode("utf-8", "replace")
        return reason, text

    def kexinit_lists(self):
        """The ten name-lists of an SSH_MSG_KEXINIT, as strings."""
        assert self.type == MSG_KEXINIT, f"not a KEXINIT: type {self.type}"
        off, out = 17, []
        for _ in range(10):
            (n,) = struct.unpack(">I", self.payload[off:off + 4])
            out.append(self.payload[off + 4:off + 4 + n].decode())
            off += 4 + n
        return out


class RawClient:
    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.deadline = time.monotonic() + timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.server_version = None

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _more(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the server in time")
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the connection")
        self.buf += data

    def send_version(self, line="SSH-2.0-rawssh_0.1"):
        self.sock.sendall(line.encode() + b"\r\n")

    def read_version(self):
        """The server's version line (lines before it are skipped, RFC 4253
        section 4.2)."""
        while True:
            while b"\n" not in self.buf:
                self._more()
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode("utf-8", "replace")
            if line.startswith("SSH-"):
                self.server_version = line
                return line

    def send_payload(self, payload):
        self.sock.sendall(frame(payload))

    def read_packet(self):
        while len(self.buf) < 5:
            self._more()
        (plen,) = struct.unpack(">I", self.buf[:4])
        if plen < 5 or plen > 256 * 1024:
            raise ValueError(f"absurd packet length {plen}")
        while len(self.buf) < 4 + plen:
            self._more()
        pad = self.buf[4]
        payload = self.buf[5:4 + plen - pad]
        self.buf = self.buf[4 + plen:]
        return Packet(payload)

    def packets_until_close(self, limit=16):
        """Read packets until the server closes, sends DISCONNECT, or the
        deadline passes; returns them."""
        out = []
        try:
            while len(out) < limit:
                p = self.read_packet()
                out.append(p)
                if p.type == MSG_DISCONNECT:
                    break
        except (EOFError, TimeoutError, ConnectionError, socket.timeout):
            pass
        return out


def negotiate(port, **lists):
    """Open a connection, offer the given lists, and return (server version,
    packets received) — normally the server's KEXINIT and a DISCONNECT."""
    with RawClient(port) as c:
        c.send_version()
        version = c.read_version()
        c.send_payload(kexinit_payload(**lists))
        return version, c.packets_until_close()
