"""ChrootDirectory with internal-sftp: an SFTP-only user jailed in a
root-owned directory holding no programs at all, reached with OpenSSH
sftp, paramiko and curl's sftp://, with and without privilege separation;
escapes by ".." and by symbolic links end inside the jail; sshd's
ownership checks refuse a jail that someone else could change, with
sshd's log line; internal-sftp's log lines still reach the log file and
syslog from inside the jail; ForceCommand internal-sftp in a Match block."""
import os
import pathlib
import pwd
import shutil
import socket
import stat
import subprocess
import threading
import time

import paramiko
import pytest

from conftest import SSH_BASE, explain, need_tool, wait_for_log
from processes import Server, daemon_env, descendants, free_port

SECRET = b"outside the jail\n"


def ssh_opts(key):
    return ["-i", key.path] + SSH_BASE + ["-o", "LogLevel=ERROR"]


@pytest.fixture(scope="module")
def jail(plain_user, keys, tmp_path_factory):
    """<base>/<user> owned by root, mode 0755, holding only home/<user>
    (the user's); the user's key is in the real home's authorized_keys
    (outside the jail), a secret file sits next to the jail."""
    base = tmp_path_factory.mktemp("jails")
    os.chmod(base, 0o755)
    root = base / plain_user.pw_name
    home = root / plain_user.pw_dir.lstrip("/")
    home.mkdir(parents=True)
    for d in [root] + list(home.relative_to(root).parents)[:-1]:
        os.chmod(root / d, 0o755)
    os.chown(home, plain_user.pw_uid, plain_user.pw_gid)
    (home / "hello.txt").write_bytes(b"inside\n")
    os.chown(home / "hello.txt", plain_user.pw_uid, plain_user.pw_gid)
    # A link planted in the jail that points at the secret's real path.
    (base / "secret.txt").write_bytes(SECRET)
    os.symlink(str(base / "secret.txt"), home / "planted")
    sshdir = pathlib.Path(plain_user.pw_dir) / ".ssh"
    sshdir.mkdir(mode=0o700, exist_ok=True)
    (sshdir / "authorized_keys").write_text(keys["ed25519"].line() + "\n")
    os.chmod(sshdir / "authorized_keys", 0o600)
    for p in (sshdir, sshdir / "authorized_keys"):
        os.chown(p, plain_user.pw_uid, plain_user.pw_gid)
    return {"base": base, "root": root, "home": home, "user": plain_user}


def jailed_server(start_server, jail, extra=(), force=True):
    opts = [f"ChrootDirectory={jail['base']}/%u",
            "Subsystem=sftp internal-sftp -l INFO"]
    if force:
        opts.append("ForceCommand=internal-sftp -l INFO")
    return start_server(opts=opts + list(extra), authkeys_file=False)


def sftp_batch(srv, key, user, text, tmp_path, name="b"):
    batch = tmp_path / name
    batch.write_text(text)
    return subprocess.run(["sftp", "-P", str(srv.port), "-b", str(batch)]
                          + ssh_opts(key) + [f"{user}@127.0.0.1"],
                          capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def pk_connect(srv, key, user):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=srv.port, username=user,
                   pkey=paramiko.Ed25519Key.from_private_key_file(key.path),
                   allow_agent=False, look_for_keys=False, timeout=60,
                   banner_timeout=60, auth_timeout=60)
    return client


@pytest.mark.parametrize("privsep", ["no", "yes"])
def test_openssh_sftp_in_jail(start_server, keys, jail, tmp_path, privsep):
    """OpenSSH sftp: starts in the home inside the jail, put/get/ls/mkdir/
    rename work there, "/" shows only the jail; the session's log lines
    come from inside it. (Through the Subsystem line without privilege
    separation, through ForceCommand with it.)"""
    need_tool("sftp")
    srv = jailed_server(start_server, jail,
                        [f"UsePrivilegeSeparation={privsep}"],
                        force=privsep == "yes")
    user = jail["user"].pw_name
    data = os.urandom(300000)
    src = tmp_path / "up.bin"
    src.write_bytes(data)
    back = tmp_path / "back.bin"
    res = sftp_batch(srv, keys["ed25519"], user,
                     f"pwd\nput {src} up.bin\nget up.bin {back}\nmkdir d\n"
                     "rename up.bin d/moved.bin\nls -1 /\nls -1 d\n"
                     "cd /\nls -1a\n", tmp_path)
    out = res.stdout.decode(errors="replace")
    assert res.returncode == 0, explain(srv, res, "sftp in the jail")
    assert f"Remote working directory: {jail['user'].pw_dir}" in out, out
    assert back.read_bytes() == data
    moved = jail["home"] / "d" / "moved.bin"
    assert moved.read_bytes() == data
    assert moved.stat().st_uid == jail["user"].pw_uid
    root_list = out.split("ls -1a")[-1].split()
    assert set(root_list) - {".", ".."} == {"home"}, out
    assert wait_for_log(srv, f'Changed root directory to "{jail["root"]}"')
    assert wait_for_log(srv, f"session opened for local user {user}")
    assert wait_for_log(srv, 'open "' + jail["user"].pw_dir + '/up.bin" flags')
    moved.unlink()
    (jail["home"] / "d").rmdir()


