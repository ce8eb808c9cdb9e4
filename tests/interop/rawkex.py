"""The client half of a key exchange for the raw test client (rawssh.py),
as far as the server's reply: build the client's KEX_ECDH_INIT (or
KEX_HYBRID_INIT), then check the server's reply by computing the exchange
hash and verifying the host key's signature over it. A valid signature
proves both sides derived the same shared secret from the same transcript.

Key exchanges: curve25519-sha256 (RFC 8731), ecdh-sha2-nistp256/384/521
(RFC 5656 section 4), mlkem768x25519-sha256 (ML-KEM-768 from mlkem.py and
X25519; draft-ietf-sshm-mlkem-hybrid-kex), mlkem768nistp256-sha256 (the
same ML-KEM-768 with P-256; draft-kampanakis-curdle-ssh-pq-ke). Host keys: ssh-ed25519 (RFC
8709), ecdsa-sha2-nistp* (RFC 5656 section 3.1.2), rsa-sha2-256/512
(RFC 8332).
"""
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, x25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

import mlkem

MSG_KEX_ECDH_INIT = 30     # also SSH_MSG_KEX_HYBRID_INIT
MSG_KEX_ECDH_REPLY = 31    # also SSH_MSG_KEX_HYBRID_REPLY

CURVES = {"ecdh-sha2-nistp256": (ec.SECP256R1, hashlib.sha256),
          "ecdh-sha2-nistp384": (ec.SECP384R1, hashlib.sha384),
          "ecdh-sha2-nistp521": (ec.SECP521R1, hashlib.sha512)}
# draft-kampanakis-curdle-ssh-pq-ke: ML-KEM-768 with ECDH on P-256.
NIST_HYBRID = {"mlkem768nistp256-sha256": "ecdh-sha2-nistp256"}
SUPPORTED = ["curve25519-sha256", "curve25519-sha256@libssh.org",
             "mlkem768x25519-sha256"] + list(CURVES) + list(NIST_HYBRID)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def mpint(b):
    """RFC 4251 section 5: a big-endian two's complement number, minimal."""
    b = b.lstrip(b"\x00")
    if b and b[0] & 0x80:
        b = b"\x00" + b
    return string(b)


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def string(self):
        (n,) = struct.unpack(">I", self.data[self.pos:self.pos + 4])
        if self.pos + 4 + n > len(self.data):
            raise ValueError("string length exceeds the message")
        s = self.data[self.pos + 4:self.pos + 4 + n]
        self.pos += 4 + n
        return s

    def end(self):
        if self.pos != len(self.data):
            raise ValueError(f"{len(self.data) - self.pos} trailing bytes")


