"""Login records as sshd keeps them: a utmp entry while a pty session
runs (seen by who(1)) that is gone once it ends, wtmp entries for both
(seen by last(1)), the user's lastlog slot, and PrintLastLog's "Last
login: <date> from <host>" before the shell of the next interactive
login. A missing /run/utmp is created for the test and removed after."""
import grp
import os
import pathlib
import re
import struct
import subprocess
import time

import pytest

from conftest import SSH_BASE, explain, need_tool, wait_for_log

UTMP = "/var/run/utmp"
WTMP = "/var/log/wtmp"
LASTLOG = "/var/log/lastlog"
LASTLOG_SIZE = 4 + 32 + 256      # struct lastlog on 64-bit glibc
UTMP_SIZE = 384                  # struct utmp on 64-bit glibc


@pytest.fixture(scope="module")
def records():
    """/run/utmp (made when missing, as the system's boot would) and the
    lastlog and wtmp files; whatever the test made is removed after."""
    made = []
    for path in (UTMP, WTMP, LASTLOG):
        if not os.path.exists(path):
            pathlib.Path(path).touch()
            try:
                os.chown(path, 0, grp.getgrnam("utmp").gr_gid)
            except KeyError:
                pass
            os.chmod(path, 0o664)
            made.append(path)
    yield
    for path in made:
        os.unlink(path)


@pytest.fixture(scope="module")
def login_user(plain_user, keys, records):
    """The plain user with the ed25519 key; its lastlog slot is cleared
    before and after."""
    home = pathlib.Path(plain_user.pw_dir)
    sshdir = home / ".ssh"
    sshdir.mkdir(mode=0o700, exist_ok=True)
    (sshdir / "authorized_keys").write_text(keys["ed25519"].line() + "\n")
    os.chmod(sshdir / "authorized_keys", 0o600)
    for p in (sshdir, sshdir / "authorized_keys"):
        os.chown(p, plain_user.pw_uid, plain_user.pw_gid)

    def clear():
        if os.path.getsize(LASTLOG) >= (plain_user.pw_uid + 1) * LASTLOG_SIZE:
            with open(LASTLOG, "r+b") as f:
                f.seek(plain_user.pw_uid * LASTLOG_SIZE)
                f.write(bytes(LASTLOG_SIZE))
    clear()
    yield plain_user
    clear()


def lastlog_of(uid):
    with open(LASTLOG, "rb") as f:
        f.seek(uid * LASTLOG_SIZE)
        raw = f.read(LASTLOG_SIZE)
    if len(raw) < LASTLOG_SIZE:
        return 0, "", ""
    t, line, host = struct.unpack("<i32s256s", raw)
    return t, line.rstrip(b"\0").decode(), host.rstrip(b"\0").decode()


def utmp_entries():
    """(type, pid, line, user, host) of every utmp entry."""
    out = []
    data = pathlib.Path(UTMP).read_bytes()
    for off in range(0, len(data) - UTMP_SIZE + 1, UTMP_SIZE):
        typ, pid, line, _id, user, host = struct.unpack_from(
            "<hxxi32s4s32s256s", data, off)
        out.append((typ, pid, line.rstrip(b"\0").decode(),
                    user.rstrip(b"\0").decode(), host.rstrip(b"\0").decode()))
    return out


