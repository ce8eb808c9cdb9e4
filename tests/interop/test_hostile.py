"""Hostile input: what an attacker sends, and the exact answer to it.

Each case drives a raw client (rawtransport.py: our own key exchange,
aes128-ctr + hmac-sha2-256, public-key auth, every field chosen by the
test) into one kind of abuse and asserts:
- the exact SSH_MSG_DISCONNECT (RFC 4253 section 11.1, reason codes of
  RFC 4250 section 4.2.2) or, where the protocol asks for one, the exact
  non-fatal answer (UNIMPLEMENTED, REQUEST_FAILURE, CHANNEL_OPEN_FAILURE);
- the exact line the daemon logs for it, and that it then closes;
- that the daemon still runs, and that a real `ssh` login from another
  source (127.0.0.2, so that a per-source penalty earned by the abuser
  cannot be what stops it) runs a command while the hostile connections
  are held open, each at the brink of its abuse.

Covered: window and channel abuse, a flood of 10,000 global requests
(answered in order, memory bounded), strict-KEX (Terrapin) injection and
the sequence number reset, first_kex_packet_follows with a wrong and a
right guess, oversize, short, misaligned and badly padded packets before
and after the key exchange, truncated KEXINIT name-lists, unknown message
numbers, a bad MAC, and "none" authentication requests without end.

Cases of one kind share a daemon and one login, so the file stays fast.
"""
import os
import struct
import subprocess
import time

import pytest

import rawssh
import rawtransport as rt
from conftest import make_key, ssh_cmd, wait_for_log
from processes import descendants
from rawtransport import string, u32

OTHER = "127.0.0.2"     # all of 127/8 is loopback on Linux

PROTOCOL_ERROR = 2      # RFC 4250 section 4.2.2
KEY_EXCHANGE_FAILED = 3
MAC_ERROR = 5
NO_MORE_AUTH_METHODS = 14

OPEN_ADMINISTRATIVELY_PROHIBITED = 1   # RFC 4254 section 5.1
OPEN_RESOURCE_SHORTAGE = 4

MAX_PACKET = 256 * 1024           # NSSH_MAX_PACKET
CHANNEL_WINDOW = 2 * 1024 * 1024  # NSSH_CHANNEL_WINDOW
CHANNEL_MAXPKT = 32 * 1024        # NSSH_CHANNEL_MAXPKT
MAX_CHANNELS = 1024               # NSSH_MAX_CHANNELS

GUESS_WRONG = "sntrup4591761x25519-sha512@tinyssh.org," + rt.KEX


@pytest.fixture(scope="module")
def key(keydir):
    """An ed25519 client key of this module's own (the session's keys
    fixture also makes a slow RSA key)."""
    return make_key(keydir, "id_hostile", "ed25519")


@pytest.fixture
def srv(start_server, key):
    return start_server(authorized=[key.line()],
                        opts=["KexAlgorithms=curve25519-sha256,"
                              "mlkem768x25519-sha256,ecdh-sha2-nistp256"])


