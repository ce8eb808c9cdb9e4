"""The configuration file: -t on good and bad files, -T and -C, Match
blocks, AllowUsers / DenyUsers / AllowGroups / DenyGroups, Banner, the
algorithm keywords restricting what is offered, MaxSessions and
ClientAlive*."""
import os
import re
import signal
import socket
import subprocess
import time

import paramiko
import pytest

from conftest import explain, need_tool, ssh, ssh_cmd, wait_for_log


def run(cmd, timeout=30):
    return subprocess.run(cmd, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def write(path, text):
    path.write_text(text)
    return str(path)


# ---- -t and -T ---------------------------------------------------------------

GOOD = """\
# A configuration using most keywords.
Port 2222
AddressFamily inet
ListenAddress 127.0.0.1
ListenAddress [::1]:2200
LoginGraceTime 1m30s
MaxStartups 10:30:60
KexAlgorithms -sntrup761x25519-sha512@openssh.com
Ciphers ^aes256-gcm@openssh.com
MACs +hmac-sha1
PubkeyAcceptedAlgorithms ssh-ed25519,ecdsa-sha2-*
RekeyLimit 1G 1h
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys /etc/keys/%u
AllowUsers root admin@10.0.0.0/8
DenyGroups nogroup
MaxAuthTries 4
MaxSessions 3
ClientAliveInterval 30
ClientAliveCountMax 2
AcceptEnv LANG LC_*
SetEnv TZ=UTC "GREETING=hello world"
PrintMotd no
LogLevel VERBOSE
SyslogFacility LOCAL3
X11Forwarding no

Match User admin Address 10.0.0.0/8
    PubkeyAuthentication no
    ForceCommand /usr/bin/true
Match Group staff
    Banner /etc/issue.net
"""


def test_check_good_file(nanosshd, hostkey, tmp_path):
    cfg = write(tmp_path / "good_config", GOOD)
    res = run([nanosshd, "-t", "-f", cfg, "-h", hostkey])
    assert res.returncode == 0, f"-t on a good file: {res}"


BAD = """\
Port 2222
Frobnicate yes
MaxAuthTries many
Ciphers aes999-ctr
PermitTunnel yes
Match User bob
    Port 23
"""


def test_check_bad_file_names_each_line(nanosshd, hostkey, tmp_path):
    cfg = write(tmp_path / "bad_config", BAD)
    res = run([nanosshd, "-t", "-f", cfg, "-h", hostkey])
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 255, f"-t on a bad file must exit 255: {res}"
    for line, word in ((2, "Frobnicate"), (3, "MaxAuthTries"), (4, "aes999-ctr"),
                       (5, "PermitTunnel"), (7, "Port")):
        assert f"{cfg}: line {line}: " in err and word in err, \
            f"no error naming {cfg}: line {line} ({word}):\n{err}"
    assert "line 1:" not in err and "line 6:" not in err, err
    assert "Match" in err.split(f"line 7: ")[1], err


def test_deprecated_keywords_accepted(nanosshd, hostkey, tmp_path):
    """Keywords sshd reads and ignores (Protocol, RSAAuthentication, ...)
    are accepted as there, so old files still start; a deprecated one is
    named in the log."""
    cfg = write(tmp_path / "old_config",
                "Protocol 2\nRSAAuthentication yes\nUseLogin no\nPort 2222\n")
    res = run([nanosshd, "-t", "-f", cfg, "-h", hostkey])
    assert res.returncode == 0, f"-t on an old file: {res}"
    res = run([nanosshd, "-T", "-f", cfg, "-h", hostkey])
    out = res.stdout.decode(errors="replace")
    assert res.returncode == 0 and "port 2222" in out, res
    assert "protocol" not in out and "rsaauthentication" not in out, out


def test_check_missing_file(nanosshd, hostkey, tmp_path):
    res = run([nanosshd, "-t", "-f", str(tmp_path / "nope"), "-h", hostkey])
    assert res.returncode == 255 and b"nope" in res.stderr, str(res)


def show(nanosshd, *args):
    res = run([nanosshd, "-T"] + list(args))
    assert res.returncode == 0, f"-T failed: {res}"
    lines = res.stdout.decode().splitlines()
    assert all(l.split(" ", 1)[0] == l.split(" ", 1)[0].lower() for l in lines)
    return lines


def test_show_effective_config(nanosshd, hostkey, tmp_path):
    cfg = write(tmp_path / "good_config", GOOD)
    lines = show(nanosshd, "-f", cfg, "-h", hostkey, "-o", "MaxAuthTries=5")
    for want in ("port 2222", "listenaddress 127.0.0.1:2222",
                 "listenaddress [::1]:2200", "logingracetime 90",
                 "maxstartups 10:30:60", "maxauthtries 5", "maxsessions 3",
                 "clientaliveinterval 30", "clientalivecountmax 2",
                 "acceptenv LANG", "acceptenv LC_*", "setenv TZ=UTC",
                 "setenv GREETING=hello world", "printmotd no",
                 "loglevel VERBOSE", "syslogfacility LOCAL3",
                 "pubkeyauthentication yes", "x11forwarding no",
                 "rekeylimit 1073741824 3600",
                 "authorizedkeysfile .ssh/authorized_keys /etc/keys/%u",
                 "allowusers root", "allowusers admin@10.0.0.0/8",
                 "denygroups nogroup", "pubkeyacceptedalgorithms ssh-ed25519,"
                 # ecdsa-sha2-* takes the certificate names too, as in sshd
                 "ecdsa-sha2-nistp256-cert-v01@openssh.com,"
                 "ecdsa-sha2-nistp384-cert-v01@openssh.com,"
                 "ecdsa-sha2-nistp521-cert-v01@openssh.com,"
                 "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521"):
        assert want in lines, f"-T lacks {want!r}:\n" + "\n".join(lines)
    ciphers = next(l for l in lines if l.startswith("ciphers "))
    assert ciphers.startswith("ciphers aes256-gcm@openssh.com,chacha20"), ciphers
    macs = next(l for l in lines if l.startswith("macs ")).split(" ")[1]
    assert macs.endswith(",hmac-sha1"), macs
    kex = next(l for l in lines if l.startswith("kexalgorithms "))
    assert "sntrup761x25519-sha512@openssh.com" not in kex and "curve25519" in kex


def test_show_with_connection_spec(nanosshd, hostkey, tmp_path):
    cfg = write(tmp_path / "good_config", GOOD)
    base = show(nanosshd, "-f", cfg, "-h", hostkey)
    admin = show(nanosshd, "-f", cfg, "-h", hostkey,
                 "-C", "user=admin,addr=10.1.2.3,laddr=127.0.0.1,lport=22")
    other = show(nanosshd, "-f", cfg, "-h", hostkey,
                 "-C", "user=admin", "-C", "addr=192.0.2.1")
    assert "pubkeyauthentication yes" in base and "forcecommand none" in base
    assert "pubkeyauthentication no" in admin, "\n".join(admin)
    assert "forcecommand /usr/bin/true" in admin, "\n".join(admin)
    assert "pubkeyauthentication yes" in other, "Match Address must not match"


def test_show_invalid_user_rdomain(nanosshd, hostkey, tmp_path):
    """-C takes sshd's invalid-user and rdomain=; Match Invalid-User and
    RDomain (also in the criterion=pattern form) then apply."""
    cfg = write(tmp_path / "sshd_config",
                "Match Invalid-User\n    MaxAuthTries 1\n"
                "Match RDomain=vrf-* User ops\n    MaxAuthTries 4\n")
    ghost = show(nanosshd, "-f", cfg, "-h", hostkey, "-C", "user=ghost,invalid-user")
    ops = show(nanosshd, "-f", cfg, "-h", hostkey, "-C", "user=ops,rdomain=vrf-blue")
    plain = show(nanosshd, "-f", cfg, "-h", hostkey, "-C", "user=ops")
    assert "maxauthtries 1" in ghost, "\n".join(ghost)
    assert "maxauthtries 4" in ops, "\n".join(ops)
    assert "maxauthtries 6" in plain, "\n".join(plain)


# ---- Match blocks ---------------------------------------------------------------

@pytest.mark.parametrize("privsep", ["yes", "no"])
def test_match_invalid_user_live(start_server, keys, tmp_path, privsep):
    """Match Invalid-User applies to a user without an account only."""
    banner = write(tmp_path / "banner", "no-such-account-banner\n")
    cfg = write(tmp_path / "sshd_config",
                f"UsePrivilegeSeparation {privsep}\n"
                f"Match Invalid-User\n    Banner {banner}\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], "true", user="nosuchuser-nssh", verbose=True)
    assert res.returncode == 255 and b"no-such-account-banner" in res.stderr, \
        explain(srv, res)
    res = ssh(srv, keys["ed25519"], "true", verbose=True)
    assert res.returncode == 0 and b"no-such-account-banner" not in res.stderr, \
        explain(srv, res)


def test_match_user_changes_setting(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                "SetEnv WHERE=global\n"
                "Match User nobody\n    SetEnv WHERE=nobody\n"
                "Match User root Address 127.0.0.0/8\n    SetEnv WHERE=root-local\n"
                "Match User root\n    SetEnv WHERE=root\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], 'echo "$WHERE"')
    assert res.returncode == 0 and res.stdout == b"root-local\n", \
        explain(srv, res, "the first matching Match block must set WHERE")


def test_match_refuses_method(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                "Match User someoneelse\n    PubkeyAuthentication yes\n"
                "Match Address 127.0.0.1 User root\n    PubkeyAuthentication no\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 255 and b"ok" not in res.stdout, \
        explain(srv, res, "Match ... PubkeyAuthentication no must refuse the key")


def test_match_force_command(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                'Match User root\n    ForceCommand echo "forced: $SSH_ORIGINAL_COMMAND"\n')
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], "echo asked")
    assert res.stdout == b"forced: echo asked\n", \
        explain(srv, res, "ForceCommand in a Match block")


# ---- Who may log in ---------------------------------------------------------------

@pytest.mark.parametrize("opt,reason", [
    ("AllowUsers=nobody", "not listed in AllowUsers"),
    ("AllowUsers=root@10.0.0.0/8", "not listed in AllowUsers"),
    ("DenyUsers=ro*", "listed in DenyUsers"),
    ("DenyGroups=root", "a group is listed in DenyGroups"),
    ("AllowGroups=nogroup", "none of user's groups are listed in AllowGroups"),
])
def test_access_lists_refuse(start_server, keys, opt, reason):
    srv = start_server(authorized=[keys["ed25519"].line()], opts=[opt])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 255 and b"ok" not in res.stdout, \
        explain(srv, res, f"{opt} must refuse root")
    line = f"User root from 127.0.0.1 not allowed because {reason}"
    assert wait_for_log(srv, line), explain(srv, res, f"log must say {line!r}")
    assert wait_for_log(srv, "Failed publickey for invalid user root"), \
        explain(srv, res, "a refused user is logged as invalid, as sshd does")


@pytest.mark.parametrize("opt", ["AllowUsers=root@127.0.0.0/8",
                                 "AllowUsers=nobody r?ot", "DenyUsers=root@10.*",
                                 "AllowGroups=root"])
def test_access_lists_allow(start_server, keys, opt):
    srv = start_server(authorized=[keys["ed25519"].line()], opts=[opt])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", \
        explain(srv, res, f"{opt} must let root in")


def test_match_log_level(start_server, keys, tmp_path):
    """A Match block's LogLevel holds from the first request on, over the
    -o LogLevel=DEBUG the test fixture gives."""
    cfg = write(tmp_path / "sshd_config", "Match User root\n    LogLevel ERROR\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 0, explain(srv, res)
    assert wait_for_log(srv, "Connection from 127.0.0.1"), explain(srv, res)
    time.sleep(0.3)
    assert "Accepted publickey" not in srv.log_text(), \
        explain(srv, res, "LogLevel ERROR from Match must silence INFO lines")


def test_user_name_may_not_change(start_server, keys):
    """As in sshd: the first request names the user for good."""
    srv = start_server(authorized=[keys["ed25519"].line()])
    key = paramiko.Ed25519Key.from_private_key_file(keys["ed25519"].path)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
    t = paramiko.Transport(sock)
    try:
        t.start_client(timeout=20)
        with pytest.raises(paramiko.AuthenticationException):
            t.auth_publickey("nosuchuser", key)
        with pytest.raises((paramiko.SSHException, EOFError, OSError)):
            t.auth_publickey("root", key)
        assert not t.is_authenticated()
    finally:
        t.close()
    assert wait_for_log(srv, "Change of username or service not allowed: "
                        "(nosuchuser,ssh-connection) -> (root,ssh-connection)"), \
        explain(srv, None, "the change must be refused and logged")


# ---- Banner -------------------------------------------------------------------------

def test_banner_shown(start_server, keys, tmp_path):
    banner = tmp_path / "banner.txt"
    banner.write_text("Authorized use only -- nanossh test banner\n")
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"Banner={banner}"])
    # ssh prints the banner at LogLevel INFO and above.
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)
    assert b"nanossh test banner" in res.stderr, \
        explain(srv, res, "ssh must show the Banner text")
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True,
              opts=["PubkeyAuthentication=no"])
    assert b"nanossh test banner" in res.stderr, \
        explain(srv, res, "the banner comes before authentication succeeds")


