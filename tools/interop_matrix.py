#!/usr/bin/python3
"""Turn the interop suite's results into a Markdown report.

    interop_matrix.py [-o OUTPUT] [RESULTS]

RESULTS is the JSON-lines file the interop suite writes
(build/interop-matrix.jsonl by default; see tests/interop/matrix.py);
OUTPUT defaults to build/INTEROP.md. The report has one table row per
client and algorithm, a per-algorithm view, and every warning or failure
ssh-audit printed with the reason it is accepted or fixed (REASONS below).
"""
import argparse
import collections
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CATEGORIES = ["default", "kex", "host key", "cipher", "MAC", "user key",
              "kex (legacy)", "host key (legacy)", "MAC (legacy)",
              "sftp", "robustness", "audit"]
NEGOTIATED = {"kex", "host key", "cipher", "MAC", "user key"}

# Why each ssh-audit 2.5.0 finding is accepted (or what fixed it), keyed by
# (algorithm, start of ssh-audit's message); algorithm None matches any.
REASONS = {
    ("mlkem768x25519-sha256", "unknown algorithm"):
        "Accepted: ssh-audit 2.5.0 predates the ML-KEM-768/X25519 hybrid "
        "(OpenSSH 9.9, the default since OpenSSH 10.0).",
    ("sntrup761x25519-sha512", "unknown algorithm"):
        "Accepted: the name without @openssh.com (OpenSSH 9.9) is newer than "
        "ssh-audit 2.5.0; it is the same method as "
        "sntrup761x25519-sha512@openssh.com.",
    ("sntrup761x25519-sha512@openssh.com", "using experimental algorithm"):
        "Accepted: ssh-audit 2.5.0 still calls it experimental; it has been "
        "OpenSSH's default key exchange since 9.0.",
    ("kex-strict-s-v00@openssh.com", "unknown algorithm"):
        "Accepted: not an algorithm but the strict-KEX marker (the Terrapin "
        "countermeasure, OpenSSH 9.6), newer than ssh-audit 2.5.0; it is "
        "never chosen as a key exchange.",
    ("ext-info-s", "unknown algorithm"):
        "Accepted: not an algorithm but the RFC 8308 marker.",
    (None, "using weak elliptic curves"):
        "Fixed: the NIST-curve exchanges and ECDSA host keys are no longer "
        "in the default offer (clients without Curve25519 still have the "
        "DH group exchange and the fixed DH groups); they stay available "
        "with KexAlgorithms +ecdh-sha2-nistp256,... and an ECDSA HostKey.",
    (None, "using weak random number generator could reveal the key"):
        "Accepted: ECDSA signatures are made by OpenSSL 3, whose nonce is "
        "derived from the private key and the message digest as well as "
        "from the random generator, so a weak generator alone does not "
        "reveal the key.",
    (None, "using encrypt-and-MAC mode"):
        "Accepted: kept for clients without an -etm MAC (Dropbear 2022.83 "
        "with AES-CTR has only hmac-sha2-256); the -etm MACs come first in "
        "the server's list.",
    (None, "using small"):
        "Accepted: group exchange answers requests of 2048 to 8192 bits "
        "only; smaller requests are refused.",
}

# Explanations for rows that failed, keyed by the starts of test names.
KNOWN_FAILURES = {
    ("test_matrix_cli.py::test_dropbear",
     "test_matrix_legacy.py::test_legacy_dropbear"):
        "Dropbear sends a first-kex guess for its own first kex "
        "(curve25519-sha256) while the server's first is "
        "mlkem768x25519-sha256. By RFC 4253 7.1 that guess is wrong and "
        "must be ignored, but the server answered it and then refused "
        "Dropbear's real KEX_ECDH_INIT (same cause as failure 2).",
    ("test_matrix_raw.py::test_raw_guess_wrong",):
        "The server took a guess as right because the client's first kex "
        "and host key algorithms were the agreed ones; RFC 4253 7.1 calls a "
        "guess right only when they are also the server's first ones.",
    ("test_ssh_audit.py",):
        "ssh-audit 2.5.0 fails the NIST P-curve key exchanges and the ECDSA "
        "host key offered by default (see the ssh-audit findings).",
}


def load(path):
    """(rows, ssh-audit findings, facts about the run)."""
    rows, audit, run = [], [], {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            e = json.loads(line)
            if e.get("kind") == "run":
                run = run or e
            elif e.get("kind") == "audit":
                audit.append(e)
            else:
                rows.append(e)
    return rows, audit, run


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def reason(finding):
    msg = finding["text"]
    for (alg, start), why in REASONS.items():
        if (alg is None or alg == finding["algorithm"]) and msg.startswith(start):
            return why
    return "**Not reviewed yet.**"


def known(row):
    """Number (1-based, in KNOWN_FAILURES order) of the explanation of a
    failed row, or 0."""
    for i, prefixes in enumerate(KNOWN_FAILURES, 1):
        if row.get("test", "").startswith(prefixes):
            return i
    return 0


def client_order(rows):
    seen = []
    for r in rows:
        if r["client"] not in seen:
            seen.append(r["client"])
    return seen


def summary(rows):
    out = ["| Client | Version | Passed | Failed |", "|---|---|---|---|"]
    for client in client_order(rows):
        mine = [r for r in rows if r["client"] == client]
        ok = sum(r["result"] == "pass" for r in mine)
        out.append(f"| {cell(client)} | {cell(mine[0]['version'])} | {ok} | "
                   f"{len(mine) - ok} |")
    return out


def table(rows):
    order = {c: i for i, c in enumerate(client_order(rows))}
    cats = {c: i for i, c in enumerate(CATEGORIES)}
    out = ["| Client | Category | Algorithm | Result | Notes |",
           "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (order[r["client"]],
                                         cats.get(r["category"], 99))):
        ok = r["result"] == "pass"
        note = cell(r.get("detail", ""))
        if not ok and known(r):
            note = f"[failure {known(r)}](#failures): {note}"
        out.append(f"| {cell(r['client'])} {cell(r['version'])} | "
                   f"{cell(r['category'])} | `{cell(r['algorithm'])}` | "
                   f"{'pass' if ok else '**FAIL**'} | {note} |")
    return out


