"""The servers the benchmark compares, each started on 127.0.0.1.

Every server gets fresh host keys in the run's scratch folder, listens on a
port chosen at run time, logs only errors, and is stopped by PID. A server
whose program is missing is reported as such by the caller, never skipped
silently.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

import procs


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.settimeout(2)
                try:
                    if s.recv(4).startswith(b"SSH"):
                        return
                except OSError:
                    pass
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server did not accept connections on port {port}")


SFTP_SERVER = "/usr/lib/openssh/sftp-server"


class Server:
    """One running server. name: label in the report; pid: the listener."""

    # Ciphers (and MACs) this server speaks; None means all the benchmark's.
    ciphers = None
    kex = None

    def __init__(self, name, workdir):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None
        self.port = None
        self.log = None
        self.cgroup = None

    # Subclasses: argv(), and prepare() for keys and configuration.
    def prepare(self):
        pass

    def start(self):
        self.prepare()
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        # Into a control group of its own before the first connection, so
        # every process it starts is counted.
        cg = procs.CpuGroup(f"nanossh-bench-{os.getpid()}-{self.name}")
        if cg.path:
            try:
                cg.add(self.proc.pid)
                self.cgroup = cg
            except OSError:
                cg.remove()
        wait_port(self.port, self.proc)

    def cpu_seconds(self):
        """CPU of the whole server so far: its control group, or else the
        listener and the children it reaped."""
        if self.cgroup:
            return self.cgroup.seconds()
        return procs.cpu_seconds(self.proc.pid)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            # The listener first, then whatever of its process group is left
            # (connection processes of per-connection servers).
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.log:
            self.log.close()
            self.log = None
        if self.cgroup:
            self.cgroup.remove()
            self.cgroup = None

    def supports(self, cipher, mac=None, kex=None):
        if self.ciphers is not None and cipher is not None and cipher not in self.ciphers:
            return False
        if self.kex is not None and kex is not None and kex not in self.kex:
            return False
        return True

    def version(self):
        return "?"

    # SFTP variants this server offers: label -> subsystem name.
    def sftp_subsystems(self):
        return {}

    # Which processes count as the server's own (for memory): their
    # executable path.
    def exes(self):
        return set()


def keygen(path, ktype="ed25519"):
    subprocess.run(["ssh-keygen", "-q", "-t", ktype, "-N", "", "-C", "bench",
                    "-f", path], check=True, stdin=subprocess.DEVNULL)


def deb_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                       capture_output=True, text=True)
    return r.stdout.strip() or "?"


class Nanosshd(Server):
    """opts: -o values that come first (the first value of a keyword wins);
    tuned=False leaves out the benchmark's own settings below, so that
    whatever opts do not set keeps nanosshd's default."""

    def __init__(self, workdir, path, name="nanosshd", opts=(), tuned=True):
        super().__init__(name, workdir)
        self.path = os.path.abspath(path)
        self.opts = list(opts)
        self.tuned = tuned

    def prepare(self):
        self.hostkey = os.path.join(self.dir, "host_ed25519")
        if not os.path.exists(self.hostkey):
            keygen(self.hostkey)

    def argv(self):
        head = [self.path, "-D", "-e", "-f", "/dev/null", "-p", str(self.port),
                "-h", self.hostkey, "-o", "ListenAddress=127.0.0.1"]
        for o in self.opts:
            head += ["-o", o]
        if not self.tuned:
            return head
        return head + [
                "-o", "LogLevel=ERROR",
                "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no",
                "-o", "MaxStartups=2000", "-o", "MaxSessions=10",
                # The built-in SFTP server, and OpenSSH's sftp-server run by
                # the same daemon under another name, for the SFTP figures.
                "-o", "Subsystem=sftp internal-sftp",
                "-o", f"Subsystem=sftp-server {SFTP_SERVER}"]

    def version(self):
        r = subprocess.run([self.path, "-V"], capture_output=True, text=True)
        return (r.stdout + r.stderr).strip().splitlines()[0] if r.returncode == 0 else "?"

    def exes(self):
        return {self.path}

    def sftp_subsystems(self):
        return {"internal-sftp": "sftp", "sftp-server": "sftp-server"}


class NanosshdPrivsep(Nanosshd):
    """nanosshd with UsePrivilegeSeparation set either way (nanosshd-privsep,
    nanosshd-noprivsep), whatever the default: the memory and login
    figures of both process models in one run."""

    def __init__(self, workdir, path, on):
        super().__init__(workdir, path)
        self.name = "nanosshd-privsep" if on else "nanosshd-noprivsep"
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.privsep = "yes" if on else "no"

    def argv(self):
        return super().argv() + ["-o", f"UsePrivilegeSeparation={self.privsep}"]


