#!/usr/bin/python3
"""nanosshd hardening figures: floods, password guessing and DHEat, measured
against nanosshd (its defaults, and settings that show the effect of each
defence) and Debian's OpenSSH sshd as the peer, in one run.

Run through bench/hardening.sh (as root). Every server listens on
127.0.0.1 with fresh host keys and is started afresh for each measurement,
so no penalty carries over. Sources are other loopback addresses (all of
127/8 is loopback on Linux): the client sockets are bound to them. A
throwaway /bin/sh account with a key and a random password is the login.

  flood  N idle TCP connections held from 127.0.0.1 (they never send a
         byte), then LOGINS key logins from 127.0.0.2 one after another:
         how many succeed.
  guess  PARALLEL connections from 127.0.0.3 guessing passwords (paramiko,
         each connection until the server closes it, then a new one) for
         SECONDS: wrong guesses answered per second, in the first ten
         seconds and overall, when the source was first refused, and
         whether key logins from 127.0.0.2 got through at the end.
  dheat  diffie-hellman-group-exchange-sha256 asking 2048/8192/8192 bits
         with a random e (what a DHEat client sends: it costs the client
         nothing), against curve25519-sha256 and diffie-hellman-group18-
         sha512 (random e too): the group size served and the server's CPU
         per handshake (its control group, or the listener and its reaped
         children; every connection process ended before reading), with
         the source exempt from penalties; then, with the defaults, how
         many 8192-bit requests one source gets before it is refused.

Prints a report and writes --json.
"""
import argparse
import json
import logging
import os
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "interop"))
import account  # noqa: E402
import procs  # noqa: E402
import rawssh  # noqa: E402
import servers  # noqa: E402

