"""nanosshd with an OpenSSH 10 client, named by NSSH_SSH10 (built from an
openssh-portable tree with tools/openssh-build.sh; sftp is taken from the
same folder). Its default key exchange is mlkem768x25519-sha256.

Without NSSH_SSH10 this module defines no tests (Debian 12 ships OpenSSH
9.2; nothing is skipped and counted): the firmware stage
(tools/mcu-test.sh) reports the client's absence.
"""
import hashlib
import os
import pathlib
import re
import subprocess

from conftest import SSH_BASE, explain

SSH10 = os.environ.get("NSSH_SSH10")


def _cmd(srv, key, *extra):
    return [SSH10, "-p", str(srv.port), "-i", key.path] + SSH_BASE + list(extra)


if SSH10:
    def test_ssh10_is_openssh_10():
        r = subprocess.run([SSH10, "-V"], capture_output=True, timeout=30)
        assert re.match(r"OpenSSH_1\d\.", r.stderr.decode()), r.stderr

    def test_ssh10_default_kex_mlkem(server, keys):
        r = subprocess.run(_cmd(server, keys["ed25519"], "-o", "LogLevel=DEBUG1",
                                "root@127.0.0.1", "echo ten; exit 4"),
                           capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        assert r.returncode == 4, explain(server, r, "OpenSSH 10 login")
        assert r.stdout == b"ten\n", explain(server, r)
        assert b"kex: algorithm: mlkem768x25519-sha256" in r.stderr, explain(server, r)

    def test_ssh10_sftp_round_trip(server, keys, tmp_path):
        data = os.urandom(1 << 20)
        src, back = tmp_path / "src.bin", tmp_path / "back.bin"
        remote = tmp_path / "remote.bin"
        src.write_bytes(data)
        batch = tmp_path / "batch"
        batch.write_text(f"put {src} {remote}\nget {remote} {back}\n")
        sftp = str(pathlib.Path(SSH10).with_name("sftp"))
        r = subprocess.run([sftp, "-S", SSH10, "-P", str(server.port), "-i",
                            keys["ed25519"].path, "-b", str(batch)] + SSH_BASE
                           + ["root@127.0.0.1"], capture_output=True, timeout=120)
        assert r.returncode == 0, explain(server, r, "OpenSSH 10 sftp")
        want = hashlib.sha256(data).hexdigest()
        assert hashlib.sha256(remote.read_bytes()).hexdigest() == want
        assert hashlib.sha256(back.read_bytes()).hexdigest() == want

    import pytest

    @pytest.mark.parametrize("privsep", ["yes", "no"])
    def test_ssh10_match_server_sig_algs(start_server, keys, tmp_path, privsep):
        """The global PubkeyAcceptedAlgorithms allows Ed25519 only; a Match
        block adds RSA for root. OpenSSH 10 (ext-info-in-auth@openssh.com)
        takes the second server-sig-algs sent after its first request, as
        from sshd, and so offers its RSA key (regress test limit-keytype)."""
        cfg = tmp_path / "sshd_config"
        cfg.write_text("PubkeyAcceptedAlgorithms ssh-ed25519\n"
                       f"UsePrivilegeSeparation {privsep}\n"
                       "Match User root\n"
                       "    PubkeyAcceptedAlgorithms +rsa-sha2-512,rsa-sha2-256\n")
        srv = start_server(authorized=[keys["rsa"].line()], args=["-f", str(cfg)])
        r = subprocess.run(_cmd(srv, keys["rsa"], "-o", "LogLevel=DEBUG1",
                                "root@127.0.0.1", "echo rsa-ok"),
                           capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        assert r.returncode == 0 and r.stdout == b"rsa-ok\n", explain(srv, r)
        lists = re.findall(rb"server-sig-algs=<([^>]*)>", r.stderr)
        assert len(lists) == 2 and lists[0] == b"ssh-ed25519", explain(srv, r)
        assert b"rsa-sha2-512" in lists[1].split(b","), explain(srv, r)
