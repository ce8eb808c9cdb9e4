"""The interoperability matrix: one row per client and algorithm.

Each row runs inside `MatrixServer.row(client, version, category,
algorithm)`, which records whether it passed in a JSON-lines file that
tools/interop_matrix.py turns into a Markdown table (INTEROP.md). The file
is $NSSH_INTEROP_JSON, or interop-matrix.jsonl next to the daemon under
test; it is emptied by the first row of a run.

The rows of a module share one daemon (`matrix_server` fixture) with every
host key type nanossh serves, so a client's host key preference is
honoured among several keys. After each row the daemon's connection
processes must have exited and left no sanitizer report.
"""
import contextlib
import json
import os
import pathlib
import re
import subprocess
import time

import pytest

from conftest import ROOT, Key, make_key
from processes import SANITIZER_MARKS, Server, daemon_env, descendants, free_port

# What nanosshd offers by default, in its order of preference, then the
# NIST-curve exchanges, which it has but offers only when configured
# (the matrix daemon turns them on).
NIST_KEXES = ["ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"]
KEXES = ["mlkem768x25519-sha256", "sntrup761x25519-sha512",
         "sntrup761x25519-sha512@openssh.com", "curve25519-sha256",
         "curve25519-sha256@libssh.org",
         "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
         "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256"] + NIST_KEXES
HOSTKEY_ALGS = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256"]
CIPHERS = ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
           "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"]
MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512"]

# Host keys of the matrix daemon: file name, ssh-keygen type and bits.
HOST_KEYS = [("matrix_host_ed25519", "ed25519", None),
             ("matrix_host_ecdsa256", "ecdsa", 256),
             ("matrix_host_ecdsa384", "ecdsa", 384),
             ("matrix_host_ecdsa521", "ecdsa", 521),
             ("matrix_host_rsa3072", "rsa", 3072)]

# The daemon's line for each negotiation (src/core/kexinit.c).
NEGOTIATED = re.compile(r"kex: (\S+), host key: (\S+), cipher in/out: "
                        r"([^/\s]+)/([^,\s]+)")

_json_started = False
_daemon_recorded = False


def results_path():
    env = os.environ.get("NSSH_INTEROP_JSON")
    if env:
        return pathlib.Path(env)
    daemon = os.environ.get("NANOSSHD") or str(ROOT / "build" / "nanosshd")
    return pathlib.Path(daemon).resolve().parent / "interop-matrix.jsonl"


def record(entry):
    """Append one entry to the results file (emptied on the first call)."""
    global _json_started
    path = results_path()
    mode = "a" if _json_started else "w"
    _json_started = True
    try:
        with open(path, mode) as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")
    except OSError:
        pass      # a read-only tree must not fail the tests themselves


def version_of(cmd, pattern=None):
    """First output line of a version command, or the part matching
    pattern (its first group if it has one); '?' when it cannot be run."""
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (res.stdout + res.stderr).strip()
    if pattern:
        m = re.search(pattern, text)
        if not m:
            return "?"
        return m.group(1) if m.groups() else m.group(0)
    return text.splitlines()[0] if text else "?"


def deb_version(package):
    return version_of(["dpkg-query", "-W", "-f=${Version}", package]) or "?"


class Negotiated:
    """What the daemon logged for one connection."""

    def __init__(self, m):
        self.kex, self.hostkey, self.cipher_in, self.cipher_out = m.groups()

    def __str__(self):
        return (f"kex {self.kex}, host key {self.hostkey}, cipher "
                f"{self.cipher_in}/{self.cipher_out}")


class Row:
    def __init__(self, srv, offset):
        self.srv, self.offset = srv, offset
        self.note = ""
        self.daemon_errors_matter = True   # name the log's error on failure

    def log(self):
        """The daemon's log since the row began."""
        return self.srv.log_text()[self.offset:]

    def negotiated(self, timeout=10.0):
        """The daemon's first negotiation line since the row began."""
        end = time.monotonic() + timeout
        while True:
            m = NEGOTIATED.search(self.log())
            if m:
                return Negotiated(m)
            if time.monotonic() > end:
                pytest.fail("the daemon logged no negotiation line "
                            "('kex: ..., host key: ..., cipher in/out: ...')\n"
                            + self.explain())
            time.sleep(0.05)

    def expect(self, kex=None, hostkey=None, cipher=None):
        """The daemon's log names these algorithms; returns what it names."""
        n = self.negotiated()
        want = [("kex", kex, n.kex), ("host key", hostkey, n.hostkey),
                ("cipher in", cipher, n.cipher_in),
                ("cipher out", cipher, n.cipher_out)]
        bad = [f"{what}: want {w}, daemon says {got}"
               for what, w, got in want if w and w != got]
        assert not bad, "; ".join(bad) + "\n" + self.explain()
        self.note = str(n)
        return n

    def explain(self, what="", res=None, lines=40):
        parts = [what] if what else []
        if res is not None:
            out = res.stdout if isinstance(res.stdout, (bytes, str)) else ""
            err = res.stderr if isinstance(res.stderr, (bytes, str)) else ""
            if isinstance(out, bytes):
                out = out.decode(errors="replace")
            if isinstance(err, bytes):
                err = err.decode(errors="replace")
            parts.append(f"exit status {res.returncode}")
            parts.append("stdout: " + out[-1500:])
            parts.append("stderr: " + err[-3000:])
        log = self.log().splitlines()[-lines:]
        parts.append("--- server log (this row) ---\n" + "\n".join(log))
        return "\n".join(parts)