def test_escapes_stay_inside(start_server, keys, jail, tmp_path):
    """"..", absolute paths and symbolic links (planted, or made by the
    user) all resolve inside the jail: the secret next to it and the
    system's /etc/passwd are out of reach."""
    srv = jailed_server(start_server, jail)
    user = jail["user"].pw_name
    client = pk_connect(srv, keys["ed25519"], user)
    try:
        sftp = client.open_sftp()
        assert sftp.normalize(".") == jail["user"].pw_dir
        assert sftp.normalize("../../../../..") == "/"
        assert sorted(sftp.listdir("/../../..")) == ["home"]
        with sftp.open("hello.txt") as f:
            assert f.read() == b"inside\n"
        for path in ["../../../secret.txt", "/../secret.txt", "planted",
                     str(jail["base"] / "secret.txt"), "/etc/passwd",
                     "../../../../etc/passwd"]:
            with pytest.raises(IOError):
                sftp.open(path).read()
        sftp.symlink("/etc/passwd", "mine")
        sftp.symlink("../../../..", "up")
        with pytest.raises(IOError):
            sftp.open("mine").read()
        with pytest.raises(IOError):
            sftp.open("up/etc/passwd").read()
        assert sorted(sftp.listdir("up")) == ["home"]
        # What the user wrote landed inside the jail.
        with sftp.open("new.txt", "w") as f:
            f.write(b"x")
        assert (jail["home"] / "new.txt").read_bytes() == b"x"
        for name in ("mine", "up", "new.txt"):
            sftp.remove(name)
        sftp.close()
    finally:
        client.close()
    assert (jail["base"] / "secret.txt").read_bytes() == SECRET


def test_paramiko_and_no_exec(start_server, keys, jail, nanosshd, tmp_path):
    """paramiko's SFTPClient in the jail, while every process below the
    daemon is nanosshd itself (the jail has no programs to run)."""
    srv = jailed_server(start_server, jail)
    user = jail["user"].pw_name
    client = pk_connect(srv, keys["ed25519"], user)
    try:
        sftp = client.open_sftp()
        data = os.urandom(1 << 20)
        with sftp.open("pk.bin", "wb") as f:
            f.write(data)
        with sftp.open("pk.bin", "rb") as f:
            assert f.read() == data
        sftp.mkdir("pkdir")
        sftp.rename("pk.bin", "pkdir/pk.bin")
        assert sftp.listdir("pkdir") == ["pk.bin"]
        assert stat.S_ISREG(sftp.stat("pkdir/pk.bin").st_mode)
        me = os.path.realpath(nanosshd)
        exes = {}
        for pid in descendants(srv.daemon_pid):
            try:
                exes[pid] = os.readlink(f"/proc/{pid}/exe")
            except OSError:
                pass
        assert len(exes) >= 2, exes
        assert all(os.path.realpath(e.replace(" (deleted)", "")) == me
                   for e in exes.values()), exes
        jailed = [p for p in exes
                  if os.readlink(f"/proc/{p}/root") == str(jail["root"])]
        assert jailed, explain(srv, None, f"no process in the jail: {exes}")
        sftp.remove("pkdir/pk.bin")
        sftp.rmdir("pkdir")
        sftp.close()
    finally:
        client.close()


def curl_has_sftp():
    out = subprocess.run(["curl", "-V"], capture_output=True, text=True,
                         timeout=30).stdout
    protos = next((line for line in out.splitlines()
                   if line.startswith("Protocols:")), "")
    return "sftp" in protos.split()


