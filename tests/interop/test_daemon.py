"""The daemon's command line and its diagnostics for broken peers."""
import subprocess
import struct
import time

import rawssh
from conftest import explain, ssh, wait_for_log
from processes import SANITIZER_MARKS, free_port


# ---- Diagnostics ----------------------------------------------------------

def test_version_line(server):
    with rawssh.RawClient(server.port) as c:
        version = c.read_version()
    assert version.startswith("SSH-2.0-nanossh"), \
        explain(server, None, f"version line {version!r}")


def disconnect_of(srv, packets, what):
    types = [p.type for p in packets]
    assert rawssh.MSG_DISCONNECT in types, \
        explain(srv, None, f"{what}: no DISCONNECT, got message types {types}")
    return packets[types.index(rawssh.MSG_DISCONNECT)].disconnect()


def test_bad_packet_length(server):
    with rawssh.RawClient(server.port) as c:
        c.send_version()
        c.read_version()
        c.sock.sendall(struct.pack(">I", 0x7FFFFFFF) + b"\0" * 12)
        packets = c.packets_until_close()
    reason, text = disconnect_of(server, packets, "absurd packet length")
    assert reason == 2 and "length" in text, \
        explain(server, None, f"DISCONNECT {reason} {text!r}: want reason 2 "
                "(protocol error) naming the packet length")
    assert wait_for_log(server, "packet_length"), \
        explain(server, None, "the log must name the field (packet_length)")


def test_truncated_kexinit(server):
    with rawssh.RawClient(server.port) as c:
        c.send_version()
        c.read_version()
        # A KEXINIT whose first name-list claims 255 bytes that are not there.
        c.send_payload(bytes([rawssh.MSG_KEXINIT]) + b"\0" * 16 + b"\0\0\0\xff")
        packets = c.packets_until_close()
    reason, text = disconnect_of(server, packets, "truncated KEXINIT")
    assert reason == 2, explain(server, None, f"DISCONNECT {reason} {text!r}: "
                                "want reason 2 (protocol error)")
    found = any("SSH_MSG_KEXINIT" in line and "kex_algorithms" in line
                for line in server.log_text().splitlines())
    assert found, explain(server, None, "the log must name the message "
                          "(SSH_MSG_KEXINIT) and the field (kex_algorithms)")


def test_login_grace_time(start_server):
    srv = start_server(opts=["LoginGraceTime=2"])
    start = time.monotonic()
    with rawssh.RawClient(srv.port, timeout=20) as c:
        c.send_version()
        c.read_version()
        packets = c.packets_until_close()
    took = time.monotonic() - start
    assert 1.5 <= took <= 10, explain(srv, None, f"connection ended after "
                                      f"{took:.1f} s with LoginGraceTime=2")
    assert rawssh.MSG_DISCONNECT in [p.type for p in packets], \
        explain(srv, None, "no DISCONNECT when the grace time ran out")


def test_max_auth_tries(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line()], opts=["MaxAuthTries=1"])
    # Two wrong keys first, then the right one.
    res = ssh(srv, keys["ecdsa"], "echo ok",
              args=["-i", keys["rsa"].path, "-i", k.path])
    assert res.returncode == 255 and b"ok" not in res.stdout, \
        explain(srv, res, "MaxAuthTries=1 must stop the third key")
    res = ssh(srv, k, "echo ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(srv, res, "the right key alone must still work")


# ---- Command line and configuration ------------------------------------------

def test_pid_file(start_server, tmp_path):
    pidfile = tmp_path / "nanosshd.pid"
    srv = start_server(opts=[f"PidFile={pidfile}"])
    end = time.monotonic() + 5
    while not pidfile.exists() and time.monotonic() < end:
        time.sleep(0.05)
    assert pidfile.exists(), explain(srv, None, f"no PidFile at {pidfile}")
    assert pidfile.read_text().strip() == str(srv.daemon_pid), \
        explain(srv, None, f"PidFile holds {pidfile.read_text()!r}, daemon PID "
                f"is {srv.daemon_pid}")
    srv.stop()
    assert not pidfile.exists(), "the PidFile must be removed at exit"


def test_config_file(start_server, keys, tmp_path):
    cfg = tmp_path / "sshd_config"
    cfg.write_text("# nanosshd configuration\nAcceptEnv FOO BAR\nMaxAuthTries 6\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", str(cfg)])
    res = ssh(srv, keys["ed25519"], 'echo "FOO=[${FOO-unset}]"',
              opts=["SetEnv=FOO=1"])
    assert res.stdout == b"FOO=[1]\n", \
        explain(srv, res, "AcceptEnv from the -f file must take effect")


def test_check_mode(nanosshd, hostkey):
    ok = subprocess.run([nanosshd, "-t", "-h", hostkey], capture_output=True,
                        timeout=30, stdin=subprocess.DEVNULL)
    assert ok.returncode == 0, f"-t with a good host key: {ok}"
    bad = subprocess.run([nanosshd, "-t", "-h", hostkey, "-o", "Frobnicate=yes"],
                         capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert bad.returncode != 0 and b"Frobnicate" in bad.stdout + bad.stderr, \
        f"-t must reject an unknown keyword and name it: {bad}"


def test_debug_mode_serves_one_connection(nanosshd, hostkey, keys, tmp_path):
    """-d: foreground, log to stderr, one connection, then exit."""
    port = free_port()
    ak = tmp_path / "authorized_keys"
    ak.write_text(keys["ed25519"].line() + "\n")
    log = tmp_path / "debug.log"

    class Srv:       # just enough of Server for ssh() and explain()
        def __init__(self):
            self.port = port

        def log_tail(self, lines=40):
            return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    srv = Srv()
    with open(log, "wb") as out:
        proc = subprocess.Popen([nanosshd, "-d", "-p", str(port), "-h", hostkey,
                                 "-o", "ListenAddress=127.0.0.1",
                                 "-o", f"AuthorizedKeysFile={ak}"],
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.monotonic() + 20
        while "listening" not in log.read_text(errors="replace").lower():
            assert proc.poll() is None and time.monotonic() < end, \
                f"-d did not start listening\n{srv.log_tail()}"
            time.sleep(0.05)
        res = ssh(srv, keys["ed25519"], "echo ok")
        assert res.returncode == 0 and res.stdout == b"ok\n", \
            explain(srv, res, "login to nanosshd -d")
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError("nanosshd -d still runs after its one "
                                 f"connection\n{srv.log_tail()}")
        text = log.read_text(errors="replace")
        assert "debug" in text.lower(), \
            f"-d must log at debug level\n{srv.log_tail()}"
        marks = [m for m in SANITIZER_MARKS if m in text]
        assert not marks, f"sanitizer report from nanosshd -d:\n{text[-4000:]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
