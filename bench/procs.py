"""What a server costs, read from /proc: CPU of a process tree, PSS of the
server's own processes."""
import os
import time

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


class CpuGroup:
    """A control group of the server's own: every process the server starts,
    reparented or not, is counted, which "reaped children" misses for
    servers whose processes outlive their parents. cgroup v1's cpuacct or
    cgroup v2's cpu.stat, whichever the machine has; None when neither can
    be made (then cpu_seconds of the listener is the fallback)."""

    V1 = "/sys/fs/cgroup/cpuacct"
    V2S = ("/sys/fs/cgroup/unified", "/sys/fs/cgroup")

    def __init__(self, name):
        self.path = None
        self.v2 = False
        if os.path.isfile(os.path.join(self.V1, "cpuacct.usage")):
            cand = [(self.V1, False)]
        else:
            cand = []
        cand += [(d, True) for d in self.V2S
                 if os.path.isfile(os.path.join(d, "cgroup.procs")) and
                 os.path.isfile(os.path.join(d, "cgroup.controllers"))]
        for base, v2 in cand:
            path = os.path.join(base, name)
            try:
                os.makedirs(path, exist_ok=True)
                probe = os.path.join(path, "cpu.stat" if v2 else "cpuacct.usage")
                if os.path.isfile(probe):
                    self.path, self.v2 = path, v2
                    return
                os.rmdir(path)
            except OSError:
                continue

    def add(self, pid):
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(pid))

    def seconds(self):
        if self.v2:
            with open(os.path.join(self.path, "cpu.stat")) as f:
                for line in f:
                    if line.startswith("usage_usec"):
                        return int(line.split()[1]) / 1e6
            return 0.0
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def remove(self):
        if not self.path:
            return
        parent = os.path.dirname(self.path)
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                left = [int(x) for x in f.read().split()]
            for pid in left:  # anything still inside goes back to the root
                try:
                    with open(os.path.join(parent, "cgroup.procs"), "w") as f:
                        f.write(str(pid))
                except OSError:
                    pass
        except OSError:
            pass
        # Processes that have just exited still hold the group for a
        # moment (rmdir: EBUSY); an empty group is not left behind.
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
