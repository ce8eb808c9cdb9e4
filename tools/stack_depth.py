#!/usr/bin/env python3
"""Worst-case stack depth of functions from GCC's -fcallgraph-info=su files.

    stack_depth.py DIR ENTRY [ENTRY...]

Reads every *.ci file in DIR (one per compiled source), builds the call
graph with each function's own frame, and prints for each ENTRY the
deepest chain of frames below it. Calls through function pointers are not
in the graph and so not counted; recursion is reported, not followed.
"""
import glob
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
BYTES = re.compile(r'\\n(\d+) bytes \(')


def load(d):
    frames, calls, owner = {}, {}, {}
    local = {}
    for path in sorted(glob.glob(os.path.join(d, "*.ci"))):
        text = open(path).read()
        defined = {}
        for title, label in NODE.findall(text):
            m = BYTES.search(label)
            if m:
                defined[title] = int(m.group(1))
        local[path] = defined
        for title, n in defined.items():
            key = (path, title)
            frames[key] = n
            owner.setdefault(title, []).append(key)
        for src, dst in EDGE.findall(text):
            calls.setdefault((path, src), []).append((path, dst))
    # resolve a callee: the same file's function first, else a unique one
    resolved = {}
    for key, targets in calls.items():
        out = []
        for path, name in targets:
            if name in local[path]:
                out.append((path, name))
            elif len(owner.get(name, [])) == 1:
                out.append(owner[name][0])
        resolved[key] = out
    return frames, resolved, owner


def depth(key, frames, calls, seen, memo):
    if key in memo:
        return memo[key]
    if key in seen:
        return 0   # recursion: not followed
    seen.add(key)
    below = max((depth(k, frames, calls, seen, memo) for k in calls.get(key, [])),
                default=0)
    seen.discard(key)
    memo[key] = frames.get(key, 0) + below
    return memo[key]


def main():
    d, entries = sys.argv[1], sys.argv[2:]
    frames, calls, owner = load(d)
    memo = {}
    for e in entries:
        keys = owner.get(e)
        if not keys:
            print("%-28s (not found)" % e)
            continue
        print("%-28s %6d bytes" % (e, max(depth(k, frames, calls, set(), memo)
                                           for k in keys)))


if __name__ == "__main__":
    main()
