"""nanossh-probe against broken servers (brokenssh.py, one per failure
class, each diagnosis asserted exactly) and against healthy ones: nanosshd,
OpenSSH's sshd and Dropbear, started here on 127.0.0.1 and stopped by PID.

The probe is $NANOSSH_PROBE, or nanossh-probe next to the daemon under test.
"""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from brokenssh import BrokenServer
from processes import Server, daemon_env, free_port

SCHEMA_FAILURE_KEYS = ["stage", "message", "field", "offset", "expected", "got",
                       "cause", "text"]

# The --json output (nanossh-probe(1)), as a JSON Schema.
SCHEMA = {
    "type": "object",
    "required": ["ok", "banner", "timeline", "algorithms", "hostkeys", "audit"],
    "properties": {
        "ok": {"type": "boolean"},
        "banner": {"type": "string"},
        "timeline": {"type": "array", "items": {
            "type": "object", "required": ["event", "ms"],
            "properties": {"event": {"type": "string"},
                           "ms": {"type": "integer", "minimum": 0}}}},
        "algorithms": {
            "type": "object", "required": ["offered", "negotiated"],
            "properties": {
                "offered": {"type": "object", "required": ["client", "server"]},
                "negotiated": {"type": "object", "required": [
                    "kex", "hostkey", "cipher_c2s", "cipher_s2c", "mac_c2s",
                    "mac_s2c"]}}},
        "strict_kex": {"type": "boolean"},
        "ext_info": {"type": "boolean"},
        "hostkeys": {"type": "array", "items": {
            "type": "object",
            "required": ["type", "algorithm", "bits", "fingerprint", "source"],
            "properties": {"fingerprint": {"type": "string",
                                           "pattern": "^SHA256:[A-Za-z0-9+/]{43}$"}}}},
        "audit": {"type": "array", "items": {
            "type": "object", "required": ["level", "finding", "reason"],
            "properties": {"level": {"enum": ["info", "warn", "fail"]}}}},
        "failure": {"type": "object", "required": SCHEMA_FAILURE_KEYS,
                    "properties": {"offset": {"type": ["integer", "null"]},
                                   "cause": {"type": "string", "minLength": 1},
                                   "text": {"type": "string", "minLength": 10}}},
    },
    "if": {"properties": {"ok": {"const": False}}},
    "then": {"required": ["failure"]},
}


def check_schema(doc):
    import jsonschema
    jsonschema.validate(doc, SCHEMA)


@pytest.fixture(scope="session")
def probe(nanosshd):
    path = pathlib.Path(os.environ.get("NANOSSH_PROBE") or
                        pathlib.Path(nanosshd).parent / "nanossh-probe")
    assert path.is_file(), f"nanossh-probe not found at {path}"
    return str(path)


def run_probe(probe, port, *args, wait=20, timeout=120):
    """The probe's JSON, checked against the schema, and its exit status.
    wait is --timeout: a login runs a shell, slow on a loaded machine."""
    p = subprocess.run([probe, "--json", "--timeout", str(wait), "-p", str(port),
                        *args, "127.0.0.1"], capture_output=True, text=True,
                       timeout=timeout)
    assert p.stdout.strip(), f"no output; stderr: {p.stderr}"
    doc = json.loads(p.stdout)
    check_schema(doc)
    return p.returncode, doc


def broken(probe, fault, *args):
    with BrokenServer(fault) as srv:
        rc, doc = run_probe(probe, srv.port, *args, wait=3)
    assert rc == 1, doc
    assert doc["ok"] is False
    return doc["failure"]


# ---- the two seed cases --------------------------------------------------

def test_signature_length_overclaims(probe):
    f = broken(probe, "sig-overclaim")
    assert f["cause"] == "field-overrun"
    assert f["message"] == "SSH_MSG_KEX_ECDH_REPLY"
    assert f["field"] == "signature of H"
    # The probe's own walk: the claimed length is 20 more than what remains.
    claimed, remain = int(f["expected"].split()[0]), int(f["got"].split()[0])
    assert claimed - remain == 20
    assert (f'SSH_MSG_KEX_ECDH_REPLY\'s field "signature of H" claims {claimed} '
            f'bytes but only {remain} remain at offset {f["offset"]}') in f["text"]


