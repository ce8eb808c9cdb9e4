"""Agent, X11 and Unix-domain socket forwarding through nanosshd, with
OpenSSH's ssh (and paramiko where the test must see the x11 channel
itself): ssh -A then ssh-add -l inside the session; x11-req's DISPLAY,
the cookie xauth records, and a connection to the display port arriving
at the client as an "x11" channel; ssh -L port:/socket and
ssh -R /socket:host:port; and the refusals of AllowAgentForwarding,
X11Forwarding, AllowStreamLocalForwarding, DisableForwarding and the
authorized_keys options."""
import os
import queue
import socket
import stat
import subprocess
import threading
import time

import paramiko
import pytest

from conftest import explain, need_tool, ssh, wait_for_log
from processes import free_port, stop_pid
from test_forward import (echo, listening, round_trip,   # noqa: F401
                          stderr_until, wait_listening)


@pytest.fixture
def user_server(start_server, keys, plain_user):
    """user_server(opts) -> a daemon that lets the plain user in with the
    ed25519 key from ~/.ssh/authorized_keys (the daemon reads it as the
    user)."""
    home = plain_user.pw_dir
    sshdir = os.path.join(home, ".ssh")
    ak = os.path.join(sshdir, "authorized_keys")

    def start(opts=(), key_options=""):
        os.makedirs(sshdir, exist_ok=True)
        with open(ak, "w") as f:
            f.write(key_options + keys["ed25519"].line() + "\n")
        for path, mode in ((home, 0o755), (sshdir, 0o700), (ak, 0o600)):
            os.chown(path, plain_user.pw_uid, plain_user.pw_gid)
            os.chmod(path, mode)
        return start_server(authkeys_file=False,
                            opts=["AuthorizedKeysFile=.ssh/authorized_keys"] +
                            list(opts))
    return start


# ---- agent forwarding ------------------------------------------------------

