"""The firmware with an OpenSSH 10 client (NSSH_SSH10=/path/to/bin/ssh;
sftp and scp are taken from the same folder): its default key exchange,
mlkem768x25519-sha256, against the firmware's compact ML-KEM-768; key
login, exit status, a pty shell, a wrong key, and an sftp round trip.

Collected only when NSSH_SSH10 is set (conftest.py).
"""
import hashlib
import os
import pathlib
import re
import subprocess

import pytest

from test_firmware import TIMEOUT, fw, keys, read_until  # noqa: F401 (fixtures)

SSH10 = pathlib.Path(os.environ.get("NSSH_SSH10", "ssh"))
SFTP10 = SSH10.with_name("sftp")


def common(fw):
    return ["-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", f"UserKnownHostsFile={fw.known_hosts}",
            "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=60"]


def ssh10(fw, key, *extra):
    return [str(SSH10), *common(fw), "-p", str(fw.port), "-i", str(key), *extra,
            "admin@127.0.0.1"]


def test_client_is_openssh_10():
    r = subprocess.run([str(SSH10), "-V"], capture_output=True, timeout=30)
    v = r.stderr.decode()
    assert r.returncode == 0 and re.match(r"OpenSSH_1\d\.", v), \
        f"NSSH_SSH10={SSH10} is not an OpenSSH 10 client: {v!r}"
    assert SFTP10.is_file(), f"no sftp next to {SSH10}"


def test_default_kex_is_mlkem(fw, keys):
    """No algorithm options: the client's default choice is the hybrid
    post-quantum exchange, and the login goes through."""
    r = subprocess.run(ssh10(fw, keys["user"], "-v") + ["echo pq"], capture_output=True,
                       timeout=TIMEOUT)
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "debug1: kex: algorithm: mlkem768x25519-sha256" in err, err
    assert "debug1: kex: host key algorithm: ssh-ed25519" in err
    assert r.stdout == b"pq\n"


def test_exit_status_and_wrong_key(fw, keys):
    r = subprocess.run(ssh10(fw, keys["user"]) + ["exit 7"], capture_output=True,
                       timeout=TIMEOUT)
    assert r.returncode == 7, r.stderr.decode()
    r = subprocess.run(ssh10(fw, keys["wrong"]) + ["echo hi"], capture_output=True,
                       timeout=TIMEOUT)
    assert r.returncode == 255 and b"Permission denied" in r.stderr
    assert r.stdout == b""


def test_pty_shell(fw, keys):
    p = subprocess.Popen(ssh10(fw, keys["user"], "-tt"), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        read_until(p, b"nanossh$ ")
        p.stdin.write(b"echo from ten\r")
        p.stdin.flush()
        read_until(p, b"from ten\r\nnanossh$ ")
        p.stdin.write(b"exit 5\r")
        p.stdin.flush()
        assert p.wait(TIMEOUT) == 5
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_sftp_put_get(fw, keys, tmp_path):
    data = os.urandom(40 * 1024)
    (tmp_path / "up.bin").write_bytes(data)
    (tmp_path / "batch").write_text("put up.bin ten40k\nget ten40k down.bin\nrm ten40k\n")
    r = subprocess.run([str(SFTP10), "-S", str(SSH10), *common(fw), "-P", str(fw.port),
                        "-i", str(keys["user"]), "-b", str(tmp_path / "batch"),
                        "admin@127.0.0.1"],
                       capture_output=True, timeout=TIMEOUT, cwd=tmp_path)
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
    got = (tmp_path / "down.bin").read_bytes()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
