"""Behaviour OpenSSH's regress suite (tools/openssh-regress.sh) checks of
the server under test, kept here so the README's test command catches a
regression without an OpenSSH source tree: the exit status of `-i` when
the client's version line is not SSH-2.0 (proto-mismatch.sh) and
`UsePrivilegeSeparation sandbox` (connect-privsep.sh)."""
import os
import subprocess

import pytest

from conftest import SSH_BASE, explain, ssh
from processes import SANITIZER_MARKS, daemon_env


def no_sanitizer(err, what):
    marks = [m for m in SANITIZER_MARKS if m in err]
    assert not marks, f"sanitizer report from {what}:\n{err[-4000:]}"


def config(tmp_path, hostkey, extra=""):
    cfg = tmp_path / "sshd_config"
    cfg.write_text(f"HostKey {hostkey}\nLogLevel VERBOSE\n{extra}")
    os.chmod(cfg, 0o644)
    return str(cfg)


# ---- regress/proto-mismatch.sh and proto-version.sh ---------------------------

@pytest.mark.parametrize("client", [b"SSH-1.5-HALLO", b"SSH-1.0-OLD",
                                    b"SSH-3.0-FUTURE"])
def test_inetd_wrong_version_exits_255(nanosshd, hostkey, tmp_path, client):
    cfg = config(tmp_path, hostkey)
    res = subprocess.run([nanosshd, "-i", "-e", "-f", cfg],
                         input=client + b"\n", capture_output=True,
                         timeout=60, env=daemon_env())
    err = res.stderr.decode(errors="replace")
    no_sanitizer(err, "nanosshd -i")
    assert res.stdout.startswith(b"SSH-2.0-"), \
        f"the server's version line comes first: {res.stdout[:80]!r}"
    assert res.returncode == 255, \
        f"a {client!r} client must end -i with status 255, as sshd: " \
        f"{res.returncode}\n{err}"
    assert res.stdout.endswith(b"Protocol major versions differ.\r\n"), \
        f"the reason in plain text, as sshd sends it: {res.stdout[-80:]!r}"


# ---- regress/multiplex.sh: a line that is not an identification string -------

@pytest.mark.parametrize("line", [b"", b"hello", b"GET / HTTP/1.0"])
def test_not_an_identification_string_answered_in_text(nanosshd, hostkey,
                                                       tmp_path, line):
    """sshd answers a client whose first line is not "SSH-..." with
    "Invalid SSH identification string." in plain text (there is no
    binary packet protocol yet to carry a DISCONNECT); the suite's
    multiplex test looks for it through a forwarded Unix socket."""
    cfg = config(tmp_path, hostkey)
    res = subprocess.run([nanosshd, "-i", "-e", "-f", cfg],
                         input=line + b"\r\n", capture_output=True,
                         timeout=60, env=daemon_env())
    err = res.stderr.decode(errors="replace")
    no_sanitizer(err, "nanosshd -i")
    assert res.stdout.startswith(b"SSH-2.0-"), res.stdout[:80]
    assert res.stdout.endswith(b"Invalid SSH identification string.\r\n"), \
        f"no plain-text reason: {res.stdout[-80:]!r}"
    assert "not an SSH identification string" in err, err
    assert res.returncode == 255, (res.returncode, err)


def test_inetd_client_closing_at_once_exits_0(nanosshd, hostkey, tmp_path):
    """proto-version.sh feeds nothing and reads the banner: an empty
    connection is the client's choice, not an error."""
    cfg = config(tmp_path, hostkey)
    res = subprocess.run([nanosshd, "-i", "-e", "-f", cfg], input=b"",
                         capture_output=True, timeout=60, env=daemon_env())
    no_sanitizer(res.stderr.decode(errors="replace"), "nanosshd -i")
    assert res.stdout.startswith(b"SSH-2.0-") and res.returncode == 0, res


# ---- regress/connect-privsep.sh -----------------------------------------------

@pytest.mark.parametrize("value", ["yes", "sandbox", "no"])
def test_use_privilege_separation_values(nanosshd, hostkey, tmp_path, value):
    cfg = config(tmp_path, hostkey, f"UsePrivilegeSeparation {value}\n")
    res = subprocess.run([nanosshd, "-T", "-f", cfg], capture_output=True,
                         timeout=60, env=daemon_env())
    out = res.stdout.decode()
    want = "no" if value == "no" else "yes"
    assert res.returncode == 0 and \
        f"useprivilegeseparation {want}\n" in out.lower(), \
        f"UsePrivilegeSeparation {value} -> {want}: {res}"


