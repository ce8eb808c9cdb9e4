"""TCP port forwarding through nanosshd (RFC 4254 section 7): ssh -L and
-R with several streams at once against an echo server of the test's own,
a port allocated by the server, cancelling, and the refusals of
AllowTcpForwarding, PermitOpen, PermitListen and authorized_keys options."""
import os
import select
import socket
import subprocess
import threading
import time

import pytest

from conftest import explain, ssh_cmd, wait_for_log
from processes import free_port

STREAMS = 5
STREAM_SIZE = 1 << 20


class EchoServer:
    """Echoes every connection on 127.0.0.1 until the peer's EOF, then
    closes it. One thread per connection."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)   # hundreds of channels connect at once
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn):
        with conn:
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def echo():
    srv = EchoServer()
    yield srv
    srv.close()


def listening(port):
    """Addresses ("127.0.0.1", "::1", "0.0.0.0", "::") with a TCP socket
    listening on port, from /proc/net/tcp and tcp6."""
    found = set()
    for name, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = open(name).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            addr, hexport = f[1].split(":")
            if f[3] != "0A" or int(hexport, 16) != port:
                continue
            raw = bytes.fromhex(addr)
            if v6:
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.add(socket.inet_ntop(socket.AF_INET6, raw))
            else:
                found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
    return found


def stderr_until(proc, needle, timeout=20.0):
    """What the background ssh wrote to stderr, read until needle shows
    (or timeout, or its end)."""
    text, end = b"", time.monotonic() + timeout
    while needle.encode() not in text and time.monotonic() < end:
        ready, _, _ = select.select([proc.stderr], [], [], 0.2)
        if ready:
            more = os.read(proc.stderr.fileno(), 4096)
            if not more:
                break
            text += more
    return text.decode(errors="replace")


def wait_listening(port, proc, srv, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if listening(port):
            return
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")
            pytest.fail(explain(srv, None, f"ssh exited with {proc.returncode} "
                                f"before port {port} listened: {err}"))
        time.sleep(0.05)
    pytest.fail(explain(srv, None, f"nothing listens on port {port}"))


def round_trip(port, payload, timeout=60):
    """Send payload through 127.0.0.1:port, half-close, read to EOF."""
    got = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
        writer = threading.Thread(target=lambda: (c.sendall(payload),
                                                  c.shutdown(socket.SHUT_WR)))
        writer.start()
        while True:
            data = c.recv(65536)
            if not data:
                break
            got.extend(data)
        writer.join(timeout)
    return bytes(got)


def many_streams(port, srv):
    """STREAMS connections at once, each with its own payload."""
    payloads = [bytes([i]) * 16 + os.urandom(STREAM_SIZE) for i in range(STREAMS)]
    results = [None] * STREAMS
    errors = []

    def one(i):
        try:
            results[i] = round_trip(port, payloads[i])
        except Exception as e:   # reported below with the server log
            errors.append(f"stream {i}: {e!r}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(STREAMS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, explain(srv, None, "; ".join(errors))
    for i in range(STREAMS):
        assert results[i] == payloads[i], explain(
            srv, None, f"stream {i}: got {len(results[i] or b'')} bytes back, "
            f"want {len(payloads[i])} identical bytes")


def refused_open(port):
    """Connect through a refused -L: the client closes the connection
    without a byte."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as c:
            c.sendall(b"ping")
            return c.recv(100)
    except (ConnectionResetError, BrokenPipeError):
        return b""


# ---- ssh -L ------------------------------------------------------------------

def test_local_forward_streams(server, keys, echo, background_ssh):
    lport = free_port()
    p = background_ssh(server, keys["ed25519"],
                       ["-L", f"{lport}:127.0.0.1:{echo.port}"])
    wait_listening(lport, p, server)
    many_streams(lport, server)
    assert echo.accepted >= STREAMS


def test_local_forward_by_name(server, keys, echo, background_ssh):
    """A target given by name: every address is tried (localhost may be
    ::1 first, where the echo server does not listen)."""
    lport = free_port()
    p = background_ssh(server, keys["ed25519"], ["-L", f"{lport}:localhost:{echo.port}"])
    wait_listening(lport, p, server)
    assert round_trip(lport, b"by name") == b"by name"