def test_curl_in_jail(start_server, keys, jail, tmp_path):
    """curl sftp:// (libssh2): upload and download by the path inside the
    jail, and a listing of the jail's root."""
    need_tool("curl")
    assert curl_has_sftp(), "Debian's curl lists sftp in curl -V"
    srv = jailed_server(start_server, jail)
    user = jail["user"].pw_name
    home = tmp_path / "h"
    (home / ".ssh").mkdir(parents=True)
    env = dict(os.environ, HOME=str(home))
    key = keys["ed25519"]
    base = ["curl", "-sS", "--insecure", "--key", key.path,
            "--pubkey", key.path + ".pub", "-u", f"{user}:"]
    url = f"sftp://127.0.0.1:{srv.port}"
    data = os.urandom((1 << 20) + 3)
    src = tmp_path / "c.bin"
    src.write_bytes(data)
    res = subprocess.run(base + ["-T", str(src),
                                 f"{url}{jail['user'].pw_dir}/c.bin"],
                         capture_output=True, timeout=120, env=env)
    assert res.returncode == 0, explain(srv, res, "curl upload")
    assert (jail["home"] / "c.bin").read_bytes() == data
    back = tmp_path / "c-back.bin"
    res = subprocess.run(base + ["-o", str(back), f"{url}/~/c.bin"],
                         capture_output=True, timeout=120, env=env)
    assert res.returncode == 0, explain(srv, res, "curl download")
    assert back.read_bytes() == data
    res = subprocess.run(base + ["--list-only", f"{url}/"],
                         capture_output=True, timeout=120, env=env)
    assert res.returncode == 0 and \
        set(res.stdout.split()) - {b".", b".."} == {b"home"}, \
        explain(srv, res, "curl listing of /")
    res = subprocess.run(base + ["-o", str(tmp_path / "s"),
                                 f"{url}/../secret.txt"],
                         capture_output=True, timeout=120, env=env)
    assert res.returncode != 0, explain(srv, res, "curl read outside")
    (jail["home"] / "c.bin").unlink()


@pytest.mark.parametrize("where", ["jail", "parent"])
def test_bad_ownership_refused(start_server, keys, jail, tmp_path, where):
    """A jail, or a directory above it, that is group-writable or owned by
    the user: the session is refused with sshd's fatal line."""
    need_tool("sftp")
    srv = jailed_server(start_server, jail)
    user = jail["user"]
    target = jail["root"] if where == "jail" else jail["base"]
    try:
        if where == "jail":
            os.chmod(target, 0o775)
            line = f'bad ownership or modes for chroot directory "{target}"'
        else:
            os.chown(target, user.pw_uid, -1)
            line = ("bad ownership or modes for chroot directory component "
                    f'"{target}/"')
        res = sftp_batch(srv, keys["ed25519"], user.pw_name, "ls\n", tmp_path)
        assert res.returncode != 0, explain(srv, res, "sftp into a bad jail")
        assert wait_for_log(srv, "fatal: " + line), explain(srv, res, line)
        assert f"session opened for local user {user.pw_name}" \
            not in srv.log_text()
    finally:
        os.chmod(jail["root"], 0o755)
        os.chown(jail["base"], 0, -1)