def failures(rows):
    """The known causes of this run's failed rows."""
    failed = [r for r in rows if r["result"] != "pass"]
    if not failed:
        return ["None."]
    out = []
    for i, why in enumerate(KNOWN_FAILURES.values(), 1):
        n = sum(1 for r in failed if known(r) == i)
        if n:
            out.append(f"{i}. {why} ({n} row{'s' if n != 1 else ''})")
    n = sum(1 for r in failed if not known(r))
    if n:
        out.append(f"- {n} failed rows without a known cause: see their notes.")
    return out


def by_algorithm(rows):
    """Which clients passed (and failed) each negotiated algorithm."""
    seen = collections.OrderedDict()
    for r in rows:
        if r["category"].split(" (")[0] in NEGOTIATED:
            key = (r["category"], r["algorithm"])
            seen.setdefault(key, ([], []))[r["result"] != "pass"].append(r["client"])
    cats = {c: i for i, c in enumerate(CATEGORIES)}
    out = ["| Category | Algorithm | Works with | Fails with |", "|---|---|---|---|"]
    for (cat, alg), (ok, bad) in sorted(seen.items(),
                                        key=lambda kv: cats.get(kv[0][0], 99)):
        out.append(f"| {cat} | `{cell(alg)}` | {cell(', '.join(ok)) or '-'} | "
                   f"{cell(', '.join(bad)) or '-'} |")
    return out


def audit_table(audit):
    if not audit:
        return ["ssh-audit did not run in this test run."]
    out = ["| Level | Category | Algorithm | ssh-audit says | Why fixed or accepted |",
           "|---|---|---|---|---|"]
    for a in audit:
        out.append(f"| {'**fail**' if a['level'] == 'fail' else a['level']} | "
                   f"{cell(a['category'])} | `{cell(a['algorithm'])}` | "
                   f"{cell(a['text'])} | {cell(reason(a))} |")
    return out


def render(rows, audit, run):
    ok = sum(r["result"] == "pass" for r in rows)
    auditor = f" ({audit[0]['version']})" if audit else ""
    daemon = f"`{run['daemon']}`" if run.get("daemon") else "`nanosshd`"
    when = f" on {run['date']}" if run.get("date") else ""
    lines = [
        "# Interoperability", "",
        f"Generated by `tools/interop_matrix.py` from a run{when} of the "
        f"interop suite against {daemon} with its default algorithms and "
        "one host key of each type (ed25519, ECDSA P-256/384/521, RSA "
        "3072), with the clients of Debian 12. Every row logs in, runs a "
        "command and checks its output and exit status; where a row forces "
        "an algorithm, the client (where it can tell) and the daemon's log "
        "must both name it. The raw client checks the server's key "
        "exchange reply itself, signature included. The sftp rows move "
        "files with each client through the built-in SFTP server "
        "(internal-sftp) and check the bytes. The legacy rows run "
        "against a daemon that turns the SHA-1 algorithms on "
        "(`KexAlgorithms=+...`, `MACs=+...`, `HostKeyAlgorithms=+ssh-rsa`).",
        "",
        "To produce it again: `tools/test.sh` writes `build/INTEROP.md`; or",
        "", "```sh",
        "NANOSSHD=build/nanosshd /usr/bin/python3 -m pytest "
        "tests/interop/test_matrix*.py tests/interop/test_sftp.py "
        "tests/interop/test_ssh_audit.py",
        "tools/interop_matrix.py build/interop-matrix.jsonl -o INTEROP.md",
        "```", "",
        f"{len(rows)} rows: {ok} passed, {len(rows) - ok} failed.", "",
        "## Clients", ""] + summary(rows) + [
        "", "## Rows", ""] + table(rows) + [
        "", "## Failures", ""] + failures(rows) + [
        "", "## By algorithm", ""] + by_algorithm(rows) + [
        "", f"## ssh-audit findings{auditor}", "",
        "Every warning and failure ssh-audit prints against the default "
        "configuration (host keys made on first start: ed25519 and "
        "RSA 3072).", ""] + audit_table(audit) + [""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?",
                    default=str(ROOT / "build" / "interop-matrix.jsonl"))
    ap.add_argument("-o", "--output", default=str(ROOT / "build" / "INTEROP.md"))
    args = ap.parse_args()
    try:
        rows, audit, run = load(args.results)
    except OSError as e:
        print(f"interop_matrix.py: {e}; run the interop suite first",
              file=sys.stderr)
        return 1
    if not rows:
        print(f"interop_matrix.py: no rows in {args.results}", file=sys.stderr)
        return 1
    pathlib.Path(args.output).write_text(render(rows, audit, run))
    print(f"{args.output}: {len(rows)} rows, {len(audit)} ssh-audit findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
