#!/usr/bin/python3
"""nanossh benchmark: nanosshd beside OpenSSH's sshd, Dropbear and TinySSH.

Run through bench/run.sh (as root): it installs the peers from Debian,
builds nanosshd if needed and calls this script. Every server runs on
127.0.0.1 with fresh host keys; the client is the machine's OpenSSH ssh,
logging in as a throwaway user with /bin/sh (created here and removed at
the end). Measurements are interleaved (each round visits every server in
a rotated order) so that drift of the machine hits all servers alike.

Measured per server:
  - bulk throughput, download and upload, per cipher (time from the first
    to the last byte, login excluded), and the server's CPU per GiB;
  - login time (ssh ... true, wall clock) per key exchange, and the
    server's CPU per handshake;
  - PSS of the server's own processes per idle authenticated session
    (each with an open session channel), for several session counts;
  - sessions held at once by nanossh-loadgen (the engine's client role,
    one process): PSS per session and in all, handshakes per second and
    per second of server CPU, up to 1,000 sessions on every server and
    10,000 on nanosshd in single-process mode (nanosshd-single).

Writes results.json, BENCHMARKS.md and PNG plots into --out.
"""
import argparse
import fcntl
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import account  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
from servers import make_servers  # noqa: E402

# One throwaway user per run: setting it up kills every process of a user
# of the same name, so two runs on one machine must not share it.
USER = f"nsshbench{os.getpid()}"
servers.NanosshdSingle.user = USER   # single-process mode runs as it
CIPHERS = [
    # (label, -c cipher, -m mac or None)
    ("chacha20-poly1305", "chacha20-poly1305@openssh.com", None),
    ("aes128-gcm", "aes128-gcm@openssh.com", None),
    ("aes256-gcm", "aes256-gcm@openssh.com", None),
    ("aes128-ctr+hmac-sha2-256-etm", "aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
]
SSH_OPTS = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=20"]
CHUNK = 1 << 20
F_SETPIPE_SZ = 1031


def big_pipe(fd):
    """A 1 MiB pipe between ssh and this script: with the default 64 KiB
    the client stalls on a full pipe and the figures measure that, not the
    server."""
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, CHUNK)
    except OSError:
        pass


