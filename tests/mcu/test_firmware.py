"""The nanossh firmware on an emulated STM32F405 (QEMU netduinoplus2) with
Debian's OpenSSH client: key login, exec with exit status, a pty shell, a
wrong key, SFTP round trip and a full filesystem, and the refusal to start
without a seed.

One firmware instance serves the module's tests in turn (the UART carries
one client at a time, and each new client's identification line starts a
fresh session, which these tests also exercise).
"""
import base64
import hashlib
import os
import pathlib
import select
import subprocess
import sys
import time

import pytest

from qemu_fw import ROOT, Firmware, build_dir, keygen, provision

sys.path.insert(0, str(ROOT / "tests" / "interop"))
import rawkex  # noqa: E402
import rawssh  # noqa: E402

RAW_V_C = "SSH-2.0-rawssh_0.1"


class RawSession:
    """A raw connection that has read the server's version and KEXINIT."""

    def __init__(self, port):
        self.c = rawssh.RawClient(port, timeout=60)
        self.c.send_version(RAW_V_C)
        self.v_s = self.c.read_version()
        self.i_s = self.next().payload
        assert self.i_s[0] == rawssh.MSG_KEXINIT
        self.server_kex = rawssh.Packet(self.i_s).kexinit_lists()[0].split(",")
        self.i_c = None

    def next(self):
        while True:
            p = self.c.read_packet()
            if p.type not in (2, 4):
                return p

    def kexinit(self, kex, hostkey):
        self.i_c = rawssh.kexinit_payload(kex=kex, hostkey=hostkey)
        self.c.send_payload(self.i_c)

    def send(self, payload):
        self.c.send_payload(payload)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.c.close()

TIMEOUT = 120


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    b = build_dir()
    elf = b / "nanossh-fw.elf"
    assert elf.is_file(), f"firmware not built at {elf}: run tools/mcu-test.sh"
    return {
        "dir": d,
        "elf": elf,
        "host": keygen(b / "ssh_host_ed25519_key", "nanossh-firmware"),
        "user": keygen(d / "user_key"),
        "wrong": keygen(d / "wrong_key"),
    }


@pytest.fixture(scope="module")
def fw(keys):
    f = Firmware(keys["elf"], keys["dir"], keys["host"], str(keys["user"]) + ".pub")
    try:
        assert f.wait_log("ready:"), f"firmware did not start:\n{f.text()}"
        hostpub = (str(keys["host"]) + ".pub")
        kh = keys["dir"] / "known_hosts"
        kt, kb = open(hostpub).read().split()[:2]
        kh.write_text(f"[127.0.0.1]:{f.port} {kt} {kb}\n")
        f.known_hosts = kh
        yield f
    finally:
        out = f.stop()
        print("firmware log:\n" + f.text() + out)