class MatrixServer:
    """One nanosshd with every host key type, shared by a module's rows."""

    def __init__(self, srv, hostkeys):
        self.srv = srv
        self.port = srv.port
        self.hostkeys = hostkeys          # ssh-keygen type+bits -> Key

    def log_text(self):
        return self.srv.log_text()

    def log_tail(self, lines=40):
        return self.srv.log_tail(lines)

    def wait_idle(self, timeout=10.0):
        """Wait until every connection process has exited (so that what it
        prints at exit, such as a leak report, is in the log)."""
        end = time.monotonic() + timeout
        while descendants(self.srv.daemon_pid) and time.monotonic() < end:
            time.sleep(0.05)

    @contextlib.contextmanager
    def row(self, client, version, category, algorithm):
        self.wait_idle()
        offset = len(self.srv.log_text())
        r = Row(self.srv, offset)
        entry = {"kind": "row", "client": client, "version": version,
                 "category": category, "algorithm": algorithm,
                 "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]}
        try:
            yield r
            self.wait_idle()
            text = r.log()
            for mark in SANITIZER_MARKS:
                i = text.find(mark)
                if i >= 0:
                    pytest.fail("sanitizer report in nanosshd's output:\n"
                                + text[max(0, i - 200):i + 4000], pytrace=False)
        except BaseException as e:
            entry.update(result="fail", detail=failure_detail(
                e, r.log() if r.daemon_errors_matter else ""))
            record(entry)
            raise
        entry.update(result="pass", detail=r.note)
        record(entry)


def failure_detail(exc, log):
    """One line for the report: what the row saw, and the daemon's first
    error line of the row, without the connection's address."""
    first = str(exc).strip().splitlines()
    text = first[0] if first else type(exc).__name__
    err = next((line for line in log.splitlines()
                if line.startswith(("error:", "fatal:"))), None)
    if err:
        err = re.sub(r" \(127\.0\.0\.1 port \d+\)| \[preauth\]", "", err)
        text += f"; daemon: {err}"
    return text[:400]


def start_matrix_server(nanosshd, keydir, tmp_path_factory, authorized,
                        opts=()):
    """nanosshd -D -e with every host key of HOST_KEYS and LogLevel=DEBUG."""
    hostkeys = {}
    for name, ktype, bits in HOST_KEYS:
        path = keydir / name
        hostkeys[name] = Key(path) if path.exists() else \
            make_key(keydir, name, ktype, bits)
    tmp = tmp_path_factory.mktemp("matrix")
    ak = tmp / "authorized_keys"
    ak.write_text("".join(line + "\n" for line in authorized))
    os.chmod(ak, 0o644)
    port = free_port()
    cmd = [nanosshd, "-D", "-e", "-p", str(port),
           "-o", "ListenAddress=127.0.0.1", "-o", "LogLevel=DEBUG",
           "-o", f"AuthorizedKeysFile={ak}"]
    for name, _, _ in HOST_KEYS:
        cmd += ["-h", hostkeys[name].path]
    if not any(o.lower().startswith("kexalgorithms") for o in opts):
        cmd += ["-o", "KexAlgorithms=+" + ",".join(NIST_KEXES)]
    # One server serves a whole module, refusals included: their penalties
    # (PerSourcePenalties, tested in test_limits.py) must not add up to
    # refusing the tests that follow.
    if not any(o.lower().startswith("persourcepenalt") for o in opts):
        cmd += ["-o", "PerSourcePenaltyExemptList=127.0.0.1"]
    for o in opts:
        cmd += ["-o", o]
    srv = Server(cmd, port, tmp / "nanosshd.log", daemon_env())
    srv.wait_ready()
    record_daemon(nanosshd)
    return MatrixServer(srv, hostkeys)


def record_daemon(nanosshd):
    """The daemon's version and the day of the run, once per run."""
    global _daemon_recorded
    if not _daemon_recorded:
        _daemon_recorded = True
        record({"kind": "run", "daemon": version_of([nanosshd, "-V"]),
                "date": time.strftime("%Y-%m-%d", time.gmtime())})


def stop_matrix_server(ms):
    ms.srv.stop()
    rep = ms.srv.sanitizer_report()
    if rep:
        pytest.fail("sanitizer report in nanosshd's output:\n" + rep,
                    pytrace=False)


@pytest.fixture(scope="module")
def matrix_server(nanosshd, keydir, keys, tmp_path_factory):
    """A daemon with all host key types that lets root in with the
    ed25519, ecdsa and rsa client keys."""
    ms = start_matrix_server(nanosshd, keydir, tmp_path_factory,
                             [k.line() for k in keys.values()])
    yield ms
    stop_matrix_server(ms)


def fingerprint(pubfile):
    """SHA256:... fingerprint of a public key file."""
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", pubfile],
                         capture_output=True, text=True, timeout=30,
                         check=True).stdout
    return out.split()[1]