def children_cpu():
    """CPU seconds of this program's waited-for children so far: the ssh
    client of a transfer, once it has been waited for."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Bench:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.key = os.path.join(work, "id_ed25519")
        self.results = {"throughput": [], "login": [], "memory": [],
                        "sftp": [], "sessions": [], "unsupported": []}
        self.ssh = args.ssh
        self.cleanup_files = set()

    # ---- user -----------------------------------------------------------
    def add_user(self):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        self.key], check=True, stdin=subprocess.DEVNULL)
        self.uid = account.add(USER, self.key + ".pub").pw_uid

    def remove_user(self):
        account.remove(USER)

    # ---- helpers --------------------------------------------------------
    def ssh_argv(self, srv, *cmd, cipher=None, mac=None, kex=None):
        a = [self.ssh, "-p", str(srv.port), "-i", self.key] + SSH_OPTS
        if cipher:
            a += ["-c", cipher]
        if mac:
            a += ["-m", mac]
        if kex:
            a += ["-o", f"KexAlgorithms={kex}"]
        return a + [f"{USER}@127.0.0.1"] + list(cmd)

    def settle(self, srv, base_children, timeout=10.0):
        """Wait until the listener has reaped the connection's processes,
        so its cumulative CPU includes them."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(procs.children(srv.pid)) <= base_children:
                return
            time.sleep(0.02)

    def works(self, srv, cipher=None, mac=None, kex=None):
        r = subprocess.run(self.ssh_argv(srv, "true", cipher=cipher, mac=mac, kex=kex),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        err = r.stderr.decode(errors="replace").strip()
        return r.returncode == 0, err or f"ssh exited with status {r.returncode}"


    # ---- throughput -----------------------------------------------------
    def download(self, srv, cipher, mac, size):
        base = len(procs.children(srv.pid))
        cpu0 = srv.cpu_seconds()
        ccpu0 = children_cpu()
        p = subprocess.Popen(self.ssh_argv(srv, f"head -c {size} /dev/zero",
                                           cipher=cipher, mac=mac),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        fd = p.stdout.fileno()
        big_pipe(fd)
        got = 0
        t0 = None
        first = 0
        # One preallocated buffer: os.read() would allocate (and fault in)
        # a fresh megabyte per call, slower than the servers measured.
        buf = bytearray(CHUNK)
        while True:
            n = os.readv(fd, [buf])
            if not n:
                break
            if t0 is None:
                t0 = time.perf_counter()
                first = n
            got += n
            if got == size:
                # The last byte: what follows (EOF, exit status, close)
                # is session teardown, not throughput.
                t1 = time.perf_counter()
        if got != size:
            t1 = time.perf_counter()
        err = p.stderr.read().decode(errors="replace")
        p.wait()
        ccpu = children_cpu() - ccpu0
        self.settle(srv, base)
        cpu = srv.cpu_seconds() - cpu0
        if p.returncode != 0 or got != size:
            raise RuntimeError(f"download got {got} of {size} bytes, "
                               f"status {p.returncode}: {err.strip()}")
        return ((got - first) / (t1 - t0) / 1e6, cpu * (1 << 30) / size,
                ccpu * (1 << 30) / size)

    def upload(self, srv, cipher, mac, size):
        base = len(procs.children(srv.pid))
        cpu0 = srv.cpu_seconds()
        ccpu0 = children_cpu()
        p = subprocess.Popen(self.ssh_argv(srv, "echo go; cat | wc -c",
                                           cipher=cipher, mac=mac),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        big_pipe(p.stdin.fileno())
        line = p.stdout.readline()
        if line.strip() != b"go":
            p.kill()
            raise RuntimeError(f"upload: no start marker: {line!r} "
                               f"{p.stderr.read().decode(errors='replace')}")
        mv = memoryview(bytes(CHUNK))
        fd = p.stdin.fileno()
        left = size
        t0 = time.perf_counter()
        while left:
            left -= os.write(fd, mv[:min(left, CHUNK)])
        p.stdin.close()
        # wc prints its count once it has read the last byte: the timer
        # stops there, before the session's teardown.
        out = p.stdout.readline()
        t1 = time.perf_counter()
        p.stdout.read()
        err = p.stderr.read().decode(errors="replace")
        p.wait()
        ccpu = children_cpu() - ccpu0
        self.settle(srv, base)
        cpu = srv.cpu_seconds() - cpu0
        try:
            count = int(out.split()[0])
        except (IndexError, ValueError):
            count = -1
        if p.returncode != 0 or count != size:
            raise RuntimeError(f"upload: server counted {count} of {size} bytes, "
                               f"status {p.returncode}: {err.strip()}")
        return (size / (t1 - t0) / 1e6, cpu * (1 << 30) / size,
                ccpu * (1 << 30) / size)

    # ---- SFTP -----------------------------------------------------------
    def sftp_file(self, size):
        """The file put and fetched: on tmpfs when there is one, so the
        disk does not decide; the server side writes to tmpfs too."""
        base = "/dev/shm" if os.path.isdir("/dev/shm") else self.work
        path = os.path.join(base, f"nanossh-bench-{os.getpid()}.bin")
        if not os.path.exists(path) or os.path.getsize(path) != size:
            with open(path, "wb") as f:
                chunk = os.urandom(CHUNK)
                for _ in range(size // CHUNK):
                    f.write(chunk)
                f.write(chunk[:size % CHUNK])
            os.chmod(path, 0o644)
        self.cleanup_files.add(path)
        return path, base

    def sftp_remote(self, srv, size):
        base = self.sftp_file(size)[1]
        return os.path.join(base, f"nanossh-bench-{os.getpid()}-{srv.name}.remote")

    def sftp_warm(self, servers, size):
        """Before the gets: copy each file the puts left (and delete the
        copy), outside any server. Without it the first get after the
        puts runs about a quarter slower than the gets after it, whichever
        server and SFTP server it is (a copy here removes that; a pause
        does not), so the first in turn would carry it alone."""
        for srv in servers:
            remote = self.sftp_remote(srv, size)
            if not os.path.exists(remote):
                continue
            scratch = remote + ".warm"
            self.cleanup_files.add(scratch)
            with open(remote, "rb") as src, open(scratch, "wb") as dst:
                while True:
                    b = src.read(CHUNK)
                    if not b:
                        break
                    dst.write(b)
            os.unlink(scratch)

    def sftp(self, srv, subsystem, direction, size):
        """OpenSSH sftp's put or get of size bytes through subsystem: MB/s
        of the whole batch (login included: small against the transfer)
        and the server's CPU seconds per GiB (less swayed by other load
        on the machine than the rate)."""
        local = self.sftp_file(size)[0]
        remote = self.sftp_remote(srv, size)
        back = local + ".back"
        self.cleanup_files.update({remote, back})
        if direction == "get" and not os.path.exists(remote):
            self.sftp(srv, subsystem, "put", size)
        batch = (f"put {local} {remote}\n" if direction == "put"
                 else f"get {remote} {back}\n")
        argv = ["sftp", "-q", "-b", "-", "-s", subsystem, "-P", str(srv.port),
                "-i", self.key] + SSH_OPTS + [f"{USER}@127.0.0.1"]
        base_children = len(procs.children(srv.pid))
        cpu0 = srv.cpu_seconds()
        t0 = time.perf_counter()
        r = subprocess.run(argv, input=batch.encode(), capture_output=True, timeout=600)
        t1 = time.perf_counter()
        self.settle(srv, base_children)
        cpu = srv.cpu_seconds() - cpu0
        if r.returncode != 0:
            raise RuntimeError(f"sftp {direction} via {subsystem}: "
                               f"{r.stderr.decode(errors='replace').strip()}")
        check = remote if direction == "put" else back
        if os.path.getsize(check) != size:
            raise RuntimeError(f"sftp {direction}: {os.path.getsize(check)} of {size} bytes")
        if direction == "get":
            os.unlink(back)
        return size / (t1 - t0) / 1e6, cpu * (1 << 30) / size

    # ---- login ----------------------------------------------------------
    def login(self, srv, kex):
        base = len(procs.children(srv.pid))
        cpu0 = srv.cpu_seconds()
        t0 = time.perf_counter()
        r = subprocess.run(self.ssh_argv(srv, "true", kex=kex),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        t1 = time.perf_counter()
        self.settle(srv, base)
        cpu = srv.cpu_seconds() - cpu0
        if r.returncode != 0:
            raise RuntimeError(f"login failed: {r.stderr.decode(errors='replace').strip()}")
        return (t1 - t0) * 1000, cpu * 1000

    # ---- memory ---------------------------------------------------------
    def sessions(self, srv, n):
        """PSS of the server's own processes per idle authenticated session,
        n sessions each with an open session channel running sleep."""
        base_pss = procs.server_pss_kb(srv.pid, srv.exes())
        clients = []
        try:
            pending = []
            for i in range(n):
                p = subprocess.Popen(self.ssh_argv(srv, "echo up; exec sleep 3600"),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
                clients.append(p)
                pending.append(p)
                # A few logins in flight at once: Dropbear resets a fifth
                # unauthenticated connection from one address.
                if len(pending) >= 4:
                    self._await_up(pending.pop(0))
            for p in pending:
                self._await_up(p)
            time.sleep(0.5)
            pss = procs.server_pss_kb(srv.pid, srv.exes())
        finally:
            for p in clients:
                if p.poll() is None:
                    p.kill()
            for p in clients:
                p.wait()
                p.stdout.close()
                p.stderr.close()
        self.settle(srv, 0, timeout=30)
        return (pss - base_pss) / n

    @staticmethod
    def _await_up(p):
        line = p.stdout.readline()
        if line.strip() != b"up":
            p.kill()
            err = p.stderr.read().decode(errors="replace").strip()
            raise RuntimeError(f"session did not start (status {p.wait()}): {err}")

    # ---- many sessions from the load generator ----------------------------
    # Logins in flight at once: Dropbear resets a fifth unauthenticated
    # connection from one address; sshd drops past MaxStartups 10.
    INFLIGHT = {"dropbear": 4}

    def loadgen_sessions(self, srv, n):
        """n sessions held at once by nanossh-loadgen (one process, the
        engine's client role): each logged in with the throwaway user's key
        and with a session channel open (no command). Returns PSS of the
        server's own processes, less the idle server's, per session and in
        total; sessions opened per second; and sessions per second of the
        server's CPU while they were opened (handshakes per core)."""
        base_pss = procs.server_pss_kb(srv.pid, srv.exes())
        fds0 = _fds(srv.pid)
        cpu0 = srv.cpu_seconds()
        limit = max(120, n // 2)   # seconds per phase: a loaded machine logs in a few per second
        p = subprocess.Popen([self.args.loadgen, "-p", str(srv.port), "-u", USER,
                              "-i", self.key, "-n", str(n), "-t", str(limit),
                              "-c", str(self.INFLIGHT.get(srv.name, 8))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            line = p.stdout.readline().decode().split()
            cpu = srv.cpu_seconds() - cpu0
            if len(line) < 8 or line[0] != "held" or int(line[1]) != n:
                _, err = p.communicate(b"\n", timeout=limit)
                raise RuntimeError(f"load generator: {' '.join(line) or 'no answer'}: "
                                   f"{err.decode(errors='replace').strip()[:500]}")
            time.sleep(1.0)
            pss = procs.server_pss_kb(srv.pid, srv.exes())
            rate = float(line[7])
        finally:
            try:
                if p.poll() is None:
                    p.communicate(b"\n", timeout=limit)
            except (subprocess.TimeoutExpired, ValueError):
                p.kill()
                p.communicate()
        self.settle(srv, 0, timeout=60)
        # Single-process servers have no children to wait for: wait until
        # their sockets are closed.
        end = time.monotonic() + 60
        while time.monotonic() < end and _fds(srv.pid) > fds0:
            time.sleep(0.1)
        return {"pss_kb_per_session": (pss - base_pss) / n,
                "server_pss_kb": pss, "per_s": rate,
                "per_cpu_s": n / cpu if cpu > 0 else 0.0}

    def run_sessions(self, servers):
        a = self.args
        for srv in servers:
            counts = a.single_sessions if srv.name == "nanosshd-single" else a.load_sessions
            for n in counts:
                try:
                    r = self.loadgen_sessions(srv, n)
                except RuntimeError as e:
                    self.record_unsupported(srv, f"{n} sessions (load generator)", str(e))
                    break
                r.update({"server": srv.name, "sessions": n})
                self.results["sessions"].append(r)
                print(f"  {srv.name:15} {n:6} sessions: {r['pss_kb_per_session']:8.1f} kB "
                      f"PSS each, {r['server_pss_kb'] / 1024:8.1f} MiB in all, "
                      f"{r['per_s']:6.1f}/s, {r['per_cpu_s']:6.1f} per CPU second",
                      flush=True)

    # ---- the run --------------------------------------------------------
    def record_unsupported(self, srv, what, why):
        self.results["unsupported"].append({"server": srv.name, "what": what,
                                            "why": why[:300]})
        print(f"  {srv.name}: {what} not available: {why[:200]}", flush=True)

    def run(self, servers):
        a = self.args
        size = a.size << 20
        kexes = [("curve25519", "curve25519-sha256"), ("default", None)]
        q = subprocess.run([self.ssh, "-Q", "kex"], capture_output=True, text=True).stdout.split()
        if "mlkem768x25519-sha256" in q:
            kexes.append(("mlkem768x25519", "mlkem768x25519-sha256"))
        else:
            self.results["note_mlkem"] = ("the ssh client here does not offer "
                                         "mlkem768x25519-sha256 (OpenSSH 9.9 or newer does)")

        tests = a.tests
        # What each server can do at all.
        usable = {}
        for srv in servers:
            if not ({"throughput", "login"} & tests):
                break
            for label, c, m in CIPHERS:
                if not srv.supports(c):
                    self.record_unsupported(srv, label, "not implemented by this server")
                    continue
                ok, err = self.works(srv, cipher=c, mac=m)
                if ok:
                    usable[(srv.name, label)] = True
                else:
                    self.record_unsupported(srv, label, err)
            for label, k in kexes:
                if not srv.supports(None, kex=k):
                    self.record_unsupported(srv, "kex " + label, "not implemented by this server")
                    continue
                ok, err = self.works(srv, kex=k)
                if ok:
                    usable[(srv.name, "kex " + label)] = True
                else:
                    self.record_unsupported(srv, "kex " + label, err)

        for r in range(a.rounds):
            order = servers[r % len(servers):] + servers[:r % len(servers)]
            print(f"round {r + 1}/{a.rounds}", flush=True)
            for label, c, m in CIPHERS if "throughput" in tests else ():
                for srv in order:
                    if not usable.get((srv.name, label)):
                        continue
                    for direction, fn in (("download", self.download), ("upload", self.upload)):
                        mbs, cpu, ccpu = fn(srv, c, m, size)
                        self.results["throughput"].append(
                            {"server": srv.name, "cipher": label, "direction": direction,
                             "round": r, "mb_s": mbs, "cpu_s_per_gib": cpu,
                             "client_cpu_s_per_gib": ccpu})
                        print(f"  {srv.name:9} {label:30} {direction:8} {mbs:8.1f} MB/s "
                              f"cpu {cpu:5.2f} s/GiB", flush=True)
            sftp_size = a.sftp_size << 20
            for direction in ("put", "get") if "sftp" in tests else ():
                if direction == "get":
                    self.sftp_warm(order, sftp_size)
                for srv in order:
                    # The subsystems take turns going first too, so neither
                    # always follows the same transfer. Their turn must not
                    # follow the servers' rotation in step: with two servers
                    # and two subsystems one subsystem would always come
                    # first right after the other server's transfer.
                    subs = list(srv.sftp_subsystems().items())
                    n = len(servers)
                    k = (r // n + r % n) % len(subs) if subs else 0
                    for label, sub in subs[k:] + subs[:k]:
                        mbs, cpu = self.sftp(srv, sub, direction, sftp_size)
                        self.results["sftp"].append(
                            {"server": srv.name, "variant": label, "direction": direction,
                             "round": r, "mb_s": mbs, "cpu_s_per_gib": cpu})
                        print(f"  {srv.name:9} sftp {label:14} {direction:4} {mbs:8.1f} MB/s "
                              f"cpu {cpu:5.2f} s/GiB", flush=True)
            for label, k in kexes if "login" in tests else ():
                for _ in range(a.logins):
                    for srv in order:
                        if not usable.get((srv.name, "kex " + label)):
                            continue
                        ms, cpu = self.login(srv, k)
                        self.results["login"].append(
                            {"server": srv.name, "kex": label, "round": r, "ms": ms,
                             "cpu_ms": cpu})
                for srv in order:
                    vals = [x["ms"] for x in self.results["login"]
                            if x["server"] == srv.name and x["kex"] == label and x["round"] == r]
                    if vals:
                        print(f"  {srv.name:9} login {label:15} median "
                              f"{statistics.median(vals):7.1f} ms", flush=True)
        for n in a.sessions if "memory" in tests else ():
            for srv in servers:
                try:
                    kb = self.sessions(srv, n)
                except RuntimeError as e:
                    self.record_unsupported(srv, f"{n} idle sessions", str(e))
                    continue
                self.results["memory"].append({"server": srv.name, "sessions": n,
                                               "pss_kb_per_session": kb})
                print(f"  {srv.name:9} {n:5} sessions: {kb:8.1f} kB PSS per session",
                      flush=True)


def _fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(mem, 1),
            "kernel": platform.release(),
            "os": _os_release()}


def _os_release():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nanosshd", default="build/nanosshd")
    ap.add_argument("--servers", default="nanosshd,sshd,dropbear,tinysshd")
    ap.add_argument("--size", type=int, default=512, help="MiB per transfer")
    ap.add_argument("--sftp-size", type=int, default=1024,
                    help="MiB per SFTP put and get")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--logins", type=int, default=10, help="logins per kex per round")
    ap.add_argument("--sessions", default="1,10,100",
                    help="idle session counts for the memory figures")
    ap.add_argument("--quick", action="store_true",
                    help="tiny configuration: 8 MiB, 1 round, 2 logins, 1 and 4 sessions")
    ap.add_argument("--load-sessions", default="1,10,100,1000",
                    help="session counts held by nanossh-loadgen, every server")
    ap.add_argument("--single-sessions", default="1,10,100,1000,10000",
                    help="the same for nanosshd in single-process mode")
    ap.add_argument("--loadgen", default=None,
                    help="nanossh-loadgen (default: beside --nanosshd)")
    ap.add_argument("--tests", default="throughput,sftp,login,memory,sessions",
                    help="which measurements, comma-separated")
    ap.add_argument("--ssh", default="ssh", help="the ssh client to use")
    ap.add_argument("--out", default="bench/results",
                    help="folder for results.json, BENCHMARKS.md and plots")
    a = ap.parse_args()
    if a.quick:
        a.size, a.rounds, a.logins, a.sessions, a.sftp_size = 8, 1, 2, "1,4", 8
        a.load_sessions, a.single_sessions = "4", "100"
    a.sessions = [int(x) for x in a.sessions.split(",") if x]
    a.load_sessions = [int(x) for x in a.load_sessions.split(",") if x]
    a.single_sessions = [int(x) for x in a.single_sessions.split(",") if x]
    a.loadgen = a.loadgen or os.path.join(os.path.dirname(a.nanosshd), "nanossh-loadgen")
    a.tests = set(a.tests.split(","))
    if os.geteuid() != 0:
        sys.exit("bench.py must run as root (it creates a throwaway user)")
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="nanossh-bench-")
    os.chmod(work, 0o755)
    servers = make_servers(work, a.servers.split(","), a.nanosshd)
    # Single-process mode takes part in the sessions test only.
    single = (make_servers(work, ["nanosshd-single"], a.nanosshd)
              if "sessions" in a.tests and
              any(n.startswith("nanosshd") for n in a.servers.split(",")) else [])
    b = Bench(a, work)
    load_start = os.getloadavg()
    started = []
    status = 0
    try:
        b.add_user()
        for s in servers + single:
            s.start()
            started.append(s)
        accounting = ("control group" if all(s.cgroup for s in started)
                      else "listener and reaped children")
        b.run(servers)
        if "sessions" in a.tests:
            print("sessions held by the load generator", flush=True)
            b.run_sessions(single + servers)
    except Exception as e:  # report what failed, clean up, non-zero exit
        print(f"benchmark failed: {e}", file=sys.stderr)
        status = 1
    finally:
        for s in started:
            s.stop()
        for path in b.cleanup_files:
            try:
                os.unlink(path)
            except OSError:
                pass
        b.remove_user()
        shutil.rmtree(work, ignore_errors=True)
    if status:
        return status
    res = b.results
    res["machine"] = machine()
    res["cpu_accounting"] = accounting
    # Other work on the machine shows here: a benchmark wants both near 0.
    res["machine"]["loadavg_start"] = round(load_start[0], 2)
    res["machine"]["loadavg_end"] = round(os.getloadavg()[0], 2)
    res["versions"] = {s.name: s.version() for s in servers}
    res["versions"]["ssh client"] = subprocess.run(
        [a.ssh, "-V"], capture_output=True, text=True).stderr.strip()
    res["config"] = {"tests": sorted(a.tests), "size_mib": a.size, "sftp_size_mib": a.sftp_size, "rounds": a.rounds, "logins": a.logins,
                     "sessions": a.sessions, "load_sessions": a.load_sessions,
                     "single_sessions": a.single_sessions, "quick": a.quick}
    res["date"] = time.strftime("%Y-%m-%d")
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    report.write(res, a.out)
    print(f"wrote {a.out}/results.json and {a.out}/BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