def test_match_force_command_and_start_dir(start_server, keys, jail,
                                           tmp_path):
    """ChrootDirectory and ForceCommand internal-sftp -d -u -P in a Match
    block for the jailed user only; a command or shell request gets the
    SFTP server, not a shell; "none" elsewhere; the log goes to -E's
    file."""
    need_tool("sftp")
    user = jail["user"].pw_name
    cfg = tmp_path / "sshd_config"
    cfg.write_text(f"Match User {user}\n"
                   f"  ChrootDirectory {jail['base']}/%u\n"
                   "  ForceCommand internal-sftp -l INFO -d /home -u 077 "
                   "-P remove\n"
                   "Match User root\n"
                   "  ChrootDirectory none\n")
    logfile = tmp_path / "E.log"
    srv = start_server(args=["-f", str(cfg), "-E", str(logfile)],
                       authkeys_file=False)
    src = tmp_path / "m.bin"
    src.write_bytes(b"m" * 1000)
    home = jail["user"].pw_dir
    res = sftp_batch(srv, keys["ed25519"], user,
                     f"pwd\nls -1\nput {src} {home}/m.bin\n", tmp_path)
    out = res.stdout.decode(errors="replace")
    assert res.returncode == 0, explain(srv, res, "sftp, Match chroot")
    assert "Remote working directory: /home" in out, out
    put = jail["home"] / "m.bin"
    assert put.read_bytes() == src.read_bytes()
    assert stat.S_IMODE(put.stat().st_mode) == 0o600, "-u 077"
    res = sftp_batch(srv, keys["ed25519"], user, f"rm {home}/m.bin\n",
                     tmp_path, "b2")
    assert res.returncode != 0 and put.exists(), explain(srv, res, "-P")
    put.unlink()
    marker = jail["home"] / "ran"
    res = subprocess.run(["ssh", "-p", str(srv.port)]
                         + ssh_opts(keys["ed25519"])
                         + [f"{user}@127.0.0.1", "touch ran; echo hi"],
                         capture_output=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert b"hi" not in res.stdout and not marker.exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = logfile.read_text(errors="replace")
        if f"session closed for local user {user}" in text:
            break
        time.sleep(0.1)
    assert f"session opened for local user {user}" in text, text
    assert 'opendir "/home"' in text, text
    assert "Refusing denied request: remove" in text, text
    assert f'Changed root directory to "{jail["root"]}"' in text, text


def test_config_keywords(nanosshd, hostkey):
    """ChrootDirectory is accepted globally and in Match, and -T shows it;
    PrintLastLog takes yes and no."""
    res = subprocess.run([nanosshd, "-T", "-h", hostkey, "-o",
                          "ChrootDirectory=/srv/%u", "-o", "PrintLastLog=no"],
                         capture_output=True, timeout=30)
    out = res.stdout.decode()
    assert res.returncode == 0, res
    assert "chrootdirectory /srv/%u" in out and "printlastlog no" in out, out
    res = subprocess.run([nanosshd, "-T", "-h", hostkey],
                         capture_output=True, timeout=30)
    assert "printlastlog yes" in res.stdout.decode(), res


# Syslog from inside the jail: only where the test can own /dev/log (no
# system logger on this machine), decided when the module is collected.
if not os.path.exists("/dev/log"):
    def test_syslog_from_jail(nanosshd, hostkey, keys, jail, tmp_path):
        """Without -e the daemon logs to syslog; internal-sftp in the jail
        (which has no /dev/log) still gets its lines there, because the
        child connects before the chroot."""
        need_tool("sftp")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind("/dev/log")
        sock.settimeout(0.2)
        port = free_port()
        cmd = [nanosshd, "-D", "-p", str(port), "-h", str(hostkey),
               "-o", "ListenAddress=127.0.0.1",
               "-o", f"ChrootDirectory={jail['base']}/%u",
               "-o", "Subsystem=sftp internal-sftp -l INFO -f LOCAL3"]
        srv = Server(cmd, port, tmp_path / "srv.log", daemon_env())
        lines = []
        done = threading.Event()

        def drain():
            # Read all the time, as a syslog daemon does: a datagram socket
            # holds only a few messages (net.unix.max_dgram_qlen), and on
            # a busy machine other programs' PAM lines come here too; a
            # full queue would block every logger, the daemon included.
            while not done.is_set():
                try:
                    lines.append(sock.recv(8192).decode(errors="replace"))
                except socket.timeout:
                    pass
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            srv.wait_ready()
            user = jail["user"].pw_name
            res = sftp_batch(srv, keys["ed25519"], user, "ls\n", tmp_path)
            assert res.returncode == 0, explain(srv, res, "sftp (syslog)")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if any("session closed for local user" in x for x in list(lines)):
                    break
                time.sleep(0.1)
        finally:
            srv.stop()
            done.set()
            reader.join(5)
            sock.close()
            os.unlink("/dev/log")
        sftp_lines = [x for x in lines if "internal-sftp[" in x]
        # <PRI>: facility LOCAL3 (19) * 8 + INFO (6).
        assert any(x.startswith("<158>") and
                   f"session opened for local user {user}" in x
                   for x in sftp_lines), lines
        assert any('opendir "' + jail["user"].pw_dir + '"' in x
                   for x in sftp_lines), lines
