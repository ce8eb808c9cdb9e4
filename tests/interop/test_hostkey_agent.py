"""HostKeyAgent: host keys held by the machine's real ssh-agent.

HostKey names public key files only; nanosshd asks the agent over its
socket for every host-key signature (SSH_AGENTC_SIGN_REQUEST with the
rsa-sha2-256/512 flags), in the process that holds the host keys: the
connection's process, the monitor under privilege separation, or the one
process of SingleProcess. OpenSSH's ssh checks each signature against a
known_hosts line with StrictHostKeyChecking=yes. A dead agent ends the
connection with a logged reason, and the daemon goes on serving.
(OpenSSH's regress test hostkey-agent.)
"""
import os
import pathlib
import subprocess
import time

import pytest

from conftest import SSH_BASE, explain, make_key, need_tool, wait_for_log
from processes import stop_pid

TYPES = {"ed25519": None, "ecdsa": 256, "rsa": 2048}


def base_opts():
    """SSH_BASE without its host key settings (the tests set strict ones)."""
    out = []
    for i in range(0, len(SSH_BASE), 2):
        if not SSH_BASE[i + 1].startswith(("StrictHostKeyChecking",
                                           "UserKnownHostsFile")):
            out += SSH_BASE[i:i + 2]
    return out


class Agent:
    def __init__(self, directory):
        need_tool("ssh-agent")
        self.sock = str(directory / "agent.sock")
        # -D: in the foreground, so the test holds its PID.
        self.proc = subprocess.Popen(["ssh-agent", "-D", "-a", self.sock],
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while not os.path.exists(self.sock) and time.monotonic() < end:
            time.sleep(0.05)
        assert os.path.exists(self.sock), "ssh-agent did not make its socket"

    def add(self, key_path):
        env = dict(os.environ, SSH_AUTH_SOCK=self.sock)
        subprocess.run(["ssh-add", "-q", key_path], check=True, env=env,
                       capture_output=True, timeout=30)

    def stop(self):
        stop_pid(self.proc.pid)
        self.proc.wait(timeout=10)


@pytest.fixture
def agent_keys(tmp_path):
    """A running ssh-agent holding three host keys, whose private files
    are then removed: only KEY.pub files remain for the daemon."""
    agent = Agent(tmp_path)
    pubs = {}
    for kt, bits in TYPES.items():
        k = make_key(tmp_path, f"agent_host_{kt}", kt, bits)
        agent.add(k.path)
        os.unlink(k.path)
        pubs[kt] = (k.path + ".pub", k.pub)
    yield agent, pubs
    agent.stop()


def login(srv, user_key, kh, alg, extra=()):
    cmd = ["ssh", "-p", str(srv.port), "-i", user_key.path, *base_opts(),
           "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={kh}",
           "-o", f"HostKeyAlgorithms={alg}", *extra, "root@127.0.0.1",
           "echo", "agent-ok"]
    return subprocess.run(cmd, capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def known_hosts(tmp_path, srv, pubs):
    kh = tmp_path / f"known_hosts.{srv.port}"
    kh.write_text("".join(f"[127.0.0.1]:{srv.port} {line}\n"
                          for _, line in pubs.values()))
    return kh


@pytest.mark.parametrize("mode", [["UsePrivilegeSeparation=yes"],
                                  ["UsePrivilegeSeparation=no"],
                                  ["SingleProcess=yes"]],
                         ids=["privsep", "no-privsep", "single"])
def test_agent_host_keys(start_server, keys, agent_keys, tmp_path, mode):
    agent, pubs = agent_keys
    hostkeys = [f"HostKey={path}" for path, _ in pubs.values()]
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=None,
                       opts=[f"HostKeyAgent={agent.sock}", *hostkeys, *mode])
    kh = known_hosts(tmp_path, srv, pubs)
    for alg in ("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512",
                "rsa-sha2-256"):
        res = login(srv, keys["ed25519"], kh, alg)
        assert res.returncode == 0 and b"agent-ok" in res.stdout, \
            explain(srv, res, alg)
    assert "will rely on agent for hostkey" in srv.log_text(), srv.log_tail()


def test_agent_from_environment(start_server, keys, agent_keys, tmp_path,
                                monkeypatch):
    """HostKeyAgent SSH_AUTH_SOCK takes the socket from the environment;
    HostKey may name the removed private file, whose .pub is used."""
    agent, pubs = agent_keys
    monkeypatch.setenv("SSH_AUTH_SOCK", agent.sock)
    path = pubs["ed25519"][0][:-len(".pub")]
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=path,
                       opts=["HostKeyAgent=SSH_AUTH_SOCK"])
    res = login(srv, keys["ed25519"], known_hosts(tmp_path, srv, pubs),
                "ssh-ed25519")
    assert res.returncode == 0 and b"agent-ok" in res.stdout, explain(srv, res)