def ssh_user(srv, key, user, *command, tty=True, bind=None, input=None,
             timeout=60):
    cmd = ["ssh", "-p", str(srv.port), "-i", key.path] + SSH_BASE + \
        ["-o", "LogLevel=ERROR"]
    if tty:
        cmd.append("-tt")
    if bind:
        cmd += ["-b", bind]
    cmd += [f"{user}@127.0.0.1"] + list(command)
    return subprocess.run(cmd, input=input, capture_output=True,
                          timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


def test_last_login_and_utmp(start_server, keys, login_user):
    """First login from 127.0.0.2: lastlog then names that host, and
    who(1) inside the session lists the user on its pty; the utmp entry
    is DEAD_PROCESS once the session ended; the next interactive login
    prints "Last login: ... from 127.0.0.2" before the shell runs."""
    need_tool("who")
    srv = start_server(authkeys_file=False, opts=["PrintMotd=no"])
    user = login_user.pw_name
    key = keys["ed25519"]
    before = int(time.time())
    res = ssh_user(srv, key, user, "tty; who", bind="127.0.0.2")
    out = res.stdout.decode(errors="replace")
    assert res.returncode == 0, explain(srv, res, "first login")
    assert "Last login" not in out, out
    tty = out.split()[0].replace("/dev/", "")
    assert tty.startswith("pts/"), out
    assert any(line.split()[:2] == [user, tty] and "127.0.0.2" in line
               for line in out.splitlines()), \
        explain(srv, res, "who inside the session does not list it")
    t, line, host = lastlog_of(login_user.pw_uid)
    assert host == "127.0.0.2" and line == tty and t >= before - 1, \
        (t, line, host)
    # Ended: the entry for that line is dead (sshd's logout record).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mine = [e for e in utmp_entries() if e[2] == tty]
        if mine and all(e[0] == 8 for e in mine):   # DEAD_PROCESS
            break
        time.sleep(0.1)
    assert mine and all(e[0] == 8 for e in mine), mine
    who = subprocess.run(["who"], capture_output=True, text=True,
                         timeout=30).stdout
    assert user not in who, who
    # The next interactive login, from 127.0.0.1, is told about the first.
    # (The pty echoes the input, so the shell's output is spelled apart.)
    res = ssh_user(srv, key, user, input=b"echo SHELL-\"\"RAN; exit\n")
    out = res.stdout.decode(errors="replace")
    assert res.returncode == 0, explain(srv, res, "second login")
    m = re.search(r"Last login: (.+) from 127\.0\.0\.2\r*\n", out)
    assert m, explain(srv, res, "no Last login line")
    assert m.start() < out.index("SHELL-RAN"), out
    assert time.strptime(m.group(1), "%a %b %d %H:%M:%S %Y"), m.group(1)
    assert lastlog_of(login_user.pw_uid)[2] == "127.0.0.1"
    # wtmp: last(1) shows both logins.
    last = subprocess.run(["last", "-w", "-f", WTMP, user],
                          capture_output=True, text=True, timeout=30).stdout
    assert "127.0.0.2" in last and "127.0.0.1" in last, last


def test_print_last_log_no_and_hushlogin(start_server, keys, login_user):
    """PrintLastLog no prints nothing; with yes a ~/.hushlogin silences
    it; a command (no shell) never gets it."""
    user = login_user.pw_name
    key = keys["ed25519"]
    # Make sure the slot holds a login.
    srv = start_server(authkeys_file=False)
    assert ssh_user(srv, key, user, "true").returncode == 0
    res = ssh_user(srv, key, user, "echo CMD")
    assert b"Last login" not in res.stdout, res
    srv_no = start_server(authkeys_file=False, opts=["PrintLastLog=no"])
    res = ssh_user(srv_no, key, user, input=b"exit\n")
    assert res.returncode == 0 and b"Last login" not in res.stdout, \
        explain(srv_no, res, "PrintLastLog no")
    hush = pathlib.Path(login_user.pw_dir) / ".hushlogin"
    hush.write_text("")
    try:
        res = ssh_user(srv, key, user, input=b"exit\n")
        assert res.returncode == 0 and b"Last login" not in res.stdout, \
            explain(srv, res, ".hushlogin")
    finally:
        hush.unlink()
    res = ssh_user(srv, key, user, input=b"exit\n")
    assert b"Last login: " in res.stdout, explain(srv, res, "PrintLastLog yes")


def test_no_pty_no_utmp(start_server, keys, login_user):
    """A session without a pty writes no utmp entry, as with sshd."""
    srv = start_server(authkeys_file=False)
    user = login_user.pw_name
    key = keys["ed25519"]
    cmd = ["ssh", "-p", str(srv.port), "-i", key.path] + SSH_BASE + \
        ["-o", "LogLevel=ERROR", f"{user}@127.0.0.1", "sleep 2; echo done"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for_log(srv, f"Starting session: command for {user}")
        live = [e for e in utmp_entries() if e[3] == user and e[0] == 7]
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and b"done" in out, (out, err)
    assert not live, live
