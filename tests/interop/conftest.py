"""Fixtures for the interop suite: real clients against a running nanosshd.

The daemon under test is $NANOSSHD, or build/nanosshd in the source tree.
Every test starts its own daemon on a free port of 127.0.0.1 and stops it
by PID. At teardown the daemon's output is searched for sanitizer reports;
one fails the test. The suite runs as root and logs in as root.
"""
import hashlib
import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from processes import Server, daemon_env, free_port, stop_pid

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEST_TIME_LIMIT = 300          # seconds for any one test
BIG = 64 * 1024 * 1024         # bytes in the bulk transfer tests

SSH_BASE = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15",
            "-F", "/dev/null"]


def pytest_configure(config):
    """Temporary files go below the home directory rather than /tmp: keys
    files in a world-writable directory are rightly refused by servers
    that check the modes of the path (as sshd's StrictModes does)."""
    if not config.option.basetemp:
        config._nssh_basetemp = tempfile.mkdtemp(prefix=".nanossh-interop-",
                                                 dir=os.path.expanduser("~"))
        config.option.basetemp = config._nssh_basetemp


def pytest_unconfigure(config):
    base = getattr(config, "_nssh_basetemp", None)
    if base:
        shutil.rmtree(base, ignore_errors=True)


def need_tool(name):
    path = shutil.which(name)
    assert path, f"{name} is not installed; the interop suite needs it"
    return path


# ---- Paths and keys -------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def privsep_account():
    """With UsePrivilegeSeparation yes a root nanosshd runs each
    connection's pre-auth child as the system user nanosshd and refuses to
    start without it; tools/test.sh and tools/run.sh make it, and so does
    this when the suite runs on its own."""
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam("nanosshd")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", "nanosshd"], check=True,
                       capture_output=True, timeout=30)


@pytest.fixture(scope="session")
def nanosshd():
    path = pathlib.Path(os.environ.get("NANOSSHD") or ROOT / "build" / "nanosshd")
    assert path.is_file() and os.access(path, os.X_OK), \
        f"daemon not found at {path}: build it first or set NANOSSHD"
    return str(path.resolve())


@pytest.fixture(scope="session")
def keydir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


def make_key(directory, name, ktype, bits=None):
    need_tool("ssh-keygen")
    path = directory / name
    cmd = ["ssh-keygen", "-q", "-t", ktype, "-N", "", "-C", f"{name}@interop",
           "-f", str(path)]
    if bits:
        cmd += ["-b", str(bits)]
    subprocess.run(cmd, check=True, timeout=60, stdin=subprocess.DEVNULL)
    return Key(path)


class Key:
    def __init__(self, path):
        self.path = str(path)
        self.pub = pathlib.Path(str(path) + ".pub").read_text().strip()

    def line(self, options=None):
        """authorized_keys line for this key, with optional options."""
        return f"{options} {self.pub}" if options else self.pub


@pytest.fixture(scope="session")
def keys(keydir):
    """Client keys: ed25519, ecdsa (P-256) and rsa (3072 bits)."""
    return {
        "ed25519": make_key(keydir, "id_ed25519", "ed25519"),
        "ecdsa": make_key(keydir, "id_ecdsa", "ecdsa", 256),
        "rsa": make_key(keydir, "id_rsa", "rsa", 3072),
    }


@pytest.fixture(scope="session")
def hostkey(keydir):
    return make_key(keydir, "host_ed25519", "ed25519").path