class Exchange:
    """One client-side key exchange of the given method."""

    def __init__(self, kex):
        assert kex in SUPPORTED, f"rawkex cannot do {kex}"
        self.kex = kex
        self.curve = NIST_HYBRID.get(kex, kex)
        self.hash = CURVES[kex][1] if kex in CURVES else hashlib.sha256
        if self.curve in CURVES:
            self.priv = ec.generate_private_key(CURVES[self.curve][0]())
            self.q_c = self.priv.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint)
        else:
            self.priv = x25519.X25519PrivateKey.generate()
            self.q_c = self.priv.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if kex == "mlkem768x25519-sha256" or kex in NIST_HYBRID:
            # Client init: ML-KEM encapsulation key || X25519 key (or the
            # uncompressed P-256 point).
            ek, self.dk = mlkem.keygen()
            self.q_c = ek + self.q_c

    def init_payload(self):
        return bytes([MSG_KEX_ECDH_INIT]) + string(self.q_c)

    def shared_secret(self, q_s):
        """K, encoded as the exchange hash takes it."""
        if self.kex in CURVES:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(
                CURVES[self.kex][0](), q_s)
            return mpint(self.priv.exchange(ec.ECDH(), peer))
        if self.kex in NIST_HYBRID:
            # Server reply: ML-KEM ciphertext || P-256 point (65 bytes); K is
            # SHA-256(K_pq || x coordinate, 32 bytes), hashed as a string.
            assert len(q_s) == mlkem.CT_LEN + 65, f"Q_S of {len(q_s)} bytes"
            k_pq = mlkem.decaps(self.dk, q_s[:mlkem.CT_LEN])
            peer = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), q_s[mlkem.CT_LEN:])
            k_cl = self.priv.exchange(ec.ECDH(), peer)
            return string(hashlib.sha256(k_pq + k_cl).digest())
        if self.kex == "mlkem768x25519-sha256":
            # Server reply: ML-KEM ciphertext || X25519 key; K is
            # SHA-256(K_pq || K_x25519), hashed as a string.
            assert len(q_s) == mlkem.CT_LEN + 32, f"Q_S of {len(q_s)} bytes"
            k_pq = mlkem.decaps(self.dk, q_s[:mlkem.CT_LEN])
            peer = x25519.X25519PublicKey.from_public_bytes(q_s[mlkem.CT_LEN:])
            return string(hashlib.sha256(k_pq + self.priv.exchange(peer)).digest())
        peer = x25519.X25519PublicKey.from_public_bytes(q_s)
        return mpint(self.priv.exchange(peer))

    def check_reply(self, payload, v_c, v_s, i_c, i_s):
        """Verify the server's KEX_ECDH_REPLY; returns (host key type,
        exchange hash). Raises AssertionError or ValueError on mismatch."""
        assert payload[0] == MSG_KEX_ECDH_REPLY, \
            f"message {payload[0]}, want KEX_ECDH_REPLY (31)"
        r = Reader(payload[1:])
        k_s, q_s, sig = r.string(), r.string(), r.string()
        r.end()
        k = self.shared_secret(q_s)
        h = self.hash(string(v_c) + string(v_s) + string(i_c) + string(i_s) +
                      string(k_s) + string(self.q_c) + string(q_s) + k).digest()
        ktype = verify(k_s, sig, h)
        return ktype, h


def verify(blob, sig, data):
    """Verify an SSH signature blob over data with a public key blob;
    returns the key type. Raises AssertionError if it does not verify."""
    kr, sr = Reader(blob), Reader(sig)
    ktype, salg, sval = kr.string().decode(), sr.string().decode(), sr.string()
    sr.end()
    try:
        if ktype == "ssh-ed25519":
            assert salg == ktype, f"signature {salg} for a {ktype} key"
            ed25519.Ed25519PublicKey.from_public_bytes(kr.string()).verify(sval, data)
        elif ktype.startswith("ecdsa-sha2-"):
            assert salg == ktype, f"signature {salg} for a {ktype} key"
            curve = {"nistp256": (ec.SECP256R1, hashes.SHA256),
                     "nistp384": (ec.SECP384R1, hashes.SHA384),
                     "nistp521": (ec.SECP521R1, hashes.SHA512)}[kr.string().decode()]
            key = ec.EllipticCurvePublicKey.from_encoded_point(curve[0](), kr.string())
            rs = Reader(sval)
            der = encode_dss_signature(int.from_bytes(rs.string(), "big"),
                                       int.from_bytes(rs.string(), "big"))
            key.verify(der, data, ec.ECDSA(curve[1]()))
        elif ktype == "ssh-rsa":
            algs = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512}
            assert salg in algs, f"RSA signature {salg}, want rsa-sha2-256/512"
            e = int.from_bytes(kr.string(), "big")
            n = int.from_bytes(kr.string(), "big")
            rsa.RSAPublicNumbers(e, n).public_key().verify(
                sval, data, padding.PKCS1v15(), algs[salg]())
        else:
            raise AssertionError(f"rawkex cannot check {ktype} signatures")
    except InvalidSignature:
        raise AssertionError(f"the {salg} signature over the exchange hash does "
                             f"not verify: the shared secret or the transcript "
                             f"differs") from None
    return ktype
