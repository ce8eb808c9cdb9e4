"""Deliberately broken SSH servers for nanossh-probe's tests.

One small server does the server side of curve25519-sha256 (RFC 8731)
with an ssh-ed25519 host key and aes128-ctr + hmac-sha2-256, and can make
exactly one mistake, chosen by name (FAULTS). It serves one connection on
127.0.0.1 in a thread, then stops:

    with BrokenServer("k-as-string") as srv:
        run the probe against srv.port

Each fault is what a from-scratch server gets wrong in practice; the probe
must name it.
"""
import hashlib
import hmac
import os
import socket
import struct
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from rawkex import mpint, string

FAULTS = {
    "none": "a correct server, as far as the list of authentication methods",
    "nostrict": "a correct server without strict KEX that offers "
                "chacha20-poly1305 (Terrapin exposure) but does AES-CTR",
    "sig-overclaim": "KEX_ECDH_REPLY's signature length claims 20 bytes too many",
    "proxy-gex": "an interposing proxy: its own banner, only DH group exchange, "
                 "closes after KEXINIT",
    "k-as-string": "K hashed as a string instead of an mpint in H",
    "crlf": "version lines hashed with their CR LF",
    "no-msgbyte": "KEXINIT payloads hashed without the message byte",
    "wrong-hash": "H computed with SHA-512 although curve25519-sha256 says SHA-256",
    "silent": "accepts the TCP connection and never sends a byte",
    "gex-k-as-string": "diffie-hellman-group-exchange-sha256 with K hashed "
                       "as a string in H",
    "seq-strict": "strict KEX agreed, sequence number not reset after NEWKEYS",
    "seq-reset": "no strict KEX, sequence number reset after NEWKEYS anyway",
    "keys-swapped": "encrypts with the client-to-server keys (A, C, E)",
    "iv-key-swapped": "IV and key letters swapped (D as IV, B as key)",
    "kdf-k-string": "keys derived with K as a string instead of an mpint",
    "bad-padding": "KEXINIT sent with padding_length 2",
    "stall": "never answers KEX_ECDH_INIT",
    "close": "closes the connection after KEX_ECDH_INIT without DISCONNECT",
    "disconnect": "sends DISCONNECT (key exchange failed) after KEXINIT",
}

BANNER = b"SSH-2.0-BrokenTestServer_1.0"

# RFC 3526 group 14 (2048 bits), generator 2.
P14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)


def to_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def frame(payload, block=8, padlen=None):
    """A clear-text binary packet (RFC 4253 section 6)."""
    if padlen is None:
        padlen = block - (5 + len(payload)) % block
        if padlen < 4:
            padlen += block
    return struct.pack(">IB", 1 + len(payload) + padlen, padlen) + payload + \
        os.urandom(padlen)


def namelist(names):
    return string(",".join(names))


def kexinit(kex, hostkey="ssh-ed25519", cipher="aes128-ctr", mac="hmac-sha2-256",
            lang=""):
    return bytes([20]) + os.urandom(16) + namelist(kex) + namelist([hostkey]) + \
        namelist([cipher]) * 2 + namelist([mac]) * 2 + namelist(["none"]) * 2 + \
        string(lang) * 2 + b"\x00" + struct.pack(">I", 0)


