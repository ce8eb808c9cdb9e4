"""Per-source limits, penalties, the group-exchange cap and StrictModes.

- PerSourceMaxStartups: a flood of idle connections from 127.0.0.1 takes
  only its own share; logins from 127.0.0.2 (another loopback address,
  the client socket bound to it) all go through meanwhile.
- PerSourcePenalties: a source that keeps failing authentication is
  refused before anything is forked for it (sshd's "drop connection ...
  penalty: failed authentication"), while another source logs in.
- DHGroupExchangeMaxSize: a client asking diffie-hellman-group-exchange
  for 8192 bits gets 4096; e outside 1 < e < p-1 is refused; each DH
  exchange is charged to the source (kex-dh).
- StrictModes (on by default): a group-writable authorized_keys or home
  directory is refused; StrictModes no accepts them.
"""
import os
import secrets
import socket
import struct
import subprocess
import time

import pytest

import rawssh
from conftest import explain, ssh, wait_for_log
from processes import descendants

OTHER = "127.0.0.2"     # a second source: all of 127/8 is loopback on Linux

MSG_KEX_DH_GEX_GROUP = 31
MSG_KEX_DH_GEX_INIT = 32
MSG_KEX_DH_GEX_REPLY = 33
MSG_KEX_DH_GEX_REQUEST = 34
GEX = "diffie-hellman-group-exchange-sha256"


def hold(port, source="127.0.0.1"):
    """An idle TCP connection (never sends a byte)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def login_from(srv, key, source, timeout=30):
    return ssh(srv, key, "echo in", args=["-b", source], timeout=timeout)


def cpu_ms(pid):
    """CPU of a process and its reaped children, in milliseconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])   # utime stime cutime cstime
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


# ---- PerSourceMaxStartups ---------------------------------------------------

def test_flood_from_one_source_leaves_room_for_another(start_server, keys):
    """200 idle connections from 127.0.0.1 while 5 logins from 127.0.0.2.
    The flood holds at most PerSourceMaxStartups (10) pending slots, so
    MaxStartups' start (20 here) is never reached by it; without the
    per-source limit the same flood fills MaxStartups 10:30:100 and most
    logins from elsewhere are dropped."""
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line()],
                       opts=["PerSourceMaxStartups=10", "MaxStartups=20:30:100",
                             "PerSourcePenaltyExemptList=127.0.0.1"])
    t0 = time.monotonic()
    res = login_from(srv, k, OTHER)
    quiet = time.monotonic() - t0
    assert res.returncode == 0, explain(srv, res, "login before the flood")
    held = []
    try:
        for _ in range(200):
            held.append(hold(srv.port))
        # The server has seen all 200 once 190 drops are logged.
        end = time.monotonic() + 30
        while srv.log_text().count("past PerSourceMaxStartups") < 190:
            assert time.monotonic() < end, explain(srv, None, "flood not refused")
            time.sleep(0.2)
        times = []
        for i in range(5):
            t0 = time.monotonic()
            res = login_from(srv, k, OTHER)
            times.append(time.monotonic() - t0)
            assert res.returncode == 0 and res.stdout == b"in\n", \
                explain(srv, res, f"login {i + 1} of 5 from {OTHER} during the flood")
        print(f"\nflood of 200 from 127.0.0.1: 5/5 logins from {OTHER}, "
              f"{1000 * sum(times) / len(times):.0f} ms each on average "
              f"({1000 * quiet:.0f} ms before the flood)")
        text = srv.log_text()
        assert text.count("Accepted publickey for root from 127.0.0.2") == 6
        # Exactly the per-source share of the flood got a process.
        assert text.count("Connection from 127.0.0.1 port") <= 10 + 1, explain(srv)
        assert "drop connection #" in text and \
            "from [127.0.0.1]" in text and "past PerSourceMaxStartups" in text
    finally:
        for s in held:
            s.close()


# ---- PerSourcePenalties -----------------------------------------------------

