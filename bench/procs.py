"""What a server costs, read from /proc: CPU of a process tree, PSS of the
server's own processes."""
import os

CLK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    # The command name may hold spaces and parentheses: split after the last ')'.
    rest = s[s.rindex(")") + 2:].split()
    return rest


def cpu_seconds(pid):
    """CPU seconds of pid itself plus every child it has reaped (utime,
    stime, cutime, cstime): for a listener that reaps its connection
    processes this is the whole server's cost so far."""
    r = _stat(pid)
    # Fields 14-17 of stat(5); rest[0] is field 3.
    return sum(int(x) for x in r[11:15]) / CLK


def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    """pid and all its descendants."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += children(p)
    return seen


def exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def server_pss_kb(root, exes):
    """Sum of PSS over root's tree, counting only processes running one of
    the server's own executables (not the users' shells and commands, which
    are the same whatever the server)."""
    total = 0
    for p in tree(root):
        if exe(p) in exes:
            total += pss_kb(p)
    return total