def ssh_args(fw, key, *extra):
    return ["ssh", "-F", "/dev/null", "-p", str(fw.port), "-i", str(key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", f"UserKnownHostsFile={fw.known_hosts}",
            "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=60",
            *extra, "admin@127.0.0.1"]


def run_ssh(fw, key, command, *extra, input=None):
    return subprocess.run(ssh_args(fw, key, *extra) + [command], input=input,
                          capture_output=True, timeout=TIMEOUT)


def test_exec_echo(fw, keys):
    r = run_ssh(fw, keys["user"], "echo hi")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b"hi\n"


def test_exec_exit_status(fw, keys):
    r = run_ssh(fw, keys["user"], "no-such-command")
    assert r.returncode == 127
    assert b"command not found" in r.stdout
    r = run_ssh(fw, keys["user"], "cat missing-file")
    assert r.returncode == 1
    r = run_ssh(fw, keys["user"], "exit 42")
    assert r.returncode == 42


def test_default_algorithms(fw, keys):
    """The client's defaults meet the firmware's: a hybrid or curve25519
    key exchange (OpenSSH 9.2 has no mlkem768x25519-sha256, and sntrup761
    is a build option), Ed25519, chacha20-poly1305 (ssh -v names what was
    negotiated)."""
    r = run_ssh(fw, keys["user"], "uptime", "-vv")
    err = r.stderr.decode()
    lines = [ln.strip() for ln in err.splitlines()]
    assert r.returncode == 0, err
    kex = [ln.split(": ")[-1] for ln in lines if ln.startswith("debug1: kex: algorithm:")]
    assert kex and kex[0] in ("mlkem768x25519-sha256", "curve25519-sha256",
                              "sntrup761x25519-sha512@openssh.com"), err
    assert "debug1: kex: host key algorithm: ssh-ed25519" in lines
    assert any("cipher: chacha20-poly1305@openssh.com" in ln for ln in lines)
    # strict KEX offered by the device, ext-info sent with server-sig-algs
    assert "kex-strict-s-v00@openssh.com" in err
    assert "kex_input_ext_info: server-sig-algs=<ssh-ed25519>" in err
    assert r.stdout.startswith(b"up ")


@pytest.mark.parametrize("kex,cipher,mac", [
    ("curve25519-sha256", "aes128-gcm@openssh.com", None),
    ("curve25519-sha256@libssh.org", "aes256-ctr", "hmac-sha2-256-etm@openssh.com"),
    ("curve25519-sha256", "aes256-gcm@openssh.com", None),
    ("curve25519-sha256", "aes128-ctr", "hmac-sha2-256"),
])
def test_algorithms(fw, keys, kex, cipher, mac):
    extra = ["-o", f"KexAlgorithms={kex}", "-o", f"Ciphers={cipher}"]
    if mac:
        extra += ["-o", f"MACs={mac}"]
    r = run_ssh(fw, keys["user"], "echo ok", *extra)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b"ok\n"


def test_mlkem768x25519(fw, keys):
    """mlkem768x25519-sha256, which OpenSSH 9.2 lacks, with the raw client
    of the interop suite (ML-KEM-768 in Python): the firmware's reply is
    checked by verifying its host key signature over the exchange hash the
    client computed, and the key is the provisioned one."""
    with RawSession(fw.port) as s:
        assert s.server_kex[0] == "mlkem768x25519-sha256", s.server_kex
        s.kexinit("mlkem768x25519-sha256", "ssh-ed25519")
        ex = rawkex.Exchange("mlkem768x25519-sha256")
        s.send(ex.init_payload())
        p = s.next()
        ktype, _ = ex.check_reply(p.payload, RAW_V_C, s.v_s, s.i_c, s.i_s)
        assert ktype == "ssh-ed25519"
        k_s = rawkex.Reader(p.payload[1:]).string()
        host_blob = base64.b64decode(open(str(keys["host"]) + ".pub").read().split()[1])
        assert k_s == host_blob
        s.send(bytes([21]))      # NEWKEYS: the device completes its exchange
    # A new client after an abandoned session is served at once.
    assert run_ssh(fw, keys["user"], "echo next").stdout == b"next\n"


def test_burst_larger_than_receive_ring(fw, keys):
    """The client's identification, KEXINIT, ML-KEM init and a 6 KiB IGNORE
    in one write, before it has read anything: far more than the 1 KiB
    receive ring, arriving while the device computes its reply. The UART
    interrupt must hold the input back without starving the main loop, and
    the exchange completes with a valid reply."""
    c = rawssh.RawClient(fw.port, timeout=60)
    try:
        i_c = rawssh.kexinit_payload(kex="mlkem768x25519-sha256", hostkey="ssh-ed25519")
        ex = rawkex.Exchange("mlkem768x25519-sha256")
        ignore = bytes([2]) + (6000).to_bytes(4, "big") + os.urandom(6000)
        c.sock.sendall((RAW_V_C + "\r\n").encode() + rawssh.frame(i_c)
                       + rawssh.frame(ex.init_payload()) + rawssh.frame(ignore))
        v_s = c.read_version()
        p = c.read_packet()
        while p.type in (2, 4):
            p = c.read_packet()
        assert p.type == rawssh.MSG_KEXINIT
        i_s = p.payload
        p = c.read_packet()
        while p.type in (2, 4):
            p = c.read_packet()
        ktype, _ = ex.check_reply(p.payload, RAW_V_C, v_s, i_c, i_s)
        assert ktype == "ssh-ed25519"
        c.send_payload(bytes([21]))
    finally:
        c.close()
    assert run_ssh(fw, keys["user"], "echo after-burst").stdout == b"after-burst\n"


def test_wrong_key_refused(fw, keys):
    r = run_ssh(fw, keys["wrong"], "echo hi")
    assert r.returncode == 255
    assert b"Permission denied" in r.stderr
    assert r.stdout == b""
    # and the device still serves the right key afterwards
    assert run_ssh(fw, keys["user"], "echo again").stdout == b"again\n"


def read_until(proc, needle, timeout=60):
    buf = b""
    end = time.time() + timeout
    while needle not in buf and time.time() < end:
        r, _, _ = select.select([proc.stdout], [], [], 0.5)
        if r:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
    assert needle in buf, f"waited for {needle!r}, got {buf!r}"
    return buf


def test_pty_shell(fw, keys):
    p = subprocess.Popen(ssh_args(fw, keys["user"], "-tt"), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        read_until(p, b"nanossh$ ")
        p.stdin.write(b"echo typed words\r")
        p.stdin.flush()
        out = read_until(p, b"typed words\r\nnanossh$ ")
        assert b"echo typed words\r\n" in out          # echoed by the device
        p.stdin.write(b"mem\r")
        p.stdin.flush()
        out = read_until(p, b"files free")
        assert b"stack peak" in out and b"per session" in out
        p.stdin.write(b"exit 3\r")
        p.stdin.flush()
        assert p.wait(TIMEOUT) == 3
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def sftp_batch(fw, keys, batch, tmp):
    bf = tmp / "batch"
    bf.write_text(batch)
    return subprocess.run(
        ["sftp", "-F", "/dev/null", "-P", str(fw.port), "-i", str(keys["user"]),
         "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={fw.known_hosts}",
         "-o", "StrictHostKeyChecking=yes", "-b", str(bf), "admin@127.0.0.1"],
        capture_output=True, timeout=TIMEOUT, cwd=tmp)


def test_sftp_put_get(fw, keys, tmp_path):
    data = os.urandom(40 * 1024)
    (tmp_path / "up.bin").write_bytes(data)
    r = sftp_batch(fw, keys, "put up.bin f40k\nls -l\nget f40k down.bin\n", tmp_path)
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
    got = (tmp_path / "down.bin").read_bytes()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    # The device's own sha256 and ls agree with the host.
    r = run_ssh(fw, keys["user"], "sha256 f40k")
    assert r.returncode == 0
    assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
    r = run_ssh(fw, keys["user"], "ls")
    assert b"40960  f40k" in r.stdout
    r = run_ssh(fw, keys["user"], "rm f40k")
    assert r.returncode == 0
    assert b"f40k" not in run_ssh(fw, keys["user"], "ls").stdout


def test_sftp_rename_and_scp(fw, keys, tmp_path):
    data = os.urandom(10 * 1024)
    (tmp_path / "a.bin").write_bytes(data)
    r = sftp_batch(fw, keys, "put a.bin one\nrename one two\nls\nget two b.bin\nrm two\n",
                   tmp_path)
    assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
    assert (tmp_path / "b.bin").read_bytes() == data
    assert b"two" not in run_ssh(fw, keys["user"], "ls").stdout
    # scp (OpenSSH 9 speaks SFTP underneath) both ways
    scp = ["scp", "-F", "/dev/null", "-P", str(fw.port), "-i", str(keys["user"]),
           "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
           "-o", f"UserKnownHostsFile={fw.known_hosts}", "-o", "StrictHostKeyChecking=yes"]
    r = subprocess.run(scp + [str(tmp_path / "a.bin"), "admin@127.0.0.1:viascp"],
                       capture_output=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr.decode()
    r = subprocess.run(scp + ["admin@127.0.0.1:viascp", str(tmp_path / "c.bin")],
                       capture_output=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr.decode()
    assert (tmp_path / "c.bin").read_bytes() == data
    assert run_ssh(fw, keys["user"], "rm viascp").returncode == 0


def test_sftp_file_larger_than_free_space(fw, keys, tmp_path):
    # Larger than all of the chip's RAM, whatever the image leaves to .ramfs.
    (tmp_path / "big.bin").write_bytes(os.urandom(200 * 1024))
    r = sftp_batch(fw, keys, "put big.bin big\n", tmp_path)
    assert r.returncode != 0
    err = r.stderr.decode()
    assert "Failure" in err or "failure" in err or "space" in err, err
    # No crash: the device answers, and the partial file can be removed.
    r = run_ssh(fw, keys["user"], "rm big")
    assert r.returncode in (0, 1)
    r = run_ssh(fw, keys["user"], "echo alive")
    assert r.stdout == b"alive\n"


def test_garbage_then_next_client(fw, keys):
    """Junk after an identification line (an absurd packet length) ends that
    session with a logged error, not a crash; the next client is served."""
    import socket
    with socket.create_connection(("127.0.0.1", fw.port), timeout=30) as s:
        before = fw.text().count("packet: bad packet length")
        s.sendall(b"SSH-2.0-garbage\r\n" + b"\xff" * 3000)
        got, end = b"", time.time() + 20
        s.settimeout(1)
        while time.time() < end and b"SSH-2.0-nanossh" not in got:
            try:
                got += s.recv(65536)
            except socket.timeout:
                pass
        assert got.startswith(b"SSH-2.0-nanossh"), got[:100]
        time.sleep(1)
    end = time.time() + 20
    while fw.text().count("packet: bad packet length") == before and time.time() < end:
        time.sleep(0.1)
    assert fw.text().count("packet: bad packet length") == before + 1, fw.text()
    r = run_ssh(fw, keys["user"], "echo fine")
    assert r.returncode == 0 and r.stdout == b"fine\n", r.stderr.decode()


def refused(keys, tmp, prov_bytes, reason):
    f = Firmware(keys["elf"], tmp, keys["host"], str(keys["user"]) + ".pub",
                 prov_bytes=prov_bytes)
    try:
        assert f.wait_log(reason, timeout=30), f.text()
        assert "ready:" not in f.text()
    finally:
        f.stop()


def test_refuses_without_provisioning(keys, tmp_path):
    refused(keys, tmp_path, b"", "fatal: no provisioning block")


def test_refuses_without_seed(keys, tmp_path):
    blk = provision.block(bytes(32), provision.openssh_ed25519(keys["host"]), "admin",
                          provision.ed25519_public_keys(str(keys["user"]) + ".pub"))
    refused(keys, tmp_path, blk, "fatal: no random seed")


def test_refuses_corrupt_block(keys, tmp_path):
    blk = bytearray(provision.block(os.urandom(32), provision.openssh_ed25519(keys["host"]),
                                    "admin", provision.ed25519_public_keys(str(keys["user"]) + ".pub")))
    blk[50] ^= 1
    refused(keys, tmp_path, bytes(blk), "CRC mismatch")


def test_stack_peak_within_reserve(fw, keys):
    """Last in the module: after every login, key exchange, shell and sftp
    transfer above, the deepest stack use of the whole run (painted stack,
    `mem`) stayed inside the linker's reservation with room to spare for
    interrupts, so the RAM figure (data + bss + reserved stack) holds."""
    r = run_ssh(fw, keys["user"], "mem")
    assert r.returncode == 0, r.stderr.decode()
    vals = {}
    for ln in r.stdout.decode().splitlines():
        parts = ln.split()
        if len(parts) >= 3 and parts[-1] == "bytes":
            vals[" ".join(parts[:-2])] = int(parts[-2])
    reserved, peak = vals["of it stack"], vals["stack peak"]
    print(f"stack peak over the run: {peak} of {reserved} reserved")
    assert 0 < peak <= reserved - 512, vals