@pytest.fixture
def agent(tmp_path, keys):
    """A throwaway ssh-agent holding the rsa key; stopped by PID."""
    need_tool("ssh-agent")
    sock = str(tmp_path / "agent.sock")
    p = subprocess.Popen(["ssh-agent", "-D", "-a", sock],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 10
    while not os.path.exists(sock) and time.monotonic() < end:
        time.sleep(0.05)
    env = dict(os.environ, SSH_AUTH_SOCK=sock)
    res = subprocess.run(["ssh-add", keys["rsa"].path], env=env,
                         capture_output=True, timeout=30)
    assert res.returncode == 0, res
    fp = subprocess.run(["ssh-keygen", "-lf", keys["rsa"].path],
                        capture_output=True, timeout=30).stdout.split()[1]
    yield env, fp.decode()
    stop_pid(p.pid)
    p.wait(timeout=10)


INSIDE_AGENT = ('echo "sock=$SSH_AUTH_SOCK"; '
                'd=$(dirname "$SSH_AUTH_SOCK"); '
                'echo "dir=$(stat -c %U:%a "$d")"; '
                'echo "sockown=$(stat -c %U "$SSH_AUTH_SOCK")"; ssh-add -l')


def test_agent_forwarding(user_server, keys, plain_user, agent):
    env, fp = agent
    srv = user_server()
    res = ssh(srv, keys["ed25519"], INSIDE_AGENT, user=plain_user.pw_name,
              args=["-A"], env=env)
    out = res.stdout.decode()
    assert res.returncode == 0 and fp in out, explain(srv, res, "ssh-add -l "
                                                      "inside did not list the key")
    sock = out.split("sock=")[1].split()[0]
    assert sock.startswith("/tmp/ssh-") and \
        os.path.basename(sock) .startswith("agent."), out
    # The directory is the user's own and private; the socket the user's.
    assert f"dir={plain_user.pw_name}:700" in out, out
    assert f"sockown={plain_user.pw_name}" in out, out
    # Both are gone once the connection ended.
    end = time.monotonic() + 10
    while os.path.exists(os.path.dirname(sock)) and time.monotonic() < end:
        time.sleep(0.1)
    assert not os.path.exists(os.path.dirname(sock)), \
        explain(srv, None, f"{sock} left behind")


@pytest.mark.parametrize("how", ["config", "key", "disable"])
def test_agent_forwarding_refused(user_server, keys, plain_user, agent, how):
    env, fp = agent
    prefix, opts = "", []
    if how == "config":
        opts = ["AllowAgentForwarding=no"]
    elif how == "key":
        prefix = "no-agent-forwarding "
    else:
        opts = ["DisableForwarding=yes"]
    srv = user_server(opts, prefix)
    res = ssh(srv, keys["ed25519"], 'echo "sock=$SSH_AUTH_SOCK"; ssh-add -l',
              user=plain_user.pw_name, args=["-A"], env=env)
    out = res.stdout.decode()
    assert "sock=\n" in out and fp not in out and res.returncode != 0, \
        explain(srv, res, "agent forwarded although refused")


# ---- X11 forwarding --------------------------------------------------------

def paramiko_session(srv, key, user):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    t = paramiko.Transport(sock)
    t.start_client(timeout=20)
    t.auth_publickey(user, paramiko.Ed25519Key.from_private_key_file(key.path))
    return t


X11_PROBE = r'''
import os, socket, sys
d = os.environ["DISPLAY"]
n = int(d.split(":")[1].split(".")[0])
print("display=" + d, flush=True)
c = socket.create_connection(("127.0.0.1", 6000 + n), timeout=20)
c.sendall(b"hello x11")
print("reply=" + c.recv(100).decode(), flush=True)
'''


def test_x11_forwarding_cookie_and_channel(user_server, keys, plain_user):
    """x11-req by paramiko with a cookie of the test's: DISPLAY is
    localhost:N.screen, xauth holds the cookie for unix:N, and a connection
    to port 6000+N reaches the client as an x11 channel from 127.0.0.1."""
    need_tool("xauth")
    offset = 30 + os.getpid() % 200
    srv = user_server(["X11Forwarding=yes", f"X11DisplayOffset={offset}"])
    t = paramiko_session(srv, keys["ed25519"], plain_user.pw_name)
    got = queue.Queue()
    cookie = os.urandom(16).hex()
    try:
        ch = t.open_session()
        ch.request_x11(screen_number=1, auth_protocol="MIT-MAGIC-COOKIE-1",
                       auth_cookie=cookie,
                       handler=lambda c, origin: got.put((c, origin)))
        ch.exec_command("xauth list; python3 -c '%s'" % X11_PROBE)
        x11, origin = got.get(timeout=20)
        assert x11.recv(100) == b"hello x11"
        x11.sendall(b"from client")
        x11.close()
        out = b""
        while True:
            data = ch.recv(4096)
            if not data:
                break
            out += data
        text = out.decode()
        assert ch.recv_exit_status() == 0, explain(srv, None, text)
    finally:
        t.close()
    assert origin[0] == "127.0.0.1" and origin[1] > 0, origin
    disp = text.split("display=")[1].split()[0]
    assert disp.startswith("localhost:") and disp.endswith(".1"), text
    n = int(disp.split(":")[1].split(".")[0])
    assert n >= offset, text
    assert f"unix:{n}  MIT-MAGIC-COOKIE-1  {cookie}" in text, \
        explain(srv, None, f"xauth list lacks the cookie:\n{text}")
    assert "reply=from client" in text, text
    # The listener went with the session.
    end = time.monotonic() + 10
    while listening(6000 + n) and time.monotonic() < end:
        time.sleep(0.1)
    assert not listening(6000 + n), explain(srv, None, "display port still open")


def test_x11_forwarding_openssh_client(user_server, keys, plain_user):
    """ssh -Y with a display of the test's: the session gets DISPLAY and
    an xauth entry for it."""
    need_tool("xauth")
    srv = user_server(["X11Forwarding=yes"])
    env = dict(os.environ, DISPLAY="127.0.0.1:97")
    res = ssh(srv, keys["ed25519"], 'echo "display=$DISPLAY"; xauth list',
              user=plain_user.pw_name, args=["-Y"], env=env)
    out = res.stdout.decode()
    assert "display=localhost:1" in out, explain(srv, res, "no DISPLAY")
    n = out.split("display=localhost:")[1].split(".")[0]
    assert f"unix:{n}  MIT-MAGIC-COOKIE-1  " in out, explain(srv, res, "no cookie")


@pytest.mark.parametrize("how", ["default", "key", "disable"])
def test_x11_forwarding_refused(user_server, keys, plain_user, how):
    prefix, opts = "", []
    if how == "key":
        opts, prefix = ["X11Forwarding=yes"], "no-X11-forwarding "
    elif how == "disable":
        opts = ["X11Forwarding=yes", "DisableForwarding=yes"]
    srv = user_server(opts, prefix)
    env = dict(os.environ, DISPLAY="127.0.0.1:97")
    res = ssh(srv, keys["ed25519"], 'echo "display=$DISPLAY"',
              user=plain_user.pw_name, args=["-Y"], env=env, verbose=True)
    assert b"display=\n" in res.stdout and \
        b"X11 forwarding request failed" in res.stderr, explain(srv, res)


# ---- Unix-domain socket forwarding -------------------------------------------

class UnixEcho:
    """An echo server on a Unix socket of the test's."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        os.chmod(path, 0o777)
        self.sock.listen(16)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    conn.sendall(data)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def unix_echo(tmp_path):
    os.chmod(tmp_path, 0o755)
    srv = UnixEcho(str(tmp_path / "echo.sock"))
    yield srv
    srv.close()


def test_streamlocal_local(server, keys, unix_echo, background_ssh):
    """ssh -L port:/path: direct-streamlocal@openssh.com."""
    lport = free_port()
    p = background_ssh(server, keys["ed25519"], ["-L", f"{lport}:{unix_echo.path}"])
    wait_listening(lport, p, server)
    payload = os.urandom(300000)
    assert round_trip(lport, payload) == payload


def unix_round_trip(path, payload):
    with socket.socket(socket.AF_UNIX) as c:
        c.settimeout(30)
        c.connect(path)
        c.sendall(payload)
        c.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            data = c.recv(65536)
            if not data:
                return got
            got += data


def wait_path(path, proc, srv):
    end = time.monotonic() + 20
    while not os.path.exists(path) and time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(explain(srv, None, "ssh exited: " +
                                proc.stderr.read().decode(errors="replace")))
        time.sleep(0.05)
    assert os.path.exists(path), explain(srv, None, f"{path} not made")


def test_streamlocal_remote(user_server, keys, echo, background_ssh,   # noqa: F811
                            tmp_path, plain_user):
    """ssh -R /path:host:port as a plain user: the socket is the user's,
    with StreamLocalBindMask's mode; forwarded-streamlocal@openssh.com
    carries the bytes; StreamLocalBindUnlink replaces a stale file."""
    srv = user_server(["StreamLocalBindMask=0117", "StreamLocalBindUnlink=yes"])
    d = os.path.join(plain_user.pw_dir, "rdir")
    os.makedirs(d, exist_ok=True)
    os.chown(d, plain_user.pw_uid, plain_user.pw_gid)
    path = os.path.join(d, "r.sock")
    open(path, "w").close()   # a stale file, removed first
    os.chown(path, plain_user.pw_uid, plain_user.pw_gid)
    p = background_ssh(srv, keys["ed25519"], ["-R", f"{path}:127.0.0.1:{echo.port}"],
                       user=plain_user.pw_name)
    end = time.monotonic() + 20
    while not (os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode)) \
            and time.monotonic() < end:
        time.sleep(0.05)
    st = os.stat(path)
    assert stat.S_ISSOCK(st.st_mode), explain(srv, None, "no socket made")
    assert st.st_uid == plain_user.pw_uid, "socket not made as the user"
    assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    payload = os.urandom(200000)
    assert unix_round_trip(path, payload) == payload


def test_streamlocal_remote_not_as_root(user_server, keys, echo,   # noqa: F811
                                        background_ssh, tmp_path, plain_user):
    """A path only root could write: refused for the user (the socket is
    made with the user's rights, not the daemon's)."""
    srv = user_server()
    d = os.path.join(plain_user.pw_dir, "rootonly")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)   # root's, in a directory the user can reach
    path = os.path.join(d, "r.sock")
    p = background_ssh(srv, keys["ed25519"], ["-R", f"{path}:127.0.0.1:{echo.port}"],
                       user=plain_user.pw_name)
    err = stderr_until(p, "forwarding failed")
    assert "forwarding failed" in err and not os.path.exists(path), \
        explain(srv, None, f"ssh said: {err}")
    assert wait_for_log(srv, f"{path} by user {plain_user.pw_name} failed: "
                        "Permission denied"), explain(srv)


def ping(port):
    """b"ping" through 127.0.0.1:port and what comes back before EOF; a
    refused channel closes the connection with nothing."""
    got = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as c:
            c.sendall(b"ping")
            c.shutdown(socket.SHUT_WR)
            while True:
                data = c.recv(100)
                if not data:
                    break
                got += data
    except OSError:
        pass
    return got


@pytest.mark.parametrize("opts,line_prefix,local_ok,remote_ok", [
    (["AllowStreamLocalForwarding=no"], "", False, False),
    (["AllowStreamLocalForwarding=local"], "", True, False),
    (["AllowStreamLocalForwarding=remote"], "", False, True),
    (["DisableForwarding=yes"], "", False, False),
    ([], "no-port-forwarding ", False, False),
])
def test_streamlocal_refusals(start_server, keys, unix_echo, echo,   # noqa: F811
                              background_ssh, tmp_path, opts, line_prefix,
                              local_ok, remote_ok):
    srv = start_server(authorized=[line_prefix + keys["ed25519"].line()],
                       opts=opts)
    lport = free_port()
    p = background_ssh(srv, keys["ed25519"], ["-L", f"{lport}:{unix_echo.path}"])
    wait_listening(lport, p, srv)
    got = ping(lport)
    assert (got == b"ping") == local_ok, explain(srv, None, f"-L got {got!r}")
    rpath = str(tmp_path / "refuse.sock")
    p = background_ssh(srv, keys["ed25519"], ["-R", f"{rpath}:127.0.0.1:{echo.port}"])
    if remote_ok:
        wait_path(rpath, p, srv)
        assert unix_round_trip(rpath, b"pong") == b"pong"
    else:
        err = stderr_until(p, "forwarding failed")
        assert "forwarding failed" in err and not os.path.exists(rpath), \
            explain(srv, None, f"ssh said: {err}")
    assert wait_for_log(srv, "Accepted publickey")


# Connects to the forwarded agent, stays idle 5 s, then asks for the
# identities (SSH_AGENTC_REQUEST_IDENTITIES, PROTOCOL.agent): "closed" when
# the server closed the idle channel (EOF), "open" when the agent answered.
IDLE_AGENT = ("python3 -c 'import os,socket,time\n"
              "s=socket.socket(socket.AF_UNIX)\n"
              "s.connect(os.environ[\"SSH_AUTH_SOCK\"])\n"
              "time.sleep(5)\n"
              "s.settimeout(10)\n"
              "try:\n"
              "    s.sendall(bytes([0,0,0,1,11]))\n"
              "    r=s.recv(4)\n"
              "except OSError:\n"
              "    r=b\"\"\n"
              "print(\"open\" if r else \"closed\")'")


@pytest.mark.parametrize("spec,closed", [("agent-connection=1", True),
                                         ("x11-connection=1", False)])
def test_agent_channel_timeout(user_server, keys, plain_user, agent, spec,
                               closed):
    """ChannelTimeout's agent-connection type: an idle agent connection
    is closed (its socket sees EOF), with sshd's line; another type's
    timeout leaves it alone."""
    env, fp = agent
    srv = user_server([f"ChannelTimeout={spec}"])
    res = ssh(srv, keys["ed25519"], IDLE_AGENT, user=plain_user.pw_name,
              args=["-A"], env=env)
    if closed:
        assert b"closed" in res.stdout, explain(srv, res)
        assert wait_for_log(srv, "closing after 1 seconds of inactivity"), \
            explain(srv, res)
    else:
        assert b"open" in res.stdout, explain(srv, res)
        assert "inactivity" not in srv.log_text(), explain(srv, res)
