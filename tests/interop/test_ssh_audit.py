"""ssh-audit against nanosshd's default configuration: no host key given
(they are made in a fresh state directory, as on first start) and no
algorithm options.

Every warning and failure ssh-audit prints is recorded for INTEROP.md,
which says for each why it is accepted or how it was fixed
(tools/interop_matrix.py holds the reasons). A failure fails the test."""
import json
import re
import subprocess

from conftest import need_tool
from matrix import MatrixServer, record, record_daemon, version_of

CLIENT = "ssh-audit"
ITEM = re.compile(r"^\((\w+)\) (\S+)(?: \(([^)]*)\))?\s+-- \[(\w+)\] (.*)$")
MORE = re.compile(r"^\s+`- \[(\w+)\] (.*)$")
SECTION = {"gen": "general", "kex": "kex", "key": "host key", "enc": "cipher",
           "mac": "MAC", "cve": "CVE", "fin": "fingerprint"}


def findings(text):
    """[(category, algorithm, level, message)] of every [fail]/[warn]/[info]
    line, continuation lines included."""
    out, current = [], None
    for line in text.splitlines():
        m = ITEM.match(line)
        if m:
            cat, alg, _, level, msg = m.groups()
            current = (SECTION.get(cat, cat), alg)
            out.append(current + (level, msg.strip()))
            continue
        m = MORE.match(line)
        if m and current:
            out.append(current + (m.group(1), m.group(2).strip()))
        elif line.strip() and not line.startswith(" "):
            current = None
    return out


def audit(port, *extra):
    return subprocess.run(["ssh-audit", "-n", "-p", str(port)] + list(extra) +
                          ["127.0.0.1"], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_ssh_audit_default_config(start_server, nanosshd, tmp_path, monkeypatch):
    need_tool("ssh-audit")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    monkeypatch.setenv("NANOSSH_STATE_DIR", str(state))
    srv = start_server(host_key=None)
    record_daemon(nanosshd)
    ms = MatrixServer(srv, {})
    version = version_of(["ssh-audit", "-h"], r"v(\d[\d.]+)")
    with ms.row(CLIENT, version, "audit", "default configuration") as row:
        # ssh-audit probes refused group sizes: the daemon's errors are normal.
        row.daemon_errors_matter = False
        res = audit(srv.port)
        assert "# key exchange algorithms" in res.stdout, \
            row.explain("ssh-audit did not audit the server", res)
        found = findings(res.stdout)
        for cat, alg, level, msg in found:
            if level in ("warn", "fail"):
                record({"kind": "audit", "client": CLIENT, "version": version,
                        "category": cat, "algorithm": alg, "level": level,
                        "text": msg})
        # The JSON report (-j) must list the same key exchanges.
        js = audit(srv.port, "-j")
        # ext-info-s (RFC 8308's server marker, sent as sshd 9.6 and later
        # do) is a signal, not an algorithm: this ssh-audit lists it in its
        # JSON but not among the text report's key exchanges.
        kexes = [k["algorithm"] for k in json.loads(js.stdout).get("kex", [])
                 if k["algorithm"] != "ext-info-s"]
        assert kexes and all(("kex", k) in {(c, a) for c, a, _, _ in found}
                             for k in kexes), \
            row.explain(f"ssh-audit -j lists {kexes}", js)
        fails = [f"{cat} {alg}: {msg}" for cat, alg, level, msg in found
                 if level == "fail"]
        warns = sum(1 for f in found if f[2] == "warn")
        assert not fails, row.explain(
            f"ssh-audit reports {len(fails)} failures: " + "; ".join(fails), res)
        row.note = f"no failures, {warns} warnings (see below)"
