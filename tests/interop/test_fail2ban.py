"""fail2ban's stock sshd filter reads nanosshd's log of failed logins.

The daemon logs to stderr (-e); each line then gets the prefix syslog
would give it, "Jan  5 10:00:00 HOST IDENT[PID]: ", with one PID per
connection as each connection has its own process, and fail2ban-regex
runs /etc/fail2ban/filter.d/sshd.conf over the result. Under the name
"sshd" the stock filter matches as it is; under "nanosshd" the filter's
_daemon parameter names it (filter = sshd[_daemon=nanosshd])."""
import subprocess

import pytest

from conftest import explain, need_tool, ssh, wait_for_log

FILTER = "/etc/fail2ban/filter.d/sshd.conf"


def syslog_lines(text, ident):
    """The -e lines as syslog would store them: a new pid at each
    "Connection from" (one process per connection)."""
    pid, out = 4000, []
    for line in text.splitlines():
        if line.startswith("Connection from "):
            pid += 1
        out.append(f"Jan  5 10:00:00 testhost {ident}[{pid}]: {line}\n")
    return "".join(out)


def failures(path, filt):
    res = subprocess.run(["fail2ban-regex", "-o", "ip", str(path), filt],
                         capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, f"fail2ban-regex failed: {res}"
    return res.stdout.decode().split()


def test_fail2ban_counts_failed_logins(start_server, keys, tmp_path):
    need_tool("fail2ban-regex")
    good, other = keys["ed25519"], keys["ecdsa"]
    srv = start_server(authorized=[good.line()],
                       opts=["DenyUsers=daemon", "MaxAuthTries=2",
                             # Four failed connections would otherwise put
                             # 127.0.0.1 under a penalty before the last login.
                             "PerSourcePenalties=no"])
    expected = 0
    for user in ("nosuchuser1", "nosuchuser2"):
        res = ssh(srv, good, "true", user=user)   # Invalid user + Failed publickey
        assert res.returncode == 255, explain(srv, res)
        assert wait_for_log(srv, f"Connection closed by invalid user {user}")
        expected += 2
    res = ssh(srv, good, "true", user="daemon")   # not allowed + Failed publickey
    assert res.returncode == 255, explain(srv, res)
    assert wait_for_log(srv, "Connection closed by invalid user daemon")
    expected += 2
    res = ssh(srv, other, "true", args=["-i", keys["rsa"].path, "-i", good.path])
    assert res.returncode == 255, explain(srv, res)   # maximum attempts exceeded
    assert wait_for_log(srv, "maximum authentication attempts exceeded for root")
    expected += 1
    res = ssh(srv, good, "echo ok")                    # a success counts nothing
    assert res.returncode == 0, explain(srv, res)
    assert wait_for_log(srv, "Disconnected from user root")
    text = srv.log_text()
    for ident, filt in (("sshd", FILTER), ("nanosshd", "sshd[_daemon=nanosshd]")):
        log = tmp_path / f"auth-{ident}.log"
        log.write_text(syslog_lines(text, ident))
        ips = failures(log, filt)
        assert len(ips) == expected and set(ips) == {"127.0.0.1"}, \
            explain(srv, None, f"fail2ban-regex ({ident}, {filt}) found "
                    f"{len(ips)} failures {ips}, want {expected} from 127.0.0.1")
