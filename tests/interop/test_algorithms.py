"""Negotiation failures that explain themselves (category and both sides'
lists). Each algorithm that works with OpenSSH and the other clients is a
row of the interop matrix (test_matrix*.py)."""
import time

import pytest

import rawssh
from conftest import explain, ssh

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
