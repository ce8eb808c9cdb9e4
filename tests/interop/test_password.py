"""Password and keyboard-interactive logins through PAM: OpenSSH (with
sshpass), paramiko and PuTTY's plink log in as a throwaway account with a
random password; wrong passwords, unknown users, root under
PermitRootLogin, MaxAuthTries, expired accounts and required password
changes are refused with sshd's log lines; a failed attempt takes as long
for an unknown user as for a real one; PAM sessions open and close around
the connection."""
import os
import pathlib
import pwd
import re
import secrets
import signal
import socket
import statistics
import subprocess
import time
import types

import paramiko
import pytest

from conftest import explain, need_tool, ssh, wait_for_log

PAM_FILE = "/etc/pam.d/nanossh"


def kill_user_processes(uid):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture(scope="module")
def pw_user():
    """A throwaway account with a random password, removed afterwards."""
    for tool in ("useradd", "userdel", "chpasswd", "chage"):
        need_tool(tool)
    name = f"nsshpw{os.getpid() % 100000}"
    password = secrets.token_urlsafe(18)
    subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True,
                   capture_output=True, timeout=30)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n".encode(),
                       check=True, capture_output=True, timeout=30)
        yield types.SimpleNamespace(name=name, password=password,
                                    pw=pwd.getpwnam(name))
    finally:
        try:
            kill_user_processes(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
        time.sleep(0.2)
        subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)


def pw_ssh(srv, user, password, *command, method="password", opts=()):
    """OpenSSH through sshpass (password from the environment, not the
    command line), one password prompt, no keys."""
    need_tool("sshpass")
    cmd = ["sshpass", "-e", "ssh", "-p", str(srv.port), "-F", "/dev/null",
           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
           "-o", f"PreferredAuthentications={method}",
           "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1"]
    for o in opts:
        cmd += ["-o", o]
    cmd += [f"{user}@127.0.0.1"] + list(command)
    env = dict(os.environ, SSHPASS=password)
    return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)


def assert_no_secret(srv, password):
    assert password not in srv.log_text(), \
        "the password appeared in the daemon's log"


def test_password_login(start_server, pw_user):
    srv = start_server()
    res = pw_ssh(srv, pw_user.name, pw_user.password, "id -un")
    assert res.returncode == 0 and res.stdout == f"{pw_user.name}\n".encode(), \
        explain(srv, res, "OpenSSH must log in with the account's password")
    assert wait_for_log(srv, f"Accepted password for {pw_user.name} from "
                             "127.0.0.1 port"), explain(srv)
    assert_no_secret(srv, pw_user.password)


def test_kbdint_login(start_server, pw_user):
    srv = start_server()
    res = pw_ssh(srv, pw_user.name, pw_user.password, "echo kbd; exit 3",
                 method="keyboard-interactive")
    assert res.returncode == 3 and res.stdout == b"kbd\n", \
        explain(srv, res, "keyboard-interactive must answer Password: with PAM")
    assert wait_for_log(srv, f"Accepted keyboard-interactive/pam for "
                             f"{pw_user.name} from 127.0.0.1 port"), explain(srv)
    assert_no_secret(srv, pw_user.password)


def test_wrong_password(start_server, pw_user):
    srv = start_server()
    wrong = pw_user.password + "x"
    res = pw_ssh(srv, pw_user.name, wrong, "true")
    assert res.returncode != 0, explain(srv, res, "a wrong password must fail")
    assert wait_for_log(srv, f"Failed password for {pw_user.name} from "
                             "127.0.0.1 port"), explain(srv)
    res = pw_ssh(srv, pw_user.name, wrong, "true", method="keyboard-interactive")
    assert res.returncode != 0, explain(srv, res, "a wrong answer must fail")
    assert wait_for_log(srv, f"Failed keyboard-interactive/pam for "
                             f"{pw_user.name} from 127.0.0.1 port"), explain(srv)
    assert_no_secret(srv, wrong)


