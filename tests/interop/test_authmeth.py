"""AuthenticationMethods, PAM conversations and PermitEmptyPasswords.

A key plus one-time codes: the daemon runs under a program name of its
own (a link to it), which is its PAM service, as for sshd; that service's
pam.d file, written here and removed afterwards, names the test module
pam_nssh_codes.so built next to the daemon (tests/pam), which asks two
codes in one round (one prompt shown, one hidden, after an information
line) or in two rounds. paramiko checks the protocol (partial success and
the methods that can continue, the prompts and their echo flags),
OpenSSH's ssh logs in through SSH_ASKPASS; both process models
(UsePrivilegeSeparation yes and no) run each case.
"""
import os
import pathlib
import pwd
import secrets
import signal
import socket
import subprocess
import time

import paramiko
import pytest

from conftest import SSH_BASE, explain, need_tool, wait_for_log

CODE1, CODE2 = "314159", "271828"
MODELS = [["UsePrivilegeSeparation=no"], ["UsePrivilegeSeparation=yes"]]


class PamService:
    """/etc/pam.d/<name> for a daemon started under that name."""

    def __init__(self, name, module):
        self.path = pathlib.Path("/etc/pam.d") / name
        self.module = module

    def codes(self, rounds=1):
        """auth: the two codes only."""
        self.path.write_text(
            f"auth required {self.module} code1={CODE1} code2={CODE2} "
            f"rounds={rounds}\n"
            "account required pam_permit.so\nsession required pam_permit.so\n")

    def system(self):
        """The system's stacks (pam_unix with nullok, as Debian ships)."""
        self.path.write_text("@include common-auth\n@include common-account\n"
                             "@include common-session\n")


class DaemonPath(str):
    """The daemon's path, with its PamService as .pam."""


@pytest.fixture
def nanosshd(nanosshd, tmp_path):
    """The daemon under a name of its own, a link to it: its PAM service
    is that name (as sshd's is its program name), so this module's PAM
    stacks touch no other test's. Starts with the codes stack."""
    module = pathlib.Path(nanosshd).parent / "pam_nssh_codes.so"
    assert module.is_file(), f"{module} not built (cmake/authmeth.cmake)"
    name = f"nanosshd-codes{os.getpid() % 100000}"
    link = tmp_path / name
    os.symlink(nanosshd, link)
    svc = PamService(name, module)
    svc.codes()
    path = DaemonPath(str(link))
    path.pam = svc
    try:
        yield path
    finally:
        svc.path.unlink(missing_ok=True)


@pytest.fixture
def pam(nanosshd):
    return nanosshd.pam


class Codes:
    """paramiko's auth_interactive handler: answers the codes, records
    every round (instructions, prompts with their echo flags)."""

    def __init__(self, first=CODE1, second=CODE2):
        self.answers = {"First code: ": first, "Second code: ": second}
        self.rounds = []

    def __call__(self, title, instructions, prompts):
        self.rounds.append((instructions, list(prompts)))
        return [self.answers.get(p, "") for p, _ in prompts]


def transport(srv):
    t = paramiko.Transport(socket.create_connection(("127.0.0.1", srv.port),
                                                    timeout=30))
    t.start_client(timeout=30)
    return t


def allowed_after_none(t, user):
    try:
        t.auth_none(user)
    except paramiko.BadAuthenticationType as e:
        return sorted(e.allowed_types)
    return []


def run(t, command):
    ch = t.open_session(timeout=30)
    ch.exec_command(command)
    out = b""
    while True:
        data = ch.recv(65536)
        if not data:
            break
        out += data
    status = ch.recv_exit_status()
    ch.close()
    return status, out


def pkey(key):
    return paramiko.Ed25519Key.from_private_key_file(key.path)


@pytest.fixture(scope="module")
def user(plain_user, keys):
    """plain_user's ~/.ssh/authorized_keys: the ed25519 and ecdsa keys."""
    sshdir = os.path.join(plain_user.pw_dir, ".ssh")
    os.makedirs(sshdir, mode=0o700, exist_ok=True)
    path = os.path.join(sshdir, "authorized_keys")
    with open(path, "w") as f:
        f.write(keys["ed25519"].line() + "\n" + keys["ecdsa"].line() + "\n")
    os.chmod(path, 0o600)
    for p in (sshdir, path):
        os.chown(p, plain_user.pw_uid, plain_user.pw_gid)
    return plain_user.pw_name


