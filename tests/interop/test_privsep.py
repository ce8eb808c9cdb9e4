"""Privilege separation (UsePrivilegeSeparation yes, run as root): while a
connection waits before authentication, its pre-auth child (found from the
daemon's PID: daemon -> connection's monitor -> child) runs as another
user, chrooted, with NoNewPrivs and a seccomp filter; logins still work and
the session runs as the user; failed logins, the grace timeout and re-keys
after the hand-off work under the filter."""
import os
import pwd
import socket
import subprocess
import time

import pytest

from conftest import ssh, explain, wait_for_log
from processes import free_port

PRIVSEP = ["UsePrivilegeSeparation=yes"]


@pytest.fixture(scope="module")
def privsep_user():
    """The unprivileged account of the pre-auth child (tools/run.sh makes it
    on a real install)."""
    try:
        return pwd.getpwnam("nanosshd")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", "nanosshd"], check=True,
                       capture_output=True, timeout=30)
        return pwd.getpwnam("nanosshd")


def children(pid):
    out = []
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(e))
    return out


def status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":\t", 1) for line in f.read().splitlines()
                    if ":\t" in line)


def socket_inode(local_port, remote_port):
    """The inode of the server's end of a TCP connection on 127.0.0.1, from
    /proc/net/tcp, or None."""
    with open("/proc/net/tcp") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (int(local.split(":")[1], 16) == local_port and
                    int(remote.split(":")[1], 16) == remote_port):
                return fields[9]
    return None


def holds(pid, inode):
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                return True
        except OSError:
            continue
    return False


def preauth_child(srv, conn, timeout=10.0):
    """(monitor, child) of the held connection conn: the daemon's child
    that holds the server's end of conn's socket (or whose child does), and
    its pre-auth child once that child logged the held client's version.
    Other connections' processes (the readiness probe's may still be
    ending) are not taken for it."""
    assert wait_for_log(srv, "SSH-2.0-held_open", timeout), srv.log_tail()
    inode = socket_inode(srv.port, conn.getsockname()[1])
    assert inode, "no server end of the held connection in /proc/net/tcp"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for mon in children(srv.daemon_pid):
            kids = [k for k in children(mon) if os.path.exists(f"/proc/{k}/status")]
            if kids and (holds(mon, inode) or any(holds(k, inode) for k in kids)):
                return mon, max(kids)
        time.sleep(0.1)
    pytest.fail("no pre-auth child under the daemon\n" + srv.log_tail())


def ps(*pids):
    return subprocess.run(["ps", "-o", "pid,ppid,user,uid,args", "-p",
                           ",".join(str(p) for p in pids)],
                          capture_output=True, text=True).stdout


def held_connection(srv, source=None):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10,
                                 source_address=(source, 0) if source else None)
    s.sendall(b"SSH-2.0-held_open\r\n")
    assert s.recv(64).startswith(b"SSH-2.0-")
    return s


def test_preauth_child_sandboxed(start_server, keys, privsep_user):
    srv = start_server(authorized=[keys["ed25519"].line()], opts=PRIVSEP)
    conn = held_connection(srv)
    try:
        mon, child = preauth_child(srv, conn)
        table = ps(srv.daemon_pid, mon, child)
        print("pre-auth processes:\n" + table)
        st = status(child)
        uids = st["Uid"].split()
        assert all(int(u) == privsep_user.pw_uid for u in uids), table
        assert int(uids[0]) != 0
        assert st["Seccomp"].strip() == "2", st
        assert st["NoNewPrivs"].strip() == "1", st
        assert int(st["CapEff"], 16) == 0, st
        assert os.readlink(f"/proc/{child}/root") != "/"
        assert status(mon)["Uid"].split()[0] == "0"   # the monitor is root
        # Another client logs in meanwhile; its session is root's here.
        res = ssh(srv, keys["ed25519"], "id -u")
        assert res.returncode == 0 and res.stdout == b"0\n", explain(srv, res)
    finally:
        conn.close()
    assert wait_for_log(srv, "imported the connection of root")