# ---- PrintMotd ----------------------------------------------------------------------

@pytest.mark.parametrize("motd", ["yes", "no"])
def test_print_motd(start_server, keys, motd):
    try:
        text = open("/etc/motd", errors="replace").read().strip()
    except OSError:
        text = ""
    if not text or os.path.exists(os.path.expanduser("~root/.hushlogin")):
        pytest.skip("no /etc/motd to show (or root has ~/.hushlogin)")
    first = text.splitlines()[0].strip()
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"PrintMotd={motd}"])
    res = ssh(srv, keys["ed25519"], tty=True, input=b"exit\n")
    shown = first.encode() in res.stdout
    assert shown == (motd == "yes"), \
        explain(srv, res, f"PrintMotd {motd}: /etc/motd {'not ' if not shown else ''}shown")


# ---- Algorithms ---------------------------------------------------------------------

def test_ciphers_restrict_offer(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["Ciphers=aes256-ctr,aes128-gcm@openssh.com"])
    res = ssh(srv, keys["ed25519"], "echo ok", args=["-c", "aes256-ctr"])
    assert res.returncode == 0, explain(srv, res, "an allowed cipher must work")
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True,
              args=["-c", "chacha20-poly1305@openssh.com"])
    assert res.returncode == 255 and b"no matching cipher" in res.stderr, \
        explain(srv, res, "a client forcing an excluded cipher must fail")
    assert wait_for_log(srv, "no matching cipher"), explain(srv, res)


