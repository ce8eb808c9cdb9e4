"""An idle authenticated session's memory: the connection's process keeps
only what it touched. Its largest blocks are mostly room it never uses
(a session slot for every channel number, about 900 kB; the privilege
separation monitor's message buffer, sized for the largest export blob),
and clearing or wiping them whole once made every page of them the
process's own. The bound sits well above today's figure (about 350 kB of
private dirty memory with Debian's PAM stack) and below what either of
those would add."""
import subprocess
import time

import pytest

from conftest import explain, ssh_cmd
from processes import descendants, exe_of

BOUND_KB = 600


def private_dirty_kb(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1])
    raise AssertionError("no Private_Dirty in smaps_rollup")


def sanitized(pid):
    with open(f"/proc/{pid}/maps") as f:
        return any("libasan" in line or "libubsan" in line for line in f)


@pytest.mark.parametrize("privsep", ["no", "yes"])
def test_idle_session_private_memory(start_server, keys, privsep):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"UsePrivilegeSeparation={privsep}"])
    p = subprocess.Popen(ssh_cmd(srv, keys["ed25519"], "echo up; exec sleep 60"),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline() == b"up\n", explain(srv, what="no session")
        time.sleep(0.3)   # the loop gives back its stack before it waits
        daemon = exe_of(srv.daemon_pid)
        conns = [c for c in descendants(srv.daemon_pid) if exe_of(c) == daemon]
        assert len(conns) == 1, explain(srv, what=f"connection processes: {conns}")
        if sanitized(conns[0]):
            # A sanitizer's shadow and quarantine hide the connection's own
            # pages; what can still be seen is that an idle session does
            # not grow.
            before = private_dirty_kb(conns[0])
            time.sleep(1.5)
            after = private_dirty_kb(conns[0])
            assert after - before < 256, explain(
                srv, what=f"idle session grew from {before} to {after} kB "
                "private dirty (sanitizer build)")
            return
        kb = private_dirty_kb(conns[0])
        assert kb < BOUND_KB, explain(
            srv, what=f"idle session: {kb} kB private dirty, bound {BOUND_KB} kB")
    finally:
        p.kill()
        p.wait()
        p.stdout.close()
        p.stderr.close()
