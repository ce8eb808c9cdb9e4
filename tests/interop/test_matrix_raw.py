"""Interop matrix, raw protocol client (rawssh.py with rawkex.py): algorithm
lists a real client would rarely send, first-kex guesses (RFC 4253 section
7.1), and mlkem768x25519-sha256, which no packaged client of Debian 12
speaks.

Every exchange that should succeed is carried as far as the server's
KEX_ECDH_REPLY, whose host key signature is verified over the exchange hash
the raw client computes itself."""
import os
import sys

import cryptography
import pytest

import rawkex
import rawssh
from matrix import matrix_server  # noqa: F401

CLIENT = "raw client (rawssh.py)"
VERSION = (f"Python {sys.version_info.major}.{sys.version_info.minor}, "
           f"cryptography {cryptography.__version__}")
V_C = "SSH-2.0-rawssh_0.1"
GUESS_NOTE = "RFC 4253 7.1: a guess is right only if both sides' first kex " \
             "and host key algorithms are the same"


class Session:
    """A raw connection that has read the server's version and KEXINIT."""

    def __init__(self, port):
        self.c = rawssh.RawClient(port)
        self.c.send_version(V_C)
        self.v_s = self.c.read_version()
        self.i_s = self.next().payload
        assert self.i_s[0] == rawssh.MSG_KEXINIT, f"message {self.i_s[0]}, want KEXINIT"
        lists = rawssh.Packet(self.i_s).kexinit_lists()
        self.server_kex = lists[0].split(",")
        self.server_hostkey = lists[1].split(",")
        self.i_c = None

    def next(self):
        """The next packet that is not IGNORE or DEBUG."""
        while True:
            p = self.c.read_packet()
            if p.type not in (2, 4):
                return p

    def kexinit(self, kex, hostkey, follows=False):
        self.i_c = rawssh.kexinit_payload(kex=kex, hostkey=hostkey, follows=follows)
        self.c.send_payload(self.i_c)

    def send(self, payload):
        self.c.send_payload(payload)

    def reply(self, ex, row, why=""):
        """Read the server's answer and check it as the reply to ex;
        returns the host key type."""
        try:
            p = self.next()
        except (EOFError, TimeoutError, ConnectionError, OSError) as e:
            pytest.fail(row.explain(f"no KEX_ECDH_REPLY: {type(e).__name__}: {e}"))
        if p.type == rawssh.MSG_DISCONNECT:
            pytest.fail(row.explain(f"DISCONNECT {p.disconnect()} instead of "
                                    f"KEX_ECDH_REPLY"))
        try:
            ktype, _ = ex.check_reply(p.payload, V_C, self.v_s, self.i_c, self.i_s)
        except (AssertionError, ValueError) as e:
            pytest.fail(row.explain(f"{e}\n{why}"))
        return ktype

    def close(self):
        self.c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_raw_mlkem768x25519(matrix_server):
    """The default key exchange, with ML-KEM-768 from mlkem.py."""
    kex = "mlkem768x25519-sha256"
    with matrix_server.row(CLIENT, VERSION, "kex", kex) as row, \
            Session(matrix_server.port) as s:
        assert kex in s.server_kex, row.explain(f"server offers {s.server_kex}")
        s.kexinit(kex, "ssh-ed25519")
        ex = rawkex.Exchange(kex)
        s.send(ex.init_payload())
        assert s.reply(ex, row) == "ssh-ed25519"
        row.expect(kex=kex, hostkey="ssh-ed25519")
        row.note = "exchange hash signature verified"


def test_raw_many_kex_names(matrix_server):
    names = [f"unknown-kex-{i:03d}@example.com" for i in range(500)]
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "500 unknown kex names, the last one known") as row, \
            Session(matrix_server.port) as s:
        s.kexinit(",".join(names + ["curve25519-sha256"]), "ssh-ed25519")
        ex = rawkex.Exchange("curve25519-sha256")
        s.send(ex.init_payload())
        s.reply(ex, row)
        row.expect(kex="curve25519-sha256")


LEGACY = ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1",
          "diffie-hellman-group1-sha1", "hmac-sha1", "hmac-sha1-etm@openssh.com",
          "hmac-sha1-96", "hmac-sha1-96-etm@openssh.com", "hmac-md5",
          "hmac-md5-etm@openssh.com", "hmac-md5-96", "hmac-md5-96-etm@openssh.com",
          "umac-64@openssh.com", "umac-128@openssh.com", "umac-64-etm@openssh.com",
          "umac-128-etm@openssh.com", "aes128-cbc", "aes192-cbc", "aes256-cbc",
          "3des-cbc", "ssh-rsa"]


