"""Logging in: key types, exit status, refusals, ptys, paramiko."""
import socket

import paramiko
import pytest

from conftest import explain, ssh


@pytest.mark.parametrize("ktype", ["ed25519", "ecdsa", "rsa"])
def test_login_with_key(start_server, keys, ktype):
    srv = start_server(authorized=[keys[ktype].line()])
    res = ssh(srv, keys[ktype], "echo ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(srv, res, f"login with the {ktype} key")
    log = srv.log_text()
    assert "Accepted publickey for root from 127.0.0.1" in log, \
        explain(srv, res, "no sshd-style 'Accepted publickey' line in the log")


def test_exit_status(server, keys):
    res = ssh(server, keys["ed25519"], "exit 7")
    assert res.returncode == 7, explain(server, res, "exit 7 must give status 7")


def test_stderr_is_separate(server, keys):
    res = ssh(server, keys["ed25519"], "echo out; echo err >&2")
    assert res.returncode == 0, explain(server, res)
    assert res.stdout == b"out\n", explain(server, res, "stdout")
    assert b"err\n" in res.stderr, explain(server, res, "stderr (extended data)")


def test_wrong_key_refused(start_server, keys):
    srv = start_server(authorized=[keys["ecdsa"].line()])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 255, explain(srv, res, "a key not listed must be refused")
    assert b"ok" not in res.stdout, explain(srv, res, "command ran with a wrong key")
    assert "Failed publickey for root" in srv.log_text(), \
        explain(srv, res, "no 'Failed publickey' line in the log")


def test_unknown_user_refused(server, keys):
    res = ssh(server, keys["ed25519"], "echo ok", user="nosuchuser4711")
    assert res.returncode == 255, explain(server, res, "unknown user must be refused")
    assert "Invalid user nosuchuser4711" in server.log_text(), \
        explain(server, res, "no 'Invalid user' line in the log")


def test_pty(server, keys):
    res = ssh(server, keys["ed25519"],
              "tty; if test -t 0; then echo STDIN-IS-TTY; fi", tty=True)
    out = res.stdout.decode(errors="replace")
    assert res.returncode == 0, explain(server, res, "ssh -tt")
    assert "/dev/pts/" in out, explain(server, res, "tty must name a pts device")
    assert "STDIN-IS-TTY" in out, explain(server, res, "stdin must be the terminal")


def test_no_pty_without_t(server, keys):
    res = ssh(server, keys["ed25519"],
              "if test -t 0; then echo TTY; else echo NOTTY; fi")
    assert res.stdout == b"NOTTY\n", explain(server, res, "exec without -t has no pty")


def test_paramiko_exec(server, keys):
    key = paramiko.Ed25519Key.from_private_key_file(keys["ed25519"].path)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=server.port, username="root", pkey=key,
                       allow_agent=False, look_for_keys=False, timeout=10,
                       banner_timeout=10, auth_timeout=10)
        _, stdout, stderr = client.exec_command("echo from-paramiko; exit 3",
                                                timeout=30)
        out = stdout.read()
        status = stdout.channel.recv_exit_status()
    except (paramiko.SSHException, socket.error) as e:
        pytest.fail(explain(server, None, f"paramiko: {type(e).__name__}: {e}"))
    finally:
        client.close()
    assert out == b"from-paramiko\n", explain(server, None, f"paramiko stdout {out!r}")
    assert status == 3, explain(server, None, f"paramiko exit status {status}")
