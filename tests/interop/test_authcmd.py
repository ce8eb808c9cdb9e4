"""AuthorizedKeysCommand(+User), RevokedKeys (plain lists and KRLs made by
ssh-keygen -k) and ExposeAuthInfo, with OpenSSH's client against nanosshd.

Helper programs must sit in a path only root can change (sshd's rule), so
they live in a fresh root-owned directory under /run, removed afterwards."""
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import ssh, explain, need_tool

HELPER_USER = "nobody"


@pytest.fixture
def helperdir():
    d = pathlib.Path(tempfile.mkdtemp(prefix="nanossh-akc-", dir="/run"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def script(d, name, body, mode=0o755):
    p = d / name
    p.write_text("#!/bin/sh\n" + body)
    os.chmod(p, mode)
    return p


def keys_file(d, *lines):
    p = d / "keys"
    p.write_text("".join(line + "\n" for line in lines))
    os.chmod(p, 0o644)
    return p


def akc(cmd, user=HELPER_USER):
    return [f"AuthorizedKeysCommand={cmd}", f"AuthorizedKeysCommandUser={user}"]


def fingerprint(key):
    out = subprocess.run(["ssh-keygen", "-l", "-f", key.path + ".pub"],
                         capture_output=True, text=True, check=True, timeout=30)
    return out.stdout.split()[1]


def test_command_key_logs_in_with_tokens(start_server, keys, helperdir):
    """The helper prints the key; the login works; the helper ran as the
    configured user with each token expanded (it logs its argv on stderr,
    which the daemon logs)."""
    k = keys["ed25519"]
    kf = keys_file(helperdir, k.line())
    prog = script(helperdir, "akc",
                  'echo "uid=$(id -un) args=[$*]" >&2\n'
                  f'cat {kf}\n')
    srv = start_server(authorized=[], opts=akc(f"{prog} %u %U %h %t %f %k %% %C"))
    res = ssh(srv, k, "echo", "in")
    assert res.returncode == 0 and res.stdout == b"in\n", explain(srv, res)
    b64 = k.pub.split()[1]
    want = (f"uid={HELPER_USER} args=[root 0 /root ssh-ed25519 "
            f"{fingerprint(k)} {b64} % 127.0.0.1 ")
    assert want in srv.log_text(), explain(srv, res, want)
    assert f"127.0.0.1 {srv.port}]" in srv.log_text(), explain(srv, res)


def test_command_without_arguments_gets_user(start_server, keys, helperdir):
    k = keys["ecdsa"]
    kf = keys_file(helperdir, k.line())
    prog = script(helperdir, "akc", f'echo "argv1=$1 n=$#" >&2\ncat {kf}\n')
    srv = start_server(authorized=[], opts=akc(str(prog), user="root"))
    res = ssh(srv, k, "true")
    assert res.returncode == 0, explain(srv, res)
    assert "argv1=root n=1" in srv.log_text(), explain(srv, res)


def test_command_options_apply(start_server, keys, helperdir):
    """Lines from the helper carry options like a file's: command= wins."""
    k = keys["ed25519"]
    kf = keys_file(helperdir, k.line('command="echo forced"'))
    prog = script(helperdir, "akc", f"cat {kf}\n")
    srv = start_server(authorized=[], opts=akc(f"{prog} %u"))
    res = ssh(srv, k, "echo", "mine")
    assert res.returncode == 0 and res.stdout == b"forced\n", explain(srv, res)


@pytest.mark.parametrize("body,logged", [
    ("exit 0\n", None),                                  # prints nothing
    ("cat {kf}\nexit 3\n", "failed, status 3"),          # prints, then fails
    ("cat {kf}\nexec sleep 30\n", "did not finish"),     # too slow: killed
    ("cat {kf} {other}\n", None),                        # another key only
])
def test_command_refusals(start_server, keys, helperdir, body, logged):
    k = keys["ed25519"]
    kf = keys_file(helperdir, k.line())
    other = helperdir / "other"
    other.write_text(keys["rsa"].line() + "\n")
    os.chmod(other, 0o644)
    if "{other}" in body:
        kf.write_text("")
    prog = script(helperdir, "akc", body.format(kf=kf, other=other))
    srv = start_server(authorized=[], opts=akc(f"{prog} %u") +
                       ["LoginGraceTime=6"])
    res = ssh(srv, k, "true")
    assert res.returncode == 255 and b"Permission denied" in res.stderr, \
        explain(srv, res)
    if logged:
        assert logged in srv.log_text(), explain(srv, res, logged)


def test_command_unsafe_path_or_no_user(start_server, keys, helperdir):
    """A group-writable helper is not run (sshd's safe_path); nor is one
    without AuthorizedKeysCommandUser."""
    k = keys["ed25519"]
    kf = keys_file(helperdir, k.line())
    prog = script(helperdir, "akc", f"cat {kf}\n", mode=0o775)
    srv = start_server(authorized=[], opts=akc(f"{prog} %u"))
    res = ssh(srv, k, "true")
    assert res.returncode == 255, explain(srv, res)
    assert "Unsafe AuthorizedKeysCommand" in srv.log_text(), explain(srv, res)
    os.chmod(prog, 0o755)
    srv2 = start_server(authorized=[],
                        opts=[f"AuthorizedKeysCommand={prog} %u"])
    res = ssh(srv2, k, "true")
    assert res.returncode == 255, explain(srv2, res)
    assert "No user for AuthorizedKeysCommand" in srv2.log_text(), explain(srv2, res)


def test_command_under_privsep(start_server, keys, helperdir):
    if os.geteuid() != 0:
        pytest.fail("the interop suite runs as root")
    k = keys["ed25519"]
    kf = keys_file(helperdir, k.line())
    prog = script(helperdir, "akc", f'echo "uid=$(id -un)" >&2\ncat {kf}\n')
    srv = start_server(authorized=[], opts=akc(f"{prog} %u") +
                       ["UsePrivilegeSeparation=yes"])
    res = ssh(srv, k, "id", "-un")
    assert res.returncode == 0 and res.stdout == b"root\n", explain(srv, res)
    assert f"uid={HELPER_USER}" in srv.log_text(), explain(srv, res)


# ---- RevokedKeys --------------------------------------------------------------

def both_keys(keys):
    return [keys["ed25519"].line(), keys["ecdsa"].line()]


def test_revoked_plain_list(start_server, keys, tmp_path):
    lst = tmp_path / "revoked"
    lst.write_text("# revoked\n" + keys["ed25519"].pub + "\n")
    srv = start_server(authorized=both_keys(keys), opts=[f"RevokedKeys={lst}"])
    res = ssh(srv, keys["ed25519"], "true")
    assert res.returncode == 255, explain(srv, res)
    assert "revoked by file" in srv.log_text(), explain(srv, res)
    res = ssh(srv, keys["ecdsa"], "echo", "ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)


@pytest.mark.parametrize("spec", ["key", "sha256", "sha1"])
def test_revoked_krl(start_server, keys, tmp_path, spec):
    """A KRL from ssh-keygen -k revoking the ed25519 key (as a key, or by
    its SHA-256 or SHA-1 hash): that key is refused, the other accepted."""
    need_tool("ssh-keygen")
    k = keys["ed25519"]
    krl = tmp_path / "krl"
    if spec == "key":
        src = k.path + ".pub"
    else:
        src = tmp_path / "spec"
        # ssh-keygen(1) KEY REVOCATION LISTS: "hash:" takes a SHA256
        # fingerprint, "sha1:" a public key to revoke by its SHA-1 hash
        line = (f"hash: {fingerprint(k)}" if spec == "sha256"
                else f"sha1: {k.pub}")
        src.write_text(line + "\n")
    subprocess.run(["ssh-keygen", "-k", "-f", str(krl), str(src)], check=True,
                   capture_output=True, timeout=30)
    assert krl.read_bytes().startswith(b"SSHKRL\n\0")
    srv = start_server(authorized=both_keys(keys), opts=[f"RevokedKeys={krl}"])
    res = ssh(srv, k, "true")
    assert res.returncode == 255, explain(srv, res)
    assert "revoked by file" in srv.log_text(), explain(srv, res)
    res = ssh(srv, keys["ecdsa"], "echo", "ok")
    assert res.returncode == 0 and res.stdout == b"ok\n", explain(srv, res)


def test_revoked_unreadable_refuses_all(start_server, keys, tmp_path):
    """A RevokedKeys file that cannot be read (or parsed) refuses every key,
    as in sshd; "none" checks nothing."""
    missing = tmp_path / "no-such-krl"
    srv = start_server(authorized=both_keys(keys), opts=[f"RevokedKeys={missing}"])
    res = ssh(srv, keys["ecdsa"], "true")
    assert res.returncode == 255, explain(srv, res)
    assert "Error checking authentication key" in srv.log_text(), explain(srv, res)
    bad = tmp_path / "bad-krl"
    bad.write_bytes(b"SSHKRL\n\0\0\0\0\1" + b"\xff" * 7)
    srv = start_server(authorized=both_keys(keys), opts=[f"RevokedKeys={bad}"])
    res = ssh(srv, keys["ecdsa"], "true")
    assert res.returncode == 255, explain(srv, res)
    srv = start_server(authorized=both_keys(keys), opts=["RevokedKeys=none"])
    res = ssh(srv, keys["ecdsa"], "true")
    assert res.returncode == 0, explain(srv, res)


# ---- ExposeAuthInfo -----------------------------------------------------------

def test_expose_auth_info(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line()], opts=["ExposeAuthInfo=yes"])
    res = ssh(srv, k, 'echo "$SSH_USER_AUTH"; stat -c %a:%U "$SSH_USER_AUTH"; '
              'cat "$SSH_USER_AUTH"')
    assert res.returncode == 0, explain(srv, res)
    lines = res.stdout.decode().splitlines()
    path = lines[0]
    assert path.startswith("/tmp/sshauth."), explain(srv, res)
    assert lines[1] == "600:root", explain(srv, res)
    assert lines[2] == "publickey " + " ".join(k.pub.split()[:2]), explain(srv, res)
    # removed when the connection ends
    for _ in range(50):
        if not os.path.exists(path):
            break
        time.sleep(0.1)
    assert not os.path.exists(path), explain(srv, res, f"{path} left behind")


def test_no_auth_info_by_default(start_server, keys):
    k = keys["ed25519"]
    srv = start_server(authorized=[k.line()])
    res = ssh(srv, k, 'echo "[${SSH_USER_AUTH-unset}]"')
    assert res.returncode == 0 and res.stdout == b"[unset]\n", explain(srv, res)
