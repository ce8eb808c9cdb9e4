"""OpenSSH's publickey-hostbound-v00@openssh.com (PROTOCOL 2.5).

The host-bound form of the publickey method names the server's host key
in the signed request. ssh uses it when the server offers it (EXT_INFO
"publickey-hostbound@openssh.com"); an ssh-agent key restricted to
destinations (`ssh-add -h`) is used on a forwarded hop (`ssh -A`, then ssh
from there) only in that form, and in any form the agent checks the host
key named against the restriction. The real ssh-agent, ssh-add and ssh do
the work; OpenSSH's regress test agent-restrict covers the multi-hop case.
"""
import os
import shutil
import subprocess
import time

import pytest

from conftest import need_tool, explain
from processes import stop_pid


ALIAS = "nanohost"


@pytest.fixture
def agent_sock(tmp_path):
    """A throwaway ssh-agent (stopped by PID) and its socket."""
    need_tool("ssh-agent")
    need_tool("ssh-add")
    sock = str(tmp_path / "agent.sock")
    p = subprocess.Popen(["ssh-agent", "-D", "-a", sock],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 10
    while not os.path.exists(sock) and time.monotonic() < end:
        time.sleep(0.05)
    assert os.path.exists(sock), "ssh-agent did not start"
    yield sock
    stop_pid(p.pid)
    p.wait(timeout=10)


def known_hosts(tmp_path, name, host_key_path):
    kh = tmp_path / f"known_hosts.{name}"
    with open(host_key_path + ".pub") as f:
        kh.write_text(f"{name} {f.read().strip()}\n")
    return kh


def add_restricted(sock, key, dest, kh):
    res = subprocess.run(["ssh-add", "-q", "-h", dest, "-H", str(kh), key.path],
                         env=dict(os.environ, SSH_AUTH_SOCK=sock),
                         capture_output=True, timeout=30)
    assert res.returncode == 0, res


def pub_only(tmp_path, key):
    """The public half alone: ssh can then sign only through the agent,
    never with the private key file behind the agent's back."""
    d = tmp_path / "pubonly"
    d.mkdir(exist_ok=True)
    path = d / "id"
    shutil.copy(key.path + ".pub", str(path) + ".pub")
    return str(path) + ".pub"


def login(srv, sock, kh, identity, verbose=False):
    cmd = ["ssh", "-p", str(srv.port), "-F", "/dev/null",
           "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
           "-o", f"IdentityAgent={sock}", "-i", identity,
           "-o", f"UserKnownHostsFile={kh}", "-o", f"HostKeyAlias={ALIAS}",
           "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10",
           "-o", "LogLevel=" + ("DEBUG3" if verbose else "ERROR"),
           "root@127.0.0.1", "echo", "bound"]
    return subprocess.run(cmd, capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_restricted_agent_key_logs_in(start_server, keys, hostkey, tmp_path,
                                      agent_sock):
    key = keys["ed25519"]
    srv = start_server(authorized=[key.line()], opts=["LogLevel=DEBUG3"])
    kh = known_hosts(tmp_path, ALIAS, hostkey)
    add_restricted(agent_sock, key, ALIAS, kh)
    res = login(srv, agent_sock, kh, pub_only(tmp_path, key), verbose=True)
    assert res.returncode == 0 and res.stdout.strip() == b"bound", \
        explain(srv, res, "a destination-restricted agent key must log in")
    err = res.stderr.decode(errors="replace")
    assert "publickey-hostbound-v00@openssh.com" in err, \
        "the client did not use the host-bound form: " + err[-3000:]
    assert "ok (host-bound)" in srv.log_text(), srv.log_tail()


def test_key_restricted_to_another_host_refused(start_server, keys, hostkey,
                                                keydir, tmp_path, agent_sock):
    """The agent refuses to sign for a server whose host key is not the
    restricted destination's: the same login fails."""
    key = keys["ed25519"]
    srv = start_server(authorized=[key.line()])
    other = keydir / "host_other_ed25519"
    if not other.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        str(other)], check=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    elsewhere = known_hosts(tmp_path, "elsewhere", str(other))
    add_restricted(agent_sock, key, "elsewhere", elsewhere)
    kh = known_hosts(tmp_path, ALIAS, hostkey)
    res = login(srv, agent_sock, kh, pub_only(tmp_path, key))
    assert res.returncode == 255 and b"bound" not in res.stdout, \
        explain(srv, res, "a key restricted to another host must not log in")