def test_unknown_user(start_server, pw_user):
    srv = start_server()
    name = f"nsshnouser{os.getpid() % 100000}"
    res = pw_ssh(srv, name, pw_user.password, "true")
    assert res.returncode != 0, explain(srv, res)
    assert wait_for_log(srv, f"Invalid user {name} from 127.0.0.1 port"), explain(srv)
    assert wait_for_log(srv, f"Failed password for invalid user {name} from "
                             "127.0.0.1 port"), explain(srv)


def test_permit_root_login(start_server, keys):
    """prohibit-password (the default) refuses root's password whatever it
    is, before PAM sees it, and still lets keys in; yes judges the
    password; no refuses keys too; forced-commands-only wants a key with
    command=."""
    srv = start_server(authorized=[keys["ed25519"].line()])
    res = pw_ssh(srv, "root", "not-the-password", "true")
    assert res.returncode != 0, explain(srv, res)
    assert wait_for_log(srv, "ROOT LOGIN REFUSED FROM 127.0.0.1 port"), explain(srv)
    assert wait_for_log(srv, "Failed password for root from 127.0.0.1 port"), \
        explain(srv)
    res = ssh(srv, keys["ed25519"], "echo key")
    assert res.returncode == 0 and res.stdout == b"key\n", \
        explain(srv, res, "prohibit-password must let root in with a key")

    srv = start_server(opts=["PermitRootLogin=yes"])
    res = pw_ssh(srv, "root", "not-the-password", "true")
    assert res.returncode != 0, explain(srv, res)
    assert wait_for_log(srv, "Failed password for root from"), explain(srv)
    assert "ROOT LOGIN REFUSED" not in srv.log_text(), explain(srv)

    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["PermitRootLogin=no"])
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 255, explain(srv, res, "PermitRootLogin no refuses keys")
    assert wait_for_log(srv, "ROOT LOGIN REFUSED FROM"), explain(srv)

    srv = start_server(authorized=[keys["ed25519"].line(),
                                   keys["ecdsa"].line('command="echo forced"')],
                       opts=["PermitRootLogin=forced-commands-only"])
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 255, explain(srv, res, "a key without command= is refused")
    res = ssh(srv, keys["ecdsa"], "true")
    assert res.returncode == 0 and res.stdout == b"forced\n", \
        explain(srv, res, "a key with command= runs the forced command")


def test_max_auth_tries(start_server, pw_user):
    srv = start_server(opts=["MaxAuthTries=3"])
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    t = paramiko.Transport(sock)
    try:
        t.start_client(timeout=30)
        refused = 0
        for _ in range(3):
            try:
                t.auth_password(pw_user.name, "wrong-password")
            except (paramiko.AuthenticationException, paramiko.SSHException,
                    EOFError, OSError):
                refused += 1
        assert refused == 3, explain(srv)
        assert wait_for_log(srv, "maximum authentication attempts exceeded for "
                                 f"{pw_user.name} from 127.0.0.1 port"), explain(srv)
        assert not t.is_active() or not t.is_authenticated()
    finally:
        t.close()


def test_paramiko_password(start_server, pw_user):
    srv = start_server()
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=srv.port, username=pw_user.name,
                       password=pw_user.password, look_for_keys=False,
                       allow_agent=False, timeout=30)
        _, out, err = client.exec_command("echo hello; id -un; exit 7", timeout=30)
        status = out.channel.recv_exit_status()
        text = out.read()
    finally:
        client.close()
    assert status == 7 and text == f"hello\n{pw_user.name}\n".encode(), \
        explain(srv, None, f"paramiko exec: status {status}, output {text!r}")
    assert wait_for_log(srv, f"Accepted password for {pw_user.name}"), explain(srv)


