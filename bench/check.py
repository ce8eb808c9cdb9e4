#!/usr/bin/python3
"""Check that a benchmark run produced a complete report.

    bench/check.py DIR

Prints "P F" on its first line (checks passed, failed) and one line per
failure, as tools/results.py does, for tools/test.sh."""
import json
import os
import sys


def main():
    d = sys.argv[1]
    fails = []
    passed = 0

    def check(cond, what):
        nonlocal passed
        if cond:
            passed += 1
        else:
            fails.append(what)

    try:
        with open(os.path.join(d, "results.json")) as f:
            res = json.load(f)
    except (OSError, ValueError) as e:
        print(f"0 1\nno results.json: {e}")
        return
    servers = ["nanosshd", "sshd", "dropbear", "tinysshd"]
    for s in servers:
        for direction in ("download", "upload"):
            v = [x for x in res["throughput"] if x["server"] == s and
                 x["cipher"] == "chacha20-poly1305" and x["direction"] == direction]
            check(v and all(x["mb_s"] > 0 for x in v),
                  f"{s}: no chacha20-poly1305 {direction} figure")
        v = [x for x in res["login"] if x["server"] == s and x["kex"] == "curve25519"]
        check(v and all(x["ms"] > 0 for x in v), f"{s}: no curve25519 login figure")
        v = [x for x in res["memory"] if x["server"] == s]
        check(v and all(x["pss_kb_per_session"] > 0 for x in v),
              f"{s}: no memory figure")
    # Sessions held by the load generator, 100 of them in single-process mode.
    v = [x for x in res.get("sessions", []) if x["server"] == "nanosshd-single"
         and x["sessions"] >= 100]
    check(v and all(x["pss_kb_per_session"] > 0 and x["per_s"] > 0 for x in v),
          "nanosshd-single: no figure for 100 sessions held at once")
    for s in servers:
        v = [x for x in res.get("sessions", []) if x["server"] == s]
        check(v and all(x["server_pss_kb"] > 0 for x in v),
              f"{s}: no load generator sessions figure")
    for c in ("aes128-gcm", "aes256-gcm", "aes128-ctr+hmac-sha2-256-etm"):
        v = [x for x in res["throughput"] if x["server"] == "nanosshd" and x["cipher"] == c]
        check(len(v) >= 2, f"nanosshd: no {c} figures")
    for srv, variant in (("nanosshd", "internal-sftp"), ("nanosshd", "sftp-server"),
                         ("sshd", "internal-sftp")):
        for direction in ("put", "get"):
            v = [x for x in res.get("sftp", []) if x["server"] == srv and
                 x["variant"] == variant and x["direction"] == direction]
            check(v and all(x["mb_s"] > 0 for x in v),
                  f"{srv} {variant}: no SFTP {direction} figure")
    try:
        with open(os.path.join(d, "BENCHMARKS.md")) as f:
            md = f.read()
    except OSError:
        md = ""
    for head in ("## Bulk throughput", "## SFTP", "## Login time", "## Memory per idle session",
                 "## Sessions held at once"):
        check(head in md, f"BENCHMARKS.md lacks '{head}'")
    check("nanosshd: internal-sftp over sftp-server, per round: put " in md,
          "BENCHMARKS.md lacks the internal-sftp to sftp-server ratio")
    for png in ("throughput.png", "login.png", "memory.png", "sessions.png"):
        p = os.path.join(d, png)
        check(os.path.isfile(p) and os.path.getsize(p) > 1000, f"plot {png} missing")
    print(f"{passed} {len(fails)}")
    for f in fails:
        print(f)


if __name__ == "__main__":
    main()
