"""sshd parity details that OpenSSH's regress suite checks (envpass,
proxy-connect, banner, key-options): SetEnv's first value wins, the
environment of an inetd-mode session, large banners, user:style names,
expiry-time past 2038 and PermitUserEnvironment."""
import os
import subprocess

import pytest

from conftest import SSH_BASE, explain, ssh
from processes import SANITIZER_MARKS, daemon_env


def write(path, text):
    path.write_text(text)
    os.chmod(path, 0o644)
    return str(path)


# ---- SetEnv: the first value of a name wins (regress/envpass.sh) -------------

def test_setenv_first_value_of_a_name_wins(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                "SetEnv _XXX_TEST=foo _XXX_TEST=bar OTHER=1\n"
                "SetEnv _XXX_TEST=later\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], 'echo "$_XXX_TEST $OTHER"',
              opts=["SetEnv=_XXX_TEST=client"])
    assert res.returncode == 0 and res.stdout == b"foo 1\n", \
        explain(srv, res, "SetEnv A=foo A=bar must set A=foo, as sshd does")


def test_setenv_first_value_wins_in_match(start_server, keys, tmp_path):
    cfg = write(tmp_path / "sshd_config",
                "SetEnv _XXX_TEST=global\n"
                "Match User root\n    SetEnv _XXX_TEST=foo _XXX_TEST=bar\n"
                "Match all\n    SetEnv _XXX_TEST=second\n")
    srv = start_server(authorized=[keys["ed25519"].line()], args=["-f", cfg])
    res = ssh(srv, keys["ed25519"], 'echo "$_XXX_TEST"')
    assert res.returncode == 0 and res.stdout == b"foo\n", \
        explain(srv, res, "the first Match block's first value must win")


# ---- inetd mode on pipes (regress/proxy-connect.sh) ---------------------------

def inetd_ssh(nanosshd, hostkey, keys, tmp_path, command, user="root",
              extra=""):
    """ssh through `nanosshd -i` as ProxyCommand: stdin and stdout are
    pipes, not a socket."""
    ak = tmp_path / "authorized_keys"
    ak.write_text(keys["ed25519"].line() + "\n")
    os.chmod(ak, 0o644)
    cfg = tmp_path / "sshd_config"
    cfg.write_text(f"HostKey {hostkey}\nAuthorizedKeysFile {ak}\n"
                   f"LogLevel VERBOSE\n{extra}")
    proxy = f"{nanosshd} -i -e -f {cfg}"
    cmd = (["ssh", "-i", keys["ed25519"].path] + SSH_BASE +
           ["-o", "LogLevel=ERROR", "-o", f"ProxyCommand={proxy}",
            f"{user}@nanossh-inetd", command])
    res = subprocess.run(cmd, capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL, env=daemon_env())
    err = res.stderr.decode(errors="replace")
    marks = [m for m in SANITIZER_MARKS if m in err]
    assert not marks, f"sanitizer report from nanosshd -i:\n{err[-4000:]}"
    return res


def test_inetd_pipes_connection_is_unknown(nanosshd, hostkey, keys, tmp_path):
    res = inetd_ssh(nanosshd, hostkey, keys, tmp_path,
                    'echo "$SSH_CONNECTION"; echo "$SSH_CLIENT"')
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 0, f"ssh through nanosshd -i: {res}\n{err}"
    assert res.stdout == (b"UNKNOWN 65535 UNKNOWN 65535\n"
                          b"UNKNOWN 65535 65535\n"), \
        f"SSH_CONNECTION / SSH_CLIENT as sshd sets them: {res.stdout!r}\n{err}"
    assert "Accepted publickey for root from UNKNOWN port 65535" in err, err


# ---- Banners up to the packet limit (regress/banner.sh) ------------------------

def banner_text(size):
    line = b"nanossh banner line: 0123456789 abcdefghijklmnopqrstuvwxyz\n"
    return (line * (size // len(line) + 1))[:size - 1] + b"\n"


@pytest.mark.parametrize("size", [10, 1000, 100000])
def test_banner_sent_whole(start_server, keys, tmp_path, size):
    text = banner_text(size)
    banner = tmp_path / "banner.in"
    banner.write_bytes(text)
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"Banner={banner}"])
    # ssh shows the banner on stderr (at LogLevel INFO and above).
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)
    assert text in res.stderr, \
        explain(srv, None, f"the {size}-byte banner must arrive whole "
                f"(ssh's stderr had {len(res.stderr)} bytes)")


def test_banner_over_a_packet_is_cut(start_server, keys, tmp_path):
    text = banner_text(400000)
    banner = tmp_path / "banner.in"
    banner.write_bytes(text)
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=[f"Banner={banner}"])
    res = ssh(srv, keys["ed25519"], "echo ok", verbose=True)
    assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)
    # What fits in one packet of at most 256 KiB arrives, and the login goes on.
    assert text[:200000] in res.stderr and text not in res.stderr, \
        explain(srv, None, f"ssh's stderr had {len(res.stderr)} bytes")