@pytest.fixture
def start(start_server, keys, tmp_path):
    """start_server with the users' own keys files, and root's (the
    ed25519 key) in a file of the test's."""
    def go(opts=(), args=()):
        root_keys = tmp_path / "root_keys"
        root_keys.write_text(keys["ed25519"].line() + "\n")
        return start_server(authkeys_file=False, args=args, opts=[
            f"AuthorizedKeysFile=.ssh/authorized_keys {root_keys}"] + list(opts))
    return go

@pytest.mark.parametrize("model", MODELS, ids=["direct", "privsep"])
@pytest.mark.parametrize("rounds", [1, 2])
def test_key_then_codes(start, pam, keys, user, model, rounds):
    """publickey,keyboard-interactive: the key alone is a partial success
    listing keyboard-interactive; the codes then log in. One round: both
    prompts in one INFO_REQUEST after the information line, the first
    shown, the second hidden; two rounds: one prompt each."""
    pam.codes(rounds)
    srv = start(opts=["AuthenticationMethods=publickey,keyboard-interactive"]
                       + model)
    t = transport(srv)
    try:
        assert allowed_after_none(t, user) == ["publickey"], explain(srv)
        with pytest.raises(paramiko.BadAuthenticationType):
            t.auth_interactive(user, Codes())   # not first in any list
        rest = t.auth_publickey(user, pkey(keys["ed25519"]))
        assert rest == ["keyboard-interactive"], explain(srv, None, f"after key: {rest}")
        assert not t.is_authenticated()
        codes = Codes()
        assert t.auth_interactive(user, codes) == [], explain(srv)
        assert t.is_authenticated()
        status, out = run(t, "id -un")
        assert status == 0 and out == f"{user}\n".encode(), explain(srv)
    finally:
        t.close()
    if rounds == 1:
        assert len(codes.rounds) == 1, codes.rounds
        instr, prompts = codes.rounds[0]
        assert "Enter the two codes from your token." in instr
        assert prompts == [("First code: ", True), ("Second code: ", False)]
    else:
        assert [p for _, p in codes.rounds] == [[("First code: ", True)],
                                                 [("Second code: ", False)]]
        assert "Two codes, one at a time." in codes.rounds[0][0]
    assert wait_for_log(srv, f"Partial publickey for {user} from 127.0.0.1 port"), \
        explain(srv)
    assert wait_for_log(srv, f"Accepted keyboard-interactive/pam for {user} from "
                             "127.0.0.1 port"), explain(srv)
    assert CODE2 not in srv.log_text()


@pytest.mark.parametrize("model", MODELS, ids=["direct", "privsep"])
def test_wrong_code_refused(start, pam, keys, user, model):
    srv = start(opts=["AuthenticationMethods=publickey,keyboard-interactive"]
                       + model)
    t = transport(srv)
    try:
        assert t.auth_publickey(user, pkey(keys["ed25519"])) == ["keyboard-interactive"]
        with pytest.raises(paramiko.AuthenticationException):
            t.auth_interactive(user, Codes(second="000000"))
        assert not t.is_authenticated()
        # The key's partial success still stands: the right codes log in.
        t.auth_interactive(user, Codes())
        assert t.is_authenticated(), explain(srv)
    finally:
        t.close()
    assert wait_for_log(srv, f"Failed keyboard-interactive/pam for {user}"), explain(srv)


def askpass_env(tmp_path):
    script = tmp_path / "askpass.sh"
    script.write_text("#!/bin/sh\ncase \"$1\" in\n"
                      f"*First*) echo {CODE1} ;;\n*Second*) echo {CODE2} ;;\n"
                      "*) exit 1 ;;\nesac\n")
    os.chmod(script, 0o755)
    return dict(os.environ, SSH_ASKPASS=str(script), SSH_ASKPASS_REQUIRE="force",
                DISPLAY=":0")