def test_failing_source_refused_before_fork(start_server, keys):
    """A failed login adds authfail to the source; refusing starts once the
    total exceeds min. Durations are long here so that a slow machine
    cannot let the penalties expire between attempts: the first two
    failures (60 s, 120 s) stay deferred, the third activates 180 s, and
    the next connection is dropped before fork with sshd's words, even
    with the right key. 127.0.0.1 is served meanwhile."""
    good, bad = keys["ed25519"], keys["ecdsa"]
    srv = start_server(authorized=[good.line()],
                       opts=["PerSourcePenalties=authfail:60s min:150s"])
    for i in range(3):
        res = login_from(srv, bad, OTHER)
        assert res.returncode == 255, explain(srv, res, f"bad key {i + 1} logged in?")
        if i == 0:
            assert wait_for_log(srv, "new 127.0.0.2/32 deferred penalty of 60.000 "
                                "seconds for penalty: failed authentication"), explain(srv)
    assert wait_for_log(srv, "srclimit_penalise: 127.0.0.2/32: activating ipv4 "
                        "penalty of", timeout=30), explain(srv, None, "no penalty activated")
    forks = srv.log_text().count("Connection from 127.0.0.2 port")
    assert forks == 3, explain(srv)
    res = login_from(srv, good, OTHER)   # even the right key: refused
    assert res.returncode == 255, explain(srv, res, "penalised source served")
    assert wait_for_log(srv, "penalty: failed authentication"), explain(srv)
    text = srv.log_text()
    line = [x for x in text.splitlines() if "drop connection #" in x][-1]
    assert "from [127.0.0.2]:" in line and "on [127.0.0.1]:" in line and \
        line.endswith("penalty: failed authentication"), line
    assert text.count("Connection from 127.0.0.2 port") == forks, \
        explain(srv, None, "a process was forked for the penalised source")
    res = login_from(srv, good, "127.0.0.1")
    assert res.returncode == 0 and res.stdout == b"in\n", \
        explain(srv, res, "another source must still log in")


def test_penalties_off_and_exempt(start_server, keys):
    """PerSourcePenalties no, and an exempt source: never refused."""
    good, bad = keys["ed25519"], keys["ecdsa"]
    # Four failures: 20 s with the defaults, 80 s with authfail:20s; both
    # above min (15 s) had they counted.
    for opts in (["PerSourcePenalties=no"],
                 [f"PerSourcePenaltyExemptList={OTHER}", "PerSourcePenalties=authfail:20s"]):
        srv = start_server(authorized=[good.line()], opts=opts)
        for _ in range(4):
            login_from(srv, bad, OTHER)
        res = login_from(srv, good, OTHER)
        assert res.returncode == 0, explain(srv, res, f"{opts}: refused")
        assert "drop connection" not in srv.log_text(), explain(srv)


def test_noauth_scanner_penalised(start_server, keys):
    """Connections that never authenticate cost noauth each; past min the
    source is refused ("connections without attempting authentication")
    and told so before its connection is closed."""
    # Long durations: a slow machine cannot let them expire in between.
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["PerSourcePenalties=noauth:60s min:250s"])
    for i in range(40):
        with rawssh.RawClient(srv.port, timeout=5) as c:
            try:   # skips "Not allowed at this time", then EOF
                line = c.read_version()
            except (EOFError, ConnectionError, TimeoutError, OSError):
                line = ""
        if not line.startswith("SSH-2.0-"):
            break
        time.sleep(0.1)   # the listener reaps and charges it
    else:
        pytest.fail(explain(srv, None, "scanner never refused"))
    # The fixture's readiness probe is one of the five that activate it.
    assert i >= 4, explain(srv, None, f"refused after only {i} connections")
    assert wait_for_log(srv, "penalty: connections without attempting "
                        "authentication"), explain(srv)


# ---- DHGroupExchangeMaxSize -------------------------------------------------

