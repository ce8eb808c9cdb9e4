#!/usr/bin/python3
"""Count passed and failed tests for tools/test.sh.

    results.py ctest LOG     verbose ctest log (ctest -V) of cmocka programs
    results.py junit XML     pytest --junitxml report

Prints "PASSED FAILED" on the first line, then one line per failing test.
A test program that crashed or exited non-zero without a failing case is
one failure; a skipped case counts as failed, never as passed.
"""
import collections
import re
import sys
import xml.etree.ElementTree as ET

RUN = re.compile(r"^(\d+): \[ RUN      \] (.*)$")
OK = re.compile(r"^(\d+): \[       OK \] (.*)$")
RESULT = re.compile(r"^\s*\d+/\d+ Test\s+#(\d+): (\S+) \.*\s*(\*{3})?(\w+)")


def count_ctest(path):
    runs, oks, names, status, output = {}, {}, {}, {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^(\d+): ", line)
            if m:
                output.setdefault(m.group(1), []).append(line[m.end():])
            m = RUN.match(line)
            if m:
                runs.setdefault(m.group(1), []).append(m.group(2))
                continue
            m = OK.match(line)
            if m:
                oks.setdefault(m.group(1), []).append(m.group(2))
                continue
            m = RESULT.match(line)
            if m:
                names[m.group(1)] = m.group(2)
                status[m.group(1)] = m.group(4)
    passed = failed = 0
    notes = []
    for num, name in sorted(names.items(), key=lambda kv: int(kv[0])):
        ran = runs.get(num, [])
        good = oks.get(num, [])
        ok_prog = status[num] == "Passed"
        if not ran:
            # Not a cmocka program, or it died before its first case.
            if ok_prog:
                passed += 1
            else:
                failed += 1
                notes.append(f"{name}: {status[num]} before any test case ran")
            continue
        passed += len(good)
        bad = list((collections.Counter(ran) - collections.Counter(good)).elements())
        failed += len(bad)
        for c in bad:
            notes.append(f"{name}: {c}")
        if not ok_prog and not bad:
            failed += 1
            notes.append(f"{name}: program {status[num]} after its test cases")
        if not ok_prog or bad:
            # Show what the failing program printed (ctest -V keeps it).
            for text in output.get(num, [])[-60:]:
                print(f"  {name}| {text}", file=sys.stderr)
    return passed, failed, notes


def count_junit(path):
    # A test that fails and then errors at teardown appears twice: count
    # each test once, failed if any of its entries says so.
    root = ET.parse(path).getroot()
    verdict = {}
    for case in root.iter("testcase"):
        key = (case.get("classname", ""), case.get("name", ""))
        bad = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
        if key not in verdict or (bad and not verdict[key]):
            verdict[key] = bad[0] if bad else verdict.get(key)
    notes = [f"{c}::{n}: {v}" for (c, n), v in verdict.items() if v]
    failed = len(notes)
    return len(verdict) - failed, failed, notes


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("ctest", "junit"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        fn = count_ctest if sys.argv[1] == "ctest" else count_junit
        passed, failed, notes = fn(sys.argv[2])
    except (OSError, ET.ParseError) as e:
        print("0 1")
        print(f"cannot read {sys.argv[2]}: {e}")
        return 0
    print(passed, failed)
    for n in notes:
        print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