def test_proxy_offering_only_group_exchange(probe):
    # A client like Go's x/crypto/ssh, which has no group exchange.
    f = broken(probe, "proxy-gex", "-o",
               "KexAlgorithms=curve25519-sha256,mlkem768x25519-sha256")
    assert f["cause"] == "no-common-kex"
    assert f["field"] == "kex_algorithms"
    assert "we offered [curve25519-sha256,mlkem768x25519-sha256" in f["text"]
    assert ("the server offered [diffie-hellman-group-exchange-sha256,"
            "diffie-hellman-group-exchange-sha1]") in f["text"]
    assert '"SSH-2.0-FirewallProxy_1.0"' in f["text"]
    assert "interposing proxy or middlebox" in f["text"]


def test_proxy_differs_from_profile(probe, start_server, tmp_path):
    """A profile of the real server, then the proxy in its place."""
    prof = tmp_path / "server.profile"
    srv = start_server()
    rc, doc = run_probe(probe, srv.port, "--save-profile", str(prof))
    assert rc == 0 and prof.is_file()
    rc, doc = run_probe(probe, srv.port, "--profile", str(prof))
    assert rc == 0 and doc["profile"]["differences"] == []
    assert doc["ok"] is True
    with BrokenServer("proxy-gex") as proxy:
        rc, doc = run_probe(probe, proxy.port, "--profile", str(prof))
    assert rc == 1
    diffs = doc["profile"]["differences"]
    assert doc["profile"]["possible_interposer"] is True
    assert any(d.startswith('banner differs: profile "SSH-2.0-nanossh_')
               and "SSH-2.0-FirewallProxy_1.0" in d for d in diffs), diffs
    assert any(d.startswith("kex offer differs") for d in diffs), diffs
    assert any(d.startswith("hostkey offer differs") for d in diffs), diffs
    # It closes right after KEXINIT: reported with its banner and offer.
    assert doc["failure"]["cause"] == "closed-without-disconnect"
    assert "FirewallProxy_1.0" in doc["failure"]["text"]
    assert "offered kex [diffie-hellman-group-exchange-sha256" in doc["failure"]["text"]


def test_baseline_is_healthy(probe):
    """The test server without a fault: healthy, so each fault below is the
    only thing wrong when the probe names it."""
    with BrokenServer("none") as srv:
        rc, doc = run_probe(probe, srv.port, wait=5)
    assert rc == 0, doc
    healthy(doc)
    assert doc["strict_kex"] is True
    assert doc["auth_methods"] == ["publickey"]


def test_audit_terrapin_exposure(probe):
    with BrokenServer("nostrict") as srv:
        rc, doc = run_probe(probe, srv.port, "-o", "Ciphers=aes128-ctr", wait=5)
    assert rc == 0, doc
    assert doc["strict_kex"] is False
    terrapin = [a for a in doc["audit"] if "strict KEX" in a["finding"]]
    assert terrapin and terrapin[0]["level"] == "fail"
    assert "CVE-2023-48795" in terrapin[0]["reason"]
    assert any(a["finding"].startswith("non-PQ kex curve25519-sha256")
               and a["level"] == "warn" for a in doc["audit"])


# ---- exchange hash mistakes ---------------------------------------------------

@pytest.mark.parametrize("fault,cause,words", [
    ("k-as-string", "hash-k-as-string", "K is hashed as a string instead of an mpint"),
    ("crlf", "hash-version-crlf", "V_C and V_S were hashed with their CR LF"),
    ("no-msgbyte", "hash-kexinit-no-msgbyte", "without their SSH_MSG_KEXINIT message byte"),
    ("wrong-hash", "hash-wrong-function", "H is computed with sha512 instead of sha256"),
    ("gex-k-as-string", "hash-k-as-string", "K is hashed as a string instead of an mpint"),
])
def test_signature_mistake_named(probe, fault, cause, words):
    f = broken(probe, fault)
    assert f["cause"] == cause
    assert f["message"] == ("SSH_MSG_KEX_DH_GEX_REPLY" if fault.startswith("gex")
                            else "SSH_MSG_KEX_ECDH_REPLY")
    assert f["field"] == "signature of H"
    assert "does not verify as specified, but it does verify when" in f["text"]
    assert words in f["text"]


# ---- key derivation mistakes -----------------------------------------------------