@pytest.mark.parametrize("model", MODELS, ids=["direct", "privsep"])
def test_openssh_key_and_codes(start, pam, keys, user, tmp_path, model):
    """OpenSSH's ssh: the key, then the codes through SSH_ASKPASS."""
    need_tool("ssh")
    srv = start(opts=["AuthenticationMethods=publickey,keyboard-interactive"]
                       + model)
    i = SSH_BASE.index("BatchMode=yes")
    base = SSH_BASE[:i - 1] + SSH_BASE[i + 1:]
    cmd = ["ssh", "-p", str(srv.port), "-i", keys["ed25519"].path] + base + \
          ["-o", "BatchMode=no", "-o", "LogLevel=ERROR",
           f"{user}@127.0.0.1", "echo in"]
    res = subprocess.run(cmd, env=askpass_env(tmp_path), stdin=subprocess.DEVNULL,
                         capture_output=True, timeout=60)
    assert res.returncode == 0 and res.stdout == b"in\n", explain(srv, res)
    assert wait_for_log(srv, f"Partial publickey for {user}"), explain(srv)
    assert wait_for_log(srv, f"Accepted keyboard-interactive/pam for {user}"), explain(srv)
    # Without the key the codes alone are not enough.
    cmd = ["ssh", "-p", str(srv.port)] + base + \
          ["-o", "BatchMode=no", "-o", "LogLevel=ERROR", "-o",
           "PubkeyAuthentication=no", f"{user}@127.0.0.1", "true"]
    res = subprocess.run(cmd, env=askpass_env(tmp_path), stdin=subprocess.DEVNULL,
                         capture_output=True, timeout=60)
    assert res.returncode == 255, explain(srv, res)


def test_several_lists(start, pam, keys, user):
    """"publickey,password publickey,keyboard-interactive": the key first
    (password alone is not allowed), then either of the two."""
    srv = start(opts=["AuthenticationMethods=publickey,password "
                             "publickey,keyboard-interactive"])
    t = transport(srv)
    try:
        assert allowed_after_none(t, user) == ["publickey"]
        with pytest.raises(paramiko.BadAuthenticationType):
            t.auth_password(user, "whatever")
        rest = sorted(t.auth_publickey(user, pkey(keys["ed25519"])))
        assert rest == ["keyboard-interactive", "password"], explain(srv)
        t.auth_interactive(user, Codes())
        assert t.is_authenticated(), explain(srv)
    finally:
        t.close()


def test_same_key_twice(start, keys, user):
    """publickey,publickey wants two keys: the one used is refused."""
    srv = start(opts=["AuthenticationMethods=publickey,publickey"])
    t = transport(srv)
    try:
        assert t.auth_publickey(user, pkey(keys["ed25519"])) == ["publickey"]
        with pytest.raises(paramiko.AuthenticationException):
            t.auth_publickey(user, pkey(keys["ed25519"]))
        ecdsa = paramiko.ECDSAKey.from_private_key_file(keys["ecdsa"].path)
        assert t.auth_publickey(user, ecdsa) == []
        assert t.is_authenticated(), explain(srv)
    finally:
        t.close()
    assert wait_for_log(srv, "refusing previously-used ED25519 key"), explain(srv)


def test_any_and_show(start, keys, user, nanosshd, hostkey):
    srv = start(opts=["AuthenticationMethods=any"])
    t = transport(srv)
    try:
        assert t.auth_publickey(user, pkey(keys["ed25519"])) == []
        assert t.is_authenticated()
    finally:
        t.close()
    assert wait_for_log(srv, f"Accepted publickey for {user}"), explain(srv)
    for value, shown in (("any", "any"),
                         ("publickey,keyboard-interactive:pam password",
                          "publickey,keyboard-interactive:pam password")):
        res = subprocess.run([nanosshd, "-T", "-h", hostkey, "-o",
                              f"AuthenticationMethods={value}"],
                             capture_output=True, timeout=30)
        assert f"authenticationmethods {shown}\n".encode() in res.stdout, res


@pytest.mark.parametrize("value, why", [
    ("publickey,bogus", b"invalid method list"),
    ("any publickey", b"must appear alone"),
    ("publickey,,password", b"invalid method list"),
])
def test_bad_lists(nanosshd, hostkey, value, why):
    res = subprocess.run([nanosshd, "-t", "-h", hostkey, "-o",
                          f"AuthenticationMethods={value}"],
                         capture_output=True, timeout=30)
    assert res.returncode != 0 and why in res.stderr, res