def test_local_forward_connect_failed(server, keys, background_ssh):
    """A target that refuses the connection: OPEN_FAILURE "connect failed"
    with the reason, as ssh prints it."""
    lport, dead = free_port(), free_port()
    p = background_ssh(server, keys["ed25519"], ["-L", f"{lport}:127.0.0.1:{dead}"])
    wait_listening(lport, p, server)
    assert refused_open(lport) == b""
    err = stderr_until(p, "Connection refused")
    assert "open failed: connect failed: Connection refused" in err, \
        explain(server, None, f"ssh said: {err}")


# ---- ssh -R ------------------------------------------------------------------

def remote_forward(srv, key, echo, background_ssh, listen=""):
    """ssh -R [listen:]0:127.0.0.1:echo: the server picks the port and says
    which in REQUEST_SUCCESS (RFC 4254 section 7.1); ssh prints it. A port
    picked by the server cannot be taken by anyone else meanwhile."""
    p = background_ssh(srv, key, ["-R", f"{listen}0:127.0.0.1:{echo.port}"])
    line = stderr_until(p, "Allocated port")
    assert "Allocated port" in line, explain(srv, None, f"ssh said: {line}")
    port = int(line.split("Allocated port")[1].split()[0])
    wait_listening(port, p, srv)
    return port


def test_remote_forward_streams(server, keys, echo, background_ssh):
    rport = remote_forward(server, keys["ed25519"], echo, background_ssh)
    # GatewayPorts no: loopback only.
    assert listening(rport) <= {"127.0.0.1", "::1"}, \
        explain(server, None, f"listens on {listening(rport)}")
    many_streams(rport, server)


def test_remote_forward_wildcard_request_stays_on_loopback(server, keys, echo,
                                                           background_ssh):
    rport = remote_forward(server, keys["ed25519"], echo, background_ssh,
                           listen="0.0.0.0:")
    assert "0.0.0.0" not in listening(rport) and "127.0.0.1" in listening(rport), \
        explain(server, None, f"listens on {listening(rport)}")
    assert round_trip(rport, b"loopback") == b"loopback"


