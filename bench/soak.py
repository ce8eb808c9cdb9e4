#!/usr/bin/python3
"""nanosshd soak: long transfers with frequent re-keys, then clients killed
mid-transfer, and nothing may be left behind.

Run through bench/soak.sh (as root). For each process model asked for
(UsePrivilegeSeparation yes and no), it starts nanosshd on 127.0.0.1 with
RekeyLimit (default 1M), logs in as a throwaway /bin/sh account (created
here, removed at the end) with the machine's OpenSSH client, and:

  1. transfers: N sessions at once (default 8), each moving SIZE MiB up and
     SIZE MiB down at the same time (random bytes; both SHA-256 sums are
     compared with the ones the remote side computed). Re-keys are counted
     from each client's debug log ("SSH2_MSG_NEWKEYS received", less the
     first exchange).
  2. kills: K clients (default 200, P at a time) that each start a transfer
     both ways and are SIGKILLed at a random point after their first byte
     of data arrived.

The daemon is sampled before (after one warm-up login, every connection
process gone), every half second during, and after (once every
connection process and every process of the account are gone): how many
processes run below the listener, the open file descriptors of the
listener (/proc/PID/fd) and of its whole tree, RSS, PSS and private
memory (USS) of the listener, and RSS and PSS of the daemon's own
processes. The run fails if a transfer is corrupt, a victim got no data
before it was killed, a process below the daemon or of the account is
left, the listener holds more descriptors than before, or its RSS or USS
grew by more than --mem-tolerance KiB; a login must still work at the end.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import account  # noqa: E402
import procs  # noqa: E402
import servers  # noqa: E402

USER = f"nsshsoak{os.getpid()}"
SSH_OPTS = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=60",
            "-o", "ServerAliveInterval=0"]
CHUNK = 1 << 20
F_SETPIPE_SZ = 1031

# Both directions at once, in the user's /bin/sh (dash: a background job
# gets /dev/null as stdin unless it is redirected from a saved copy). The
# remote side hashes what it receives and what it sends, and reports both
# sums on stderr once both directions are done.
TRANSFER = r'''set -e
d=$(mktemp -d)
mkfifo "$d/f"
exec 3<&0
sha256sum <&3 >"$d/up" &
a=$!
sha256sum <"$d/f" >"$d/down" &
b=$!
head -c {size} /dev/urandom | tee "$d/f"
wait $a
wait $b
echo "up $(cut -d' ' -f1 "$d/up")" >&2
echo "down $(cut -d' ' -f1 "$d/down")" >&2
rm -r "$d"
'''
# A victim: downloads and uploads until it is killed.
VICTIM = 'exec 3<&0; cat <&3 >/dev/null & exec head -c 68719476736 /dev/zero'


def big_pipe(f):
    try:
        import fcntl
        fcntl.fcntl(f.fileno(), F_SETPIPE_SZ, CHUNK)
    except OSError:
        pass


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def uss_kb(pid):
    """Private memory (clean and dirty): what the process alone holds,
    unlike PSS, which moves when other processes that share its pages
    (the same binary run by anyone else) start or stop."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sample:
    """One look at the daemon."""

    def __init__(self, srv, uid):
        self.t = time.monotonic()
        tree = procs.tree(srv.pid)
        self.below = len(tree) - 1
        self.user_procs = len(account.processes_of(uid))
        self.listener_fds = fd_count(srv.pid)
        self.tree_fds = sum(fd_count(p) for p in tree)
        self.listener_rss = rss_kb(srv.pid)
        self.listener_pss = procs.pss_kb(srv.pid)
        self.listener_uss = uss_kb(srv.pid)
        own = [p for p in tree if procs.exe(p) == srv.path]
        self.daemon_procs = len(own)
        self.daemon_rss = sum(rss_kb(p) for p in own)
        self.daemon_pss = sum(procs.pss_kb(p) for p in own)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items()}


class Sampler(threading.Thread):
    def __init__(self, srv, uid, period=0.5):
        super().__init__(daemon=True)
        self.srv, self.uid, self.period = srv, uid, period
        self.samples = []
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.samples.append(Sample(self.srv, self.uid))
            except OSError:
                pass
            self.stop_flag.wait(self.period)

    def peak(self, field):
        return max((getattr(s, field) for s in self.samples), default=0)