def test_use_privilege_separation_bad_value(nanosshd, hostkey, tmp_path):
    cfg = config(tmp_path, hostkey, "UsePrivilegeSeparation maybe\n")
    res = subprocess.run([nanosshd, "-t", "-f", cfg], capture_output=True,
                         timeout=60, env=daemon_env())
    assert res.returncode == 255 and b"UsePrivilegeSeparation" in res.stderr, res


def test_proxy_connect_with_privsep_sandbox(nanosshd, hostkey, keys, tmp_path):
    ak = tmp_path / "authorized_keys"
    ak.write_text(keys["ed25519"].line() + "\n")
    os.chmod(ak, 0o644)
    cfg = config(tmp_path, hostkey, f"AuthorizedKeysFile {ak}\n"
                 "UsePrivilegeSeparation sandbox\n")
    cmd = (["ssh", "-i", keys["ed25519"].path] + SSH_BASE +
           ["-o", "LogLevel=ERROR", "-o",
            f"ProxyCommand={nanosshd} -i -e -f {cfg}",
            "root@nanossh-inetd", "echo ok"])
    res = subprocess.run(cmd, capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL, env=daemon_env())
    err = res.stderr.decode(errors="replace")
    no_sanitizer(err, "nanosshd -i")
    assert res.returncode == 0 and res.stdout == b"ok\n", f"{res}\n{err}"


# ---- regress/match-subsystem.sh: a quoted word stays one word ------------------

def test_subsystem_quoted_argument_stays_one_word(start_server, nanosshd, keys,
                                                  tmp_path):
    cfg = tmp_path / "sshd_config"
    cfg.write_text('Subsystem xxx /bin/sh -c "exit 23"\n')
    os.chmod(cfg, 0o644)
    srv = start_server(authorized=[keys["ed25519"].line()],
                       args=["-f", str(cfg)])
    res = ssh(srv, keys["ed25519"], "xxx", args=["-s"])
    assert res.returncode == 23, \
        explain(srv, res, 'Subsystem xxx /bin/sh -c "exit 23" must exit 23')
    show = subprocess.run([nanosshd, "-T", "-f", str(cfg)], capture_output=True,
                          timeout=60, env=daemon_env())
    assert 'subsystem xxx /bin/sh -c "exit 23"\n' in show.stdout.decode(), \
        f"-T prints the command so that it loads back the same: {show}"


# ---- regress/servcfginclude.sh and cfgmatch.sh: Include inside Match ----------

def _banner_for(nanosshd, cfg, host):
    res = subprocess.run([nanosshd, "-T", "-f", cfg, "-C",
                          f"host={host},user=test,addr=127.0.0.1,"],
                         capture_output=True, text=True, timeout=60,
                         env=daemon_env())
    assert res.returncode == 0, res.stderr
    lines = [ln.split()[1] for ln in res.stdout.splitlines()
             if ln.lower().startswith("banner ")]
    return lines[0] if lines else None


def test_include_inside_match_is_gated_by_it(nanosshd, hostkey, tmp_path):
    """An Include inside a Match block brings its files under that block's
    criteria, their own Match blocks too; after the Include the block goes
    on; a Match block opened by an included file ends with that file. The
    first value of a keyword wins, as in sshd. (-C takes a trailing comma,
    as the suite writes it.)"""
    inc = tmp_path / "inc.conf"
    inc.write_text("Match host a\n\tBanner /from-inc-a\n"
                   "Match host d\n\tBanner /from-inc-d\n"
                   "Match all\n\tBanner /from-inc-all\n")
    cfg = tmp_path / "sshd_config"
    cfg.write_text(f"HostKey {hostkey}\n"
                   f"Match host=b\n\tInclude {inc}\n\tBanner /b-after\n"
                   f"Match host a\n\tInclude {inc}\n\tBanner /a-after\n"
                   f"Match host d\n\tBanner /d-own\n"
                   f"Match host m\n\tInclude {inc}\n")
    os.chmod(cfg, 0o644)
    inc2 = tmp_path / "inc2.conf"
    inc2.write_text("Match host q\n\tBanner /q\n")
    top = tmp_path / "top.conf"
    top.write_text(f"HostKey {hostkey}\nInclude {inc2}\nBanner /top-after\n")
    os.chmod(top, 0o644)
    cfg, top = str(cfg), str(top)
    assert _banner_for(nanosshd, cfg, "a") == "/from-inc-a"
    assert _banner_for(nanosshd, cfg, "b") == "/from-inc-all"
    # d: the file included under "host b" and "host a" must not reach it
    assert _banner_for(nanosshd, cfg, "d") == "/d-own"
    assert _banner_for(nanosshd, cfg, "m") == "/from-inc-all"
    assert _banner_for(nanosshd, cfg, "x") == "none"
    # at the top level, the included file's last Match block ends with it
    assert _banner_for(nanosshd, top, "x") == "/top-after"
    assert _banner_for(nanosshd, top, "q") == "/q"
