"""Bulk data both ways, re-keying under load, and a client that dies."""
import hashlib
import os
import select
import subprocess
import time

import pytest

from conftest import BIG, explain, ssh, ssh_cmd, wait_for_log
from processes import descendants, exe_of


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def remote_sha(res):
    return res.stdout.decode(errors="replace").split(" ")[0].strip()


def test_upload_64m(server, keys, bigfile):
    path, digest = bigfile
    with open(path, "rb") as f:
        res = ssh(server, keys["ed25519"], "sha256sum", stdin=f, timeout=240)
    assert res.returncode == 0, explain(server, res, "64 MiB through stdin")
    assert remote_sha(res) == digest, \
        explain(server, res, f"SHA-256 on the server differs (want {digest})")


def test_download_64m(server, keys, bigfile):
    path, digest = bigfile
    res = ssh(server, keys["ed25519"], f"cat {path}", timeout=240)
    assert res.returncode == 0, explain(server, None, f"64 MiB through stdout: "
                                        f"exit {res.returncode}, stderr "
                                        f"{res.stderr[-2000:]!r}")
    assert len(res.stdout) == BIG and sha256_hex(res.stdout) == digest, \
        explain(server, None, f"received {len(res.stdout)} bytes with SHA-256 "
                f"{sha256_hex(res.stdout)}, want {BIG} bytes {digest}")


def kex_count(stderr):
    return stderr.decode(errors="replace").count("SSH2_MSG_NEWKEYS received")


def test_rekey_client_limit(server, keys, bigfile):
    """The client re-keys every MiB (RekeyLimit=1M) during 64 MiB upload."""
    path, digest = bigfile
    with open(path, "rb") as f:
        res = ssh(server, keys["ed25519"], "sha256sum", stdin=f, timeout=240,
                  opts=["RekeyLimit=1M", "KexAlgorithms=curve25519-sha256"],
                  verbose=True)
    assert res.returncode == 0, explain(server, res, "upload with RekeyLimit=1M")
    assert remote_sha(res) == digest, explain(server, res, "SHA-256 differs")
    n = kex_count(res.stderr)
    assert n >= 3, explain(server, None, f"ssh -v shows {n} key exchanges, "
                           "want several")


def test_rekey_server_limit(start_server, keys, bigfile):
    """The server re-keys every MiB (-o RekeyLimit=1M) during 64 MiB
    download."""
    path, digest = bigfile
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["RekeyLimit=1M"])
    res = ssh(srv, keys["ed25519"], f"cat {path}", timeout=240, verbose=True)
    assert res.returncode == 0, explain(srv, None, f"download with server "
                                        f"RekeyLimit=1M: exit {res.returncode}, "
                                        f"stderr {res.stderr[-3000:]!r}")
    assert sha256_hex(res.stdout) == digest, explain(srv, None, "SHA-256 differs")
    n = kex_count(res.stderr)
    assert n >= 3, explain(srv, None, f"ssh -v shows {n} key exchanges, want "
                           "several")


def _still_running_cat(srv):
    return [p for p in descendants(srv.daemon_pid)
            if os.path.basename(exe_of(p)) == "cat"]


@pytest.mark.parametrize("direction", ["download", "upload"])
def test_client_killed_mid_transfer(server, keys, direction):
    key = keys["ed25519"]
    if direction == "download":
        cmd = ssh_cmd(server, key, "cat /dev/zero")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        got, end = 0, time.monotonic() + 30
        try:
            while got < 4 * 1024 * 1024 and time.monotonic() < end:
                r, _, _ = select.select([proc.stdout], [], [], 1.0)
                if r:
                    chunk = os.read(proc.stdout.fileno(), 1 << 16)
                    if not chunk:
                        break
                    got += len(chunk)
        finally:
            proc.kill()
            proc.wait(timeout=10)
            proc.stdout.close()
        assert got >= 4 * 1024 * 1024, \
            explain(server, None, f"only {got} bytes arrived before the kill")
    else:
        cmd = ssh_cmd(server, key, "cat > /dev/null")
        with open("/dev/zero", "rb") as zero:
            proc = subprocess.Popen(cmd, stdin=zero, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        try:
            assert wait_for_log(server, "Accepted publickey", 20), \
                explain(server, None, "upload session never logged in")
            time.sleep(1.0)
            assert proc.poll() is None, \
                explain(server, None, f"ssh ended early with {proc.returncode}")
        finally:
            proc.kill()
            proc.wait(timeout=10)

    res = ssh(server, key, "echo ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(server, res, "login after a client was killed mid-transfer")
    assert server.alive(), explain(server, None, "the daemon died")

    end = time.monotonic() + 15
    while _still_running_cat(server) and time.monotonic() < end:
        time.sleep(0.2)
    left = _still_running_cat(server)
    assert not left, explain(server, None, f"the killed session's command is "
                             f"still running (PIDs {left})")


def test_no_rekey_during_auth(start_server, keys):
    """RekeyLimit 16 on the server (as OpenSSH's regress suite sets it): the
    limit is passed during user auth, but the server waits until login
    succeeded, so the client never sees KEXINIT while authenticating."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["RekeyLimit=16"])
    data = os.urandom(256 << 10)
    res = ssh(srv, keys["ed25519"], "cat", input=data, timeout=120, verbose=True)
    assert res.returncode == 0, explain(srv, res, "login with RekeyLimit 16")
    assert res.stdout == data, explain(srv, None, "data differs")
    assert b"bad message during authentication" not in res.stderr
    n = kex_count(res.stderr)
    assert n >= 2, explain(srv, res, f"ssh -v shows {n} key exchanges")