def test_session_runs_as_user(start_server, keys, privsep_user, plain_user):
    sshdir = os.path.join(plain_user.pw_dir, ".ssh")
    os.makedirs(sshdir, mode=0o700, exist_ok=True)
    ak = os.path.join(sshdir, "authorized_keys")
    with open(ak, "w") as f:
        f.write(keys["ed25519"].line() + "\n")
    for path in (sshdir, ak):
        os.chown(path, plain_user.pw_uid, plain_user.pw_gid)
    srv = start_server(opts=PRIVSEP, authkeys_file=False)
    res = ssh(srv, keys["ed25519"], "id -u; ps -o pid,ppid,user,args -u "
              f"{plain_user.pw_name}", user=plain_user.pw_name)
    print(res.stdout.decode(errors="replace"))
    assert res.returncode == 0, explain(srv, res)
    assert res.stdout.split(b"\n")[0] == str(plain_user.pw_uid).encode(), \
        explain(srv, res)
    assert wait_for_log(srv, f"Accepted publickey for {plain_user.pw_name}")


def test_failed_login_and_next(start_server, keys, privsep_user):
    """A refused key under the filter: a clean refusal, no crash, and the
    daemon serves the next login."""
    srv = start_server(authorized=[keys["ed25519"].line()], opts=PRIVSEP)
    other = [k for name, k in keys.items() if name != "ed25519"][0]
    res = ssh(srv, other, "true")
    assert res.returncode == 255 and b"Permission denied" in res.stderr, \
        explain(srv, res)
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)
    assert "Bad system call" not in srv.log_text()
    assert "ending the connection" not in srv.log_text()


def test_grace_timeout(start_server, privsep_user):
    srv = start_server(opts=PRIVSEP + ["LoginGraceTime=2"])
    conn = held_connection(srv)
    mon, child = preauth_child(srv, conn)
    conn.settimeout(15)
    data = b""
    try:
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    conn.close()
    end = time.monotonic() + 10
    while time.monotonic() < end and os.path.exists(f"/proc/{child}"):
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{child}"), ps(child)
    assert wait_for_log(srv, "Timeout before authentication"), srv.log_tail()


@pytest.mark.parametrize("cipher", ["aes128-ctr", "aes256-gcm@openssh.com",
                                    "chacha20-poly1305@openssh.com",
                                    "aes128-cbc", "3des-cbc"])
def test_rekey_after_handoff(start_server, keys, privsep_user, cipher):
    """The imported state carries the cipher's position (CBC: the last
    ciphertext block of each direction); re-keys after the hand-off are
    signed by the monitor.  The output is four times the client's 2 MiB
    window: the client's window adjustments wait behind its re-key, so
    the command cannot finish before the re-key does (with less than a
    window the client may end the connection while it is in flight)."""
    extra = [f"Ciphers=+{cipher}"] if cipher.endswith("-cbc") else []
    srv = start_server(authorized=[keys["ed25519"].line()], opts=PRIVSEP + extra)
    size = 8 << 20
    res = ssh(srv, keys["ed25519"], f"head -c {size} /dev/zero",
              args=["-c", cipher, "-o", "RekeyLimit=256K"])
    assert res.returncode == 0, explain(srv, res)
    assert res.stdout == bytes(size), explain(srv, res)
    assert wait_for_log(srv, "key exchange 2 complete"), srv.log_tail()


def test_penalties_see_the_preauth_child(start_server, keys, privsep_user):
    """PerSourcePenalties under privilege separation: the listener learns
    of a failed login (authfail) and of a connection that ran out the
    login grace time in the child (grace-exceeded), each from its own
    source, and is not told of a login that never happened."""
    good, bad = keys["ed25519"], keys["ecdsa"]
    srv = start_server(authorized=[good.line()],
                       opts=PRIVSEP + ["LoginGraceTime=2",
                                       "PerSourcePenalties=authfail:60s grace-exceeded:70s min:500s"])
    res = ssh(srv, bad, "true", args=["-b", "127.0.0.2"])
    assert res.returncode == 255, explain(srv, res, "bad key logged in?")
    assert wait_for_log(srv, "new 127.0.0.2/32 deferred penalty of 60.000 seconds "
                        "for penalty: failed authentication"), explain(srv)
    conn = held_connection(srv, "127.0.0.3")
    conn.settimeout(15)
    try:
        while conn.recv(4096):
            pass
    except ConnectionResetError:
        pass
    conn.close()
    assert wait_for_log(srv, "new 127.0.0.3/32 deferred penalty of 70.000 seconds "
                        "for penalty: exceeded LoginGraceTime"), explain(srv)
    res = ssh(srv, good, "echo in")
    assert res.returncode == 0 and res.stdout == b"in\n", explain(srv, res)