USER = f"nsshhard{os.getpid()}"
FLOODER, VICTIM, GUESSER, DHCOST, DHBUDGET = (
    "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
SSH_OPTS = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=30"]
MSG_KEXDH_INIT, MSG_KEXDH_REPLY = 30, 31
MSG_GEX_GROUP, MSG_GEX_INIT, MSG_GEX_REPLY, MSG_GEX_REQUEST = 31, 32, 33, 34
GEX = "diffie-hellman-group-exchange-sha256"
KEX = {"gex-8192": GEX, "curve25519": "curve25519-sha256",
       "group18": "diffie-hellman-group18-sha512"}


# ---- servers ------------------------------------------------------------------

class Peers:
    """Makes the servers of one measurement; each stopped after it."""

    def __init__(self, args, work):
        self.a, self.work = args, work
        self.n = 0

    def slug(self, label):
        self.n += 1
        return f"{self.n}-" + "".join(c if c.isalnum() else "-" for c in label)

    def nanosshd(self, label, opts=()):
        return servers.Nanosshd(self.work, self.a.nanosshd, name=self.slug(label),
                                opts=list(opts) + self.a.nanosshd_opt, tuned=False)

    def sshd(self, label, lines=()):
        return servers.Sshd(self.work, name=self.slug(label), lines=lines,
                            tuned=False)


def wait_idle(srv, timeout=30.0):
    """Until nothing runs below the listener (every connection process
    reaped, so its CPU is in the listener's cutime and in the group)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and procs.children(srv.pid):
        time.sleep(0.05)


def log_text(srv):
    with open(os.path.join(srv.dir, "server.log"), errors="replace") as f:
        return f.read()


# ---- clients ------------------------------------------------------------------

class Client(rawssh.RawClient):
    """rawssh's client with its socket bound to a chosen source address."""

    def __init__(self, port, source, timeout=30.0):
        self.deadline = time.monotonic() + timeout
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.settimeout(timeout)
        s.connect(("127.0.0.1", port))
        self.sock, self.buf, self.server_version = s, b"", None


def mpint(v):
    raw = v.to_bytes((v.bit_length() + 8) // 8, "big") if v else b""
    return struct.pack(">I", len(raw)) + raw


def handshake(port, source, kind):
    """One key exchange up to the server's reply, then close. Returns
    (bits of the group or 0, True if the server replied), or raises
    EOFError/OSError when the connection is refused."""
    c = Client(port, source)
    try:
        c.send_version()
        c.read_version()
        c.send_payload(rawssh.kexinit_payload(kex=KEX[kind], hostkey="ssh-ed25519"))
        p = c.read_packet()
        if p.type != rawssh.MSG_KEXINIT:
            return 0, False
        if kind == "gex-8192":
            c.send_payload(struct.pack(">BIII", MSG_GEX_REQUEST, 2048, 8192, 8192))
            p = c.read_packet()
            if p.type != MSG_GEX_GROUP:
                return 0, False
            (ln,) = struct.unpack(">I", p.payload[1:5])
            prime = int.from_bytes(p.payload[5:5 + ln], "big")
            e = 2 + secrets.randbelow(prime - 3)
            c.send_payload(bytes([MSG_GEX_INIT]) + mpint(e))
            return prime.bit_length(), c.read_packet().type == MSG_GEX_REPLY
        if kind == "curve25519":
            c.send_payload(bytes([MSG_KEXDH_INIT]) + struct.pack(">I", 32) +
                           secrets.token_bytes(32))
            return None, c.read_packet().type == MSG_KEXDH_REPLY
        # group18 (RFC 3526 section 7): p has its top 64 bits set, so any
        # e below 2^8191 is inside 1 < e < p-1.
        e = secrets.randbits(8191) | (1 << 8190)
        c.send_payload(bytes([MSG_KEXDH_INIT]) + mpint(e))
        return 8192, c.read_packet().type == MSG_KEXDH_REPLY
    finally:
        c.close()


class Run:
    def __init__(self, args, work):
        self.a, self.work = args, work
        self.key = os.path.join(work, "id_ed25519")
        self.peers = Peers(args, work)
        self.out = {"flood": [], "guess": [], "dheat": [], "dheat_budget": []}

    def login(self, srv, source):
        t0 = time.monotonic()
        try:
            r = subprocess.run(["ssh", "-p", str(srv.port), "-i", self.key, "-b", source]
                               + SSH_OPTS + [f"{USER}@127.0.0.1", "echo in"],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=self.a.login_timeout)
        except subprocess.TimeoutExpired:
            return False, time.monotonic() - t0   # counted as failed
        return r.returncode == 0 and r.stdout == b"in\n", time.monotonic() - t0

    # ---- flood ------------------------------------------------------------------
    def flood(self, srv, label, n):
        srv.start()
        try:
            held, failed = [], 0
            for _ in range(n):
                try:
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.bind((FLOODER, 0))
                    s.settimeout(10)
                    s.connect(("127.0.0.1", srv.port))
                    held.append(s)
                except OSError:
                    failed += 1
            time.sleep(self.a.flood_settle)   # the listener sees them all
            pending = len(procs.children(srv.pid))
            ok, times = 0, []
            for _ in range(self.a.logins):
                good, secs = self.login(srv, VICTIM)
                ok += good
                times.append(secs)
            for s in held:
                s.close()
            row = {"server": label, "flood": n, "connect_failed": failed,
                   "processes_during": pending, "logins": self.a.logins,
                   "succeeded": ok, "mean_login_s": round(sum(times) / len(times), 2)}
        finally:
            srv.stop()
        self.out["flood"].append(row)
        print(f"  flood {n:4} from {FLOODER} on {label:55}: {ok}/{self.a.logins} logins "
              f"from {VICTIM} ({row['mean_login_s']} s each; "
              f"{pending} connection processes)", flush=True)

    # ---- password guessing ----------------------------------------------------------
    def guess(self, srv, label):
        import paramiko
        logging.getLogger("paramiko").setLevel(logging.CRITICAL + 1)
        srv.start()
        stop = threading.Event()
        lock = threading.Lock()
        t_start = time.monotonic()
        guesses, refusals, conns = [], [], [0]

        def attacker():
            while not stop.is_set():
                t = None
                try:
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.bind((GUESSER, 0))
                    s.settimeout(30)
                    s.connect(("127.0.0.1", srv.port))
                    t = paramiko.Transport(s)
                    t.banner_timeout = 30
                    t.start_client(timeout=30)
                    with lock:
                        conns[0] += 1
                except Exception:
                    with lock:
                        refusals.append(time.monotonic() - t_start)
                    if t:
                        t.close()
                    stop.wait(0.1)
                    continue
                try:
                    while not stop.is_set():
                        try:
                            t.auth_password(USER, secrets.token_hex(8))
                        except paramiko.AuthenticationException:
                            with lock:
                                guesses.append(time.monotonic() - t_start)
                except Exception:
                    pass
                finally:
                    t.close()

        first_penalty = []

        def watch():
            # When the first connection is dropped for the penalty.
            while not stop.is_set() and not first_penalty:
                if "penalty: failed authentication" in log_text(srv):
                    first_penalty.append(time.monotonic() - t_start)
                stop.wait(0.25)

        th = [threading.Thread(target=attacker, daemon=True)
              for _ in range(self.a.guess_parallel)]
        th.append(threading.Thread(target=watch, daemon=True))
        try:
            for t in th:
                t.start()
            time.sleep(self.a.guess_seconds)
            # Key logins from elsewhere while the guessing goes on.
            ok = 0
            for _ in range(self.a.logins):
                ok += self.login(srv, VICTIM)[0]
            elapsed = time.monotonic() - t_start
            stop.set()
            for t in th:
                t.join(40)
            text = log_text(srv)
        finally:
            srv.stop()
        guesses = [g for g in guesses if g <= elapsed]
        first10 = sum(1 for g in guesses if g < 10)
        row = {"server": label, "parallel": self.a.guess_parallel,
               "seconds": round(elapsed, 1), "guesses": len(guesses),
               "per_s_overall": round(len(guesses) / elapsed, 2),
               "per_s_first_10s": round(first10 / 10, 2),
               "per_s_after_30s": round(sum(1 for g in guesses if g >= 30) /
                                        max(1e-9, elapsed - 30), 2),
               "connections": conns[0], "refused": len(refusals),
               "first_penalty_drop_s": round(first_penalty[0], 1) if first_penalty else None,
               "penalty_drops_logged": text.count("penalty: failed authentication"),
               "maxstartups_drops_logged": text.count("past MaxStartups"),
               "other_source_logins": ok, "logins": self.a.logins}
        self.out["guess"].append(row)
        print(f"  guessing on {label:40}: {row['guesses']} guesses in {row['seconds']} s = "
              f"{row['per_s_overall']}/s ({row['per_s_first_10s']}/s in the first 10 s, "
              f"{row['per_s_after_30s']}/s after 30 s); {row['connections']} connections, "
              f"{row['refused']} refused ({row['penalty_drops_logged']} for the penalty, "
              f"the first at {row['first_penalty_drop_s']} s; "
              f"{row['maxstartups_drops_logged']} past MaxStartups); "
              f"{ok}/{self.a.logins} logins from {VICTIM}", flush=True)

    # ---- DHEat ----------------------------------------------------------------------
    def dheat_cost(self, srv, label, kinds):
        srv.start()
        try:
            for kind in kinds:
                wait_idle(srv)
                cpu0 = srv.cpu_seconds()
                bits, done, refused = 0, 0, 0
                t0 = time.monotonic()
                for _ in range(self.a.dheat_n):
                    try:
                        b, ok = handshake(srv.port, DHCOST, kind)
                    except (EOFError, OSError, ValueError):
                        refused += 1
                        continue
                    bits, done = b, done + ok
                wait_idle(srv)
                secs = time.monotonic() - t0
                cpu = srv.cpu_seconds() - cpu0
                row = {"server": label, "kex": kind, "bits": bits,
                       "handshakes": done, "refused": refused,
                       "server_cpu_ms_per_handshake": round(1000 * cpu / max(1, done), 1),
                       "wall_ms_per_handshake": round(1000 * secs / max(1, done), 1)}
                self.out["dheat"].append(row)
                print(f"  {kind:10} on {label:40}: {bits or 'X25519'} bits, {done}/{self.a.dheat_n} "
                      f"replies, {row['server_cpu_ms_per_handshake']} ms server CPU "
                      f"each ({row['wall_ms_per_handshake']} ms wall)", flush=True)
        finally:
            srv.stop()

    def dheat_budget(self, srv, label, limit):
        srv.start()
        try:
            done, t0, refused_at = 0, time.monotonic(), None
            for i in range(limit):
                try:
                    _, ok = handshake(srv.port, DHBUDGET, "gex-8192")
                except (EOFError, OSError, ValueError):
                    ok = False
                if not ok:
                    refused_at = round(time.monotonic() - t0, 1)
                    break
                done += 1
                time.sleep(0.05)
            other, _ = self.login(srv, VICTIM)
            text = log_text(srv)
        finally:
            srv.stop()
        row = {"server": label, "tried": limit, "replied": done,
               "refused_after_s": refused_at, "other_source_login": other,
               "kex_dh_penalty_logged": "penalty: Diffie-Hellman key exchanges" in text,
               "noauth_penalty_logged":
                   "penalty: connections without attempting authentication" in text}
        self.out["dheat_budget"].append(row)
        print(f"  DHEat budget on {label:35}: {done} of up to {limit} 8192-bit "
              f"requests answered" + (f", then refused ({refused_at} s)" if refused_at
                                      else ", never refused") +
              f"; login from {VICTIM}: {'yes' if other else 'NO'}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nanosshd", default="build/nanosshd")
    ap.add_argument("--nanosshd-opt", action="append", default=[],
                    help="an -o value for every nanosshd (e.g. UsePrivilegeSeparation=yes)")
    ap.add_argument("--no-sshd", action="store_true", help="leave out the sshd peer")
    ap.add_argument("--tests", default="flood,guess,dheat")
    ap.add_argument("--floods", default="100,200")
    ap.add_argument("--flood-settle", type=float, default=3.0)
    ap.add_argument("--logins", type=int, default=5)
    ap.add_argument("--login-timeout", type=float, default=120.0,
                    help="seconds after which a login counts as failed")
    ap.add_argument("--guess-parallel", type=int, default=40)
    ap.add_argument("--guess-seconds", type=float, default=45.0)
    ap.add_argument("--dheat-n", type=int, default=10)
    ap.add_argument("--dheat-budget", type=int, default=30)
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--json", default="")
    ap.add_argument("--keep", action="store_true",
                    help="keep the scratch folder (server logs) and print its path")
    a = ap.parse_args()
    tests = set(a.tests.split(","))
    if os.geteuid() != 0:
        sys.exit("hardening.py must run as root (it creates a throwaway user)")
    os.nice(a.nice)
    work = tempfile.mkdtemp(prefix="nanossh-hardening-")
    os.chmod(work, 0o755)
    load = [os.getloadavg()[0]]
    run = Run(a, work)
    P, sshd = run.peers, not a.no_sshd
    try:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", run.key],
                       check=True, stdin=subprocess.DEVNULL)
        account.add(USER, run.key + ".pub", password=secrets.token_urlsafe(18))
        if "flood" in tests:
            print("flood: idle connections from one source, logins from another", flush=True)
            for n in [int(x) for x in a.floods.split(",")]:
                run.flood(P.nanosshd("nanosshd defaults"), "nanosshd defaults", n)
                run.flood(P.nanosshd("nanosshd PerSourceMaxStartups 10",
                                     ["PerSourceMaxStartups=10"]),
                          "nanosshd PerSourceMaxStartups 10", n)
                # The per-source share below MaxStartups' start, as the
                # manual advises: others never reach the random drop.
                run.flood(P.nanosshd("nanosshd PerSourceMaxStartups 10 MaxStartups 20",
                                     ["PerSourceMaxStartups=10", "MaxStartups=20:30:100"]),
                          "nanosshd PerSourceMaxStartups 10, MaxStartups 20:30:100", n)
                if sshd:
                    run.flood(P.sshd("sshd"), "sshd defaults", n)
            load.append(os.getloadavg()[0])
        if "guess" in tests:
            print(f"guess: {a.guess_parallel} connections guessing passwords from "
                  f"{GUESSER}", flush=True)
            run.guess(P.nanosshd("nanosshd defaults"), "nanosshd defaults")
            run.guess(P.nanosshd("nanosshd PerSourcePenalties no",
                                 ["PerSourcePenalties=no"]),
                      "nanosshd PerSourcePenalties no")
            if sshd:
                run.guess(P.sshd("sshd", ["UsePAM yes", "KbdInteractiveAuthentication no"]),
                          "sshd UsePAM yes")
            load.append(os.getloadavg()[0])
        if "dheat" in tests:
            print("dheat: server CPU per handshake (source exempt from penalties)", flush=True)
            kinds = ["gex-8192", "curve25519", "group18"]
            exempt = f"PerSourcePenaltyExemptList={DHCOST}"
            run.dheat_cost(P.nanosshd("nanosshd defaults", [exempt]),
                           "nanosshd defaults (cap 4096)", kinds)
            run.dheat_cost(P.nanosshd("nanosshd DHGroupExchangeMaxSize 8192",
                                      [exempt, "DHGroupExchangeMaxSize=8192"]),
                           "nanosshd DHGroupExchangeMaxSize 8192", ["gex-8192"])
            if sshd:
                run.dheat_cost(P.sshd("sshd"), "sshd defaults", kinds)
            run.dheat_budget(P.nanosshd("nanosshd defaults"), "nanosshd defaults",
                             a.dheat_budget)
            if sshd:
                run.dheat_budget(P.sshd("sshd"), "sshd defaults", a.dheat_budget)
            load.append(os.getloadavg()[0])
    finally:
        account.remove(USER)
        if a.keep:
            print(f"server logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    out = run.out
    out["loadavg_1min"] = [round(x, 2) for x in load]
    out["nproc"] = os.cpu_count()
    out["config"] = {k: v for k, v in vars(a).items() if k != "json"}
    out["versions"] = {"nanosshd": subprocess.run([a.nanosshd, "-V"], capture_output=True,
                                                  text=True).stderr.strip()
                       or subprocess.run([a.nanosshd, "-V"], capture_output=True,
                                         text=True).stdout.strip(),
                       "sshd": "OpenSSH sshd " + servers.deb_version("openssh-server")}
    print(f"load average (1 min) at start and after each test: "
          f"{', '.join(f'{x:.1f}' for x in load)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