def test_unsatisfiable(nanosshd, hostkey):
    res = subprocess.run([nanosshd, "-t", "-h", hostkey, "-o", "UsePAM=no",
                          "-o", "AuthenticationMethods=password"],
                         capture_output=True, timeout=30)
    assert res.returncode != 0 and b"cannot be satisfied" in res.stderr, res


def test_in_match(start, pam, keys, user, tmp_path):
    """AuthenticationMethods inside Match: the user named there needs the
    codes too; root, outside the block, logs in with the key alone."""
    conf = tmp_path / "match.conf"
    conf.write_text(f"Match User {user}\n"
                    "    AuthenticationMethods publickey,keyboard-interactive\n")
    srv = start(args=["-f", str(conf)])
    t = transport(srv)
    try:
        assert t.auth_publickey(user, pkey(keys["ed25519"])) == ["keyboard-interactive"]
        t.auth_interactive(user, Codes())
        assert t.is_authenticated()
    finally:
        t.close()
    t = transport(srv)
    try:
        assert t.auth_publickey("root", pkey(keys["ed25519"])) == []
        assert t.is_authenticated()
    finally:
        t.close()


# ---- PermitEmptyPasswords ------------------------------------------------

@pytest.fixture(scope="module")
def empty_user():
    """An account whose password is empty (passwd -d), removed afterwards."""
    for tool in ("useradd", "userdel", "passwd"):
        need_tool(tool)
    name = f"nsshempty{os.getpid() % 100000}"
    subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True,
                   capture_output=True, timeout=30)
    subprocess.run(["passwd", "-d", name], check=True, capture_output=True,
                   timeout=30)
    try:
        yield pwd.getpwnam(name)
    finally:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == pwd.getpwnam(name).pw_uid:
                        os.kill(int(entry), signal.SIGKILL)
                except (OSError, KeyError):
                    pass
        time.sleep(0.2)
        subprocess.run(["userdel", "-r", name], capture_output=True, timeout=30)


def empty_ssh(srv, user):
    """OpenSSH without keys or prompts: only "none" can log in."""
    cmd = ["ssh", "-p", str(srv.port)] + SSH_BASE + \
          ["-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no",
           f"{user}@127.0.0.1", "id -un"]
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=60)


@pytest.mark.parametrize("model", MODELS, ids=["direct", "privsep"])
def test_permit_empty_passwords(start_server, pam, empty_user, model):
    pam.system()
    user = empty_user.pw_name
    srv = start_server(opts=model)   # PermitEmptyPasswords no (default)
    res = empty_ssh(srv, user)
    assert res.returncode == 255, explain(srv, res, "no: none must not log in")
    t = transport(srv)
    try:
        with pytest.raises(paramiko.AuthenticationException):
            t.auth_password(user, "")
    finally:
        t.close()
    srv = start_server(opts=["PermitEmptyPasswords=yes"] + model)
    res = empty_ssh(srv, user)
    assert res.returncode == 0 and res.stdout == f"{user}\n".encode(), \
        explain(srv, res, "yes: the empty password logs in through none")
    assert wait_for_log(srv, f"Accepted none for {user} from 127.0.0.1"), explain(srv)
    t = transport(srv)
    try:
        t.auth_password(user, "")
        assert t.is_authenticated(), explain(srv)
    finally:
        t.close()
    assert wait_for_log(srv, f"Accepted password for {user}"), explain(srv)


def test_permit_empty_passwords_in_match(start_server, pam, empty_user,
                                         plain_user, tmp_path):
    pam.system()
    user = empty_user.pw_name
    conf = tmp_path / "empty.conf"
    conf.write_text(f"Match User {user}\n    PermitEmptyPasswords yes\n")
    srv = start_server(args=["-f", str(conf)])
    res = empty_ssh(srv, user)
    assert res.returncode == 0 and res.stdout == f"{user}\n".encode(), \
        explain(srv, res)
    res = subprocess.run([srv.cmd[0], "-T", "-f", str(conf), "-C",
                          f"user={user},host=h,addr=127.0.0.1"],
                         capture_output=True, timeout=30)
    assert b"permitemptypasswords yes\n" in res.stdout, res
