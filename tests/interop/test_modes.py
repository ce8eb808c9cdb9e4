"""How the daemon runs: inetd mode (-i, here as ssh's ProxyCommand),
SIGHUP re-reading the configuration while sessions keep running, SIGTERM,
detaching with a pid file, systemd socket activation and readiness, and
MaxStartups dropping unauthenticated connections."""
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

from conftest import SSH_BASE, explain, need_tool, ssh, ssh_cmd, wait_for_log
from processes import SANITIZER_MARKS, daemon_env, free_port, gone, stop_pid


def no_sanitizer_report(text, what):
    marks = [m for m in SANITIZER_MARKS if m in text]
    assert not marks, f"sanitizer report from {what}:\n{text[-4000:]}"


class LogOnly:
    """Enough of Server for explain() when the daemon is not a Server."""

    def __init__(self, path, port=0):
        self.path, self.port = pathlib.Path(path), port

    def log_text(self):
        return self.path.read_text(errors="replace") if self.path.exists() else ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])


# ---- inetd mode -------------------------------------------------------------------

def test_inetd_mode_as_proxy_command(nanosshd, hostkey, keys, tmp_path):
    need_tool("ssh")
    ak = tmp_path / "authorized_keys"
    ak.write_text(keys["ed25519"].line() + "\n")
    cfg = tmp_path / "sshd_config"
    cfg.write_text(f"HostKey {hostkey}\nAuthorizedKeysFile {ak}\nLogLevel VERBOSE\n")
    proxy = f"{nanosshd} -i -e -f {cfg}"
    cmd = (["ssh", "-i", keys["ed25519"].path] + SSH_BASE +
           ["-o", "LogLevel=ERROR", "-o", f"ProxyCommand={proxy}",
            "root@nanossh-inetd", "echo ok; echo err >&2"])
    res = subprocess.run(cmd, capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL, env=daemon_env())
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        f"ssh through nanosshd -i: {res}\n{err}"
    assert "Accepted publickey for root" in err, \
        f"-i -e logs to stderr (here ssh's):\n{err}"
    no_sanitizer_report(err, "nanosshd -i")


# ---- Signals ------------------------------------------------------------------------

def long_session(srv, key, seconds):
    """ssh running 'echo $WHERE; sleep N; echo $WHERE'; returns the Popen
    once the first line arrived."""
    cmd = ssh_cmd(srv, key, f'echo "start $WHERE"; sleep {seconds}; echo "end $WHERE"')
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    line = proc.stdout.readline()
    assert line.startswith(b"start "), explain(srv, None, f"session began with {line!r}")
    return proc, line


def test_sighup_reloads_for_new_connections(start_server, keys, tmp_path):
    k = keys["ed25519"]
    cfg = tmp_path / "sshd_config"
    cfg.write_text("SetEnv WHERE=old\n")
    srv = start_server(authorized=[k.line()], args=["-f", str(cfg)])
    proc, first = long_session(srv, k, 4)
    try:
        assert first == b"start old\n"
        cfg.write_text("SetEnv WHERE=new\n")
        listening = srv.log_text().count("Server listening")
        os.kill(srv.daemon_pid, signal.SIGHUP)
        end = time.monotonic() + 15
        while srv.log_text().count("Server listening") <= listening:
            assert time.monotonic() < end, explain(srv, None, "no restart on SIGHUP")
            time.sleep(0.05)
        res = ssh(srv, k, 'echo "$WHERE"')
        assert res.stdout == b"new\n", \
            explain(srv, res, "a new connection must see the new configuration")
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and out == b"end old\n", \
            explain(srv, None, f"the session begun before SIGHUP must run to its "
                    f"end (status {proc.returncode}, output {out!r})")
        assert srv.alive(), explain(srv, None, "the daemon must keep its pid")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sighup_keeps_running_on_bad_config(start_server, keys, tmp_path):
    k = keys["ed25519"]
    cfg = tmp_path / "sshd_config"
    cfg.write_text("SetEnv WHERE=old\n")
    srv = start_server(authorized=[k.line()], args=["-f", str(cfg)])
    cfg.write_text("SetEnv WHERE=new\nNoSuchKeyword yes\n")
    os.kill(srv.daemon_pid, signal.SIGHUP)
    assert wait_for_log(srv, "keeping the running configuration"), \
        explain(srv, None, "a bad file must not stop the daemon on SIGHUP")
    res = ssh(srv, k, 'echo "$WHERE"')
    assert res.stdout == b"old\n", explain(srv, res, "the old settings stay")