class Soak:
    def __init__(self, args, work):
        self.a = args
        self.work = work
        self.key = os.path.join(work, "id_ed25519")

    def ssh_argv(self, srv, cmd, log=None):
        a = ["ssh", "-p", str(srv.port), "-i", self.key] + SSH_OPTS
        a += ["-o", f"RekeyLimit={self.a.client_rekey}"] if self.a.client_rekey else []
        if log:
            a += ["-o", "LogLevel=DEBUG1", "-E", log]
        else:
            a += ["-o", "LogLevel=ERROR"]
        return a + [f"{USER}@127.0.0.1", cmd]

    # ---- phase 1: long transfers with re-keys ------------------------------
    def transfer(self, srv, i, out):
        size = self.a.size << 20
        log = os.path.join(self.work, f"{srv.name}-session{i}.log")
        p = subprocess.Popen(self.ssh_argv(srv, TRANSFER.format(size=size), log),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        big_pipe(p.stdin)
        big_pipe(p.stdout)
        res = {"session": i, "up_bytes": 0, "down_bytes": 0}
        up, down, err = hashlib.sha256(), hashlib.sha256(), []

        def send():
            left = size
            try:
                while left:
                    chunk = os.urandom(min(CHUNK, left))
                    up.update(chunk)
                    p.stdin.write(chunk)
                    left -= len(chunk)
                    res["up_bytes"] += len(chunk)
                p.stdin.close()
            except (BrokenPipeError, OSError) as e:
                res["send_error"] = str(e)

        def drain_err():
            err.append(p.stderr.read())

        t0 = time.monotonic()
        th = [threading.Thread(target=send), threading.Thread(target=drain_err)]
        for t in th:
            t.start()
        while True:
            chunk = p.stdout.read1(CHUNK)
            if not chunk:
                break
            down.update(chunk)
            res["down_bytes"] += len(chunk)
        for t in th:
            t.join()
        rc = p.wait()
        res["seconds"] = round(time.monotonic() - t0, 1)
        sums = dict(line.split()[:2] for line in err[0].decode(errors="replace").splitlines()
                    if line.startswith(("up ", "down ")) and len(line.split()) >= 2)
        with open(log, errors="replace") as f:
            text = f.read()
        res["rekeys"] = max(0, text.count("SSH2_MSG_NEWKEYS received") - 1)
        res["ok"] = (rc == 0 and res["up_bytes"] == size and res["down_bytes"] == size
                     and sums.get("up") == up.hexdigest()
                     and sums.get("down") == down.hexdigest())
        if not res["ok"]:
            res["why"] = (f"ssh status {rc}, {res['up_bytes']} up, {res['down_bytes']} down, "
                          f"sums {sums} vs up {up.hexdigest()} down {down.hexdigest()}; "
                          f"stderr {err[0][-500:]!r}")
        out[i] = res

    def transfers(self, srv):
        out = [None] * self.a.sessions
        th = [threading.Thread(target=self.transfer, args=(srv, i, out))
              for i in range(self.a.sessions)]
        t0 = time.monotonic()
        for t in th:
            t.start()
        for t in th:
            t.join()
        return out, time.monotonic() - t0

    # ---- phase 2: clients killed mid-transfer --------------------------------
    def victim(self, srv, rng):
        p = subprocess.Popen(self.ssh_argv(srv, VICTIM), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        got = {"down": 0, "up": 0}
        first = threading.Event()

        def recv():
            try:
                while True:
                    chunk = p.stdout.read1(CHUNK)
                    if not chunk:
                        break
                    got["down"] += len(chunk)
                    first.set()
            except (OSError, ValueError):
                pass
            first.set()

        def send():
            zero = bytes(256 << 10)
            try:
                while True:
                    p.stdin.write(zero)
                    p.stdin.flush()
                    got["up"] += len(zero)
            except (OSError, ValueError):
                pass

        th = [threading.Thread(target=recv, daemon=True),
              threading.Thread(target=send, daemon=True)]
        for t in th:
            t.start()
        first.wait(120)
        mid = p.poll() is None and got["down"] > 0
        time.sleep(rng.uniform(0, self.a.kill_within))
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        return {"mid_transfer": mid, "down": got["down"], "up": got["up"]}

    def kills(self, srv):
        rng = random.Random(self.a.seed)
        seeds = [rng.random() for _ in range(self.a.kills)]
        out, lock, nxt = [], threading.Lock(), [0]

        def worker():
            while True:
                with lock:
                    if nxt[0] >= len(seeds):
                        return
                    i = nxt[0]
                    nxt[0] += 1
                r = self.victim(srv, random.Random(seeds[i]))
                with lock:
                    out.append(r)

        t0 = time.monotonic()
        th = [threading.Thread(target=worker) for _ in range(self.a.kill_parallel)]
        for t in th:
            t.start()
        for t in th:
            t.join()
        return out, time.monotonic() - t0

    # ---- one process model ----------------------------------------------------
    def settle(self, srv, uid, timeout):
        """Wait until nothing runs below the listener or as the account."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not procs.children(srv.pid) and not account.processes_of(uid):
                return True
            time.sleep(0.2)
        return False

    def login(self, srv):
        r = subprocess.run(self.ssh_argv(srv, "echo in"), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=120)
        return r.returncode == 0 and r.stdout == b"in\n"

    def run_model(self, privsep, uid):
        a = self.a
        srv = servers.Nanosshd(self.work, a.nanosshd, name=f"nanosshd-privsep-{privsep}",
                               opts=[f"UsePrivilegeSeparation={privsep}",
                                     f"RekeyLimit={a.rekey}", "LogLevel=INFO"])
        rep = {"model": f"UsePrivilegeSeparation {privsep}", "failures": []}
        fail = rep["failures"].append
        srv.start()
        try:
            if not self.login(srv):
                fail("warm-up login failed")
            self.settle(srv, uid, 30)
            before = Sample(srv, uid)
            cpu0 = srv.cpu_seconds()
            sampler = Sampler(srv, uid)
            sampler.start()
            print(f"{srv.name}: {a.sessions} sessions x {a.size} MiB each way, "
                  f"RekeyLimit {a.rekey}", flush=True)
            res, secs = self.transfers(srv)
            moved = sum(r["up_bytes"] + r["down_bytes"] for r in res)
            rep["transfers"] = {"sessions": res, "seconds": round(secs, 1),
                                "bytes": moved,
                                "rekeys": sum(r["rekeys"] for r in res),
                                "mib_per_s": round(moved / secs / (1 << 20), 1)}
            for r in res:
                if not r["ok"]:
                    fail(f"session {r['session']}: {r['why']}")
            print(f"  moved {moved / (1 << 20):.0f} MiB in {secs:.0f} s, "
                  f"{rep['transfers']['rekeys']} re-keys (client count), "
                  f"{sum(r['ok'] for r in res)}/{len(res)} sums match", flush=True)
            mid = Sample(srv, uid)
            print(f"{srv.name}: {a.kills} clients killed mid-transfer, "
                  f"{a.kill_parallel} at a time", flush=True)
            vic, ksecs = self.kills(srv)
            rep["kills"] = {"clients": len(vic), "seconds": round(ksecs, 1),
                            "mid_transfer": sum(v["mid_transfer"] for v in vic),
                            "mib_down_before_kill": round(sum(v["down"] for v in vic) / (1 << 20), 1)}
            if rep["kills"]["mid_transfer"] != len(vic):
                fail(f"{len(vic) - rep['kills']['mid_transfer']} victims got no data "
                     f"before the kill")
            settled = self.settle(srv, uid, a.settle)
            sampler.stop_flag.set()
            sampler.join()
            after = Sample(srv, uid)
            rep["cpu_seconds"] = round(srv.cpu_seconds() - cpu0, 1)
            rep["settled"] = settled
            rep["before"], rep["between"], rep["after"] = (
                before.as_dict(), mid.as_dict(), after.as_dict())
            rep["peak"] = {f: sampler.peak(f) for f in
                           ("below", "user_procs", "listener_fds", "tree_fds",
                            "listener_rss", "listener_pss", "listener_uss",
                            "daemon_rss", "daemon_pss")}
            rep["samples"] = len(sampler.samples)
            if after.below:
                fail(f"{after.below} processes left below the daemon")
            if after.user_procs:
                fail(f"{after.user_procs} processes of the account left")
            if after.listener_fds > before.listener_fds:
                fail(f"listener fds {before.listener_fds} -> {after.listener_fds}")
            for f in ("listener_rss", "listener_uss"):
                grew = getattr(after, f) - getattr(before, f)
                if grew > a.mem_tolerance:
                    fail(f"{f} grew by {grew} KiB (tolerance {a.mem_tolerance} KiB)")
            if not self.login(srv):
                fail("login after the soak failed")
            print(f"  {rep['kills']['mid_transfer']}/{len(vic)} killed mid-transfer "
                  f"in {ksecs:.0f} s; server CPU {rep['cpu_seconds']} s", flush=True)
            self.print_samples(rep)
        finally:
            srv.stop()
        return rep

    @staticmethod
    def print_samples(rep):
        b, m, a, p = rep["before"], rep["between"], rep["after"], rep["peak"]
        print(f"  {'':24}{'before':>10}{'transfers':>10}{'peak':>10}{'after':>10}")
        for label, f in (("processes below", "below"), ("account's processes", "user_procs"),
                         ("listener fds", "listener_fds"), ("fds of the tree", "tree_fds"),
                         ("listener RSS KiB", "listener_rss"),
                         ("listener PSS KiB", "listener_pss"),
                         ("listener USS KiB", "listener_uss"),
                         ("daemon RSS KiB (all)", "daemon_rss"),
                         ("daemon PSS KiB (all)", "daemon_pss")):
            pk = p.get(f, "")
            print(f"  {label:24}{b[f]:>10}{m[f]:>10}{pk:>10}{a[f]:>10}")
        print("  " + ("PASS" if not rep["failures"] else
                      "FAIL: " + "; ".join(rep["failures"])), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nanosshd", default="build/nanosshd")
    ap.add_argument("--privsep", default="yes,no",
                    help="process models to soak: UsePrivilegeSeparation values")
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--size", type=int, default=256, help="MiB each way per session")
    ap.add_argument("--rekey", default="1M", help="the server's RekeyLimit")
    ap.add_argument("--client-rekey", default="",
                    help="the client's RekeyLimit too (default: the server's only)")
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--kill-parallel", type=int, default=20)
    ap.add_argument("--kill-within", type=float, default=2.0,
                    help="seconds after the first data within which each victim dies")
    ap.add_argument("--mem-tolerance", type=int, default=256,
                    help="KiB the listener's RSS and private memory (USS) may grow")
    ap.add_argument("--settle", type=float, default=60.0,
                    help="seconds allowed for every process to end after the kills")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--smoke", action="store_true",
                    help="seconds, not minutes: 2 sessions x 4 MiB, 10 kills")
    ap.add_argument("--json", default="", help="write the report here too")
    ap.add_argument("--keep", action="store_true",
                    help="keep the scratch folder (server and client logs)")
    a = ap.parse_args()
    if a.smoke:
        a.sessions, a.size, a.kills, a.kill_parallel, a.kill_within = 2, 4, 10, 5, 0.5
    if os.geteuid() != 0:
        sys.exit("soak.py must run as root (it creates a throwaway user)")
    os.nice(a.nice)
    work = tempfile.mkdtemp(prefix="nanossh-soak-")
    os.chmod(work, 0o755)
    load = [os.getloadavg()[0]]
    reports = []
    try:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        os.path.join(work, "id_ed25519")], check=True,
                       stdin=subprocess.DEVNULL)
        uid = account.add(USER, os.path.join(work, "id_ed25519.pub")).pw_uid
        soak = Soak(a, work)
        for model in a.privsep.split(","):
            t0 = time.monotonic()
            rep = soak.run_model(model, uid)
            rep["wall_seconds"] = round(time.monotonic() - t0, 1)
            load.append(os.getloadavg()[0])
            reports.append(rep)
    finally:
        account.remove(USER)
        if a.keep:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    summary = {"config": {k: v for k, v in vars(a).items() if k != "json"},
               "loadavg_1min": [round(x, 2) for x in load],
               "nproc": os.cpu_count(), "models": reports}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=1)
    bad = [r for r in reports if r["failures"]]
    print(f"load average (1 min) at start and after each model: "
          f"{', '.join(f'{x:.1f}' for x in load)}")
    print("soak: " + ("FAIL" if bad else "PASS"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
