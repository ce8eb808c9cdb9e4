"""Sessions: environment, authorized_keys options, several channels on one
connection."""
import os
import re
import subprocess
import threading
import time

import paramiko
import pytest

from conftest import SSH_BASE, explain, ssh


def client_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not (k == "LANG" or k.startswith("LC_"))}
    env.update(extra)
    return env


# ---- Environment ----------------------------------------------------------

def test_sendenv_lang(server, keys):
    res = ssh(server, keys["ed25519"], 'echo "LANG=[$LANG]"',
              opts=["SendEnv=LANG"], env=client_env(LANG="C.UTF-8"))
    assert res.returncode == 0, explain(server, res)
    assert b"LANG=[C.UTF-8]" in res.stdout, \
        explain(server, res, "LANG sent with SendEnv must reach the session")


def test_setenv_refused_by_default(server, keys):
    res = ssh(server, keys["ed25519"], 'echo "FOO=[${FOO-unset}]"',
              opts=["SetEnv=FOO=1"])
    assert res.returncode == 0, explain(server, res, "a refused env request must "
                                        "not end the session")
    assert res.stdout == b"FOO=[unset]\n", \
        explain(server, res, "FOO is not in AcceptEnv and must not be set")


def test_acceptenv_option(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["AcceptEnv=FOO"])
    res = ssh(srv, keys["ed25519"], 'echo "FOO=[${FOO-unset}]"',
              opts=["SetEnv=FOO=1"])
    assert res.stdout == b"FOO=[1]\n", \
        explain(srv, res, "with AcceptEnv=FOO the variable must be set")


# ---- authorized_keys options --------------------------------------------------

def test_option_command(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line('command="echo forced"')])
    res = ssh(srv, k, "echo requested")
    assert res.returncode == 0 and res.stdout == b"forced\n", \
        explain(srv, res, 'command="echo forced" must replace the command')


def test_option_no_pty(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line("no-pty")])
    res = ssh(srv, k, "if test -t 0; then echo TTY; else echo NOTTY; fi",
              tty=True)
    # OpenSSH ends a forced-tty session whose pty-req failed; either way the
    # request must be refused and the command must never see a terminal.
    assert b"PTY allocation request failed" in res.stderr, \
        explain(srv, res, "no-pty: the pty-req of ssh -tt must be refused")
    assert not re.search(rb"^TTY", res.stdout, re.M), \
        explain(srv, res, "no-pty: the command ran on a terminal")


def test_option_environment(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line('environment="X=1"')],
                       opts=["PermitUserEnvironment=yes"])
    res = ssh(srv, k, 'echo "X=[${X-unset}]"')
    assert res.returncode == 0 and res.stdout == b"X=[1]\n", \
        explain(srv, res, 'environment="X=1" must set X')
    # sshd's default, PermitUserEnvironment no, ignores the option.
    srv = start_server(authorized=[k.line('environment="X=1"')])
    res = ssh(srv, k, 'echo "X=[${X-unset}]"')
    assert res.returncode == 0 and res.stdout == b"X=[unset]\n", \
        explain(srv, res, 'environment="X=1" without PermitUserEnvironment')


def test_option_from_mismatch_refused(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line('from="10.0.0.1"')])
    res = ssh(srv, k, "echo ok")
    assert res.returncode == 255 and b"ok" not in res.stdout, \
        explain(srv, res, 'from="10.0.0.1" must refuse a login from 127.0.0.1')


def test_option_from_match_allowed(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line('from="10.0.0.1,127.0.0.1"')])
    res = ssh(srv, k, "echo ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(srv, res, 'from="10.0.0.1,127.0.0.1" must allow 127.0.0.1')


def test_option_unknown_refuses_key(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line("frobnicate-everything")])
    res = ssh(srv, k, "echo ok")
    assert res.returncode == 255 and b"ok" not in res.stdout, \
        explain(srv, res, "a key line with an unknown option must be refused")


# ---- Several sessions on one connection ---------------------------------------

def test_control_master_sessions(server, keys, tmp_path):
    k = keys["ed25519"]
    ctl = str(tmp_path / "ctl")
    base = ["ssh", "-p", str(server.port), "-i", k.path] + SSH_BASE + \
        ["-o", "LogLevel=ERROR", "-S", ctl]
    master = subprocess.Popen(base + ["-M", "-N", "root@127.0.0.1"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 20
        while not os.path.exists(ctl) and time.monotonic() < end:
            if master.poll() is not None:
                break
            time.sleep(0.1)
        assert os.path.exists(ctl), explain(server, None, "the master connection "
                                            "did not come up")
        results = {}

        def run(tag, cmd):
            results[tag] = subprocess.run(base + ["root@127.0.0.1", cmd],
                                          stdin=subprocess.DEVNULL,
                                          capture_output=True, timeout=60)
        # Two sessions at the same time, then a third after they ended.
        threads = [threading.Thread(target=run, args=(t, f"sleep 1; echo {t}"))
                   for t in ("one", "two")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        run("three", "echo three")
        for tag, res in results.items():
            assert res.returncode == 0 and res.stdout == f"{tag}\n".encode(), \
                explain(server, res, f"session {tag} over the shared connection")
        logins = server.log_text().count("Accepted publickey")
        assert logins == 1, explain(server, None, f"{logins} logins: the sessions "
                                    "did not share one connection")
    finally:
        subprocess.run(base + ["-O", "exit", "root@127.0.0.1"],
                       capture_output=True, timeout=20)
        if master.poll() is None:
            master.kill()
        master.wait(timeout=10)


def test_paramiko_two_channels(server, keys):
    key = paramiko.Ed25519Key.from_private_key_file(keys["ed25519"].path)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=server.port, username="root", pkey=key,
                       allow_agent=False, look_for_keys=False, timeout=10,
                       banner_timeout=10, auth_timeout=10)
        tr = client.get_transport()
        chans = []
        for i in range(2):
            ch = tr.open_session(timeout=10)
            ch.settimeout(30)
            ch.exec_command(f"sleep 1; echo chan{i}; exit {10 + i}")
            chans.append(ch)
        for i, ch in enumerate(chans):
            out = b""
            while True:
                data = ch.recv(4096)
                if not data:
                    break
                out += data
            status = ch.recv_exit_status()
            assert out == f"chan{i}\n".encode() and status == 10 + i, \
                explain(server, None, f"channel {i}: output {out!r}, exit {status}")
    except (paramiko.SSHException, OSError) as e:
        pytest.fail(explain(server, None, f"paramiko: {type(e).__name__}: {e}"))
    finally:
        client.close()