def test_kex_algorithms_restrict_offer(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["KexAlgorithms=ecdh-sha2-nistp256"])
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True)
    assert res.returncode == 0 and b"kex: algorithm: ecdh-sha2-nistp256" in res.stderr, \
        explain(srv, res, "the only key exchange offered must be chosen")
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True,
              opts=["KexAlgorithms=curve25519-sha256"])
    assert res.returncode == 255 and b"no matching key exchange" in res.stderr, \
        explain(srv, res, "a client forcing an excluded key exchange must fail")


def test_legacy_mac_only_when_configured(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line()])
    res = ssh(srv, k, "echo ok", args=["-c", "aes128-ctr", "-m", "hmac-sha1"])
    assert res.returncode == 255, explain(srv, res, "hmac-sha1 is off by default")
    srv = start_server(authorized=[k.line()], opts=["MACs=+hmac-sha1"])
    res = ssh(srv, k, "echo ok", args=["-c", "aes128-ctr", "-m", "hmac-sha1"])
    assert res.returncode == 0, explain(srv, res, "MACs +hmac-sha1 turns it on")


def test_hostkey_algorithms(nanosshd, hostkey, start_server, keys):
    res = run([nanosshd, "-t", "-h", hostkey, "-o", "HostKeyAlgorithms=rsa-sha2-256"])
    assert res.returncode == 255 and b"HostKeyAlgorithms" in res.stderr, \
        f"an ed25519 key cannot serve rsa-sha2-256 only: {res}"
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["HostKeyAlgorithms=ssh-ed25519"])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 0, explain(srv, res)