def test_paramiko_sftp_password(start_server, pw_user, tmp_path):
    """paramiko's SFTP client over a password login: put, stat, get."""
    srv = start_server()
    data = os.urandom(2 * 1024 * 1024 + 5)
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    src.write_bytes(data)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=srv.port, username=pw_user.name,
                       password=pw_user.password, look_for_keys=False,
                       allow_agent=False, timeout=30)
        sftp = client.open_sftp()
        sftp.put(str(src), "paramiko.bin")
        size = sftp.stat("paramiko.bin").st_size
        sftp.get("paramiko.bin", str(dst))
        sftp.close()
    finally:
        client.close()
    assert size == len(data), explain(srv, None, f"remote size {size}")
    assert dst.read_bytes() == data, explain(srv, None, "paramiko SFTP round trip differs")


def plink(srv, hostkey, user, password, command):
    need_tool("plink")
    fp = subprocess.run(["ssh-keygen", "-lf", hostkey + ".pub"], check=True,
                        capture_output=True, timeout=30).stdout.split()[1].decode()
    cmd = ["plink", "-ssh", "-batch", "-P", str(srv.port), "-pw", password,
           "-hostkey", fp, f"{user}@127.0.0.1", command]
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=60)


def test_plink(start_server, pw_user, hostkey):
    """plink answers keyboard-interactive with -pw, or uses "password"
    when keyboard-interactive is off."""
    srv = start_server()
    res = plink(srv, hostkey, pw_user.name, pw_user.password, "id -un; exit 3")
    assert res.returncode == 3 and res.stdout == f"{pw_user.name}\n".encode(), \
        explain(srv, res, "plink with -pw and a pinned host key")
    assert wait_for_log(srv, f"Accepted keyboard-interactive/pam for {pw_user.name}"), \
        explain(srv)
    srv = start_server(opts=["KbdInteractiveAuthentication=no"])
    res = plink(srv, hostkey, pw_user.name, pw_user.password, "echo pw")
    assert res.returncode == 0 and res.stdout == b"pw\n", explain(srv, res)
    assert wait_for_log(srv, f"Accepted password for {pw_user.name}"), explain(srv)


def putty_file_tool(tool, srv, hostkey, pw_user, args):
    need_tool(tool)
    fp = subprocess.run(["ssh-keygen", "-lf", hostkey + ".pub"], check=True,
                        capture_output=True, timeout=30).stdout.split()[1].decode()
    cmd = [tool, "-batch", "-P", str(srv.port), "-pw", pw_user.password,
           "-hostkey", fp] + args
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=120)


def test_pscp_and_psftp(start_server, pw_user, hostkey, tmp_path):
    """PuTTY's pscp (SFTP and legacy SCP protocol) and psftp with a
    password: upload, download, equal bytes."""
    srv = start_server()
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "up.bin"
    src.write_bytes(data)
    remote = f"{pw_user.name}@127.0.0.1"
    res = putty_file_tool("pscp", srv, hostkey, pw_user,
                          ["-sftp", str(src), f"{remote}:up-sftp.bin"])
    assert res.returncode == 0, explain(srv, res, "pscp -sftp upload")
    res = putty_file_tool("pscp", srv, hostkey, pw_user,
                          ["-scp", str(src), f"{remote}:up-scp.bin"])
    assert res.returncode == 0, explain(srv, res, "pscp -scp upload")
    for name in ("up-sftp.bin", "up-scp.bin"):
        got = pathlib.Path(pw_user.pw.pw_dir, name).read_bytes()
        assert got == data, explain(srv, None, f"{name} differs after upload")
    batch = tmp_path / "batch"
    down = tmp_path / "down.bin"
    batch.write_text(f"get up-sftp.bin {down}\nls\nquit\n")
    res = putty_file_tool("psftp", srv, hostkey, pw_user,
                          ["-b", str(batch), remote])
    assert res.returncode == 0 and b"up-scp.bin" in res.stdout, \
        explain(srv, res, "psftp batch get and ls")
    assert down.read_bytes() == data, explain(srv, None, "psftp download differs")


def allowed_methods(srv, user):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    t = paramiko.Transport(sock)
    try:
        t.start_client(timeout=30)
        try:
            t.auth_none(user)
        except paramiko.BadAuthenticationType as e:
            return sorted(e.allowed_types)
        return []
    finally:
        t.close()