def test_gateway_ports_clientspecified(start_server, keys, echo, background_ssh):
    """GatewayPorts clientspecified: the address the client names."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["GatewayPorts=clientspecified"])
    rport = remote_forward(srv, keys["ed25519"], echo, background_ssh,
                           listen="127.0.0.1:")
    assert listening(rport) == {"127.0.0.1"}, \
        explain(srv, None, f"listens on {listening(rport)}")
    assert round_trip(rport, b"specified") == b"specified"


def test_remote_forward_fixed_port(server, keys, echo, background_ssh):
    rport = free_port()
    p = background_ssh(server, keys["ed25519"],
                       ["-R", f"{rport}:127.0.0.1:{echo.port}"])
    wait_listening(rport, p, server)
    assert wait_for_log(server, f"listening on localhost port {rport}"), \
        explain(server, None, "no listener line in the log")
    assert round_trip(rport, b"allocated" * 1000) == b"allocated" * 1000


def test_remote_forward_cancel(server, keys, echo):
    """paramiko asks for a port, uses it, cancels it: the listener goes."""
    import paramiko   # a missing client fails the test, never skips it
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=server.port, username="root",
                   key_filename=keys["ed25519"].path, look_for_keys=False,
                   allow_agent=False, timeout=20)
    try:
        t = client.get_transport()
        accepted = []

        def serve(chan):
            data = b""
            while not data.endswith(b"\n"):
                more = chan.recv(1024)
                if not more:
                    break
                data += more
            chan.sendall(data.upper())
            chan.close()

        def handler(chan, origin, server_addr):
            # Called in paramiko's transport thread, which must not block.
            accepted.append((origin, server_addr))
            threading.Thread(target=serve, args=(chan,), daemon=True).start()

        port = t.request_port_forward("localhost", 0, handler=handler)
        assert port > 0 and listening(port), explain(server, None, f"port {port}")
        with socket.create_connection(("127.0.0.1", port), timeout=20) as c:
            c.sendall(b"hello\n")
            assert c.recv(100) == b"HELLO\n"
        assert accepted and accepted[0][1] == ("localhost", port), \
            explain(server, None, f"forwarded-tcpip named {accepted}")
        t.cancel_port_forward("localhost", port)
        end = time.monotonic() + 10
        while listening(port) and time.monotonic() < end:
            time.sleep(0.05)
        assert not listening(port), explain(server, None, "listener still there")
    finally:
        client.close()


# ---- Many channels on one connection -----------------------------------------

def test_hundreds_of_direct_tcpip_channels(start_server, keys, echo):
    """200 direct-tcpip channels open at once on one connection, each echoing
    its own bytes: no fixed cap of a few channels. MaxSessions 2 still
    limits sessions, and forwarding channels do not count against it."""
    import paramiko
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["MaxSessions=2"])
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=srv.port, username="root",
                   key_filename=keys["ed25519"].path, look_for_keys=False,
                   allow_agent=False, timeout=20)
    try:
        t = client.get_transport()
        chans = [t.open_channel("direct-tcpip", ("127.0.0.1", echo.port),
                                ("127.0.0.1", 40000 + i), timeout=20)
                 for i in range(200)]
        for i, c in enumerate(chans):
            c.sendall(b"channel %d\n" % i)
        for i, c in enumerate(chans):
            want, got = b"channel %d\n" % i, b""
            c.settimeout(20)
            while len(got) < len(want):
                more = c.recv(100)
                if not more:
                    break
                got += more
            assert got == want, explain(srv, None, f"channel {i}: {got!r}")
        # Two sessions fit beside the 200 forwards; a third is refused.
        s1, s2 = t.open_session(timeout=20), t.open_session(timeout=20)
        with pytest.raises(paramiko.ChannelException):
            t.open_session(timeout=20)
        assert wait_for_log(srv, "MaxSessions (2) reached"), explain(srv)
        s1.close()
        s2.close()
        for c in chans:
            c.close()
    finally:
        client.close()


def test_thirty_local_forwards_at_once(server, keys, echo, background_ssh):
    """OpenSSH with 30 -L forwards, all used at the same time over one
    connection (sshd's own regress suite chains 18 channels)."""
    ports = [free_port() for _ in range(30)]
    args = []
    for lp in ports:
        args += ["-L", f"{lp}:127.0.0.1:{echo.port}"]
    p = background_ssh(server, keys["ed25519"], args)
    for lp in ports:
        wait_listening(lp, p, server)
    payloads = [bytes([i]) * 8 + os.urandom(64 << 10) for i in range(len(ports))]
    results, errors = [None] * len(ports), []

    def one(i):
        try:
            results[i] = round_trip(ports[i], payloads[i])
        except Exception as e:   # reported below with the server log
            errors.append(f"forward {i}: {e!r}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(ports))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, explain(server, None, "; ".join(errors))
    for i in range(len(ports)):
        assert results[i] == payloads[i], explain(
            server, None, f"forward {i}: {len(results[i] or b'')} bytes back")
    assert echo.accepted >= len(ports)


# ---- Refusals ------------------------------------------------------------------

def expect_local_refused(srv, key, echo, background_ssh, text):
    lport = free_port()
    p = background_ssh(srv, key, ["-L", f"{lport}:127.0.0.1:{echo.port}"])
    wait_listening(lport, p, srv)
    assert refused_open(lport) == b"", explain(srv, None, "-L was not refused")
    err = stderr_until(p, "administratively prohibited")
    assert "open failed: administratively prohibited" in err, \
        explain(srv, None, f"ssh said: {err}")
    assert echo.accepted == 0
    assert wait_for_log(srv, text), explain(srv, None, f"no \"{text}\" in the log")


def expect_remote_refused(srv, key, echo):
    rport = free_port()
    cmd = ssh_cmd(srv, key, args=["-N", "-R", f"{rport}:127.0.0.1:{echo.port}"],
                  opts=["ExitOnForwardFailure=yes"])
    res = subprocess.run(cmd, capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 255 and \
        f"remote port forwarding failed for listen port {rport}" in err, \
        explain(srv, res, "-R was not refused")
    assert not listening(rport)


def test_allow_tcp_forwarding_no(start_server, keys, echo, background_ssh):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["AllowTcpForwarding=no"])
    expect_local_refused(srv, keys["ed25519"], echo, background_ssh,
                         "refused local port forward")
    expect_remote_refused(srv, keys["ed25519"], echo)


def test_allow_tcp_forwarding_local(start_server, keys, echo, background_ssh):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["AllowTcpForwarding=local"])
    lport = free_port()
    p = background_ssh(srv, keys["ed25519"], ["-L", f"{lport}:127.0.0.1:{echo.port}"])
    wait_listening(lport, p, srv)
    assert round_trip(lport, b"local ok") == b"local ok"
    expect_remote_refused(srv, keys["ed25519"], echo)


def test_no_port_forwarding_key(start_server, keys, echo, background_ssh):
    srv = start_server(authorized=[keys["ed25519"].line("no-port-forwarding")])
    expect_local_refused(srv, keys["ed25519"], echo, background_ssh,
                         "refused local port forward")
    expect_remote_refused(srv, keys["ed25519"], echo)


def test_restrict_key(start_server, keys, echo, background_ssh):
    srv = start_server(authorized=[keys["ed25519"].line("restrict")])
    expect_local_refused(srv, keys["ed25519"], echo, background_ssh,
                         "refused local port forward")


def test_permitopen_key(start_server, keys, echo, background_ssh):
    """permitopen= allows only its targets: a mismatch is refused, a match
    works."""
    other = free_port()
    srv = start_server(authorized=[keys["ed25519"].line(
        f'permitopen="127.0.0.1:{other}"')])
    expect_local_refused(srv, keys["ed25519"], echo, background_ssh,
                         "but the request was denied")
    srv2 = start_server(authorized=[keys["ed25519"].line(
        f'permitopen="127.0.0.1:{echo.port}"')])
    lport = free_port()
    p = background_ssh(srv2, keys["ed25519"], ["-L", f"{lport}:127.0.0.1:{echo.port}"])
    wait_listening(lport, p, srv2)
    assert round_trip(lport, b"permitted") == b"permitted"


def test_permit_open_config(start_server, keys, echo, background_ssh):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["PermitOpen=127.0.0.1:1 localhost:2"])
    expect_local_refused(srv, keys["ed25519"], echo, background_ssh,
                         "but the request was denied")


