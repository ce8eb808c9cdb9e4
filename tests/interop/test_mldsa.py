"""ssh-mldsa44-ed25519@openssh.com host and user keys with an OpenSSH 10.5
client, named by NSSH_SSH10 as in test_openssh10.py (its ssh-keygen, from
the same folder, makes the keys). Without NSSH_SSH10 this module defines no
tests; test_mldsa_noble.py checks the same key type end to end in every run
with an independent implementation.

Checked: a login whose key exchange (mlkem768x25519-sha256), host key and
user key are all post-quantum, with the host key pinned in known_hosts and
StrictHostKeyChecking=yes; the same under privilege separation; a known_hosts
line with another mldsa44-ed25519 key makes the client refuse; an
authorized_keys line for another key of the type refuses the login.
"""
import os
import pathlib
import re
import subprocess

import pytest

from conftest import explain

SSH10 = os.environ.get("NSSH_SSH10")
ALG = "ssh-mldsa44-ed25519@openssh.com"


def _keygen(path, comment):
    kg = str(pathlib.Path(SSH10).with_name("ssh-keygen"))
    subprocess.run([kg, "-q", "-t", "mldsa44-ed25519", "-N", "", "-C", comment,
                    "-f", str(path)], check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    return str(path), pathlib.Path(str(path) + ".pub").read_text().strip()


def _pq_login(srv, user_key, known_hosts, *extra):
    # extra comes first: ssh keeps the first value of an option.
    cmd = [SSH10, "-p", str(srv.port), "-i", user_key, *extra,
           "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
           "-o", "StrictHostKeyChecking=yes",
           "-o", f"UserKnownHostsFile={known_hosts}",
           "-o", "KexAlgorithms=mlkem768x25519-sha256",
           "-o", f"HostKeyAlgorithms={ALG}",
           "-o", f"PubkeyAcceptedAlgorithms={ALG}",
           "-o", "LogLevel=DEBUG1", "-o", "ConnectTimeout=10"]
    cmd += ["root@127.0.0.1", "echo pq; exit 3"]
    return subprocess.run(cmd, capture_output=True, timeout=90,
                          stdin=subprocess.DEVNULL)


if SSH10:
    @pytest.fixture(scope="module")
    def mlkeys(tmp_path_factory):
        d = tmp_path_factory.mktemp("mldsa")
        return {"host": _keygen(d / "host_mldsa", "host"),
                "user": _keygen(d / "id_mldsa", "user"),
                "other": _keygen(d / "other_mldsa", "other")}

    def _known(tmp_path, srv, pub):
        kh = tmp_path / "known_hosts"
        kt, blob = pub.split()[:2]
        kh.write_text(f"[127.0.0.1]:{srv.port} {kt} {blob}\n")
        return str(kh)

    @pytest.mark.parametrize("privsep", [False, True], ids=["single", "privsep"])
    def test_pq_kex_hostkey_and_userkey(start_server, mlkeys, tmp_path, privsep):
        opts = [f"UsePrivilegeSeparation={'yes' if privsep else 'no'}"]
        srv = start_server(authorized=[mlkeys["user"][1]], opts=opts,
                           host_key=mlkeys["host"][0])
        r = _pq_login(srv, mlkeys["user"][0], _known(tmp_path, srv, mlkeys["host"][1]))
        err = r.stderr.decode(errors="replace")
        assert r.returncode == 3 and r.stdout == b"pq\n", explain(srv, r, "PQ login")
        assert "kex: algorithm: mlkem768x25519-sha256" in err, explain(srv, r)
        assert f"kex: host key algorithm: {ALG}" in err, explain(srv, r)
        # the pinned key matched (the client says where it found it)
        assert re.search(r"Host '\[127\.0\.0\.1\]:\d+' is known and matches the "
                         r"MLDSA44-ED25519 host key", err), explain(srv, r)
        assert re.search(r"Server accepts key: \S+ MLDSA44-ED25519", err), explain(srv, r)
        assert 'Authenticated to 127.0.0.1' in err and '"publickey"' in err, explain(srv, r)
        assert re.search(r"Accepted publickey for root from 127\.0\.0\.1 port \d+ "
                         r"ssh2: MLDSA44-ED25519 SHA256:", srv.log_text()), explain(srv, r)

    def test_other_host_key_refused(start_server, mlkeys, tmp_path):
        srv = start_server(authorized=[mlkeys["user"][1]], host_key=mlkeys["host"][0])
        r = _pq_login(srv, mlkeys["user"][0], _known(tmp_path, srv, mlkeys["other"][1]))
        assert r.returncode == 255 and r.stdout == b"", explain(srv, r)
        assert b"REMOTE HOST IDENTIFICATION HAS CHANGED" in r.stderr, explain(srv, r)

    def test_other_user_key_refused(start_server, mlkeys, tmp_path):
        srv = start_server(authorized=[mlkeys["other"][1]], host_key=mlkeys["host"][0])
        r = _pq_login(srv, mlkeys["user"][0], _known(tmp_path, srv, mlkeys["host"][1]))
        assert r.returncode == 255 and r.stdout == b"", explain(srv, r)
        assert b"Permission denied (publickey" in r.stderr, explain(srv, r)

    def test_mldsa_user_certificate(start_server, mlkeys, tmp_path):
        """ssh-mldsa44-ed25519-cert-v01@openssh.com: accepted when named in
        PubkeyAcceptedAlgorithms (sshd 10.5 does not enable it by default,
        nor does nanosshd)."""
        kg = str(pathlib.Path(SSH10).with_name("ssh-keygen"))
        # An Ed25519 CA: an ML-DSA CA's key and signature would make the
        # certificate larger than the engine's key blob limit (4 KiB).
        subprocess.run([kg, "-q", "-t", "ed25519", "-N", "", "-f",
                        str(tmp_path / "ca_ed")], check=True, timeout=60)
        ca = (str(tmp_path / "ca_ed"),
              (tmp_path / "ca_ed.pub").read_text().strip())
        subprocess.run([kg, "-q", "-s", ca[0], "-I", "pq-cert", "-n", "root",
                        mlkeys["user"][0] + ".pub"], check=True, timeout=60)
        cert = mlkeys["user"][0] + "-cert.pub"
        trusted = tmp_path / "trusted"
        trusted.write_text(ca[1] + "\n")
        cert_alg = "ssh-mldsa44-ed25519-cert-v01@openssh.com"
        client = ["-o", f"CertificateFile={cert}",
                  "-o", f"PubkeyAcceptedAlgorithms={cert_alg}"]
        try:
            srv = start_server(opts=[f"TrustedUserCAKeys={trusted}",
                                     f"PubkeyAcceptedAlgorithms=+{cert_alg}"],
                               host_key=mlkeys["host"][0])
            r = _pq_login(srv, mlkeys["user"][0],
                          _known(tmp_path, srv, mlkeys["host"][1]), *client)
            assert r.returncode == 3 and r.stdout == b"pq\n", explain(srv, r)
            assert 'Accepted certificate ID "pq-cert"' in srv.log_text(), explain(srv, r)
            plain = start_server(opts=[f"TrustedUserCAKeys={trusted}"],
                                 host_key=mlkeys["host"][0])
            r = _pq_login(plain, mlkeys["user"][0],
                          _known(tmp_path, plain, mlkeys["host"][1]), *client)
            assert r.returncode == 255 and r.stdout == b"", explain(plain, r)
        finally:
            os.unlink(cert)