@pytest.mark.parametrize("fault,cause,words", [
    ("seq-strict", "seq-not-reset-strict-kex",
     "fails its integrity check with sequence number 0 but verifies with 3"),
    ("seq-reset", "seq-reset-without-strict-kex",
     "fails its integrity check with sequence number 3 but verifies with 0"),
    ("keys-swapped", "keys-directions-swapped", 'IV "A", key "C", MAC key "E"'),
    ("iv-key-swapped", "keys-iv-key-swapped", "swapped IV and encryption key"),
    ("kdf-k-string", "keys-k-encoding", "K encoded as a string instead of an mpint"),
])
def test_first_encrypted_packet_mistake_named(probe, fault, cause, words):
    f = broken(probe, fault)
    assert f["cause"] == cause
    assert f["message"] == "SSH_MSG_EXT_INFO"
    assert "first encrypted packet" in f["text"]
    assert words in f["text"]


# ---- framing, stalls, closes ----------------------------------------------------------

def test_bad_padding(probe):
    f = broken(probe, "bad-padding")
    assert f["cause"] == "framing"
    assert f["field"] == "padding_length"
    assert "padding_length 2 in a packet of" in f["text"]
    assert f["offset"] == len(b"SSH-2.0-BrokenTestServer_1.0\r\n") + 4


def test_stall(probe):
    f = broken(probe, "stall")
    assert f["cause"] == "stall"
    assert ("never sent SSH_MSG_KEX_ECDH_REPLY after our SSH_MSG_KEX_ECDH_INIT"
            in f["text"])
    waited = int(f["got"].split()[2])
    assert 3000 <= waited < 6000