def gex_handshake(port, nmin, n, nmax, e=None, source="127.0.0.1"):
    """A raw client's group exchange up to the server's reply. Returns
    (bits of p, reply packet); e is a function of p (default: random in
    [2, p-2], what a DHEat client sends: costs it nothing)."""
    c = rawssh.RawClient(port, timeout=30)
    try:
        c.send_version()
        c.read_version()
        c.send_payload(rawssh.kexinit_payload(kex=GEX))
        p = c.read_packet()
        assert p.type == rawssh.MSG_KEXINIT, f"expected KEXINIT, got {p.type}"
        c.send_payload(struct.pack(">BIII", MSG_KEX_DH_GEX_REQUEST, nmin, n, nmax))
        p = c.read_packet()
        if p.type != MSG_KEX_DH_GEX_GROUP:
            return 0, p
        (ln,) = struct.unpack(">I", p.payload[1:5])
        prime = int.from_bytes(p.payload[5:5 + ln], "big")
        value = e(prime) if e else 2 + secrets.randbelow(prime - 3)
        # mpint (RFC 4251 section 5): 0 is empty, a set top bit gets a 0 byte.
        raw = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
        c.send_payload(bytes([MSG_KEX_DH_GEX_INIT]) + struct.pack(">I", len(raw)) + raw)
        try:
            reply = c.read_packet()
        except (EOFError, ConnectionError):
            reply = rawssh.Packet(b"")
        return prime.bit_length(), reply
    finally:
        c.close()


def test_gex_8192_capped(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["PerSourcePenalties=no"])
    bits, reply = gex_handshake(srv.port, 2048, 8192, 8192)
    assert bits == 4096 and reply.type == MSG_KEX_DH_GEX_REPLY, explain(srv)
    assert wait_for_log(srv, "sending 4096 (capped)"), explain(srv)
    # Asking for nothing below 6144 cannot be served under the cap.
    bits, reply = gex_handshake(srv.port, 6144, 8192, 8192)
    assert bits == 0 and reply.type == rawssh.MSG_DISCONNECT, explain(srv)
    assert "no group between 6144 and 8192 bits" in reply.disconnect()[1]
    # OpenSSH's own request (2048..8192, n 8192 for a 256-bit cipher) logs in.
    res = ssh(srv, keys["ed25519"], "echo in", opts=[f"KexAlgorithms={GEX}"])
    assert res.returncode == 0 and res.stdout == b"in\n", explain(srv, res)


def test_gex_cap_raised(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["DHGroupExchangeMaxSize=8192", "PerSourcePenalties=no"])
    bits, reply = gex_handshake(srv.port, 2048, 8192, 8192)
    assert bits == 8192 and reply.type == MSG_KEX_DH_GEX_REPLY, explain(srv)


@pytest.mark.parametrize("bad", ["0", "1", "p-1", "p", "p+1"])
def test_gex_e_out_of_range(start_server, keys, bad):
    """RFC 4253 section 8: 1 < e < p-1, or the exchange fails."""
    pick = {"0": lambda p: 0, "1": lambda p: 1, "p-1": lambda p: p - 1,
            "p": lambda p: p, "p+1": lambda p: p + 1}[bad]
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["PerSourcePenalties=no"])
    bits, reply = gex_handshake(srv.port, 2048, 2048, 4096, e=pick)
    assert bits == 2048, explain(srv)
    assert reply.type == rawssh.MSG_DISCONNECT, \
        explain(srv, None, f"e = {bad} answered with message {reply.type}")
    assert reply.disconnect()[0] == 3, reply.disconnect()   # KEY_EXCHANGE_FAILED


def dheat_cpu(srv, n, bits):
    """CPU per handshake (ms) of n DHEat handshakes, and the group size."""
    before = cpu_ms(srv.daemon_pid)
    for _ in range(n):
        got, reply = gex_handshake(srv.port, 2048, bits, 8192)
        assert reply.type == MSG_KEX_DH_GEX_REPLY, explain(srv)
    end = time.monotonic() + 20   # every process reaped: in cutime
    while descendants(srv.daemon_pid) and time.monotonic() < end:
        time.sleep(0.05)
    return (cpu_ms(srv.daemon_pid) - before) / n, got


