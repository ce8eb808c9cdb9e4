"""Security-key host keys and security-key certificates (OpenSSH
PROTOCOL.u2f, PROTOCOL.certkeys) with Debian's OpenSSH tools and the
software FIDO middleware built for the tests (tests/sk/soft_sk.c,
libsoftsk.so next to the daemon): ssh-keygen -w makes ed25519-sk and
ecdsa-sk keys and -s certifies them; nanosshd signs with its sk host key
through SecurityKeyProvider (without privilege separation, with it, and
in single-process mode); ssh checks it against known_hosts or a
@cert-authority line; sk user certificates log in through
TrustedUserCAKeys, and expired, wrong-principal or untouched ones are
refused with sshd's log lines."""
import os
import pathlib
import subprocess

import pytest

from conftest import Key, explain, need_tool, wait_for_log

ED, EC = "ed25519-sk", "ecdsa-sk"
ALG = {ED: "sk-ssh-ed25519@openssh.com", EC: "sk-ecdsa-sha2-nistp256@openssh.com"}
CERT_ALG = {ED: "sk-ssh-ed25519-cert-v01@openssh.com",
            EC: "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"}
MODES = {"no-privsep": ["UsePrivilegeSeparation=no"],
         "privsep": ["UsePrivilegeSeparation=yes"],
         "single": ["SingleProcess=yes"]}
TOUCH = "rejected: user presence (authenticator touch) requirement not met"
CLIENT = ["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10",
          "-F", "/dev/null", "-o", "StrictHostKeyChecking=yes"]


@pytest.fixture(scope="module")
def softsk(nanosshd):
    lib = pathlib.Path(nanosshd).parent / "tests" / "libsoftsk.so"
    assert lib.exists(), f"{lib} missing: build the softsk target (tests/sk/sk.cmake)"
    return str(lib)


def sk_key(directory, name, kind, lib):
    """ssh-keygen -t ed25519-sk/ecdsa-sk with the middleware given by -w."""
    need_tool("ssh-keygen")
    path = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-w", lib, "-N", "",
                    "-C", f"{name}@interop", "-f", str(path)],
                   check=True, capture_output=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    os.chmod(path, 0o600)
    return Key(path)


def certify(ca, key, principals, host=False, validity=None, options=()):
    cmd = ["ssh-keygen", "-q", "-s", ca.path, "-I", "sk-test", "-n", principals,
           "-z", "42"]
    if host:
        cmd.append("-h")
    if validity:
        cmd += ["-V", validity]
    for o in options:
        cmd += ["-O", o]
    subprocess.run(cmd + [key.path + ".pub"], check=True, capture_output=True,
                   timeout=60)
    return key.path + "-cert.pub"


@pytest.fixture(scope="module")
def skdir(tmp_path_factory, softsk):
    d = tmp_path_factory.mktemp("sk")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    str(d / "ca")], check=True, timeout=60)
    keys = {"ca": Key(d / "ca"), "user": None}
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    str(d / "user")], check=True, timeout=60)
    keys["user"] = Key(d / "user")
    for kind in (ED, EC):
        keys["host-" + kind] = sk_key(d, f"host_{kind}", kind, softsk)
        keys["other-" + kind] = sk_key(d, f"other_{kind}", kind, softsk)
    return d, keys


def client(srv, key, known_hosts, alg, *extra, lib=None, env=None, verbose=True):
    cmd = ["ssh", "-p", str(srv.port), "-i", key.path, *CLIENT,
           "-o", f"UserKnownHostsFile={known_hosts}", "-o", f"HostKeyAlgorithms={alg}"]
    if lib:
        cmd += ["-o", f"SecurityKeyProvider={lib}"]
    if verbose:
        cmd.append("-v")
    cmd += [*extra, "root@127.0.0.1", "echo", "sk-ok"]
    return subprocess.run(cmd, capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=env)


def ok(res):
    return res.returncode == 0 and b"sk-ok" in res.stdout


