"""PermitTTY and DisableForwarding from a Match block, with OpenSSH's
client: the matched user's `ssh -tt` gets no pty and its `ssh -L` and
`ssh -R` are refused, while root, outside the block, keeps both."""
import os
import pathlib
import socket
import subprocess
import threading
import time

import pytest

from conftest import SSH_BASE, explain, need_tool, wait_for_log
from processes import free_port


@pytest.fixture(scope="module")
def key_user(plain_user, keys):
    sshdir = pathlib.Path(plain_user.pw_dir) / ".ssh"
    sshdir.mkdir(mode=0o700, exist_ok=True)
    (sshdir / "authorized_keys").write_text(keys["ed25519"].line() + "\n")
    os.chmod(sshdir / "authorized_keys", 0o600)
    for p in (sshdir, sshdir / "authorized_keys"):
        os.chown(p, plain_user.pw_uid, plain_user.pw_gid)
    return plain_user


def ssh_argv(srv, key, user, *rest):
    return (["ssh", "-p", str(srv.port), "-i", key.path] + SSH_BASE
            + ["-o", "LogLevel=ERROR"] + list(rest) + [f"{user}@127.0.0.1"])


def echo_server():
    """A one-line echo service on a free loopback port."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)

    def serve():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            with c:
                c.sendall(c.recv(100))
    threading.Thread(target=serve, daemon=True).start()
    return ls


def through_forward(port):
    """What comes back through a local forward: b"" when refused."""
    deadline = time.monotonic() + 10
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    with s:
        s.sendall(b"ping\n")
        try:
            return s.recv(100)
        except OSError:
            return b""


def local_forward(srv, key, user, target):
    port = free_port()
    proc = subprocess.Popen(ssh_argv(srv, key, user, "-L",
                                     f"{port}:127.0.0.1:{target}")
                            + ["sleep 20"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        return through_forward(port)
    finally:
        proc.kill()
        proc.wait()


def test_match_permit_tty_and_disable_forwarding(start_server, keys, key_user,
                                                 tmp_path):
    need_tool("ssh")
    user = key_user.pw_name
    key = keys["ed25519"]
    cfg = tmp_path / "sshd_config"
    root_keys = tmp_path / "root_keys"
    root_keys.write_text(key.line() + "\n")
    # The user's own file first: the user cannot reach root's.
    cfg.write_text(f"AuthorizedKeysFile .ssh/authorized_keys {root_keys}\n"
                   f"AllowTcpForwarding yes\nMatch User {user}\n"
                   "  PermitTTY no\n  DisableForwarding yes\n")
    srv = start_server(authkeys_file=False, args=["-f", str(cfg)])
    # PermitTTY no: ssh -tt carries on without a pty.
    res = subprocess.run(ssh_argv(srv, key, user, "-tt") + ["tty"],
                         capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert b"PTY allocation request failed" in res.stderr, explain(srv, res)
    assert b"/dev/pts/" not in res.stdout, explain(srv, res)
    assert wait_for_log(srv, f"Pty allocation disabled for {user} by PermitTTY")
    res = subprocess.run(ssh_argv(srv, key, "root", "-tt") + ["tty"],
                         capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert b"/dev/pts/" in res.stdout, explain(srv, res, "root's pty")
    # DisableForwarding yes: -L is refused for the user, works for root.
    ls = echo_server()
    try:
        target = ls.getsockname()[1]
        assert local_forward(srv, key, user, target) == b"", \
            explain(srv, None, "-L through DisableForwarding")
        assert wait_for_log(srv, "refused local port forward")
        assert local_forward(srv, key, "root", target) == b"ping\n", \
            explain(srv, None, "root's -L")
    finally:
        ls.close()
    # -R: with ExitOnForwardFailure the client gives up.
    res = subprocess.run(ssh_argv(srv, key, user, "-o",
                                  "ExitOnForwardFailure=yes", "-R",
                                  f"{free_port()}:127.0.0.1:22")
                         + ["echo", "ran"], capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert res.returncode != 0 and b"ran" not in res.stdout, explain(srv, res)
    assert wait_for_log(srv, "refused remote port forward")