class Conn:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _more(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            self._more()
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.rstrip(b"\r")

    def packet(self):
        while len(self.buf) < 4:
            self._more()
        (n,) = struct.unpack(">I", self.buf[:4])
        while len(self.buf) < 4 + n:
            self._more()
        p, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return p[1:len(p) - p[0]]

    def send(self, data):
        self.sock.sendall(data)

    def wait_close(self, limit=30):
        self.sock.settimeout(limit)
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass


class BrokenServer:
    def __init__(self, fault):
        assert fault in FAULTS, fault
        self.fault = fault
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.error = None
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.lsock.close()
        self.thread.join(timeout=40)

    def _serve(self):
        try:
            self.lsock.settimeout(30)
            sock, _ = self.lsock.accept()
        except OSError:
            return
        try:
            self._session(Conn(sock))
        except (EOFError, OSError):
            pass
        except Exception as e:   # reported by the test
            self.error = e
        finally:
            sock.close()

    def _session(self, c):
        f = self.fault
        if f == "silent":
            c.wait_close()
            return
        banner = b"SSH-2.0-FirewallProxy_1.0" if f == "proxy-gex" else BANNER
        c.send(banner + b"\r\n")
        if f == "proxy-gex":
            i_s = kexinit(["diffie-hellman-group-exchange-sha256",
                           "diffie-hellman-group-exchange-sha1"], hostkey="ssh-rsa")
        elif f == "gex-k-as-string":
            i_s = kexinit(["diffie-hellman-group-exchange-sha256",
                           "kex-strict-s-v00@openssh.com"])
        else:
            kex = ["curve25519-sha256"]
            if f not in ("seq-reset", "nostrict"):
                kex.append("kex-strict-s-v00@openssh.com")
            i_s = kexinit(kex, cipher="chacha20-poly1305@openssh.com,aes128-ctr"
                          if f == "nostrict" else "aes128-ctr")
            if f == "bad-padding":
                # A language tag as filler, so that padding_length 2 keeps
                # the packet a multiple of 8: only the padding is wrong.
                lang = ""
                while (5 + len(i_s) + 2) % 8:
                    lang += "x"
                    i_s = kexinit(kex, lang=lang)
        c.send(frame(i_s, padlen=2 if f == "bad-padding" else None))
        v_c = c.line()
        i_c = c.packet()
        if f == "bad-padding":
            c.wait_close(5)
            return
        if f == "proxy-gex":
            return          # the proxy drops the connection, no DISCONNECT
        if f == "disconnect":
            c.send(frame(bytes([1]) + struct.pack(">I", 3) +
                         string("no acceptable key exchange (test)") + string("")))
            c.wait_close(5)
            return
        if f == "gex-k-as-string":
            self._gex(c, v_c, banner, i_c, i_s)
            return
        init = c.packet()
        assert init[0] == 30, init[0]
        if f == "close":
            return
        if f == "stall":
            c.wait_close()
            return
        (n,) = struct.unpack(">I", init[1:5])
        q_c = init[5:5 + n]
        host = ed25519.Ed25519PrivateKey.generate()
        k_s = string("ssh-ed25519") + string(host.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        # A K whose top bit is set, so that its mpint (with a leading zero
        # byte) and its string encoding differ, as they do half the time.
        while True:
            eph = x25519.X25519PrivateKey.generate()
            k_raw = eph.exchange(x25519.X25519PublicKey.from_public_bytes(q_c))
            if k_raw[0] & 0x80:
                break
        q_s = eph.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        k_mp, k_str = mpint(k_raw), string(k_raw)
        vc, vs = (v_c + b"\r\n", banner + b"\r\n") if f == "crlf" else (v_c, banner)
        ic, is_ = (i_c[1:], i_s[1:]) if f == "no-msgbyte" else (i_c, i_s)
        hfn = hashlib.sha512 if f == "wrong-hash" else hashlib.sha256
        h = hfn(string(vc) + string(vs) + string(ic) + string(is_) +
                           string(k_s) + string(q_c) + string(q_s) +
                           (k_str if f == "k-as-string" else k_mp)).digest()
        sig = string("ssh-ed25519") + string(host.sign(h))
        sig_field = string(sig)
        if f == "sig-overclaim":
            sig_field = struct.pack(">I", len(sig) + 20) + sig
        c.send(frame(bytes([31]) + string(k_s) + string(q_s) + sig_field))
        if f == "sig-overclaim":
            c.wait_close(5)
            return
        c.send(frame(bytes([21])))
        strict = f not in ("seq-reset", "nostrict")
        # Keys (RFC 4253 section 7.2), server to client: IV B, key D, MAC F.
        k_kdf = k_str if f == "kdf-k-string" else k_mp

        def derive(letter):
            return hashlib.sha256(k_kdf + h + letter + h).digest()
        letters = {"keys-swapped": b"ACE", "iv-key-swapped": b"DBF"}.get(f, b"BDF")
        iv, key, mkey = (derive(letters[i:i + 1]) for i in range(3))
        seq = 0 if strict else 3
        if f == "seq-strict":
            seq = 3
        if f == "seq-reset":
            seq = 0
        payload = bytes([7]) + struct.pack(">I", 1) + string("server-sig-algs") + \
            string("ssh-ed25519")
        enc = Cipher(algorithms.AES(key[:16]), modes.CTR(iv[:16])).encryptor()

        def send_enc(payload):
            nonlocal seq
            pkt = frame(payload, block=16)
            mac = hmac.new(mkey, struct.pack(">I", seq) + pkt, hashlib.sha256).digest()
            c.send(enc.update(pkt) + mac)
            seq += 1
        send_enc(payload)
        if f not in ("none", "nostrict"):
            c.wait_close(10)
            return
        # The rest of a healthy start: the client's packets, decrypted with
        # the client-to-server keys (IV A, key C, MAC E), are answered.
        ivc, keyc, mkeyc = (derive(x) for x in (b"A", b"C", b"E"))
        dec = Cipher(algorithms.AES(keyc[:16]), modes.CTR(ivc[:16])).decryptor()
        rseq = 0 if strict else 3      # KEXINIT, KEX_ECDH_INIT, NEWKEYS
        assert c.packet()[0] == 21          # the client's NEWKEYS, in clear

        def recv_enc():
            nonlocal rseq
            while len(c.buf) < 16:
                c._more()
            head = dec.update(c.buf[:16])
            (n,) = struct.unpack(">I", head[:4])
            while len(c.buf) < 4 + n + 32:
                c._more()
            pkt = head + dec.update(c.buf[16:4 + n])
            mac = hmac.new(mkeyc, struct.pack(">I", rseq) + pkt, hashlib.sha256).digest()
            assert mac == c.buf[4 + n:4 + n + 32], "client MAC"
            c.buf = c.buf[4 + n + 32:]
            rseq += 1
            return pkt[5:5 + n - 1 - pkt[4]]
        req = recv_enc()
        assert req[0] == 5, req[0]
        send_enc(bytes([6]) + string("ssh-userauth"))
        req = recv_enc()
        assert req[0] == 50, req[0]
        send_enc(bytes([51]) + string("publickey") + b"\x00")
        c.wait_close(10)

    def _gex(self, c, v_c, v_s, i_c, i_s):
        """RFC 4419 with one mistake: K hashed as a string."""
        req = c.packet()
        assert req[0] == 34, req[0]
        c.send(frame(bytes([31]) + mpint(to_bytes(P14)) + mpint(b"\x02")))
        init = c.packet()
        assert init[0] == 32, init[0]
        (n,) = struct.unpack(">I", init[1:5])
        e = int.from_bytes(init[5:5 + n], "big")
        while True:          # a K whose mpint and string encodings differ
            y = int.from_bytes(os.urandom(32), "big")
            k = to_bytes(pow(e, y, P14))
            if k[0] & 0x80:
                break
        f_val = to_bytes(pow(2, y, P14))
        host = ed25519.Ed25519PrivateKey.generate()
        k_s = string("ssh-ed25519") + string(host.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        h = hashlib.sha256(string(v_c) + string(v_s) + string(i_c) + string(i_s) +
                           string(k_s) + req[1:13] + mpint(to_bytes(P14)) +
                           mpint(b"\x02") + init[1:] + mpint(f_val) +
                           string(k)).digest()
        sig = string("ssh-ed25519") + string(host.sign(h))
        c.send(frame(bytes([33]) + string(k_s) + mpint(f_val) + string(sig)))
        c.wait_close(5)