def test_sigterm_stops_listener_sessions_go_on(start_server, keys, tmp_path):
    k = keys["ed25519"]
    pidfile = tmp_path / "nanosshd.pid"
    srv = start_server(authorized=[k.line()], opts=[f"PidFile={pidfile}"])
    proc, _ = long_session(srv, k, 2)
    try:
        os.kill(srv.daemon_pid, signal.SIGTERM)
        srv.proc.wait(timeout=10)
        assert srv.proc.returncode == 0, explain(srv, None, "exit status after SIGTERM")
        assert wait_for_log(srv, "Received signal 15; terminating.")
        assert not pidfile.exists(), "the pid file must be removed"
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and out.startswith(b"end"), \
            explain(srv, None, "a running session outlives the listener")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_background_with_pid_file(nanosshd, hostkey, keys, tmp_path):
    """Detached with a pid file; SIGHUP restarts it in place (same pid,
    still detached) even with a relative -f, as it was started."""
    k = keys["ed25519"]
    port = free_port()
    ak = tmp_path / "authorized_keys"
    ak.write_text(k.line() + "\n")
    (tmp_path / "sshd_config").write_text("SetEnv WHERE=old\n")
    pidfile = tmp_path / "bg.pid"
    log = tmp_path / "bg.log"
    with open(log, "wb") as out:
        starter = subprocess.run(
            [nanosshd, "-e", "-f", "sshd_config", "-p", str(port), "-h", hostkey,
             "-o", "ListenAddress=127.0.0.1", "-o", f"AuthorizedKeysFile={ak}",
             "-o", f"PidFile={pidfile}"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=30,
            env=daemon_env(), cwd=str(tmp_path))
    srv = LogOnly(log, port)
    assert starter.returncode == 0, explain(srv, None, "the starting process exits 0")
    end = time.monotonic() + 10
    while not pidfile.exists():
        assert time.monotonic() < end, explain(srv, None, "no pid file")
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    try:
        assert not gone(pid), "the pid file must name the running daemon"
        res = ssh(srv, k, 'echo "$WHERE"')
        assert res.returncode == 0 and res.stdout == b"old\n", explain(srv, res)
        (tmp_path / "sshd_config").write_text("SetEnv WHERE=new\n")
        os.kill(pid, signal.SIGHUP)
        end = time.monotonic() + 15
        while srv.log_text().count("Server listening") < 2:
            assert time.monotonic() < end, explain(srv, None, "no restart")
            time.sleep(0.05)
        res = ssh(srv, k, 'echo "$WHERE"')
        assert res.stdout == b"new\n", explain(srv, res, "new settings after SIGHUP")
        assert int(pidfile.read_text()) == pid and not gone(pid), \
            explain(srv, None, "the restarted daemon keeps its pid")
    finally:
        stop_pid(pid)
    end = time.monotonic() + 10
    while pidfile.exists() and time.monotonic() < end:
        time.sleep(0.05)
    assert not pidfile.exists(), "the pid file must be removed at exit"
    no_sanitizer_report(srv.log_text(), "nanosshd in the background")


# ---- systemd ---------------------------------------------------------------------------

def test_socket_activation(nanosshd, hostkey, keys, tmp_path):
    """As systemd starts it: the listening socket as fd 3, LISTEN_FDS=1,
    LISTEN_PID its pid; READY=1 to NOTIFY_SOCKET once it serves."""
    k = keys["ed25519"]
    ak = tmp_path / "authorized_keys"
    ak.write_text(k.line() + "\n")
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    port = lsock.getsockname()[1]
    notify_path = str(tmp_path / "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(20)
    log = tmp_path / "activated.log"
    env = daemon_env()
    env["NOTIFY_SOCKET"] = notify_path
    fd = lsock.fileno()
    # A small launcher puts the socket on fd 3 and names its own pid,
    # which nanosshd keeps when the launcher execs it.
    launcher = ("import os, sys\n"
                "fd = int(sys.argv[1])\n"
                "if fd != 3:\n"
                "    os.dup2(fd, 3)\n"
                "    os.close(fd)\n"
                "os.environ['LISTEN_PID'] = str(os.getpid())\n"
                "os.environ['LISTEN_FDS'] = '1'\n"
                "os.execv(sys.argv[2], sys.argv[2:])\n")
    cmd = ["/usr/bin/python3", "-c", launcher, str(fd), nanosshd, "-D", "-e",
           "-h", hostkey, "-o", "ListenAddress=192.0.2.1",
           "-o", f"AuthorizedKeysFile={ak}", "-o", "LogLevel=VERBOSE"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=out, pass_fds=(fd,), env=env,
                                start_new_session=True)
    lsock.close()
    srv = LogOnly(log, port)
    try:
        msg = notify.recv(256)
        assert b"READY=1" in msg, explain(srv, None, f"notify message {msg!r}")
        assert "(socket activation)" in srv.log_text(), explain(srv)
        res = ssh(srv, k, "echo ok")
        assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)
        # SIGHUP restarts in place: the passed socket stays open.
        os.kill(proc.pid, signal.SIGHUP)
        msg = notify.recv(256)
        assert b"READY=1" in msg, explain(srv, None, "READY=1 after the restart")
        res = ssh(srv, k, "echo again")
        assert res.stdout == b"again\n", explain(srv, res, "serving after SIGHUP")
    finally:
        notify.close()
        stop_pid(proc.pid)
        proc.wait(timeout=10)
    no_sanitizer_report(srv.log_text(), "socket-activated nanosshd")


# ---- MaxStartups -----------------------------------------------------------------------

def version_line(port):
    """Connect and read the server's version line; b"" when dropped."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(10)
    data = b""
    try:
        while b"\n" not in data:
            chunk = s.recv(256)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return s, data


def served(port, what, srv, timeout=20.0):
    """A connection the server answers with its version line. Connections
    that ended a moment ago may still count as pending until their
    processes exit (the fixture's readiness probe, earlier tries), so a
    drop is retried until the deadline."""
    end = time.monotonic() + timeout
    while True:
        s, v = version_line(port)
        if v.startswith(b"SSH-2.0-"):
            return s
        s.close()
        assert time.monotonic() < end, explain(srv, None, f"{what}: dropped")
        time.sleep(0.2)


def test_max_startups_drops_unauthenticated(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line()], opts=["MaxStartups=2"])
    held, proc = [], None
    try:
        held.append(served(srv.port, "first pending connection", srv))
        held.append(served(srv.port, "second pending connection", srv))
        # Two pending: with start = full = 2 every further one is dropped.
        s, v = version_line(srv.port)
        held.append(s)
        # Dropped before fork: at most sshd's notice, never a version line.
        assert v in (b"", b"Not allowed at this time\r\n"), \
            explain(srv, None, f"third pending connection got {v!r}")
        assert wait_for_log(srv, "past MaxStartups"), explain(srv)
        for s in held:
            s.close()
        held = []
        # An authenticated connection is no longer pending: with one
        # logged in, two more may still wait at once.
        end = time.monotonic() + 20
        while True:   # the closed ones may still count for a moment
            proc = subprocess.Popen(ssh_cmd(srv, k, "echo start; sleep 60"),
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if proc.stdout.readline() == b"start\n":
                break
            proc.wait(timeout=30)
            assert time.monotonic() < end, explain(srv, None, "login dropped")
            time.sleep(0.2)
        held.append(served(srv.port, "pending beside a session", srv))
        held.append(served(srv.port, "second pending beside a session", srv))
    finally:
        for s in held:
            s.close()
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()


# ---- Addresses --------------------------------------------------------------------------

def test_listen_address_ipv6(nanosshd, hostkey, keys, start_server):
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    port = free_port()
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"ListenAddress=[::1]:{port}"])
    cmd = ["ssh", "-p", str(port), "-i", keys["ed25519"].path] + SSH_BASE + \
          ["-o", "LogLevel=ERROR", "root@::1", "echo $SSH_CONNECTION"]
    res = subprocess.run(cmd, capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0 and res.stdout.startswith(b"::1 "), \
        explain(srv, res, "login over [::1]")
