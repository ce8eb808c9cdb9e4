"""ChannelTimeout and UnusedConnectionTimeout (sshd_config(5)) with
OpenSSH's client: an idle channel is closed with sshd's line, a busy one
is not, "global" covers all channels together, the session type names
(session:command) and Match; a connection without channels ends with
"terminating inactive connection"."""
import socket
import subprocess
import time

from conftest import explain, ssh, ssh_cmd, wait_for_log


def timed(srv, key, *command, opts=(), timeout=60):
    t0 = time.monotonic()
    res = ssh(srv, key, *command, opts=opts, timeout=timeout)
    return res, time.monotonic() - t0


def test_idle_session_closed(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ChannelTimeout=session=2"])
    res, took = timed(srv, keys["ed25519"], "sleep 90")
    assert took < 60, explain(srv, res, f"session ran {took:.1f} s")
    assert wait_for_log(srv, "channel 0: closing after 2 seconds of "
                             "inactivity"), explain(srv, res)


def test_busy_session_kept(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ChannelTimeout=session:command=20"])
    res, took = timed(srv, keys["ed25519"],
                      "for i in 1 2 3 4 5 6 7 8; do echo $i; sleep 3; done")
    assert res.returncode == 0 and res.stdout.split() == [
        b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8"], explain(srv, res)
    assert "inactivity" not in srv.log_text(), explain(srv, res)


def test_other_type_not_matched(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ChannelTimeout=direct-tcpip=2 session:shell=2"])
    res, took = timed(srv, keys["ed25519"], "echo start; sleep 5; echo done")
    assert res.returncode == 0 and res.stdout == b"start\ndone\n", explain(srv, res)


def test_global_timeout(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ChannelTimeout=global=2"])
    res, took = timed(srv, keys["ed25519"], "sleep 90")
    assert took < 60, explain(srv, res, f"session ran {took:.1f} s")
    assert wait_for_log(srv, "seconds of inactivity"), explain(srv, res)


def test_timeout_from_match(start_server, keys, tmp_path):
    cfg = tmp_path / "chantime.conf"
    cfg.write_text("Match User root\n  ChannelTimeout session:*=2\n")
    srv = start_server(authorized=[keys["ed25519"].line()],
                       args=["-f", str(cfg)])
    res, took = timed(srv, keys["ed25519"], "sleep 90")
    assert took < 60, explain(srv, res, f"session ran {took:.1f} s")


def test_unused_connection_closed(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["UnusedConnectionTimeout=2"])
    cmd = ssh_cmd(srv, keys["ed25519"], args=["-N"])
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=90,
                       stdin=subprocess.DEVNULL)
    took = time.monotonic() - t0
    assert took < 60, explain(srv, p, f"connection lasted {took:.1f} s")
    assert wait_for_log(srv, "terminating inactive connection from user root "
                             "127.0.0.1 port"), explain(srv, p)
    # A connection with a channel open is not affected.
    res = ssh(srv, keys["ed25519"], "sleep 4; echo kept")
    assert res.stdout == b"kept\n", explain(srv, res)


def test_idle_forwarding_closed(start_server, keys):
    """A direct-tcpip channel nobody writes to is closed; its socket
    sees EOF."""
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen(1)
    tport = target.getsockname()[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        lport = s.getsockname()[1]
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ChannelTimeout=direct-tcpip=2"])
    cmd = ssh_cmd(srv, keys["ed25519"], args=[
        "-N", "-o", "ExitOnForwardFailure=yes",
        "-L", f"127.0.0.1:{lport}:127.0.0.1:{tport}"])
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                c = socket.create_connection(("127.0.0.1", lport), timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, explain(srv)
                time.sleep(0.2)
        target.settimeout(10)
        conn, _ = target.accept()
        conn.settimeout(40)
        t0 = time.monotonic()
        assert conn.recv(10) == b"", explain(srv)   # EOF from the server
        assert time.monotonic() - t0 < 30, explain(srv)
        assert wait_for_log(srv, "seconds of inactivity"), explain(srv)
        c.close()
        conn.close()
    finally:
        p.kill()
        p.wait()
        target.close()