def test_agent_host_certificate(start_server, keys, agent_keys, tmp_path):
    """A HostCertificate of an agent-held key, seen through a
    @cert-authority line."""
    agent, pubs = agent_keys
    ca = make_key(tmp_path, "host_ca", "ed25519")
    subprocess.run(["ssh-keygen", "-q", "-s", ca.path, "-h", "-I", "agent-host",
                    "-n", "127.0.0.1", pubs["rsa"][0]], check=True, timeout=60,
                   capture_output=True)
    cert = pubs["rsa"][0][:-len(".pub")] + "-cert.pub"
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=pubs["rsa"][0],
                       opts=[f"HostKeyAgent={agent.sock}", f"HostCertificate={cert}"])
    kh = tmp_path / "known_hosts.ca"
    kh.write_text(f"@cert-authority * {ca.pub}\n")
    res = login(srv, keys["ed25519"], kh, "rsa-sha2-512-cert-v01@openssh.com",
                ["-v"])
    assert res.returncode == 0 and b"agent-ok" in res.stdout, explain(srv, res)
    assert b"Server host certificate: ssh-rsa-cert-v01@openssh.com" in res.stderr, \
        explain(srv, res)


@pytest.mark.parametrize("privsep", ["yes", "no"])
def test_agent_gone(start_server, keys, agent_keys, tmp_path, privsep):
    """With the agent killed a login fails cleanly: the daemon logs why,
    the client sees the connection end, and the daemon still serves."""
    agent, pubs = agent_keys
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=None,
                       opts=[f"HostKeyAgent={agent.sock}",
                             f"HostKey={pubs['ed25519'][0]}",
                             f"UsePrivilegeSeparation={privsep}"])
    kh = known_hosts(tmp_path, srv, pubs)
    res = login(srv, keys["ed25519"], kh, "ssh-ed25519")
    assert res.returncode == 0, explain(srv, res)
    agent.stop()
    for _ in range(2):
        res = login(srv, keys["ed25519"], kh, "ssh-ed25519")
        assert res.returncode == 255 and b"agent-ok" not in res.stdout, \
            explain(srv, res)
    assert wait_for_log(srv, "agent sign failed for host key ssh-ed25519"), \
        srv.log_tail()
    assert srv.alive(), srv.log_tail()
    # A new agent at the same socket that lacks the key: refused, said so.
    if os.path.exists(agent.sock):
        os.unlink(agent.sock)
    again = Agent(tmp_path)
    try:
        again.add(make_key(tmp_path, "other_key", "ed25519").path)
        res = login(srv, keys["ed25519"], kh, "ssh-ed25519")
        assert res.returncode == 255, explain(srv, res)
        assert wait_for_log(srv, "agent refused to sign"), srv.log_tail()
        assert srv.alive(), srv.log_tail()
    finally:
        again.stop()


@pytest.mark.parametrize("kind,alg", [("ed25519-sk", "sk-ssh-ed25519@openssh.com"),
                                      ("ecdsa-sk", "sk-ecdsa-sha2-nistp256@openssh.com")])
def test_agent_security_key_host_key(start_server, nanosshd, keys, tmp_path,
                                     kind, alg):
    """A security-key host key held by the agent: the agent drives the
    authenticator (the tests' software one, allowed with ssh-agent -P),
    the daemon needs no SecurityKeyProvider, and the signature's flags and
    counter after the signature are taken (PROTOCOL.u2f)."""
    lib = str(pathlib.Path(nanosshd).parent / "tests" / "libsoftsk.so")
    assert os.path.exists(lib), f"{lib} missing (tests/sk/sk.cmake)"
    need_tool("ssh-agent")
    sock = str(tmp_path / "agent-sk.sock")
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", sock, "-P", lib],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 10
        while not os.path.exists(sock) and time.monotonic() < end:
            time.sleep(0.05)
        path = tmp_path / f"agent_host_{kind}"
        subprocess.run(["ssh-keygen", "-q", "-t", kind, "-w", lib, "-N", "",
                        "-f", str(path)], check=True, capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)
        subprocess.run(["ssh-add", "-q", "-S", lib, str(path)], check=True,
                       capture_output=True, timeout=30,
                       env=dict(os.environ, SSH_AUTH_SOCK=sock))
        os.unlink(path)
        pub = pathlib.Path(str(path) + ".pub").read_text().strip()
        srv = start_server(authorized=[keys["ed25519"].line()], host_key=None,
                           opts=[f"HostKeyAgent={sock}", f"HostKey={path}.pub"])
        kh = tmp_path / f"known_hosts.sk.{srv.port}"
        kh.write_text(f"[127.0.0.1]:{srv.port} {pub}\n")
        res = login(srv, keys["ed25519"], kh, alg)
        assert res.returncode == 0 and b"agent-ok" in res.stdout, \
            explain(srv, res, alg)
    finally:
        stop_pid(proc.pid)
        proc.wait(timeout=10)