def test_raw_no_sha1_by_default(matrix_server):
    """The default offer names no legacy algorithm (SHA-1, MD5, UMAC, CBC,
    the 1024-bit group: they exist only to be named in the configuration)."""
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "SHA-1 algorithms not offered by default") as row, \
            Session(matrix_server.port) as s:
        offered = ",".join(rawssh.Packet(s.i_s).kexinit_lists()).split(",")
        found = sorted(set(offered) & set(LEGACY))
        assert not found, row.explain(f"offered by default: {found}")


MARKERS = ["ext-info-c", "kex-strict-c-v00@openssh.com",
           "ext-info-c,kex-strict-c-v00@openssh.com",
           "ext-info-s", "kex-strict-s-v00@openssh.com"]


@pytest.mark.parametrize("marker", MARKERS)
def test_raw_marker_never_chosen(matrix_server, marker):
    """A marker in the kex list is not a method: offered alone, the
    negotiation fails with reason 3 (key exchange failed)."""
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           f"kex list only {marker}: refused") as row:
        _, packets = rawssh.negotiate(matrix_server.port, kex=marker)
        types = [p.type for p in packets]
        assert rawssh.MSG_DISCONNECT in types, \
            row.explain(f"no DISCONNECT; message types {types}")
        reason, text = packets[types.index(rawssh.MSG_DISCONNECT)].disconnect()
        assert reason == 3, row.explain(f"DISCONNECT reason {reason} ({text!r}), "
                                        f"want 3 (key exchange failed)")
        row.note = f"DISCONNECT 3: {text[:80]}"


def key_type(alg):
    return "ssh-rsa" if alg.startswith("rsa-sha2-") else alg


def guess_kex(s, row):
    """The server's first kex and host key algorithm, which a right guess
    must name first."""
    kex, hostkey = s.server_kex[0], s.server_hostkey[0]
    assert kex in rawkex.SUPPORTED, \
        row.explain(f"the server's first kex {kex} is not one rawkex can do")
    return kex, hostkey


def test_raw_guess_right(matrix_server):
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "first-kex guess, right: used") as row, \
            Session(matrix_server.port) as s:
        kex, hostkey = guess_kex(s, row)
        s.kexinit(kex, hostkey, follows=True)
        ex = rawkex.Exchange(kex)
        s.send(ex.init_payload())
        assert s.reply(ex, row) == key_type(hostkey), \
            row.explain(f"a host key of another type than {hostkey}")
        row.expect(kex=kex, hostkey=hostkey)


def test_raw_guess_wrong_junk(matrix_server):
    """First kex unknown to the server: the guessed packet (junk) is
    dropped and the agreed exchange goes on."""
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "first-kex guess, wrong (junk packet): dropped") as row, \
            Session(matrix_server.port) as s:
        s.kexinit("unknown-guess@example.com,curve25519-sha256", "ssh-ed25519",
                  follows=True)
        s.send(bytes([rawkex.MSG_KEX_ECDH_INIT]) + os.urandom(57))
        ex = rawkex.Exchange("curve25519-sha256")
        s.send(ex.init_payload())
        s.reply(ex, row)
        row.expect(kex="curve25519-sha256")


def test_raw_guess_wrong_agreed_kex(matrix_server):
    """The client's first kex is agreed on but is not the server's first:
    by RFC 4253 section 7.1 the guess is wrong, so the guessed packet (a
    valid init) must be ignored and the second one answered. Dropbear
    clients send exactly this."""
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "first-kex guess of the agreed kex, not the "
                           "server's first: ignored") as row, \
            Session(matrix_server.port) as s:
        first = s.server_kex[0]
        kex = next(k for k in rawkex.SUPPORTED if k in s.server_kex and k != first)
        s.kexinit(f"{kex},{first}", s.server_hostkey[0], follows=True)
        s.send(rawkex.Exchange(kex).init_payload())
        ex = rawkex.Exchange(kex)
        s.send(ex.init_payload())
        s.reply(ex, row, f"the server answered the guessed packet ({GUESS_NOTE})")
        row.expect(kex=kex)


def test_raw_guess_wrong_hostkey(matrix_server):
    """The server's first kex but another host key algorithm first: the
    guess is wrong and ignored."""
    with matrix_server.row(CLIENT, VERSION, "robustness",
                           "first-kex guess with another host key algorithm "
                           "first: ignored") as row, \
            Session(matrix_server.port) as s:
        kex, hostkey = guess_kex(s, row)
        other = next(h for h in s.server_hostkey if h != hostkey)
        s.kexinit(kex, f"{other},{hostkey}", follows=True)
        s.send(rawkex.Exchange(kex).init_payload())
        ex = rawkex.Exchange(kex)
        s.send(ex.init_payload())
        s.reply(ex, row, f"the server answered the guessed packet ({GUESS_NOTE})")
        row.expect(kex=kex, hostkey=other)