# ---- user:style names (regress/proxy-connect.sh) -------------------------------

def test_user_style_is_stripped(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()])
    res = ssh(srv, keys["ed25519"], 'echo "$USER"; id -un', user="root:style")
    assert res.returncode == 0 and res.stdout == b"root\nroot\n", \
        explain(srv, res, "sshd logs root:style in as root (the style is "
                "for BSD auth, ignored on Linux)")
    assert "Accepted publickey for root from" in srv.log_text(), explain(srv)


def test_user_style_through_inetd(nanosshd, hostkey, keys, tmp_path):
    res = inetd_ssh(nanosshd, hostkey, keys, tmp_path, "id -un",
                    user="root:style")
    err = res.stderr.decode(errors="replace")
    assert res.returncode == 0 and res.stdout == b"root\n", \
        f"ssh root:style@ through nanosshd -i: {res}\n{err}"


def test_user_style_of_unknown_user_fails(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line()])
    res = ssh(srv, keys["ed25519"], "true", user="nosuchuser12:root")
    assert res.returncode == 255, explain(srv, res)
    assert "Invalid user nosuchuser12 from" in srv.log_text(), explain(srv)


# ---- expiry-time in authorized_keys (regress/key-options.sh) -------------------

@pytest.mark.parametrize("when,ok", [
    ("19990101", False), ("197001020000Z", False),
    ("20380119031409Z", True), ("21000101", True), ("210001010000Z", True),
    ("99991231235959Z", True)])
def test_expiry_time(start_server, keys, when, ok):
    srv = start_server(authorized=[keys["ed25519"].line(f'expiry-time="{when}"')])
    res = ssh(srv, keys["ed25519"], "echo ok")
    if ok:
        assert res.returncode == 0 and res.stdout == b"ok\n", \
            explain(srv, res, f"expiry-time={when} is in the future")
    else:
        assert res.returncode == 255, explain(srv, res, f"expiry-time={when} is past")
        assert "entry expired at" in srv.log_text(), explain(srv)


def test_expiry_time_malformed_refuses_the_key(start_server, keys):
    srv = start_server(authorized=[keys["ed25519"].line('expiry-time="2100"')])
    res = ssh(srv, keys["ed25519"], "echo ok")
    assert res.returncode == 255, explain(srv, res)
    assert "expiry-time" in srv.log_text(), explain(srv)


# ---- PermitUserEnvironment (regress/key-options.sh) ----------------------------

@pytest.fixture
def env_user(plain_user, keys):
    """plain_user with the ed25519 key (environment="FROMKEY=key",
    environment="BOTH=key") and a ~/.ssh/environment file of its own."""
    home = plain_user.pw_dir
    sshdir = os.path.join(home, ".ssh")
    os.makedirs(sshdir, exist_ok=True)
    files = {
        "authorized_keys": keys["ed25519"].line(
            'environment="FROMKEY=key",environment="BOTH=key"') + "\n",
        "environment": "# a comment\n\n  FROMFILE=file value\nBOTH=file\n"
                       "not a variable line\nSET=file\nAB=no\n",
    }
    for name, text in files.items():
        path = os.path.join(sshdir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chown(path, plain_user.pw_uid, plain_user.pw_gid)
        os.chmod(path, 0o600)
    for path, mode in ((home, 0o755), (sshdir, 0o700)):
        os.chown(path, plain_user.pw_uid, plain_user.pw_gid)
        os.chmod(path, mode)
    return plain_user.pw_name


ENV_CMD = 'echo "${FROMKEY-unset} ${FROMFILE-unset} ${BOTH-unset} ${SET-unset} ${AB-unset}"'


@pytest.mark.parametrize("setting,expect", [
    (None, b"unset unset unset admin unset"),
    ("no", b"unset unset unset admin unset"),
    ("yes", b"key file value file admin no"),
    ("FROM*,BOTH", b"key file value file admin unset"),
    ("*,!FROMFILE,!BOTH", b"key unset unset admin no"),
])
def test_permit_user_environment(start_server, keys, env_user, setting, expect):
    opts = ["AuthorizedKeysFile=.ssh/authorized_keys", "SetEnv=SET=admin"]
    if setting is not None:
        opts.append(f"PermitUserEnvironment={setting}")
    srv = start_server(authkeys_file=False, opts=opts)
    res = ssh(srv, keys["ed25519"], ENV_CMD, user=env_user)
    assert res.returncode == 0 and res.stdout == expect + b"\n", \
        explain(srv, res, f"PermitUserEnvironment {setting}")


def test_permit_user_environment_shown(nanosshd, hostkey, tmp_path):
    for setting, shown in ((None, "no"), ("yes", "yes"), ("LANG,LC_*", "LANG,LC_*")):
        cmd = [nanosshd, "-T", "-f", "/dev/null", "-h", str(hostkey)]
        if setting:
            cmd += ["-o", f"PermitUserEnvironment={setting}"]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        assert res.returncode == 0, res.stderr
        assert f"permituserenvironment {shown}\n" in res.stdout, res.stdout