class Login:
    """A real ssh login from another source, running a command."""

    def __init__(self, srv, key):
        self.srv = srv
        # ConnectTimeout also bounds ssh's whole handshake and
        # authentication; 10 s is short for a sanitizer build on a loaded
        # machine, and being served is what counts here, not how fast.
        cmd = ["ConnectTimeout=60" if a == "ConnectTimeout=10" else a
               for a in ssh_cmd(srv, key, "echo served", args=["-b", OTHER],
                                verbose=True)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def check(self, timeout=90):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            pytest.fail(f"the other login hung\n--- server log ---\n"
                        f"{self.srv.log_tail()}")
        assert self.proc.returncode == 0 and out == b"served\n", \
            (f"the other login failed: status {self.proc.returncode}, "
             f"stdout {out!r}, stderr {err.decode(errors='replace')[-2500:]}\n"
             f"--- server log ---\n{self.srv.log_tail(80)}")


def still_up(srv):
    """The daemon runs and still answers a new connection with its
    version line."""
    assert srv.alive(), "nanosshd exited\n" + srv.log_tail()
    with rawssh.RawClient(srv.port, timeout=10) as c:
        c.send_version()
        assert c.read_version().startswith("SSH-2.0-")


def log_line(srv, line, timeout=10.0):
    assert wait_for_log(srv, line, timeout), \
        f"no log line {line!r}\n--- server log ---\n{srv.log_tail()}"


def peer(c, preauth=True):
    """How the daemon names the raw client in its log lines."""
    return (f"(127.0.0.1 port {c.sock.getsockname()[1]})"
            + (" [preauth]" if preauth else ""))


def expect(srv, c, reason, text, logged, preauth=True):
    """The DISCONNECT is exactly (reason, text), the daemon logged
    'logged: text (peer)', and the connection is then closed."""
    if c.session_id is None:        # still in the clear
        try:
            p = c.read_plain()
            pytest.fail(f"message {p[0]} where a DISCONNECT was expected")
        except rt.Disconnected as d:
            got = (d.reason, d.text)
    else:
        got = c.expect_disconnect()
    assert got == (reason, text), f"DISCONNECT {got}, want {(reason, text)}"
    assert c.closed(), "the server kept the connection open after DISCONNECT"
    log_line(srv, f"{logged}: {text} {peer(c, preauth)}")


def authed(srv, key):
    c = rt.Client(srv.port)
    c.login(key.path)
    return c


def hold_and_fire(srv, key, cases):
    """cases: (name, prepare, fire). Every connection is made and prepared
    first and held there; a real login then runs a command meanwhile;
    then each case fires its abuse and checks the answer; at the end the
    daemon must still be up."""
    held = []
    try:
        for name, prepare, fire in cases:
            c = rt.Client(srv.port)
            held.append((name, c, fire))
            prepare(c)
        Login(srv, key).check()
        for name, c, fire in held:
            try:
                fire(c)
            except AssertionError as e:
                raise AssertionError(f"case {name}: {e}") from None
    finally:
        for _, c, _ in held:
            c.close()
    still_up(srv)


def hello(c):
    c.hello()


def kexed(c):
    c.hello()
    c.kex(strict=True)


# ---- Oversize, short and malformed packets before the key exchange ---------

def test_malformed_packets_in_clear(srv, key):
    """RFC 4253 section 6: the length is checked before anything is
    allocated or waited for (a packet of 4 GiB gets its answer at once),
    at least four bytes of padding; KEXINIT name-lists that claim more
    than the packet holds (section 7.1)."""
    def length(n, why):
        def fire(c):
            c.send_raw(u32(n) + b"\x04" + bytes(11))
            expect(srv, c, PROTOCOL_ERROR,
                   f"bad packet length {n} ({why}; packet 0 of this key)",
                   "packet: packet_length")
        return (f"length {n}", hello, fire)

    def padding(c):
        c.send_plain(bytes([rt.MSG_IGNORE]) + string(b"abc"), padlen=3)
        expect(srv, c, PROTOCOL_ERROR, "bad padding length 3 in a packet of 12 bytes",
               "packet: padding_length")

    cases = [length(MAX_PACKET + 1, "larger than the packet limit"),
             length(0xffffffff, "larger than the packet limit"),
             length(5, "too short"),
             length(13, "not a multiple of the cipher block size"),
             ("padding 3", hello, padding)]
    hold_and_fire(srv, key, cases)


def test_truncated_kexinit(srv, key):
    def case(name, payload, field, text):
        def fire(c):
            c.send_plain(payload)
            expect(srv, c, PROTOCOL_ERROR, text, f"kex: SSH_MSG_KEXINIT: {field}")
        return (name, hello, fire)

    p = rawssh.kexinit_payload()
    # The second list's length says 100000 bytes.
    off = 17 + 4 + struct.unpack(">I", p[17:21])[0]
    long_list = p[:off] + u32(100000) + p[off + 4:off + 40]
    trunc = "name-list truncated: length exceeds the packet"
    hold_and_fire(srv, key, [
        case("cut in kex list", p[:19], "kex_algorithms", trunc),
        case("host key list too long", long_list, "server_host_key_algorithms", trunc),
        case("no first_kex_packet_follows", p[:-5], "first_kex_packet_follows",
             "message ends early"),
        case("cut in cookie", p[:10], "cookie", "message ends early"),
    ])


def test_packet_above_35000_is_accepted(srv, key):
    """RFC 4253 section 6.1: 35000 bytes is the least every implementation
    must take; the limit here is 256 KiB, so an IGNORE of 200000 bytes
    before KEXINIT (without strict KEX) is read and dropped, and one of
    250000 bytes after NEWKEYS too."""
    with rt.Client(srv.port) as c:
        c.hello()
        other = Login(srv, key)     # served while this one is held
        c.send_plain(bytes([rt.MSG_IGNORE]) + string(bytes(200000)))
        c.kex(strict=False)
        c.send(bytes([rt.MSG_IGNORE]) + string(bytes(250000)))
        c.auth(key.path)
        other.check()


# ---- Strict KEX (Terrapin) ---------------------------------------------------

def test_strict_kex_injection(srv, key):
    """With kex-strict-c-v00@openssh.com the client's KEXINIT must be its
    first packet, and nothing but key-exchange messages may come between
    KEXINIT and NEWKEYS (the Terrapin prefix truncation needs exactly
    such a message). With or without it, a second KEXINIT or an early
    NEWKEYS within the exchange is a protocol error."""
    def before_kexinit(c):
        c.send_plain(bytes([rt.MSG_IGNORE]) + string(b"terrapin"))
        c.kexinit(strict=True)
        expect(srv, c, PROTOCOL_ERROR, "strict KEX: KEXINIT was not the first packet",
               "kex: SSH_MSG_KEXINIT")

    def within(payload, name):
        def fire(c):
            with pytest.raises(rt.Disconnected) as d:
                c.kex(strict=True, before_init=[payload])
            text = (f"unexpected message {name} during the initial key "
                    f"exchange (strict KEX)")
            assert (d.value.reason, d.value.text) == (PROTOCOL_ERROR, text)
            assert c.closed()
            log_line(srv, f"gate: {name.split()[0]}: {text} {peer(c)}")
        return (name, hello, fire)

    def kexinit_twice(c):
        c.kexinit(strict=False)
        c.kexinit(strict=False)
        expect(srv, c, PROTOCOL_ERROR,
               "unexpected message SSH_MSG_KEXINIT (20) during a key exchange",
               "gate: SSH_MSG_KEXINIT")

    def early_newkeys(c):
        c.kexinit(strict=False)
        c.send_plain(bytes([rt.MSG_NEWKEYS]))
        expect(srv, c, PROTOCOL_ERROR,
               "unexpected message SSH_MSG_NEWKEYS (21) outside a key exchange",
               "gate: SSH_MSG_NEWKEYS")

    hold_and_fire(srv, key, [
        ("IGNORE before KEXINIT", hello, before_kexinit),
        ("KEXINIT twice", hello, kexinit_twice),
        ("NEWKEYS before the reply", hello, early_newkeys),
        within(bytes([rt.MSG_IGNORE]) + string(b"terrapin"), "SSH_MSG_IGNORE (2)"),
        within(bytes([rt.MSG_DEBUG]) + b"\x00" + string(b"x") + string(b""),
               "SSH_MSG_DEBUG (4)"),
        within(bytes([rt.MSG_UNIMPLEMENTED]) + u32(0), "SSH_MSG_UNIMPLEMENTED (3)"),
        within(bytes([25]) + b"junk", "SSH_MSG_UNKNOWN (25)"),
    ])


def test_without_strict_kex_ignore_is_harmless(srv, key):
    """Without the marker the same IGNOREs (before KEXINIT and within the
    exchange) are dropped, an unknown transport message number before it
    gets UNIMPLEMENTED (RFC 4253 section 11.4), and the sequence numbers
    are not reset: the first encrypted packet's MAC uses sequence number
    6 and is accepted."""
    with rt.Client(srv.port) as c:
        c.hello()
        other = Login(srv, key)     # served while this one is held
        c.send_plain(bytes([rt.MSG_IGNORE]) + string(b"before"))
        c.send_plain(bytes([25]) + b"junk")
        assert c.read_plain() == bytes([rt.MSG_UNIMPLEMENTED]) + u32(1)
        c.kex(strict=False, before_init=[bytes([rt.MSG_IGNORE]) + string(b"in")])
        assert not c.strict and c.out.seq == 6 and c.inp.seq == 4
        c.auth(key.path)
        other.check()
    log_line(srv, "kex: SSH_MSG_KEXINIT: kex: curve25519-sha256, host key: "
                  "ssh-ed25519, cipher in/out: aes128-ctr/aes128-ctr [preauth]")


# ---- Early guesses (RFC 4253 section 7) --------------------------------------

def test_wrong_kex_guess_is_dropped(srv, key):
    """first_kex_packet_follows with a first kex the server does not do:
    the guessed packet (an ECDH_INIT that is no X25519 key) must be
    dropped unread; the real exchange then completes."""
    with rt.Client(srv.port) as c:
        c.hello()
        other = Login(srv, key)     # served while this one is held
        c.kex(strict=True, guess=GUESS_WRONG)
        c.auth(key.path)
        other.check()
    log_line(srv, "kex: SSH_MSG_KEX_ECDH_INIT: dropping the peer's wrong "
                  "first-kex guess [preauth]")
    log_line(srv, "cipher in/out: aes128-ctr/aes128-ctr, strict KEX, ignoring "
                  "wrong guess [preauth]")


def test_right_kex_guess_is_used(srv, key):
    """first_kex_packet_follows when both first kex and host key
    algorithms match the server's: the guessed ECDH_INIT is the one the
    server answers."""
    with rt.Client(srv.port) as c:
        lists = c.hello()
        other = Login(srv, key)     # served while this one is held
        assert lists[0].split(",")[0] == rt.KEX
        assert lists[1].split(",")[0] == "ssh-ed25519"
        c.kex(strict=True, guess=rt.KEX)
        c.auth(key.path)
        other.check()
    log_line(srv, "cipher in/out: aes128-ctr/aes128-ctr, strict KEX [preauth]")
    assert "first-kex guess" not in srv.log_text()
    assert "ignoring wrong guess" not in srv.log_text()


def test_bad_kex_values(srv, key):
    """Only the one wrongly guessed packet is dropped: a second bogus
    ECDH_INIT after it is refused, as is one without a guess."""
    bogus = bytes([30]) + string(bytes(31))
    text = "Q_C is 31 bytes, expected 32 (curve25519-sha256)"

    def fire(guess):
        def f(c):
            with pytest.raises(rt.Disconnected) as d:
                c.kex(strict=True, guess=guess, before_init=[bogus])
            assert (d.value.reason, d.value.text) == (KEY_EXCHANGE_FAILED, text), d.value
            assert c.closed()
            log_line(srv, f"kex: SSH_MSG_KEX_ECDH_INIT: Q_C: {text} {peer(c)}")
        return f

    hold_and_fire(srv, key, [("after a wrong guess", hello, fire(GUESS_WRONG)),
                             ("no guess", hello, fire(None))])


# ---- After the key exchange: MAC, lengths, unknown messages -----------------

def test_malformed_packets_encrypted(srv, key):
    """After NEWKEYS: a flipped MAC byte; a MAC over the sequence number
    that strict KEX reset (3 instead of 0); lengths checked once the first
    block is decrypted, before the rest is awaited, against the cipher's
    block of 16 (20 + 4 is a multiple of 8 but not of 16)."""
    service = bytes([rt.MSG_SERVICE_REQUEST]) + string("ssh-userauth")
    mac_text = "message authentication code incorrect (packet 0 of this key)"

    def flipped(c):
        c.send(service, flip_mac=True)
        expect(srv, c, MAC_ERROR, mac_text, "packet")

    def old_seq(c):
        assert c.strict and c.out.seq == 0 and c.inp.seq == 0
        c.send(service, seq=3)
        expect(srv, c, MAC_ERROR, mac_text, "packet")

    def length(n, why):
        def fire(c):
            c.send(bytes([rt.MSG_IGNORE]) + string(b"x" * 10), length=n)
            expect(srv, c, PROTOCOL_ERROR,
                   f"bad packet length {n} ({why}; packet 0 of this key)",
                   "packet: packet_length")
        return (f"length {n}", kexed, fire)

    def auth_first(c):
        c.send(bytes([rt.MSG_CHANNEL_OPEN]) + string("session") + u32(0) +
               u32(1 << 20) + u32(32768))
        expect(srv, c, PROTOCOL_ERROR,
               "unexpected message SSH_MSG_CHANNEL_OPEN (90) before authentication",
               "gate: SSH_MSG_CHANNEL_OPEN")

    hold_and_fire(srv, key, [
        ("flipped MAC", kexed, flipped),
        ("sequence number not reset", kexed, old_seq),
        length(MAX_PACKET + 12, "larger than the packet limit"),
        length(20, "not a multiple of the cipher block size"),
        ("channel before auth", kexed, auth_first),
    ])


def test_unknown_messages_get_unimplemented(srv, key):
    """RFC 4253 section 11.4: an unknown message number is answered with
    UNIMPLEMENTED carrying its sequence number, and the connection goes
    on, before and after authentication."""
    with rt.Client(srv.port) as c:
        c.hello()
        c.kex(strict=True)
        c.send(bytes([200]) + b"junk")                          # packet 0
        assert c.recv() == bytes([rt.MSG_UNIMPLEMENTED]) + u32(0)
        c.auth(key.path)                                       # packets 1, 2
        Login(srv, key).check()
        for n, msg in enumerate((150, 87, 255, 120), start=3):
            c.send(bytes([msg]) + b"junk")
            p = c.recv()
            assert p == bytes([rt.MSG_UNIMPLEMENTED]) + u32(n), \
                f"message {msg}: got {p!r}"
        c.send(bytes([rt.MSG_GLOBAL_REQUEST]) + string("x@example.com") + b"\x01")
        assert c.recv() == bytes([rt.MSG_REQUEST_FAILURE])
    log_line(srv, "answering unknown message (packet 0) with UNIMPLEMENTED [preauth]")
    log_line(srv, "answering unknown message (packet 6) with UNIMPLEMENTED\n")


def test_auth_none_flood(srv, key):
    """Only the first "none" request (RFC 4252 section 5.2) is free, as in
    sshd: the next ones count against MaxAuthTries (6), so the seventh
    ends the connection instead of the client asking until the grace
    time runs out."""
    def ask(c):
        c.send(bytes([rt.MSG_SERVICE_REQUEST]) + string("ssh-userauth"))
        assert c.recv()[0] == rt.MSG_SERVICE_ACCEPT

    def fire(c):
        none = (bytes([rt.MSG_USERAUTH_REQUEST]) + string("root") +
                string("ssh-connection") + string("none"))
        failures = 0
        with pytest.raises(rt.Disconnected) as d:
            for _ in range(20):
                c.send(none)
                assert c.recv()[0] == rt.MSG_USERAUTH_FAILURE
                failures += 1
        assert failures == 6
        assert (d.value.reason, d.value.text) == \
            (NO_MORE_AUTH_METHODS, "Too many authentication failures for root")
        assert c.closed()
        port = c.sock.getsockname()[1]
        log_line(srv, f"maximum authentication attempts exceeded for root from "
                      f"127.0.0.1 port {port} ssh2 [preauth]")

    def prep(c):
        kexed(c)
        ask(c)

    hold_and_fire(srv, key, [("none flood", prep, fire)])


# ---- Window and channel abuse (RFC 4254 section 5) ---------------------------

def session(c, window=1 << 20):
    c.login(c.key_path)
    c.ch, c.win, c.maxpkt = c.open_session(window=window)


def test_window_and_channel_abuse(srv, key):
    """Data past the window the server granted (a session with no command
    reads nothing, so its 2 MiB are never reopened) or past the maximum
    packet; a window adjusted to 2^32-1 exactly and then one byte more;
    messages for a channel never opened, for one out of any table, and
    for one already closed; OPEN_CONFIRMATION for a channel the server
    never opened."""
    def prep(window=1 << 20):
        def p(c):
            c.key_path = key.path
            session(c, window)
        return p

    def beyond_window(c):
        assert (c.win, c.maxpkt) == (CHANNEL_WINDOW, CHANNEL_MAXPKT)
        chunk = bytes(c.maxpkt)
        for _ in range(c.win // c.maxpkt):
            c.send(bytes([rt.MSG_CHANNEL_DATA]) + u32(c.ch) + string(chunk))
        c.send(bytes([rt.MSG_CHANNEL_DATA]) + u32(c.ch) + string(b"!"))
        expect(srv, c, PROTOCOL_ERROR,
               f"channel {c.ch}: peer sent 1 bytes; window left 0, maximum "
               f"packet {CHANNEL_MAXPKT}",
               "connection: SSH_MSG_CHANNEL_DATA: data", preauth=False)

    def beyond_maxpkt(c):
        c.send(bytes([rt.MSG_CHANNEL_DATA]) + u32(c.ch) + string(bytes(c.maxpkt + 1)))
        expect(srv, c, PROTOCOL_ERROR,
               f"channel {c.ch}: peer sent {c.maxpkt + 1} bytes; window left "
               f"{c.win}, maximum packet {CHANNEL_MAXPKT}",
               "connection: SSH_MSG_CHANNEL_DATA: data", preauth=False)

    def adjust(c):
        c.send(bytes([rt.MSG_CHANNEL_WINDOW_ADJUST]) + u32(c.ch) + u32(0xffffffff - 1000))
        c.send(bytes([rt.MSG_GLOBAL_REQUEST]) + string("x@example.com") + b"\x01")
        assert c.recv() == bytes([rt.MSG_REQUEST_FAILURE])   # still fine
        c.send(bytes([rt.MSG_CHANNEL_WINDOW_ADJUST]) + u32(c.ch) + u32(1))
        expect(srv, c, PROTOCOL_ERROR,
               f"channel {c.ch}: adding 1 bytes to a window of 4294967295 "
               f"exceeds 2^32-1",
               "connection: SSH_MSG_CHANNEL_WINDOW_ADJUST: bytes to add",
               preauth=False)

    def unknown(msg, name, body, ch=7):
        def fire(c):
            c.send(bytes([msg]) + u32(ch) + body)
            expect(srv, c, PROTOCOL_ERROR, f"{name} for channel {ch}, which is not open",
                   f"connection: {name}: recipient channel", preauth=False)
        return (f"{name} to {ch}", prep(), fire)

    def after_close(c):
        c.send(bytes([rt.MSG_CHANNEL_CLOSE]) + u32(c.ch))
        assert c.recv() == bytes([rt.MSG_CHANNEL_CLOSE]) + u32(0)
        c.send(bytes([rt.MSG_CHANNEL_DATA]) + u32(c.ch) + string(b"late"))
        expect(srv, c, PROTOCOL_ERROR,
               f"SSH_MSG_CHANNEL_DATA for channel {c.ch}, which is not open",
               "connection: SSH_MSG_CHANNEL_DATA: recipient channel", preauth=False)

    def confirmation(c):
        c.send(bytes([rt.MSG_CHANNEL_OPEN_CONFIRMATION]) + u32(5) + u32(9) +
               u32(1 << 20) + u32(32768))
        expect(srv, c, PROTOCOL_ERROR,
               "SSH_MSG_CHANNEL_OPEN_CONFIRMATION for channel 5, which we did not open",
               "connection: SSH_MSG_CHANNEL_OPEN_CONFIRMATION: recipient channel",
               preauth=False)

    hold_and_fire(srv, key, [
        ("data beyond the window", prep(), beyond_window),
        ("data beyond the maximum packet", prep(), beyond_maxpkt),
        ("window past 2^32-1", prep(1000), adjust),
        unknown(rt.MSG_CHANNEL_DATA, "SSH_MSG_CHANNEL_DATA", string(b"data")),
        unknown(rt.MSG_CHANNEL_DATA, "SSH_MSG_CHANNEL_DATA", string(b"data"),
                ch=0xffffffff),
        unknown(rt.MSG_CHANNEL_EOF, "SSH_MSG_CHANNEL_EOF", b""),
        unknown(rt.MSG_CHANNEL_CLOSE, "SSH_MSG_CHANNEL_CLOSE", b""),
        unknown(rt.MSG_CHANNEL_REQUEST, "SSH_MSG_CHANNEL_REQUEST",
                string("exec") + b"\x01" + string("id")),
        unknown(rt.MSG_CHANNEL_WINDOW_ADJUST, "SSH_MSG_CHANNEL_WINDOW_ADJUST", u32(100)),
        unknown(rt.MSG_CHANNEL_SUCCESS, "SSH_MSG_CHANNEL_SUCCESS", b""),
        ("data after close", prep(), after_close),
        ("OPEN_CONFIRMATION never asked for", prep(), confirmation),
    ])


def open_many(c, n, first=0):
    """Open n sessions without waiting; returns the answers in order."""
    c.send_raw(b"".join(c.packet(bytes([rt.MSG_CHANNEL_OPEN]) + string("session") +
                                 u32(first + i) + u32(1 << 20) + u32(32768))
                        for i in range(n)))
    return [c.recv() for _ in range(n)]


def test_more_sessions_than_maxsessions(srv, key):
    """MaxSessions (10 by default): the eleventh session is refused with
    OPEN_FAILURE administratively prohibited (RFC 4254 section 5.1), and
    the connection goes on."""
    with authed(srv, key) as c:
        answers = open_many(c, 11)
        assert all(p[0] == rt.MSG_CHANNEL_OPEN_CONFIRMATION for p in answers[:10])
        assert answers[10][:9] == bytes([rt.MSG_CHANNEL_OPEN_FAILURE]) + u32(10) + \
            u32(OPEN_ADMINISTRATIVELY_PROHIBITED), answers[10]
        Login(srv, key).check()
        c.send(bytes([rt.MSG_GLOBAL_REQUEST]) + string("x@example.com") + b"\x01")
        assert c.recv() == bytes([rt.MSG_REQUEST_FAILURE])
    log_line(srv, "refused session on channel 10: MaxSessions (10) reached")


def test_more_channels_than_the_engine_holds(start_server, key):
    """With MaxSessions above the engine's table (1024 channels), the
    next opens are refused with resource shortage and the connection goes
    on; a freed number is given out again."""
    srv = start_server(authorized=[key.line()], opts=["MaxSessions=5000"])
    with authed(srv, key) as c:
        answers = open_many(c, MAX_CHANNELS + 2)
        ok = [p for p in answers if p[0] == rt.MSG_CHANNEL_OPEN_CONFIRMATION]
        assert len(ok) == MAX_CHANNELS
        for i in (MAX_CHANNELS, MAX_CHANNELS + 1):
            assert answers[i][:9] == bytes([rt.MSG_CHANNEL_OPEN_FAILURE]) + \
                u32(i) + u32(OPEN_RESOURCE_SHORTAGE), answers[i]
        Login(srv, key).check()
        c.send(bytes([rt.MSG_CHANNEL_CLOSE]) + u32(17))
        assert c.recv() == bytes([rt.MSG_CHANNEL_CLOSE]) + u32(17)
        p = open_many(c, 1, first=5000)[0]
        assert p[:9] == bytes([rt.MSG_CHANNEL_OPEN_CONFIRMATION]) + u32(5000) + u32(17), p
    still_up(srv)


# ---- Global request flood -----------------------------------------------------

def peak_kib(pids):
    """Largest VmHWM (peak resident set) among pids, in KiB."""
    peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
    return peak


def flood(c, name, n, batch=250):
    """n GLOBAL_REQUESTs with want-reply, at most two batches ahead of
    the answers (so no socket buffer fills); each answer must be a
    REQUEST_FAILURE, in order."""
    req = bytes([rt.MSG_GLOBAL_REQUEST]) + string(name) + b"\x01"
    answered = 0
    for sent in range(batch, n + 1, batch):
        c.send_raw(b"".join(c.packet(req) for _ in range(batch)))
        while answered < sent - 2 * batch:
            assert c.recv() == bytes([rt.MSG_REQUEST_FAILURE]), f"answer {answered}"
            answered += 1
    while answered < n:
        assert c.recv() == bytes([rt.MSG_REQUEST_FAILURE]), f"answer {answered}"
        answered += 1


def test_global_request_flood(start_server, key, monkeypatch):
    """10,000 GLOBAL_REQUESTs with want-reply, sent without waiting for
    the answers: each gets its REQUEST_FAILURE, in order (RFC 4254
    section 4); the server reads no faster than its answers drain, no
    process of the daemon grows its peak memory by more than 2 MiB, and
    a login from elsewhere is served during the flood.

    AddressSanitizer keeps freed blocks in a quarantine (256 MiB by
    default) that would show as growth of its own; it is cut to 1 MiB
    here and filled by a warm-up of 2,000 requests (leaks are
    LeakSanitizer's to find)."""
    opts = [o for o in os.environ.get("ASAN_OPTIONS", "").split(":") if o]
    monkeypatch.setenv("ASAN_OPTIONS", ":".join(opts + ["quarantine_size_mb=1"]))
    srv = start_server(authorized=[key.line()])
    n = 10000
    with authed(srv, key) as c:
        c.open_session()
        flood(c, "warmup@example.com", 2000)
        pids = descendants(srv.daemon_pid) + [srv.daemon_pid]
        before = peak_kib(pids)
        other = Login(srv, key)
        t0 = time.monotonic()
        flood(c, "flood@example.com", n)
        elapsed = time.monotonic() - t0
        other.check()
        after = peak_kib(pids)
        c.send(bytes([rt.MSG_GLOBAL_REQUEST]) + string("x@example.com") + b"\x01")
        assert c.recv() == bytes([rt.MSG_REQUEST_FAILURE])
    assert after - before < 2048, \
        f"peak memory grew from {before} to {after} KiB during the flood"
    assert elapsed < 30, f"10,000 requests took {elapsed:.1f} s"
    assert srv.log_text().count('global request "flood@example.com" (reply wanted): '
                                'refused') == n
    still_up(srv)