@pytest.mark.parametrize("opts, methods", [
    ([], ["keyboard-interactive", "password", "publickey"]),
    (["PasswordAuthentication=no"], ["keyboard-interactive", "publickey"]),
    (["KbdInteractiveAuthentication=no"], ["password", "publickey"]),
    (["ChallengeResponseAuthentication=no"], ["password", "publickey"]),
    (["UsePAM=no"], ["publickey"]),
])
def test_method_keywords(start_server, pw_user, opts, methods):
    srv = start_server(opts=opts)
    assert allowed_methods(srv, pw_user.name) == methods, explain(srv)
    if "password" not in methods:
        res = pw_ssh(srv, pw_user.name, pw_user.password, "true")
        assert res.returncode != 0, explain(srv, res, f"password login with {opts}")


def test_bad_keyword_values(nanosshd, hostkey):
    for opt in ("PermitRootLogin=maybe", "UsePAM=perhaps",
                "PasswordAuthentication=1"):
        res = subprocess.run([nanosshd, "-t", "-h", hostkey, "-o", opt],
                             capture_output=True, timeout=30)
        assert res.returncode != 0 and opt.split("=")[0].encode() in res.stderr, \
            f"{opt}: status {res.returncode}, stderr {res.stderr!r}"


def test_expired_account(start_server, pw_user, keys):
    """The account phase runs after every method: an expired account is
    refused with PAM's reason, with the right password and with a key."""
    srv = start_server(authorized=[keys["ed25519"].line()])
    subprocess.run(["chage", "-E", "0", pw_user.name], check=True, timeout=30)
    try:
        res = pw_ssh(srv, pw_user.name, pw_user.password, "true")
        assert res.returncode != 0 and b"expired" in res.stderr, \
            explain(srv, res, "an expired account must be refused")
        assert wait_for_log(srv, f"Access denied for user {pw_user.name} by PAM "
                                 "account configuration"), explain(srv)
        res = ssh(srv, keys["ed25519"], "true", user=pw_user.name)
        assert res.returncode == 255, explain(srv, res, "refused with a key too")
    finally:
        subprocess.run(["chage", "-E", "-1", pw_user.name], check=True, timeout=30)
    res = pw_ssh(srv, pw_user.name, pw_user.password, "echo back")
    assert res.returncode == 0 and res.stdout == b"back\n", explain(srv, res)


def test_password_change_required(start_server, pw_user):
    srv = start_server()
    subprocess.run(["chage", "-d", "0", pw_user.name], check=True, timeout=30)
    try:
        res = pw_ssh(srv, pw_user.name, pw_user.password, "true")
        assert res.returncode != 0 and b"Password change required" in res.stderr, \
            explain(srv, res, "a required password change is refused, saying so")
        assert wait_for_log(srv, f"Password change required for user {pw_user.name}"), \
            explain(srv)
    finally:
        subprocess.run(["chage", "-d", time.strftime("%Y-%m-%d"), pw_user.name],
                       check=True, timeout=30)


@pytest.fixture
def pam_session_log(tmp_path):
    """/etc/pam.d/nanossh with a pam_exec line that records each session
    open and close with the command line of the process that ran PAM (other
    daemons on the machine may use the service meanwhile); the original
    file is put back afterwards."""
    log = tmp_path / "pam-sessions.log"
    script = tmp_path / "pam-session.sh"
    script.write_text("#!/bin/sh\n"
                      'echo "$PAM_TYPE $PAM_USER $(tr \'\\0\' \' \' < /proc/$PPID/cmdline)"'
                      f" >> {log}\n")
    os.chmod(script, 0o755)
    original = open(PAM_FILE).read() if os.path.exists(PAM_FILE) else None
    base = original if original is not None else (
        "@include common-auth\n@include common-account\n@include common-session\n")
    with open(PAM_FILE, "w") as f:
        f.write(base + f"session optional pam_exec.so {script}\n")
    try:
        yield log
    finally:
        if original is None:
            os.unlink(PAM_FILE)
        else:
            with open(PAM_FILE, "w") as f:
                f.write(original)