def test_dheat_cost_and_budget(start_server, keys):
    """DHEat: 8192-bit requests with a random e. Measured CPU per handshake
    uncapped and capped (printed), and with the defaults the source is
    refused after a few handshakes (kex-dh 2 s + noauth 1 s each, min 15 s)."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["DHGroupExchangeMaxSize=8192", "PerSourcePenalties=no"])
    uncapped, b1 = dheat_cpu(srv, 10, 8192)
    srv2 = start_server(authorized=[keys["ed25519"].line()],
                        opts=["PerSourcePenalties=no"])
    capped, b2 = dheat_cpu(srv2, 10, 8192)
    print(f"\nDHEat CPU per handshake: {uncapped:.1f} ms at {b1} bits, "
          f"{capped:.1f} ms capped at {b2} bits")
    assert b1 == 8192 and b2 == 4096
    srv3 = start_server(authorized=[keys["ed25519"].line()])
    done = 0
    for _ in range(30):
        try:
            got, reply = gex_handshake(srv3.port, 2048, 8192, 8192)
        except (EOFError, ConnectionError, TimeoutError, OSError):
            break
        if reply.type != MSG_KEX_DH_GEX_REPLY:
            break
        done += 1
        time.sleep(0.05)   # let the listener reap and charge
    print(f"DHEat with default penalties: refused after {done} handshakes")
    assert done < 30, explain(srv3, None, "DHEat source never refused")
    assert wait_for_log(srv3, "drop connection #"), explain(srv3)
    assert "penalty: Diffie-Hellman key exchanges" in srv3.log_text() or \
        "penalty: connections without attempting authentication" in srv3.log_text()


# ---- StrictModes ------------------------------------------------------------

@pytest.fixture
def strict_user(plain_user, keys):
    home = plain_user.pw_dir
    sshdir = os.path.join(home, ".ssh")
    os.makedirs(sshdir, exist_ok=True)
    ak = os.path.join(sshdir, "authorized_keys")
    with open(ak, "w") as f:
        f.write(keys["ed25519"].line() + "\n")
    for path, mode in ((home, 0o755), (sshdir, 0o700), (ak, 0o600)):
        os.chown(path, plain_user.pw_uid, plain_user.pw_gid)
        os.chmod(path, mode)
    yield {"name": plain_user.pw_name, "home": home, "ak": ak}
    os.chmod(home, 0o755)
    os.chmod(ak, 0o600)


def test_strict_modes(start_server, keys, strict_user):
    u = strict_user
    k = keys["ed25519"]
    srv = start_server(authkeys_file=False,
                       opts=["AuthorizedKeysFile=.ssh/authorized_keys",
                             "PerSourcePenalties=no"])
    res = ssh(srv, k, "id -un", user=u["name"])
    assert res.returncode == 0 and res.stdout == f"{u['name']}\n".encode(), \
        explain(srv, res, "good modes must log in")
    os.chmod(u["ak"], 0o620)
    res = ssh(srv, k, "id -un", user=u["name"])
    assert res.returncode == 255, explain(srv, res, "group-writable keys file accepted")
    assert wait_for_log(srv, "Authentication refused: bad ownership or modes for "
                        f"file {u['ak']}"), explain(srv)
    os.chmod(u["ak"], 0o600)
    os.chmod(u["home"], 0o775)
    res = ssh(srv, k, "id -un", user=u["name"])
    assert res.returncode == 255, explain(srv, res, "group-writable home accepted")
    assert wait_for_log(srv, "Authentication refused: bad ownership or modes for "
                        f"directory {u['home']}"), explain(srv)
    os.chmod(u["ak"], 0o620)
    loose = start_server(authkeys_file=False,
                         opts=["AuthorizedKeysFile=.ssh/authorized_keys",
                               "StrictModes=no"])
    res = ssh(loose, k, "id -un", user=u["name"])
    assert res.returncode == 0 and res.stdout == f"{u['name']}\n".encode(), \
        explain(loose, res, "StrictModes no must accept")
