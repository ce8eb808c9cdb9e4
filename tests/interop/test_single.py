"""Single-process mode (SingleProcess yes): the core cases of the suite
again with every daemon in that mode, and what only that mode does.

The core cases are the suite's own tests, imported here: this module's
start_server fixture adds -o SingleProcess=yes to the one of conftest.py,
and every fixture built on it (server, sftp's matrix daemon excepted)
follows. Password logins need an account with a password, so that daemon
runs as the throwaway account and serves only it."""
import os
import shutil
import subprocess

import paramiko
import pytest

from conftest import explain, ssh, wait_for_log
from processes import descendants

# The core cases: key logins, exec, exit status, stderr, a pty, paramiko,
# several channels on one connection, port forwarding both ways.
from test_login import (test_login_with_key, test_exit_status,  # noqa: F401
                        test_stderr_is_separate, test_pty, test_paramiko_exec,
                        test_wrong_key_refused)
from test_session import test_paramiko_two_channels  # noqa: F401
from test_forward import (echo,  # noqa: F401
                          test_local_forward_streams, test_remote_forward_streams)
from test_password import pw_user, pw_ssh  # noqa: F401

SINGLE = "SingleProcess=yes"


@pytest.fixture
def start_server(start_server):
    """conftest's start_server with the daemon in single-process mode."""
    def start(*args, opts=(), **kw):
        return start_server(*args, opts=(SINGLE,) + tuple(opts), **kw)
    return start


def test_sessions_share_the_daemon_process(server, keys):
    """Each session's shell is a child of the daemon itself: no process
    per connection."""
    pids = set()
    for _ in range(3):
        res = ssh(server, keys["ed25519"], "echo $PPID")
        assert res.returncode == 0, explain(server, res, "exec in single-process mode")
        pids.add(int(res.stdout))
    assert pids == {server.daemon_pid}, \
        explain(server, None, f"shells' parents {pids}, daemon {server.daemon_pid}")


def test_concurrent_connections(server, keys):
    """Ten connections open at once, one command on each in turn, all
    answered by the one process. (The commands run one after another:
    root's shell start-up files here take a lock that makes concurrent
    logins wait on each other, whatever the server.)"""
    clients = []
    try:
        for _ in range(10):
            c = paramiko.SSHClient()
            c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            c.connect("127.0.0.1", port=server.port, username="root",
                      key_filename=keys["ed25519"].path, look_for_keys=False,
                      allow_agent=False, timeout=30)
            clients.append(c)
        for i, c in enumerate(clients):
            _, out, _ = c.exec_command(f"echo n{i}", timeout=60)
            assert out.read() == f"n{i}\n".encode(), explain(server, None, f"connection {i}")
            assert out.channel.recv_exit_status() == 0
    finally:
        for c in clients:
            c.close()


def test_loadgen_sessions(server, keys, nanosshd):
    """nanossh-loadgen (beside the daemon) holds 50 sessions at once: every
    one authenticated with a session channel open, no process but the
    daemon."""
    lg = os.path.join(os.path.dirname(nanosshd), "nanossh-loadgen")
    assert os.access(lg, os.X_OK), f"{lg} not built"
    p = subprocess.Popen([lg, "-p", str(server.port), "-u", "root", "-i",
                          keys["ed25519"].path, "-n", "50", "-t", "120"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    line = p.stdout.readline().decode()
    assert line.startswith("held 50 failed 0"), explain(server, None, line)
    assert not descendants(server.daemon_pid), "a process per connection"
    out, err = p.communicate(b"\n", timeout=60)
    assert p.returncode == 0 and out == b"closed\n", (out, err)


def test_sftp_internal(server, keys, tmp_path):
    """OpenSSH's sftp with the built-in internal-sftp: put and get."""
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    back = tmp_path / "back.bin"
    batch = tmp_path / "batch"
    batch.write_text(f"put {src} {tmp_path}/remote.bin\nget {tmp_path}/remote.bin {back}\n")
    res = subprocess.run(
        ["sftp", "-P", str(server.port), "-i", keys["ed25519"].path,
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-F", "/dev/null",
         "-b", str(batch), "root@127.0.0.1"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert res.returncode == 0, explain(server, res, "sftp in single-process mode")
    assert back.read_bytes() == src.read_bytes(), "sftp round trip changed the file"


def test_only_the_daemons_user(server, keys, plain_user):
    """Run as root, the daemon still serves root only: another account is
    refused even with a key it would accept."""
    res = ssh(server, keys["ed25519"], "id -un", user=plain_user.pw_name)
    assert res.returncode == 255, explain(server, res, "another user must be refused")
    assert wait_for_log(server, f"User {plain_user.pw_name} from 127.0.0.1 not "
                                "allowed because the server runs as uid 0"), explain(server)


def test_match_refused(nanosshd, hostkey, tmp_path):
    """Match blocks would change options every connection shares."""
    conf = tmp_path / "sshd_config"
    conf.write_text("SingleProcess yes\nMatch User nobody\n  PermitTTY no\n")
    res = subprocess.run([nanosshd, "-D", "-e", "-f", str(conf), "-h", hostkey,
                          "-p", "1", "-o", "ListenAddress=127.0.0.1"],
                         capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert res.returncode != 0 and b"Match blocks are not supported" in res.stderr, \
        res.stderr.decode(errors="replace")


def test_password_as_the_account(start_server, pw_user, hostkey):
    """The daemon run by an ordinary account in single-process mode: that
    account logs in with its password (PAM, as itself)."""
    home = pw_user.pw.pw_dir
    hk = os.path.join(home, "host_ed25519")
    shutil.copyfile(hostkey, hk)
    os.chown(hk, pw_user.pw.pw_uid, pw_user.pw.pw_gid)
    os.chmod(hk, 0o600)
    srv = start_server(run_as=pw_user.name, host_key=hk, authkeys_file=False)
    res = pw_ssh(srv, pw_user.name, pw_user.password, "id -un")
    lines = res.stdout.decode().split()
    assert res.returncode == 0 and lines[:1] == [pw_user.name], \
        explain(srv, res, "password login to a single-process daemon of the account")
    res = pw_ssh(srv, pw_user.name, "wrong-" + pw_user.password, "true")
    assert res.returncode == 255, explain(srv, res, "a wrong password must be refused")