def session_lines(path, srv):
    """(type, user) of the sessions the daemon srv's connections ran."""
    if not path.exists():
        return []
    mark = f" -p {srv.port} "
    return [tuple(line.split()[:2]) for line in path.read_text().splitlines()
            if mark in line + " "]


def wait_for_session(path, srv, what, user, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if (what, user) in session_lines(path, srv):
            return True
        time.sleep(0.1)
    return False


def test_pam_session(start_server, pw_user, keys, pam_session_log):
    srv = start_server(authorized=[keys["ed25519"].line()])
    res = pw_ssh(srv, pw_user.name, pw_user.password, "true")
    assert res.returncode == 0, explain(srv, res)
    for what in ("open_session", "close_session"):
        assert wait_for_session(pam_session_log, srv, what, pw_user.name), \
            explain(srv, None, f"no {what} for the password login")
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 0, explain(srv, res)
    for what in ("open_session", "close_session"):
        assert wait_for_session(pam_session_log, srv, what, "root"), \
            explain(srv, None, f"no {what} for the publickey login")
    srv = start_server(authorized=[keys["ed25519"].line()], opts=["UsePAM=no"])
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 0, explain(srv, res)
    time.sleep(0.5)
    assert session_lines(pam_session_log, srv) == [], \
        "UsePAM=no must not open PAM sessions"


def timed_attempt(t, user, password):
    start = time.monotonic()
    with pytest.raises(paramiko.AuthenticationException):
        t.auth_password(user, password)
    return time.monotonic() - start


def test_failure_time_same_for_unknown_user(start_server, pw_user):
    """Failed attempts for a real account and for a name that does not
    exist take the same time (medians of a few, within a tolerance)."""
    srv = start_server(opts=["MaxAuthTries=10"])
    unknown = f"nsshnouser{os.getpid() % 100000}"
    transports = []
    try:
        for _ in range(2):
            t = paramiko.Transport(socket.create_connection(
                ("127.0.0.1", srv.port), timeout=30))
            t.start_client(timeout=30)
            transports.append(t)
        real, fake = [], []
        for _ in range(3):
            real.append(timed_attempt(transports[0], pw_user.name, "wrong-pass"))
            fake.append(timed_attempt(transports[1], unknown, "wrong-pass"))
    finally:
        for t in transports:
            t.close()
    m_real, m_fake = statistics.median(real), statistics.median(fake)
    assert abs(m_real - m_fake) < 0.25, \
        f"failed attempts differ in time: real user {real}, unknown user {fake}"
    assert m_real >= 1.8 and m_fake >= 1.8, \
        f"failed attempts must be padded: real {real}, unknown {fake}"


def test_user_daemon_password(start_server, pw_user, hostkey):
    """A daemon run by an ordinary user checks that user's own password
    (pam_unix's helper allows no other) and serves nobody else."""
    home = pw_user.pw.pw_dir
    hk = os.path.join(home, "pw_host_ed25519")
    with open(hostkey, "rb") as src, open(hk, "wb") as dst:
        dst.write(src.read())
    os.chmod(hk, 0o600)
    os.chown(hk, pw_user.pw.pw_uid, pw_user.pw.pw_gid)
    srv = start_server(run_as=pw_user.name, host_key=hk, authkeys_file=False)
    res = pw_ssh(srv, pw_user.name, pw_user.password, "id -un")
    assert res.returncode == 0 and res.stdout == f"{pw_user.name}\n".encode(), \
        explain(srv, res, "the daemon's own user logs in with a password")
    res = pw_ssh(srv, "root", "not-the-password", "true")
    assert res.returncode != 0, explain(srv, res)
    assert re.search(r"Failed password for (invalid user )?root from", srv.log_text()), \
        explain(srv)