def test_permit_listen(start_server, keys, echo, background_ssh):
    """PermitListen (server) and permitlisten= (key) both limit -R."""
    allowed = free_port()
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"PermitListen={allowed}"])
    expect_remote_refused(srv, keys["ed25519"], echo)
    p = background_ssh(srv, keys["ed25519"], ["-R", f"{allowed}:127.0.0.1:{echo.port}"])
    wait_listening(allowed, p, srv)
    assert round_trip(allowed, b"listen ok") == b"listen ok"
    srv2 = start_server(authorized=[keys["ed25519"].line(
        f'permitlisten="localhost:{free_port()}"')])
    expect_remote_refused(srv2, keys["ed25519"], echo)


def test_permit_listen_bare_port_any_address(start_server, keys, echo,
                                             background_ssh):
    """A bare port in permitlisten= (and PermitListen) allows that port on
    any listen address, as sshd reads it ("*:port"): -R 127.0.0.1:PORT
    is allowed, another port is not (OpenSSH's cfgmatchlisten test)."""
    allowed = free_port()
    srv = start_server(authorized=[keys["ed25519"].line(
        f'permitlisten="{allowed}"')])
    p = background_ssh(srv, keys["ed25519"],
                       ["-R", f"127.0.0.1:{allowed}:127.0.0.1:{echo.port}"])
    wait_listening(allowed, p, srv)
    assert round_trip(allowed, b"bare ok") == b"bare ok"
    expect_remote_refused(srv, keys["ed25519"], echo)
