"""Every cipher and MAC with OpenSSH, and negotiation failures that explain
themselves (category and both sides' lists)."""
import re
import subprocess
import time

import pytest

import rawssh
from conftest import explain, make_key, ssh

CIPHERS = ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
           "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr"]
MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512"]
KEXES = ["curve25519-sha256", "curve25519-sha256@libssh.org"]


def negotiated(stderr):
    """ssh -v's 'kex: client->server cipher: X MAC: Y' lines, both ways."""
    text = stderr.decode(errors="replace")
    return re.findall(r"kex: (client->server|server->client) cipher: (\S+) "
                      r"MAC: (\S+)", text)


@pytest.mark.parametrize("cipher", CIPHERS)
def test_cipher(server, keys, cipher):
    res = ssh(server, keys["ed25519"], "echo ok", args=["-c", cipher],
              verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(server, res, f"login with cipher {cipher}")
    got = negotiated(res.stderr)
    assert len(got) == 2 and all(c == cipher for _, c, _ in got), \
        explain(server, res, f"ssh -v shows {got}, want {cipher} both ways")


@pytest.mark.parametrize("mac", MACS)
def test_mac(server, keys, mac):
    res = ssh(server, keys["ed25519"], "echo ok",
              args=["-c", "aes128-ctr", "-m", mac], verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(server, res, f"login with aes128-ctr and MAC {mac}")
    got = negotiated(res.stderr)
    assert len(got) == 2 and all(m == mac for _, _, m in got), \
        explain(server, res, f"ssh -v shows {got}, want {mac} both ways")


@pytest.mark.parametrize("kex", KEXES)
def test_kex(server, keys, kex):
    res = ssh(server, keys["ed25519"], "echo ok", opts=[f"KexAlgorithms={kex}"],
              verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(server, res, f"login with key exchange {kex}")
    assert f"kex: algorithm: {kex}" in res.stderr.decode(errors="replace"), \
        explain(server, res, f"ssh -v does not name {kex}")


def test_every_common_kex(server, keys):
    """Every key exchange both the server and this OpenSSH offer works."""
    _, packets = rawssh.negotiate(server.port)
    kexinit = [p for p in packets if p.type == rawssh.MSG_KEXINIT]
    assert kexinit, explain(server, None, "no KEXINIT from the server")
    offered = kexinit[0].kexinit_lists()[0].split(",")
    ours = subprocess.run(["ssh", "-Q", "kex"], capture_output=True, text=True,
                          timeout=30).stdout.split()
    common = [k for k in offered if k in ours]
    assert set(KEXES) <= set(common), \
        explain(server, None, f"server offers {offered}; want at least {KEXES}")
    failed = []
    for kex in common:
        res = ssh(server, keys["ed25519"], "echo ok",
                  opts=[f"KexAlgorithms={kex}"], verbose=True)
        if res.returncode != 0 or res.stdout != b"ok\n" or \
                f"kex: algorithm: {kex}" not in res.stderr.decode(errors="replace"):
            failed.append((kex, res.returncode,
                           res.stderr.decode(errors="replace")[-300:]))
    assert not failed, explain(server, None, f"key exchanges failing: {failed}")


@pytest.mark.parametrize("hostalg", ["ssh-ed25519", "ecdsa-sha2-nistp256",
                                     "rsa-sha2-512", "rsa-sha2-256"])
def test_host_key_types(start_server, keys, keydir, hostalg):
    """Each host key algorithm, with a host key of that type."""
    ktype, bits = {"ssh-ed25519": ("ed25519", None),
                   "ecdsa-sha2-nistp256": ("ecdsa", 256),
                   "rsa-sha2-512": ("rsa", 3072),
                   "rsa-sha2-256": ("rsa", 3072)}[hostalg]
    hk = make_key(keydir, f"host_{hostalg}", ktype, bits).path
    srv = start_server(authorized=[keys["ed25519"].line()], host_key=hk)
    res = ssh(srv, keys["ed25519"], "echo ok",
              opts=[f"HostKeyAlgorithms={hostalg}"], verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(srv, res, f"login with host key algorithm {hostalg}")
    assert f"kex: host key algorithm: {hostalg}" in res.stderr.decode(errors="replace"), \
        explain(srv, res, f"ssh -v does not name {hostalg}")


# ---- Negotiation failures ---------------------------------------------------

FAILURES = {
    # category: (what the raw client offers, words the description must hold)
    "kex": ({"kex": "diffie-hellman-group1-sha1"}, ("kex", "key exchange")),
    "hostkey": ({"hostkey": "ssh-dss"}, ("host key",)),
    "cipher": ({"cipher": "3des-cbc"}, ("cipher",)),
    "mac": ({"cipher": "aes128-ctr", "mac": "hmac-md5"}, ("MAC",)),
}
OURS = {"kex": "curve25519-sha256", "hostkey": "ssh-ed25519",
        "cipher": "aes128-ctr", "mac": "hmac-sha2-256"}


def log_line_with(srv, a, b, timeout=10.0):
    """True once one line of the server log holds both a and b (the client
    may see the failure before the server has written its log line)."""
    end = time.monotonic() + timeout
    while True:
        if any(a in line and b in line for line in srv.log_text().splitlines()):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.1)


@pytest.mark.parametrize("category", list(FAILURES))
def test_negotiation_failure_raw(server, category):
    offer, words = FAILURES[category]
    offered = offer.get("mac" if category == "mac" else category)
    version, packets = rawssh.negotiate(server.port, **offer)
    assert version.startswith("SSH-2.0-"), explain(server, None, f"version {version!r}")
    types = [p.type for p in packets]
    assert rawssh.MSG_DISCONNECT in types, \
        explain(server, None, f"no DISCONNECT after offering {offer}; got "
                f"message types {types}")
    reason, text = packets[types.index(rawssh.MSG_DISCONNECT)].disconnect()
    assert reason == 3, explain(server, None, f"DISCONNECT reason {reason} "
                                f"({text!r}), want 3 (key exchange failed)")
    assert any(w.lower() in text.lower() for w in words), \
        explain(server, None, f"DISCONNECT text {text!r} does not name the "
                f"category ({' or '.join(words)})")
    assert log_line_with(server, offered, OURS[category]), \
        explain(server, None, f"no log line holds both lists (client's "
                f"{offered!r} and the server's, e.g. {OURS[category]!r})")


OPENSSH_OFFERS = {
    "kex": ["KexAlgorithms=diffie-hellman-group1-sha1"],
    "hostkey": ["HostKeyAlgorithms=ssh-dss"],
    "cipher": ["Ciphers=3des-cbc"],
    "mac": ["Ciphers=aes128-ctr", "MACs=hmac-md5"],
}


@pytest.mark.parametrize("category", list(OPENSSH_OFFERS))
def test_negotiation_failure_openssh(server, keys, category):
    opts = OPENSSH_OFFERS[category]
    offered = opts[-1].split("=", 1)[1]
    res = ssh(server, keys["ed25519"], "echo ok", opts=opts)
    assert res.returncode == 255, explain(server, res, f"ssh with {opts} must fail")
    assert log_line_with(server, offered, OURS[category]), \
        explain(server, res, f"no log line names the client's {offered!r} and "
                f"the server's list")