@pytest.fixture(scope="session")
def bigfile(tmp_path_factory):
    """64 MiB of random bytes and their SHA-256."""
    path = tmp_path_factory.mktemp("data") / "random.bin"
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(BIG // (1 << 20)):
            chunk = os.urandom(1 << 20)
            h.update(chunk)
            f.write(chunk)
    os.chmod(path, 0o644)
    return str(path), h.hexdigest()


@pytest.fixture
def start_server(nanosshd, hostkey, tmp_path):
    """start_server(authorized=[lines], opts=[-o values], args=[...],
    run_as=None, hostkey=path or None, authkeys_file=True) -> Server.

    Starts nanosshd -D -e -p PORT -o ListenAddress=127.0.0.1 -h HOSTKEY
    -o AuthorizedKeysFile=<tmp>/authorized_keys -o LogLevel=DEBUG, waits
    until it accepts connections, and stops it at teardown."""
    servers = []

    def start(authorized=(), opts=(), args=(), run_as=None, host_key=hostkey,
              authkeys_file=True):
        port = free_port()
        ak = tmp_path / f"authorized_keys.{len(servers)}"
        ak.write_text("".join(line + "\n" for line in authorized))
        os.chmod(ak, 0o644)
        cmd = [nanosshd, "-D", "-e", "-p", str(port),
               "-o", "ListenAddress=127.0.0.1", "-o", "LogLevel=DEBUG"]
        if host_key:
            cmd += ["-h", str(host_key)]
        if authkeys_file:
            cmd += ["-o", f"AuthorizedKeysFile={ak}"]
        # A root daemon separates privileges by default; NSSH_TEST_PRIVSEP=0
        # runs the whole suite without (=1 with, also when not the default).
        forced = {"0": "no", "1": "yes"}.get(os.environ.get("NSSH_TEST_PRIVSEP", ""))
        if forced and not any(
                o.lower().startswith("useprivilegeseparation") for o in opts):
            cmd += ["-o", f"UsePrivilegeSeparation={forced}"]
        for o in opts:
            cmd += ["-o", o]
        cmd += list(args)
        srv = Server(cmd, port, tmp_path / f"nanosshd.{len(servers)}.log",
                     daemon_env(), run_as=run_as)
        srv.authorized_keys = ak
        servers.append(srv)
        srv.wait_ready()
        return srv

    yield start

    reports = []
    for srv in servers:
        srv.stop()
        rep = srv.sanitizer_report()
        if rep:
            reports.append(rep)
    if reports:
        pytest.fail("sanitizer report in nanosshd's output:\n" + "\n".join(reports),
                    pytrace=False)


@pytest.fixture
def server(start_server, keys):
    """A daemon that lets root in with the ed25519 key."""
    return start_server(authorized=[keys["ed25519"].line()])


# ---- Running clients -------------------------------------------------------

def ssh_cmd(srv, key, *command, user="root", opts=(), args=(), tty=False,
            verbose=False):
    """ssh command line: opts are -o values, args raw options (e.g. -c X).
    verbose gives ssh -v output (debug1) on stderr; otherwise only errors."""
    need_tool("ssh")
    cmd = ["ssh", "-p", str(srv.port), "-i", key.path] + SSH_BASE
    cmd += ["-o", "LogLevel=" + ("DEBUG1" if verbose else "ERROR")]
    if tty:
        cmd.append("-tt")
    for o in opts:
        cmd += ["-o", o]
    cmd += list(args)
    cmd.append(f"{user}@127.0.0.1")
    cmd += list(command)
    return cmd


def ssh(srv, key, *command, user="root", opts=(), args=(), tty=False,
        verbose=False, input=None, stdin=None, timeout=60, env=None):
    """Run ssh to completion; returns CompletedProcess (bytes)."""
    cmd = ssh_cmd(srv, key, *command, user=user, opts=opts, args=args, tty=tty,
                  verbose=verbose)
    if input is None and stdin is None:
        stdin = subprocess.DEVNULL
    try:
        return subprocess.run(cmd, input=input, stdin=stdin,
                              capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"ssh timed out after {timeout} s: {' '.join(cmd)}\n"
                    f"stderr: {(e.stderr or b'').decode(errors='replace')[-2000:]}\n"
                    f"--- server log ---\n{srv.log_tail()}")


def explain(srv, res=None, what=""):
    """Assertion text: what happened, the client's output, the server log."""
    parts = [what] if what else []
    if res is not None:
        out = res.stdout if isinstance(res.stdout, bytes) else b""
        err = res.stderr if isinstance(res.stderr, bytes) else b""
        parts.append(f"exit status {res.returncode}")
        parts.append("stdout: " + out[-1500:].decode(errors="replace"))
        parts.append("stderr: " + err[-3000:].decode(errors="replace"))
    parts.append("--- server log (tail) ---\n" + srv.log_tail())
    return "\n".join(parts)


def wait_for_log(srv, needle, timeout=10.0):
    """True once needle appears in the server log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if needle in srv.log_text():
            return True
        time.sleep(0.1)
    return needle in srv.log_text()


# ---- A client in the background (forwarding) --------------------------------

@pytest.fixture
def background_ssh():
    """background_ssh(srv, key, args, opts=(), log_level="INFO", user="root")
    -> Popen of ssh -N with ExitOnForwardFailure; its stderr is a pipe.
    Stopped by PID at teardown."""
    procs = []

    def start(srv, key, args, opts=(), log_level="INFO", user="root"):
        # Not ssh_cmd: its LogLevel=ERROR would hide the INFO lines that
        # report refusals and allocated ports.
        cmd = ["ssh", "-p", str(srv.port), "-i", key.path] + SSH_BASE
        for o in ["LogLevel=" + log_level, "ExitOnForwardFailure=yes"] + list(opts):
            cmd += ["-o", o]
        cmd += ["-N"] + list(args) + [f"{user}@127.0.0.1"]
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(p)
        return p

    yield start
    for p in procs:
        stop_pid(p.pid)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if p.stderr:
            p.stderr.close()


# ---- A time limit for every test -------------------------------------------

@pytest.fixture(autouse=True)
def time_limit():
    def expired(signum, frame):
        raise TimeoutError(f"test took longer than {TEST_TIME_LIMIT} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIME_LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# ---- An ordinary user -------------------------------------------------------

@pytest.fixture(scope="module")
def plain_user():
    """A throwaway account with a home directory, removed afterwards."""
    need_tool("useradd")
    need_tool("userdel")
    need_tool("runuser")
    name = f"nssh{os.getpid() % 100000}"
    subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True,
                   capture_output=True, timeout=30)
    pw = pwd.getpwnam(name)
    try:
        yield pw
    finally:
        # Anything still running as the user would stop userdel.
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == pw.pw_uid:
                        os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.2)
        subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)