def test_silent_server_is_a_network_failure(probe):
    """Nothing at all within the timeout: exit status 3, a stall before the
    version line."""
    with BrokenServer("silent") as srv:
        p = subprocess.run([probe, "--json", "--timeout", "2", "-p", str(srv.port),
                            "127.0.0.1"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 3
    f = json.loads(p.stdout)["failure"]
    assert f["cause"] == "stall" and f["stage"] == "version"
    assert "never sent its version line" in f["text"]


def test_close_without_disconnect(probe):
    f = broken(probe, "close")
    assert f["cause"] == "closed-without-disconnect"
    assert ("closed the TCP connection without SSH_MSG_DISCONNECT after our "
            "SSH_MSG_KEX_ECDH_INIT") in f["text"]


def test_disconnect_reason_and_text(probe):
    f = broken(probe, "disconnect")
    assert f["cause"] == "disconnect"
    assert ("SSH_MSG_DISCONNECT with reason 3 (SSH_DISCONNECT_KEY_EXCHANGE_FAILED) "
            'and the text "no acceptable key exchange (test)"') in f["text"]


def test_network_failure_and_usage(probe):
    port = free_port()
    p = subprocess.run([probe, "--json", "-p", str(port), "127.0.0.1"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 3
    doc = json.loads(p.stdout)
    check_schema(doc)
    assert doc["failure"]["cause"] == "network"
    assert "refused" in doc["failure"]["text"]
    assert subprocess.run([probe, "--bogus"], capture_output=True).returncode == 2
    assert subprocess.run([probe, "-o", "Ciphers=rot13", "x"],
                          capture_output=True).returncode == 2
    h = subprocess.run([probe, "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "--save-profile" in h.stdout


# ---- healthy servers -------------------------------------------------------------------

def healthy(doc):
    assert doc["ok"] is True and "failure" not in doc
    events = [e["event"] for e in doc["timeline"]]
    for want in ("TCP connected", "banner received", "SSH_MSG_KEXINIT sent",
                 "SSH_MSG_KEXINIT received", "SSH_MSG_NEWKEYS sent",
                 "SSH_MSG_NEWKEYS received", "SSH_MSG_SERVICE_ACCEPT received",
                 "auth methods received"):
        assert want in events, (want, events)
    ms = [e["ms"] for e in doc["timeline"]]
    assert ms == sorted(ms)
    assert doc["hostkeys"]
    assert all(doc["algorithms"]["negotiated"][k] for k in ("kex", "hostkey"))


def test_healthy_nanosshd(probe, start_server, keys, keydir):
    srv = start_server(authorized=[keys["ed25519"].line()])
    rc, doc = run_probe(probe, srv.port)
    assert rc == 0, doc
    healthy(doc)
    assert doc["strict_kex"] is True and doc["ext_info"] is True
    assert doc["algorithms"]["negotiated"]["kex"] == "mlkem768x25519-sha256"
    assert "publickey" in doc["auth_methods"]
    assert not any(a["level"] == "fail" for a in doc["audit"])
    # A login and "exit 0"; host keys announced with hostkeys-00.
    rc, doc = run_probe(probe, srv.port, "-l", "root", "-i", str(keys["ed25519"].path))
    assert rc == 0, doc
    assert doc["login"] == {"ok": True, "exit_status": 0}
    assert "hostkeys-00@openssh.com received" in [e["event"] for e in doc["timeline"]]
    assert "exit-status received" in [e["event"] for e in doc["timeline"]]
    # A key the server does not know: the check fails, saying so.
    rc, doc = run_probe(probe, srv.port, "-l", "root", "-i", str(keys["rsa"].path))
    assert rc == 1
    assert doc["failure"]["cause"] == "login-refused"
    assert 'refused the public-key login as "root"' in doc["failure"]["text"]


def test_healthy_openssh(probe, tmp_path):
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    assert os.path.exists(sshd), "openssh-server is not installed"
    os.makedirs("/run/sshd", exist_ok=True)
    keys = []
    for t in ("ed25519", "ecdsa", "rsa"):
        k = tmp_path / f"ssh_host_{t}_key"
        subprocess.run(["ssh-keygen", "-q", "-t", t, "-N", "", "-f", str(k)], check=True)
        keys.append(k)
    port = free_port()
    cmd = [sshd, "-D", "-e", "-f", "/dev/null", "-o", f"Port={port}",
           "-o", "ListenAddress=127.0.0.1", "-o", "PidFile=none",
           "-o", f"AuthorizedKeysFile={tmp_path}/none"]
    for k in keys:
        cmd += ["-h", str(k)]
    srv = Server(cmd, port, tmp_path / "sshd.log", daemon_env())
    try:
        srv.wait_ready()
        rc, doc = run_probe(probe, port)
    finally:
        srv.stop()
    assert rc == 0, doc
    healthy(doc)
    assert doc["banner"].startswith("SSH-2.0-OpenSSH_")
    assert doc["strict_kex"] is True
    # One connection per host key type found all three.
    types = {h["type"] for h in doc["hostkeys"]}
    assert {"ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"} <= types, types


def test_healthy_dropbear(probe, tmp_path):
    dropbear = shutil.which("dropbear") or "/usr/sbin/dropbear"
    assert os.path.exists(dropbear), "dropbear-bin is not installed"
    key = tmp_path / "dropbear_ed25519"
    subprocess.run(["dropbearkey", "-t", "ed25519", "-f", str(key)], check=True,
                   capture_output=True)
    port = free_port()
    srv = Server([dropbear, "-F", "-E", "-p", f"127.0.0.1:{port}", "-r", str(key)],
                 port, tmp_path / "dropbear.log", daemon_env())
    try:
        srv.wait_ready()
        rc, doc = run_probe(probe, port, "--enumerate")
    finally:
        srv.stop()
    assert rc == 0, doc
    healthy(doc)
    assert doc["banner"].startswith("SSH-2.0-dropbear")
    # --enumerate: every offered cipher was tried on its own connection.
    ciphers = doc["algorithms"]["offered"]["server"]["cipher_s2c"]
    tried = {c["name"]: c["ok"] for c in doc["enumerate"]["cipher"]}
    assert set(tried) == set(ciphers) - {"none"}
    assert all(tried.values()), tried
    kexes = {k["name"]: k["ok"] for k in doc["enumerate"]["kex"]}
    assert "curve25519-sha256" in kexes and all(kexes.values()), kexes
    # Dropbear offers the RSA algorithms even with only an ed25519 key:
    # offered is not the same as working, which is what --enumerate shows.
    hk = {h["name"]: h for h in doc["enumerate"]["hostkey"]}
    assert hk["ssh-ed25519"]["ok"] is True
    for name, h in hk.items():
        if name != "ssh-ed25519":
            assert h["ok"] is False and h["cause"] == "closed-without-disconnect", h