# ---- MaxSessions, ClientAlive ----------------------------------------------------------

def test_max_sessions(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()], opts=["MaxSessions=1"])
    key = paramiko.Ed25519Key.from_private_key_file(keys["ed25519"].path)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect("127.0.0.1", port=srv.port, username="root", pkey=key,
                       allow_agent=False, look_for_keys=False, timeout=20)
        first = client.get_transport().open_session()
        with pytest.raises(paramiko.ChannelException):
            client.get_transport().open_session()
        first.exec_command("echo one")
        assert first.recv(100) == b"one\n"
        first.close()
        time.sleep(0.3)
        again = client.get_transport().open_session()   # the slot is free
        again.exec_command("echo two")
        assert again.recv(100) == b"two\n"
    finally:
        client.close()


def test_client_alive_keeps_live_client(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ClientAliveInterval=1", "ClientAliveCountMax=3"])
    res = ssh(srv, keys["ed25519"], "sleep 4; echo done")
    assert res.returncode == 0 and res.stdout == b"done\n", \
        explain(srv, res, "a client that answers keepalives must stay connected")
    assert "keepalive" in srv.log_text() or "alive" in srv.log_text(), \
        explain(srv, res, "probes must have been sent (debug log)")


def test_client_alive_drops_silent_client(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ClientAliveInterval=1", "ClientAliveCountMax=2"])
    cmd = ssh_cmd(srv, keys["ed25519"], "echo started; sleep 60")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"started\n", explain(srv)
        os.kill(proc.pid, signal.SIGSTOP)   # alive but silent
        found = wait_for_log(srv, "Timeout, client not responding from user root",
                             timeout=15)
        os.kill(proc.pid, signal.SIGCONT)
        assert found, explain(srv, None, "no timeout after 2 unanswered probes")
        proc.wait(timeout=20)
        assert proc.returncode == 255, explain(srv, None, "ssh must see the end")
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
            proc.wait()


# ---- Documentation ---------------------------------------------------------------------

@pytest.mark.parametrize("page", ["nanosshd.8", "nanosshd_config.5"])
def test_man_page_renders(page):
    need_tool("man")
    path = os.path.join(os.path.dirname(__file__), "..", "..", "man", page)
    res = subprocess.run(["man", "--warnings", "-l", path], capture_output=True,
                         timeout=60, env=dict(os.environ, MANWIDTH="80",
                                              MAN_KEEP_FORMATTING="0",
                                              LC_ALL="C.UTF-8"))
    text = re.sub(r".\x08", "", res.stdout.decode(errors="replace"))   # overstrikes
    assert res.returncode == 0 and "\nNAME\n" in text, text[:2000]
    assert res.stderr == b"", f"groff warnings in {page}:\n{res.stderr.decode()}"


def test_help_names_every_flag(nanosshd):
    res = run([nanosshd, "--help"])
    assert res.returncode == 0, str(res)
    text = res.stdout.decode()
    for flag in ("-C", "-D", "-d", "-E", "-e", "-f", "-h", "-i", "-o", "-p",
                 "-Q", "-q", "-T", "-t", "-V"):
        assert f"  {flag} " in text, f"--help lacks {flag}:\n{text}"


def test_match_subsystem(start_server, keys, tmp_path, nanosshd, hostkey):
    """Subsystem inside Match (sshd 10.5): the first Match block's
    definition replaces the global one of that name and adds new names;
    a block that does not apply changes nothing."""
    cfg = write(tmp_path / "sshd_config",
                "Subsystem greet /bin/echo global\n"
                "Subsystem other /bin/echo other-global\n"
                "Match User nobody\n    Subsystem other /bin/echo nobody\n"
                "Match User root\n    Subsystem greet /bin/echo matched\n"
                "    Subsystem extra /bin/echo extra\n"
                "Match all\n    Subsystem greet /bin/echo second-block\n")
    chk = subprocess.run([nanosshd, "-t", "-f", str(cfg), "-h", str(hostkey)],
                         capture_output=True, text=True, timeout=30)
    assert chk.returncode == 0, chk.stderr
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    for name, want in (("greet", b"matched\n"), ("other", b"other-global\n"),
                       ("extra", b"extra\n")):
        res = ssh(srv, keys["ed25519"], name, args=["-s"])
        assert res.returncode == 0 and res.stdout == want, explain(srv, res, name)


def test_match_version(start_server, keys, tmp_path):
    """Match Version (sshd 10.5): patterns against the server's own
    release, nanossh_VERSION here (sshd: OpenSSH_10.5)."""
    cfg = write(tmp_path / "sshd_config",
                "SetEnv WHERE=global\n"
                "Match Version NONEXIST\n    SetEnv WHERE=nonexist\n"
                "Match Version nanossh_*\n    SetEnv WHERE=nanossh\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], 'echo "$WHERE"')
    assert res.returncode == 0 and res.stdout == b"nanossh\n", explain(srv, res)
