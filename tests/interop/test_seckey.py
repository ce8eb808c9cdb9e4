"""Security-key user keys (sk-ssh-ed25519@openssh.com,
sk-ecdsa-sha2-nistp256@openssh.com; OpenSSH PROTOCOL.u2f) signed by the
software authenticator in skauth.py: user presence required by default,
no-touch-required and verify-required in authorized_keys,
PubkeyAuthOptions, and signatures whose application or counter do not
match what was signed. Also under UsePrivilegeSeparation, where the
monitor verifies the signature and judges the flags."""
import pytest

import skauth
from conftest import explain, wait_for_log
from skauth import ECDSA_SK, ED25519_SK, USER_PRESENT, USER_VERIFIED

SUCCESS, FAILURE = 52, 51
TOUCH = "rejected: user presence (authenticator touch) requirement not met"
VERIFY = "rejected: user verification requirement not met"
MODES = {"single": ["UsePrivilegeSeparation=no"],
         "privsep": ["UsePrivilegeSeparation=yes"]}


@pytest.fixture(scope="module")
def sk_keys():
    return {ED25519_SK: skauth.SoftKey(ED25519_SK),
            ECDSA_SK: skauth.SoftKey(ECDSA_SK)}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("kind", [ED25519_SK, ECDSA_SK])
def test_touched_key_logs_in(start_server, sk_keys, kind, mode):
    key = sk_keys[kind]
    srv = start_server(authorized=[key.line()], opts=MODES[mode])
    assert skauth.login(srv.port, key, flags=USER_PRESENT) == SUCCESS, explain(srv)
    label = "ED25519-SK" if kind == ED25519_SK else "ECDSA-SK"
    assert wait_for_log(srv, f"Accepted publickey for root from 127.0.0.1 "), explain(srv)
    assert f"ssh2: {label} SHA256:" in srv.log_text(), explain(srv)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_untouched_refused_unless_no_touch_required(start_server, sk_keys, mode):
    key = sk_keys[ED25519_SK]
    srv = start_server(authorized=[key.line()], opts=MODES[mode])
    assert skauth.login(srv.port, key, flags=0) == FAILURE, explain(srv)
    assert wait_for_log(srv, TOUCH), explain(srv)
    assert "Failed publickey for root" in srv.log_text(), explain(srv)
    srv = start_server(authorized=[key.line("no-touch-required")], opts=MODES[mode])
    assert skauth.login(srv.port, key, flags=0) == SUCCESS, explain(srv)


def test_touch_required_overrides_no_touch_required(start_server, sk_keys):
    key = sk_keys[ECDSA_SK]
    srv = start_server(authorized=[key.line("no-touch-required")],
                       opts=["PubkeyAuthOptions=touch-required"])
    assert skauth.login(srv.port, key, flags=0) == FAILURE, explain(srv)
    assert wait_for_log(srv, TOUCH), explain(srv)
    assert skauth.login(srv.port, key, flags=USER_PRESENT) == SUCCESS, explain(srv)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_verify_required_option(start_server, sk_keys, mode):
    key = sk_keys[ED25519_SK]
    srv = start_server(authorized=[key.line("verify-required")], opts=MODES[mode])
    assert skauth.login(srv.port, key, flags=USER_PRESENT) == FAILURE, explain(srv)
    assert wait_for_log(srv, VERIFY), explain(srv)
    assert skauth.login(srv.port, key,
                        flags=USER_PRESENT | USER_VERIFIED) == SUCCESS, explain(srv)


def test_pubkeyauthoptions_verify_required(start_server, sk_keys):
    key = sk_keys[ECDSA_SK]
    srv = start_server(authorized=[key.line()],
                       opts=["PubkeyAuthOptions=verify-required"])
    assert skauth.login(srv.port, key, flags=USER_PRESENT) == FAILURE, explain(srv)
    assert wait_for_log(srv, VERIFY), explain(srv)
    # With verification but without presence: presence is still required.
    assert skauth.login(srv.port, key, flags=USER_VERIFIED) == FAILURE, explain(srv)
    assert skauth.login(srv.port, key,
                        flags=USER_PRESENT | USER_VERIFIED) == SUCCESS, explain(srv)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("kind", [ED25519_SK, ECDSA_SK])
def test_forged_fields_refused(start_server, sk_keys, kind, mode):
    """The authenticator signed another application, counter or flags than
    the blob claims: the signature must not verify."""
    key = sk_keys[kind]
    srv = start_server(authorized=[key.line()], opts=MODES[mode])
    assert skauth.login(srv.port, key, signed_app="ssh:other") == FAILURE, explain(srv)
    assert skauth.login(srv.port, key, counter=8, signed_counter=7) == FAILURE, explain(srv)
    assert skauth.login(srv.port, key, flags=USER_PRESENT,
                        signed_flags=0) == FAILURE, explain(srv)
    assert wait_for_log(srv, "Failed publickey for root"), explain(srv)
    assert "Accepted publickey" not in srv.log_text(), explain(srv)
    # The same key with an honest signature still works afterwards.
    assert skauth.login(srv.port, key) == SUCCESS, explain(srv)


def test_key_of_other_application_not_authorized(start_server, sk_keys):
    """A key made for another application is another key blob."""
    other = skauth.SoftKey(ED25519_SK, application="ssh:other")
    srv = start_server(authorized=[sk_keys[ED25519_SK].line()])
    assert skauth.login(srv.port, other) == FAILURE, explain(srv)


def test_sk_not_in_pubkey_accepted_algorithms(start_server, sk_keys):
    key = sk_keys[ED25519_SK]
    srv = start_server(authorized=[key.line()],
                       opts=["PubkeyAcceptedAlgorithms=-sk-*"])
    assert skauth.login(srv.port, key) == FAILURE, explain(srv)
    srv = start_server(authorized=[key.line()],
                       opts=["PubkeyAcceptedAlgorithms=sk-ssh-ed25519@openssh.com"])
    assert skauth.login(srv.port, key) == SUCCESS, explain(srv)


# ---- RequiredRSASize ---------------------------------------------------------

def test_required_rsa_size_user_key(start_server, keys):
    """The 3072-bit test key passes the default (1024) and is refused
    above its size with sshd's line."""
    from conftest import ssh
    srv = start_server(authorized=[keys["rsa"].line()])
    res = ssh(srv, keys["rsa"], "true")
    assert res.returncode == 0, explain(srv, res)
    srv = start_server(authorized=[keys["rsa"].line()],
                       opts=["RequiredRSASize=4096"])
    res = ssh(srv, keys["rsa"], "true")
    assert res.returncode != 0, explain(srv, res)
    assert wait_for_log(srv, "refusing RSA key: Invalid key length"), explain(srv, res)


def test_required_rsa_size_host_key(start_server, keys, hostkey, tmp_path):
    """An RSA host key below RequiredRSASize is left out; the others serve."""
    import subprocess
    from conftest import ssh
    rsa = tmp_path / "host_rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "",
                    "-f", str(rsa)], check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    srv = start_server(authorized=[keys["ed25519"].line()],
                       args=["-h", str(rsa)],
                       opts=["RequiredRSASize=3072"])
    assert wait_for_log(srv, f"Host key {rsa}: Invalid key length"), explain(srv)
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 0, explain(srv, res)
    res = ssh(srv, keys["ed25519"], "true", opts=["HostKeyAlgorithms=rsa-sha2-256"])
    assert res.returncode != 0, explain(srv, res)