class NanosshdSingle(Nanosshd):
    """nanosshd in single-process mode (SingleProcess yes), run as the
    benchmark's throwaway user: one process serves all of that user's
    connections."""
    user = None   # the run's throwaway user: set by bench.py

    def __init__(self, workdir, path):
        super().__init__(workdir, path)
        self.name = "nanosshd-single"
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir, exist_ok=True)

    def prepare(self):
        super().prepare()
        pw = pwd.getpwnam(self.user)
        os.chown(self.hostkey, pw.pw_uid, pw.pw_gid)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid

    def argv(self):
        # setpriv execs in place: the pid is the daemon's. UsePAM no: a
        # daemon without root can only ask PAM about its own account, and
        # pam_unix does that by forking its unix_chkpwd helper, which
        # closes every fd up to the open-file limit (20,000 here) at each
        # login; that, not SSH, would be the figure.
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}",
                "--clear-groups", "--"] + super().argv() + [
                    "-o", "SingleProcess=yes", "-o", "UsePAM=no"]


class Sshd(Server):
    """lines: sshd_config lines that come first (the first value of a
    keyword wins); tuned=False leaves out the benchmark's settings after
    ListenAddress, HostKey and PidFile, so the rest keeps sshd's defaults."""

    def __init__(self, workdir, name="sshd", lines=(), tuned=True):
        super().__init__(name, workdir)
        self.lines = list(lines)
        self.tuned = tuned

    def prepare(self):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.hostkey = os.path.join(self.dir, "host_ed25519")
        if not os.path.exists(self.hostkey):
            keygen(self.hostkey)
        self.config = os.path.join(self.dir, "sshd_config")
        with open(self.config, "w") as f:
            f.write("ListenAddress 127.0.0.1\n"
                    f"HostKey {self.hostkey}\n"
                    "PidFile none\n" +
                    "".join(line + "\n" for line in self.lines))
            if not self.tuned:
                return
            f.write("UsePAM no\n"
                    "PasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\n"
                    "LogLevel ERROR\n"
                    "MaxStartups 2000\n"
                    "PrintMotd no\n"
                    "Subsystem sftp internal-sftp\n")

    def argv(self):
        return ["/usr/sbin/sshd", "-D", "-e", "-f", self.config,
                "-p", str(self.port)]

    def version(self):
        return "OpenSSH sshd " + deb_version("openssh-server")

    def sftp_subsystems(self):
        return {"internal-sftp": "sftp"}

    def exes(self):
        return {"/usr/sbin/sshd", "/usr/lib/openssh/sshd-session",
                "/usr/lib/openssh/sshd-auth"}


class Dropbear(Server):
    # Dropbear 2022.83: no aes128-gcm (only aes256-gcm since 2022.82... it
    # reports what it lacks in the handshake; the benchmark asks first).
    def __init__(self, workdir):
        super().__init__("dropbear", workdir)

    def prepare(self):
        self.hostkey = os.path.join(self.dir, "dropbear_ed25519")
        if not os.path.exists(self.hostkey):
            subprocess.run(["dropbearkey", "-t", "ed25519", "-f", self.hostkey],
                           check=True, capture_output=True)

    def argv(self):
        # -F foreground, -E log to stderr, -s no password logins, -R off.
        return ["/usr/sbin/dropbear", "-F", "-E", "-s",
                "-p", f"127.0.0.1:{self.port}", "-r", self.hostkey,
                "-P", os.path.join(self.dir, "dropbear.pid")]

    def version(self):
        return "Dropbear " + deb_version("dropbear-bin")

    def exes(self):
        return {"/usr/sbin/dropbear"}


class Tinysshd(Server):
    # TinySSH speaks only chacha20-poly1305 with ed25519 host keys and
    # curve25519 / sntrup761 key exchange.
    ciphers = {"chacha20-poly1305@openssh.com"}
    kex = {"curve25519-sha256", "curve25519-sha256@libssh.org",
           "sntrup761x25519-sha512@openssh.com", None}

    def __init__(self, workdir):
        super().__init__("tinysshd", workdir)

    def prepare(self):
        self.keydir = os.path.join(self.dir, "keys")
        if not os.path.exists(self.keydir):
            subprocess.run(["tinysshd-makekey", self.keydir], check=True,
                           capture_output=True)

    def argv(self):
        # tcpserver (ucspi-tcp) accepts and runs one tinysshd per
        # connection; -c raises its default limit of 40 connections.
        return [shutil.which("tcpserver") or "/usr/bin/tcpserver",
                "-HRDl0", "-c", "20000", "127.0.0.1", str(self.port),
                "/usr/sbin/tinysshd", self.keydir]

    def version(self):
        return "TinySSH " + deb_version("tinysshd")

    def exes(self):
        return {"/usr/sbin/tinysshd", "/usr/bin/tcpserver"}


def make_servers(workdir, names, nanosshd_path):
    out = []
    for n in names:
        if n == "nanosshd":
            out.append(Nanosshd(workdir, nanosshd_path))
        elif n in ("nanosshd-privsep", "nanosshd-noprivsep"):
            out.append(NanosshdPrivsep(workdir, nanosshd_path, n == "nanosshd-privsep"))
        elif n == "nanosshd-single":
            out.append(NanosshdSingle(workdir, nanosshd_path))
        elif n == "sshd":
            out.append(Sshd(workdir))
        elif n == "dropbear":
            out.append(Dropbear(workdir))
        elif n == "tinysshd":
            out.append(Tinysshd(workdir))
        else:
            raise SystemExit(f"unknown server {n}")
    return out