def known(tmp_path, line):
    kh = tmp_path / "known_hosts"
    kh.write_text(line + "\n")
    return kh


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("kind", [ED, EC])
def test_sk_host_key(start_server, skdir, softsk, tmp_path, kind, mode):
    _, k = skdir
    hk = k["host-" + kind]
    srv = start_server(authorized=[k["user"].line()], host_key=hk.path,
                       opts=[f"SecurityKeyProvider={softsk}", *MODES[mode]])
    kh = known(tmp_path, f"[127.0.0.1]:{srv.port} {hk.pub}")
    res = client(srv, k["user"], kh, ALG[kind])
    assert ok(res), explain(srv, res)
    assert f"Server host key: {ALG[kind]} SHA256:".encode() in res.stderr, explain(srv, res)
    assert b"Host '[127.0.0.1]:" in res.stderr and b"is known and matches" in res.stderr, \
        explain(srv, res)
    # Another security key of the same type in known_hosts: refused.
    kh = known(tmp_path, f"[127.0.0.1]:{srv.port} {k['other-' + kind].pub}")
    res = client(srv, k["user"], kh, ALG[kind])
    assert not ok(res), explain(srv, res)
    assert b"Host key verification failed" in res.stderr, explain(srv, res)


@pytest.mark.parametrize("kind", [ED, EC])
def test_sk_host_certificate(start_server, skdir, softsk, tmp_path, kind):
    _, k = skdir
    hk = k["host-" + kind]
    cert = certify(k["ca"], hk, "127.0.0.1,localhost", host=True)
    srv = start_server(authorized=[k["user"].line()], host_key=hk.path,
                       opts=[f"SecurityKeyProvider={softsk}", f"HostCertificate={cert}"])
    kh = known(tmp_path, f"@cert-authority * {k['ca'].pub}")
    res = client(srv, k["user"], kh, CERT_ALG[kind])
    assert ok(res), explain(srv, res)
    assert f"Server host certificate: {CERT_ALG[kind]}".encode() in res.stderr, \
        explain(srv, res)
    # A CA that did not sign it: no key for the host, refused.
    kh = known(tmp_path, f"@cert-authority * {k['user'].pub}")
    res = client(srv, k["user"], kh, CERT_ALG[kind])
    assert not ok(res), explain(srv, res)


def test_hostkeys_announced_and_keyscan(start_server, skdir, softsk, keys, tmp_path):
    """Both sk host keys next to an ordinary one: ssh-keyscan gets each
    type it asks for, and hostkeys-00@openssh.com (UpdateHostKeys) adds
    all three to known_hosts."""
    need_tool("ssh-keyscan")
    _, k = skdir
    ed_host = tmp_path / "plain_host"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ed_host)],
                   check=True, timeout=60)
    srv = start_server(authorized=[k["user"].line()], host_key=str(ed_host),
                       opts=[f"SecurityKeyProvider={softsk}"],
                       args=["-h", k["host-" + ED].path, "-h", k["host-" + EC].path])
    res = subprocess.run(["ssh-keyscan", "-p", str(srv.port), "-t",
                          "ed25519-sk,ecdsa-sk", "127.0.0.1"],
                         capture_output=True, text=True, timeout=60)
    for kind in (ED, EC):
        blob = k["host-" + kind].pub.split()[1]
        assert f"{ALG[kind]} {blob}" in res.stdout, res.stdout + res.stderr + srv.log_tail()
    plain = Key(ed_host)
    kh = known(tmp_path, f"[127.0.0.1]:{srv.port} {plain.pub}")
    # The client keeps only the types its HostKeyAlgorithms names.
    res = client(srv, k["user"], kh, ",".join(["ssh-ed25519", *ALG.values()]),
                 "-o", "UpdateHostKeys=yes")
    assert ok(res), explain(srv, res)
    text = kh.read_text()
    for kind in (ED, EC):
        assert k["host-" + kind].pub.split()[1] in text, text + explain(srv, res)