def test_default_as_root(start_server, keys, privsep_user, monkeypatch):
    """No UsePrivilegeSeparation line: a root daemon separates privileges
    (as sshd), and -T says so."""
    monkeypatch.delenv("NSSH_TEST_PRIVSEP", raising=False)
    srv = start_server(authorized=[keys["ed25519"].line()])
    assert not any("UsePrivilegeSeparation" in a for a in srv.cmd), srv.cmd
    conn = held_connection(srv)
    try:
        mon, child = preauth_child(srv, conn)
        st = status(child)
        assert int(st["Uid"].split()[0]) == privsep_user.pw_uid, ps(mon, child)
        assert st["Seccomp"].strip() == "2", st
        res = ssh(srv, keys["ed25519"], "echo in")
        assert res.returncode == 0 and res.stdout == b"in\n", explain(srv, res)
    finally:
        conn.close()
    out = subprocess.run([srv.cmd[0], "-T", "-f", "/dev/null"], capture_output=True,
                         text=True, timeout=30).stdout
    assert "useprivilegeseparation yes\n" in out, out


def test_no_keeps_one_process(start_server, keys):
    """UsePrivilegeSeparation no: the connection's process parses the
    pre-auth bytes itself, as root, with no child; logins work."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["UsePrivilegeSeparation=no"])
    conn = held_connection(srv)
    try:
        assert wait_for_log(srv, "SSH-2.0-held_open", 10), srv.log_tail()
        inode = socket_inode(srv.port, conn.getsockname()[1])
        end = time.monotonic() + 10
        conns = []
        while time.monotonic() < end and not conns:
            conns = [c for c in children(srv.daemon_pid) if holds(c, inode)]
            time.sleep(0.1)
        assert conns, srv.log_tail()
        c = conns[0]
        assert status(c)["Uid"].split()[0] == "0", ps(c)
        assert status(c)["Seccomp"].strip() == "0", ps(c)
        assert not children(c), ps(c, *children(c))
        res = ssh(srv, keys["ed25519"], "echo in")
        assert res.returncode == 0 and res.stdout == b"in\n", explain(srv, res)
    finally:
        conn.close()
    assert "privsep: pre-auth child" not in srv.log_text()


def test_missing_user_refused(nanosshd, hostkey, tmp_path, privsep_user):
    """Without the nanosshd user (hidden here by a copy of /etc mounted
    over it in a mount namespace of the test's own) a root daemon
    with UsePrivilegeSeparation yes refuses to start, as sshd does without "sshd", and says how to fix it;
    -t says the same; with UsePrivilegeSeparation no it starts."""
    # A copy of /etc without the user, mounted over /etc: a file bind-mounted
    # over /etc/passwd would vanish when another program (useradd) renames
    # a new passwd into place meanwhile.
    etc = tmp_path / "etc"
    subprocess.run(["cp", "-a", "/etc", str(etc)], check=True, timeout=120)
    with open("/etc/passwd") as f:
        (etc / "passwd").write_text("".join(line for line in f
                                            if not line.startswith("nanosshd:")))
    os.chmod(etc / "passwd", 0o644)

    def run(*args):
        script = 'mount --bind "$1" /etc && shift && exec "$@"'
        return subprocess.run(["unshare", "--mount", "--propagation", "private",
                               "sh", "-c", script, "sh", str(etc), nanosshd,
                               "-f", "/dev/null", "-h", hostkey, *args],
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    why = "privilege separation user nanosshd does not exist"
    res = run("-t")
    assert res.returncode == 255 and why in res.stderr, res
    assert "useradd --system" in res.stderr, res
    res = run("-D", "-e", "-p", str(free_port()), "-o", "ListenAddress=127.0.0.1")
    assert res.returncode == 255 and why in res.stderr, res
    res = run("-t", "-o", "UsePrivilegeSeparation=no")
    assert res.returncode == 0, res
