"""sshd parity: -E logfile, -Q, and the keywords OpenSSH's own regression
suite writes into sshd_config (StrictModes, ModuliFile, SecurityKeyProvider,
SshdSessionPath, SshdAuthPath), plus VersionAddendum, PermitTTY,
DisableForwarding, PermitEmptyPasswords and IPQoS."""
import os
import pwd
import re
import shutil
import socket
import subprocess

import pytest

from conftest import explain, ssh, wait_for_log


def run(cmd, timeout=30):
    return subprocess.run(cmd, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


# ---- Configuration -----------------------------------------------------------

REGRESS_LINES = """\
StrictModes no
ModuliFile /etc/ssh/moduli
SecurityKeyProvider /usr/lib/ssh-sk-helper-none.so
SshdSessionPath /usr/lib/openssh/sshd-session
SshdAuthPath /usr/lib/openssh/sshd-auth
PermitEmptyPasswords no
"""


def test_regress_suite_keywords_accepted(nanosshd, hostkey, tmp_path):
    """The lines OpenSSH's regress suite writes are accepted (-t) and shown
    by -T as sshd shows them."""
    cfg = tmp_path / "sshd_config"
    cfg.write_text(REGRESS_LINES + "VersionAddendum hello there\n"
                   "IPQoS af11 cs2\nPermitTTY no\nDisableForwarding yes\n")
    res = run([nanosshd, "-t", "-f", str(cfg), "-h", hostkey])
    assert res.returncode == 0, str(res)
    res = run([nanosshd, "-T", "-f", str(cfg), "-h", hostkey])
    assert res.returncode == 0, str(res)
    lines = res.stdout.decode().splitlines()
    for want in ("strictmodes no", "modulifile /etc/ssh/moduli",
                 "securitykeyprovider /usr/lib/ssh-sk-helper-none.so",
                 "sshdsessionpath /usr/lib/openssh/sshd-session",
                 "sshdauthpath /usr/lib/openssh/sshd-auth",
                 "permitemptypasswords no", "versionaddendum hello there",
                 "ipqos af11 cs2", "permittty no", "disableforwarding yes"):
        assert want in lines, f"-T lacks {want!r}:\n" + "\n".join(lines)


def test_parity_keyword_defaults(nanosshd, hostkey):
    res = run([nanosshd, "-T", "-f", "/dev/null", "-h", hostkey])
    lines = res.stdout.decode().splitlines()
    for want in ("permittty yes", "disableforwarding no", "ipqos af21 cs1",
                 "permitemptypasswords no", "strictmodes yes",
                 "persourcemaxstartups none", "persourcenetblocksize 32:128",
                 "persourcepenaltyexemptlist none", "dhgroupexchangemaxsize 4096"):
        assert want in lines, f"-T lacks {want!r}:\n" + "\n".join(lines)


@pytest.mark.parametrize("line,word", [
    ("IPQoS fast", "IPQoS"), ("IPQoS af11 cs9", "IPQoS"),
    ("PermitEmptyPasswords maybe", "PermitEmptyPasswords"),
    ("PermitTTY maybe", "PermitTTY"), ("StrictModes sometimes", "StrictModes"),
    ("DisableForwarding 2", "DisableForwarding")])
def test_parity_keywords_bad_values(nanosshd, hostkey, tmp_path, line, word):
    cfg = tmp_path / "sshd_config"
    cfg.write_text(line + "\n")
    res = run([nanosshd, "-t", "-f", str(cfg), "-h", hostkey])
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 255 and f"line 1: " in err and word in err, str(res)


def test_query_lists_algorithms(nanosshd):
    """-Q kex|cipher|mac|key: one name a line, legacy names included, and
    the same names -T accepts in the keywords."""
    got = {}
    for what in ("kex", "cipher", "mac", "key"):
        res = run([nanosshd, "-Q", what])
        assert res.returncode == 0, str(res)
        got[what] = res.stdout.decode().split()
        assert got[what] and len(set(got[what])) == len(got[what]), got[what]
    assert "curve25519-sha256" in got["kex"]
    assert "mlkem768x25519-sha256" in got["kex"]
    assert "chacha20-poly1305@openssh.com" in got["cipher"]
    assert "hmac-sha2-256-etm@openssh.com" in got["mac"]
    assert "ssh-ed25519" in got["key"] and "rsa-sha2-512" in got["key"]
    res = run([nanosshd, "-Q", "frobs"])
    assert res.returncode != 0 and b"frobs" in res.stderr, str(res)
    # every listed cipher is accepted by the Ciphers keyword
    res = run([nanosshd, "-T", "-f", "/dev/null", "-o",
               "Ciphers=" + ",".join(got["cipher"])])
    assert res.returncode == 0, str(res)


# ---- -E logfile ----------------------------------------------------------------

def test_log_file(start_server, keys, tmp_path):
    """-E appends the log to a file instead of stderr or syslog."""
    log = tmp_path / "sshd.log"
    log.write_text("earlier line\n")
    srv = start_server(authorized=[keys["ed25519"].line()],
                       args=["-E", str(log)])
    res = ssh(srv, keys["ed25519"], "echo", "hi")
    assert res.returncode == 0 and res.stdout == b"hi\n", explain(srv, res)
    text = ""
    for _ in range(100):
        text = log.read_text(errors="replace")
        if "Accepted publickey for root" in text:
            break
        subprocess.run(["sleep", "0.05"])
    assert text.startswith("earlier line\n"), "-E must append:\n" + text[:500]
    assert "Accepted publickey for root" in text, text[-3000:]
    assert "Accepted publickey" not in srv.log_text(), srv.log_tail()
    assert "AddressSanitizer" not in text and "runtime error" not in text, text


def test_log_file_unwritable(nanosshd, hostkey, tmp_path):
    res = run([nanosshd, "-t", "-h", hostkey, "-f", "/dev/null",
               "-E", str(tmp_path / "no" / "such" / "dir" / "log")])
    assert res.returncode == 255 and b"logfile" in res.stderr, str(res)


# ---- Behaviour a client sees ----------------------------------------------------

def test_version_addendum(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["VersionAddendum=Debian test 1"])
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as c:
        line = c.makefile("rb").readline()
    assert re.match(rb"SSH-2\.0-nanossh_\S+ Debian test 1\r\n$", line), line
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 0, explain(srv, res)


def test_version_addendum_none(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["VersionAddendum=none"])
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as c:
        line = c.makefile("rb").readline()
    assert re.match(rb"SSH-2\.0-nanossh_\S+\r\n$", line), line


def test_permit_tty_no(start_server, keys):
    """PermitTTY no refuses pty-req (ssh -tt then gives up, as with sshd);
    without it the same command gets a pty."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["PermitTTY=no"])
    res = ssh(srv, keys["ed25519"], "tty", tty=True)
    assert b"PTY allocation request failed" in res.stderr, explain(srv, res)
    assert b"/dev/pts/" not in res.stdout, explain(srv, res)
    assert wait_for_log(srv, "Pty allocation disabled for root by PermitTTY")
    srv2 = start_server(authorized=[keys["ed25519"].line()])
    res = ssh(srv2, keys["ed25519"], "tty", tty=True)
    assert "/dev/pts/" in res.stdout.decode(errors="replace"), explain(srv2, res)


def test_disable_forwarding(start_server, keys):
    """DisableForwarding yes refuses TCP forwarding even where
    AllowTcpForwarding says yes."""
    import paramiko
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["DisableForwarding=yes", "AllowTcpForwarding=yes"])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=srv.port, username="root",
                   key_filename=keys["ed25519"].path, look_for_keys=False,
                   allow_agent=False, timeout=20)
    try:
        t = client.get_transport()
        with pytest.raises(paramiko.ChannelException):
            t.open_channel("direct-tcpip", ("127.0.0.1", listener.getsockname()[1]),
                           ("127.0.0.1", 1234), timeout=20)
        with pytest.raises(paramiko.SSHException):
            t.request_port_forward("127.0.0.1", 0)
        # sessions still work
        chan = t.open_session(timeout=20)
        chan.exec_command("echo ok")
        assert chan.makefile("rb").read() == b"ok\n"
    finally:
        client.close()
        listener.close()
    assert wait_for_log(srv, "refused local port forward"), srv.log_tail()


def test_moduli_file(start_server, keys, tmp_path):
    """ModuliFile replaces /etc/ssh/moduli for group exchange: with only
    6144-bit groups in it, the server sends a 6144-bit group where the
    system file would give the 3072 bits the client asks for."""
    src = "/etc/ssh/moduli"
    if not os.path.exists(src):
        pytest.fail("/etc/ssh/moduli missing (openssh-server provides it)")
    lines = [l for l in open(src) if not l.startswith("#") and
             len(l.split()) == 7 and l.split()[4] == "6143"][:3]
    assert lines
    moduli = tmp_path / "moduli"
    moduli.write_text("".join(lines))
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"ModuliFile={moduli}",
                             "DHGroupExchangeMaxSize=8192"])   # 4096 by default
    res = ssh(srv, keys["ed25519"], "true", timeout=120,
              opts=["KexAlgorithms=diffie-hellman-group-exchange-sha256"])
    assert res.returncode == 0, explain(srv, res)
    assert wait_for_log(srv, "sending 6144"), srv.log_tail()


# ---- StrictModes ----------------------------------------------------------------

def test_strict_modes(start_server, keys, plain_user):
    """StrictModes yes refuses authorized_keys when the file or a directory
    up to the home directory is group or world writable, with sshd's log
    line; StrictModes no accepts it."""
    home = plain_user.pw_dir
    sshdir = os.path.join(home, ".ssh")
    os.makedirs(sshdir, exist_ok=True)
    ak = os.path.join(sshdir, "authorized_keys")
    with open(ak, "w") as f:
        f.write(keys["ed25519"].line() + "\n")
    for p in (sshdir, ak):
        shutil.chown(p, plain_user.pw_uid, plain_user.pw_gid)
    os.chmod(home, 0o755)
    os.chmod(sshdir, 0o700)
    os.chmod(ak, 0o600)
    opts = ["StrictModes=yes", "AuthorizedKeysFile=.ssh/authorized_keys"]
    srv = start_server(opts=opts, authkeys_file=False)
    user = plain_user.pw_name
    res = ssh(srv, keys["ed25519"], "id", "-un", user=user)
    assert res.returncode == 0 and res.stdout == f"{user}\n".encode(), \
        explain(srv, res, "good modes")
    os.chmod(sshdir, 0o770)
    res = ssh(srv, keys["ed25519"], "true", user=user,
              opts=["PasswordAuthentication=no", "KbdInteractiveAuthentication=no"])
    assert res.returncode != 0, explain(srv, res, "group-writable ~/.ssh")
    assert wait_for_log(srv, "Authentication refused: bad ownership or modes "
                        f"for directory {sshdir}"), srv.log_tail()
    os.chmod(sshdir, 0o700)
    os.chmod(ak, 0o666)
    res = ssh(srv, keys["ed25519"], "true", user=user,
              opts=["PasswordAuthentication=no", "KbdInteractiveAuthentication=no"])
    assert res.returncode != 0, explain(srv, res, "world-writable file")
    assert wait_for_log(srv, "Authentication refused: bad ownership or modes "
                        f"for file {ak}"), srv.log_tail()
    lax = start_server(opts=["StrictModes=no",
                             "AuthorizedKeysFile=.ssh/authorized_keys"],
                       authkeys_file=False)
    res = ssh(lax, keys["ed25519"], "true", user=user)
    assert res.returncode == 0, explain(lax, res, "StrictModes no")


# ---- IPQoS -----------------------------------------------------------------------

@pytest.mark.parametrize("opt,bulk,inter", [("IPQoS=af32 cs3", 0x60, 0x70),
                                            ("IPQoS=ef", 0xb8, 0xb8),
                                            (None, 0x20, 0x48)])   # af21 cs1
def test_ipqos_marks_connection(start_server, keys, opt, bulk, inter):
    """The connection carries the bulk value from the start and the
    interactive one once a session has a pty, as in sshd (the socket
    option's success is logged at DEBUG, in sshd's words)."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[opt] if opt else [])
    res = ssh(srv, keys["ed25519"], "true", tty=True)
    assert res.returncode == 0, explain(srv, res)
    assert wait_for_log(srv, f"IP_TOS 0x{bulk:02x}"), srv.log_tail()
    assert wait_for_log(srv, "Disconnected from user root"), srv.log_tail()
    log = srv.log_text()
    log = log[log.rindex("Connection from"):]   # the ssh connection's lines
    assert log.index(f"IP_TOS 0x{bulk:02x}") < log.index("Accepted publickey") \
        < log.rindex(f"IP_TOS 0x{inter:02x}"), log[-3000:]