def test_without_provider_sk_host_key_skipped(start_server, skdir, nanosshd, keys,
                                              hostkey, tmp_path):
    _, k = skdir
    chk = subprocess.run([nanosshd, "-t", "-f", "/dev/null", "-h", k["host-" + ED].path],
                         capture_output=True, text=True, timeout=30)
    assert chk.returncode != 0, chk.stderr
    assert "Skipping security key host key" in chk.stderr, chk.stderr
    assert "no usable SecurityKeyProvider" in chk.stderr, chk.stderr
    srv = start_server(authorized=[keys["ed25519"].line()],
                       args=["-h", k["host-" + ED].path])
    assert wait_for_log(srv, "Skipping security key host key"), srv.log_tail()
    plain = Key(hostkey)
    kh = known(tmp_path, f"[127.0.0.1]:{srv.port} {plain.pub}")
    assert ok(client(srv, keys["ed25519"], kh, "ssh-ed25519", verbose=False)), srv.log_tail()
    res = client(srv, keys["ed25519"], kh, ALG[ED], verbose=False)
    assert not ok(res) and b"no matching host key type" in res.stderr, explain(srv, res)


def test_provider_not_loadable(nanosshd, skdir, tmp_path):
    _, k = skdir
    bogus = tmp_path / "not-a-library.so"
    bogus.write_text("nothing\n")
    chk = subprocess.run([nanosshd, "-t", "-f", "/dev/null", "-h", k["host-" + ED].path,
                          "-o", f"SecurityKeyProvider={bogus}"],
                         capture_output=True, text=True, timeout=30)
    assert chk.returncode != 0, chk.stderr
    assert f'Provider "{bogus}" dlopen failed' in chk.stderr, chk.stderr


@pytest.mark.parametrize("mode", ["no-privsep", "privsep"])
def test_provider_failure_disconnects_cleanly(start_server, skdir, softsk, hostkey,
                                              keys, tmp_path, monkeypatch, mode):
    """The authenticator fails at signing time: that connection ends with
    the reason logged; the daemon goes on serving (here with its other
    host key)."""
    _, k = skdir
    monkeypatch.setenv("SOFT_SK_FAIL", "1")
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"SecurityKeyProvider={softsk}", *MODES[mode]],
                       args=["-h", k["host-" + EC].path])
    monkeypatch.delenv("SOFT_SK_FAIL")
    kh = known(tmp_path, f"[127.0.0.1]:{srv.port} {k['host-' + EC].pub}")
    res = client(srv, keys["ed25519"], kh, ALG[EC], verbose=False)
    assert not ok(res), explain(srv, res)
    assert wait_for_log(srv, "sk_sign failed with code -4"), explain(srv, res)
    plain = Key(hostkey)
    kh = known(tmp_path, f"[127.0.0.1]:{srv.port} {plain.pub}")
    res = client(srv, keys["ed25519"], kh, "ssh-ed25519", verbose=False)
    assert ok(res), explain(srv, res)


# ---- Security-key user certificates -----------------------------------------

@pytest.fixture(scope="module")
def sk_users(skdir, softsk):
    d, _ = skdir
    return {kind: sk_key(d, f"user_{kind}", kind, softsk) for kind in (ED, EC)}


def cert_server(start_server, skdir, tmp_path, opts=()):
    _, k = skdir
    trusted = tmp_path / "trusted_ca"
    trusted.write_text(k["ca"].pub + "\n")
    return start_server(opts=[f"TrustedUserCAKeys={trusted}", *opts])


def user_login(srv, key, lib, env=None, alg=None):
    cmd = ["ssh", "-p", str(srv.port), "-i", key.path, *CLIENT[:-2],
           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", f"SecurityKeyProvider={lib}"]
    if alg:
        cmd += ["-o", f"PubkeyAcceptedAlgorithms={alg}"]
    cmd += ["root@127.0.0.1", "echo", "sk-ok"]
    return subprocess.run(cmd, capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=env)


@pytest.mark.parametrize("mode", ["no-privsep", "privsep"])
@pytest.mark.parametrize("kind", [ED, EC])
def test_sk_user_certificate(start_server, skdir, sk_users, softsk, tmp_path, kind, mode):
    _, k = skdir
    key = sk_users[kind]
    certify(k["ca"], key, "root")
    srv = cert_server(start_server, skdir, tmp_path, MODES[mode])
    res = user_login(srv, key, softsk, alg=CERT_ALG[kind])
    assert ok(res), explain(srv, res)
    label = "ED25519-SK-CERT" if kind == ED else "ECDSA-SK-CERT"
    assert wait_for_log(srv, "Accepted publickey for root from 127.0.0.1"), explain(srv, res)
    line = [t for t in srv.log_text().splitlines() if "Accepted publickey" in t][0]
    assert f"ssh2: {label} SHA256:" in line, explain(srv, res)
    assert " ID sk-test (serial 42) CA ED25519 SHA256:" in line, explain(srv, res)


def test_sk_user_certificate_refusals(start_server, skdir, sk_users, softsk, tmp_path):
    _, k = skdir
    key = sk_users[ED]
    certify(k["ca"], key, "root", validity="20000101:20000102")
    srv = cert_server(start_server, skdir, tmp_path)
    assert not ok(user_login(srv, key, softsk)), srv.log_tail()
    assert wait_for_log(srv, "Certificate invalid: expired"), srv.log_tail()
    certify(k["ca"], key, "alice")
    srv = cert_server(start_server, skdir, tmp_path)
    assert not ok(user_login(srv, key, softsk)), srv.log_tail()
    assert wait_for_log(srv, "Certificate invalid: name is not a listed principal"), \
        srv.log_tail()


def test_sk_user_certificate_touch(start_server, skdir, sk_users, softsk, tmp_path):
    """Nobody touched the authenticator (flags 0): refused as sshd refuses
    it, unless the certificate carries no-touch-required; verify-required
    in the certificate wants user verification."""
    _, k = skdir
    key = sk_users[EC]
    untouched = dict(os.environ, SOFT_SK_FLAGS="0")
    certify(k["ca"], key, "root")
    srv = cert_server(start_server, skdir, tmp_path)
    res = user_login(srv, key, softsk, env=untouched)
    assert not ok(res), explain(srv, res)
    assert wait_for_log(srv, TOUCH), explain(srv, res)
    certify(k["ca"], key, "root", options=["no-touch-required"])
    srv = cert_server(start_server, skdir, tmp_path)
    res = user_login(srv, key, softsk, env=untouched)
    assert ok(res), explain(srv, res)
    certify(k["ca"], key, "root", options=["verify-required"])
    srv = cert_server(start_server, skdir, tmp_path)
    res = user_login(srv, key, softsk)
    assert not ok(res), explain(srv, res)
    assert wait_for_log(srv, "rejected: user verification requirement not met"), \
        explain(srv, res)
    res = user_login(srv, key, softsk, env=dict(os.environ, SOFT_SK_FLAGS="5"))
    assert ok(res), explain(srv, res)


def test_sk_names_listed_and_accepted(nanosshd, skdir, softsk):
    out = subprocess.run([nanosshd, "-Q", "key"], capture_output=True, text=True,
                         timeout=30).stdout.split()
    for name in list(ALG.values()) + list(CERT_ALG.values()):
        assert name in out, out
    _, k = skdir
    chk = subprocess.run([nanosshd, "-t", "-f", "/dev/null", "-h", k["host-" + ED].path,
                          "-o", f"SecurityKeyProvider={softsk}",
                          "-o", "HostKeyAlgorithms=" + ",".join(CERT_ALG.values()) +
                          "," + ",".join(ALG.values()),
                          "-o", "PubkeyAcceptedAlgorithms=" + ",".join(CERT_ALG.values())],
                         capture_output=True, text=True, timeout=30)
    assert chk.returncode == 0, chk.stderr
