"""The built-in SFTP server (internal-sftp) against real clients: OpenSSH
sftp and scp, PuTTY psftp and pscp, paramiko's SFTPClient, curl's sftp://
(libssh2) and rclone. Each client is a row of the interop matrix
(category "sftp"). Then internal-sftp's options (-d, -R, -P, -p, -u, -l,
-e), ForceCommand internal-sftp, that no program is exec'd, and the log
lines."""
import hashlib
import os
import pathlib
import re
import socket
import stat
import struct
import subprocess

import paramiko
import pytest

from conftest import SSH_BASE, explain, need_tool, wait_for_log
from matrix import (deb_version, fingerprint, start_matrix_server,
                    stop_matrix_server, version_of)
from processes import descendants

TIMEOUT = 240
SFTP_OPTS = "internal-sftp -l INFO"


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(cmd, row, what, timeout=TIMEOUT, **kw):
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=timeout,
                             stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired as e:
        pytest.fail(row.explain(f"{what}: timed out after {timeout} s; stderr "
                                f"{(e.stderr or b'')[-2000:]!r}"))
    assert res.returncode == 0, row.explain(what, res)
    return res


@pytest.fixture(scope="module")
def sftp_server(nanosshd, keydir, keys, tmp_path_factory):
    """A matrix daemon whose sftp subsystem is internal-sftp at INFO, with
    the system's sftp-server path made useless: nothing may exec it."""
    ms = start_matrix_server(nanosshd, keydir, tmp_path_factory,
                             [k.line() for k in keys.values()],
                             opts=[f"Subsystem=sftp {SFTP_OPTS}"])
    yield ms
    stop_matrix_server(ms)


def known_hosts(ms, path):
    """A known_hosts file with every host key of the matrix daemon."""
    path.write_text("".join(
        f"[127.0.0.1]:{ms.port} " + pathlib.Path(k.path + ".pub").read_text()
        for k in ms.hostkeys.values()))
    return path


def ssh_opts(key):
    return ["-i", key.path] + SSH_BASE + ["-o", "LogLevel=ERROR"]


# ---- OpenSSH sftp --------------------------------------------------------------

def openssh_sftp(ms, key, batch, row, what, port=None, user="root"):
    return run(["sftp", "-P", str(port or ms.port), "-b", str(batch)]
               + ssh_opts(key) + [f"{user}@127.0.0.1"], row, what)


def test_openssh_sftp_batch(sftp_server, keys, bigfile, tmp_path):
    """sftp -b: 64 MiB put and get with equal SHA-256, ls, rename, rm,
    mkdir, rmdir, symlink, ln, chmod, df, reget and reput."""
    need_tool("sftp")
    ms = sftp_server
    src, digest = bigfile
    remote = tmp_path / "remote"
    remote.mkdir()
    back = tmp_path / "back.bin"
    version = version_of(["ssh", "-V"], r"OpenSSH_[\w.]+")
    with ms.row("OpenSSH sftp", version, "sftp", "put/get 64 MiB, ls, rename, "
                "rm, mkdir, symlink, chmod, df, reget, reput") as row:
        batch = tmp_path / "batch"
        batch.write_text(
            f"cd {remote}\n"
            f"put {src} big.bin\n"
            f"get big.bin {back}\n"
            "mkdir sub\n"
            "rename big.bin sub/moved.bin\n"
            "symlink sub/moved.bin link\n"
            "ln sub/moved.bin hard.bin\n"
            "chmod 600 hard.bin\n"
            "ls -l\n"
            "ls -l sub\n"
            "df -h .\n"
            "rm hard.bin\n"
            "rm link\n")
        res = openssh_sftp(ms, keys["ed25519"], batch, row, "sftp batch")
        assert sha(back) == digest, row.explain("64 MiB download differs")
        moved = remote / "sub" / "moved.bin"
        assert sha(moved) == digest, row.explain("64 MiB upload differs")
        out = res.stdout.decode(errors="replace")
        # ls -l shows long names: mode, owner, size, name
        assert re.search(r"drwx\S+ +\S+ root +root +\d+ .* sub", out), \
            row.explain("ls -l lacks the directory", res)
        assert re.search(r"-rw------- .* 67108864 .*moved.bin", out), \
            row.explain("ls -l sub", res)
        # df -h: a header and the filesystem's sizes
        assert re.search(r"Size +Used +Avail", out), row.explain("no df", res)
        assert not (remote / "link").exists() and not (remote / "hard.bin").exists()
        assert stat.S_IMODE(moved.stat().st_mode) == 0o600, \
            row.explain("chmod through the hard link")
        # resume both ways: a partial copy is completed, not restarted
        part = tmp_path / "part.bin"
        with open(src, "rb") as f:
            part.write_bytes(f.read(5 << 20))
        with open(src, "rb") as f:
            (remote / "rp.bin").write_bytes(f.read(7 << 20))
        batch.write_text(f"cd {remote}\nreget sub/moved.bin {part}\n"
                         f"reput {src} rp.bin\n")
        openssh_sftp(ms, keys["ed25519"], batch, row, "sftp reget/reput")
        assert sha(part) == digest, row.explain("reget result differs")
        assert sha(remote / "rp.bin") == digest, row.explain("reput result differs")
        log = row.log()
        # resumed transfers read and write only the missing part
        m = re.search(r'close "[^"]*moved.bin" bytes read (\d+) written 0', log)
        assert m, row.explain("no close line for the reget")
        reads = [int(x) for x in re.findall(
            r'close "[^"]*moved.bin" bytes read (\d+) written 0', log)]
        assert (64 << 20) - (5 << 20) in reads, row.explain(f"reget reads {reads}")
        assert re.search(r'close "[^"]*rp.bin" bytes read 0 written %d'
                         % ((64 << 20) - (7 << 20)), log), row.explain("reput")
        row.note = "64 MiB each way, SHA-256 equal"


def test_scp_sftp_mode(sftp_server, keys, tmp_path):
    """scp without -O uses the SFTP protocol (OpenSSH 9)."""
    need_tool("scp")
    ms = sftp_server
    data = os.urandom(8 << 20)
    src = tmp_path / "s.bin"
    src.write_bytes(data)
    version = version_of(["ssh", "-V"], r"OpenSSH_[\w.]+")
    with ms.row("OpenSSH scp", version, "sftp", "scp (SFTP mode) up and down") as row:
        dst = tmp_path / "up.bin"
        run(["scp", "-P", str(ms.port)] + ssh_opts(keys["ed25519"])
            + [str(src), f"root@127.0.0.1:{dst}"], row, "scp upload")
        back = tmp_path / "down.bin"
        run(["scp", "-P", str(ms.port)] + ssh_opts(keys["ed25519"])
            + [f"root@127.0.0.1:{dst}", str(back)], row, "scp download")
        assert dst.read_bytes() == data and back.read_bytes() == data, \
            row.explain("scp copies differ")
        assert "subsystem request for sftp" in row.log(), \
            row.explain("scp did not use the sftp subsystem")


# ---- PuTTY -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ppk_ed25519(keys, tmp_path_factory):
    need_tool("puttygen")
    path = str(tmp_path_factory.mktemp("ppk") / "ed25519.ppk")
    subprocess.run(["puttygen", keys["ed25519"].path, "-O", "private", "-o", path],
                   check=True, capture_output=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    return path


def putty(tool, ms, key, args, row, what, home):
    fp = fingerprint(ms.hostkeys["matrix_host_ed25519"].path + ".pub")
    return run([tool, "-batch", "-P", str(ms.port), "-i", key, "-hostkey", fp]
               + args, row, what, env=dict(os.environ, HOME=str(home)))


def test_psftp_pscp(sftp_server, ppk_ed25519, tmp_path):
    need_tool("psftp")
    need_tool("pscp")
    ms = sftp_server
    home = tmp_path / "home"
    home.mkdir()
    data = os.urandom((5 << 20) + 123)
    src = tmp_path / "p.bin"
    src.write_bytes(data)
    remote = tmp_path / "premote"
    remote.mkdir()
    version = version_of(["psftp", "-V"], r"Release ([\d.]+)")
    with ms.row("PuTTY psftp/pscp", version, "sftp",
                "pscp -sftp up/down; psftp put, get, ls, mv, mkdir, rm") as row:
        putty("pscp", ms, ppk_ed25519, ["-sftp", str(src),
                                        f"root@127.0.0.1:{remote}/up.bin"],
              row, "pscp -sftp upload", home)
        assert (remote / "up.bin").read_bytes() == data, row.explain("pscp upload")
        back = tmp_path / "pscp-back.bin"
        putty("pscp", ms, ppk_ed25519, ["-sftp", f"root@127.0.0.1:{remote}/up.bin",
                                        str(back)], row, "pscp -sftp download", home)
        assert back.read_bytes() == data, row.explain("pscp download")
        batch = tmp_path / "psftp.batch"
        down = tmp_path / "psftp-back.bin"
        batch.write_text(f"cd {remote}\nput {src} p2.bin\nmkdir d\n"
                         f"mv p2.bin d/p3.bin\nget d/p3.bin {down}\nls d\n"
                         "rm up.bin\nquit\n")
        res = putty("psftp", ms, ppk_ed25519, ["-b", str(batch), "root@127.0.0.1"],
                    row, "psftp batch", home)
        assert down.read_bytes() == data, row.explain("psftp get", res)
        assert b"p3.bin" in res.stdout, row.explain("psftp ls", res)
        assert not (remote / "up.bin").exists(), row.explain("psftp rm", res)


# ---- paramiko --------------------------------------------------------------------

def pk_connect(ms, key, user="root", port=None):
    pkey = paramiko.Ed25519Key.from_private_key_file(key.path)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", port=port or ms.port, username=user, pkey=pkey,
                   allow_agent=False, look_for_keys=False, timeout=60,
                   banner_timeout=60, auth_timeout=60)
    return client


def ext_request(sftp, name, *args):
    """An SSH_FXP_EXTENDED request through paramiko; (type, message)."""
    return sftp._request(paramiko.sftp.CMD_EXTENDED, name, *args)


def test_paramiko_sftpclient(sftp_server, keys, tmp_path):
    """paramiko's SFTPClient: files, directories, links, attributes, and
    the OpenSSH extensions sent as raw requests (statvfs checked against
    os.statvfs of the same directory)."""
    ms = sftp_server
    base = tmp_path / "pk"
    base.mkdir()
    with ms.row("paramiko SFTPClient", paramiko.__version__, "sftp",
                "files, dirs, links, attrs, extensions, statvfs") as row:
        client = pk_connect(ms, keys["ed25519"])
        try:
            sftp = client.open_sftp()
            data = os.urandom(3 << 20)
            with sftp.open(f"{base}/f.bin", "wb") as f:
                f.set_pipelined(True)
                f.write(data)
            assert (base / "f.bin").read_bytes() == data
            with sftp.open(f"{base}/f.bin", "rb") as f:
                f.prefetch()
                assert f.read() == data
            st = sftp.stat(f"{base}/f.bin")
            assert st.st_size == len(data)
            sftp.chmod(f"{base}/f.bin", 0o640)
            assert stat.S_IMODE(os.stat(base / "f.bin").st_mode) == 0o640
            sftp.utime(f"{base}/f.bin", (1000000000, 1200000000))
            assert int(os.stat(base / "f.bin").st_mtime) == 1200000000
            sftp.truncate(f"{base}/f.bin", 1000)
            assert os.path.getsize(base / "f.bin") == 1000
            sftp.mkdir(f"{base}/d", 0o750)
            assert stat.S_IMODE(os.stat(base / "d").st_mode) & 0o750 == 0o750
            sftp.rename(f"{base}/f.bin", f"{base}/d/g.bin")
            with pytest.raises(IOError):   # RENAME does not replace
                sftp.open(f"{base}/other", "wb").close()
                sftp.rename(f"{base}/other", f"{base}/d/g.bin")
            sftp.posix_rename(f"{base}/other", f"{base}/d/g.bin")
            assert os.path.getsize(base / "d" / "g.bin") == 0
            sftp.symlink("d/g.bin", f"{base}/ln")
            assert sftp.readlink(f"{base}/ln") == "d/g.bin"
            assert stat.S_ISLNK(sftp.lstat(f"{base}/ln").st_mode)
            assert sorted(sftp.listdir(str(base))) == ["d", "ln"]
            assert sftp.normalize(f"{base}/d/..") == str(base)
            # REALPATH resolves links, as realpath(3)
            assert sftp.normalize(f"{base}/ln") == f"{base}/d/g.bin"
            with pytest.raises(IOError):
                sftp.rmdir(f"{base}/d")
            sftp.remove(f"{base}/d/g.bin")
            sftp.rmdir(f"{base}/d")
            with pytest.raises(FileNotFoundError):
                sftp.stat(f"{base}/d")
            # statvfs@openssh.com: eleven uint64s, as statvfs(3) says
            t, msg = ext_request(sftp, "statvfs@openssh.com", str(base))
            assert t == paramiko.sftp.CMD_EXTENDED_REPLY
            fields = [msg.get_int64() for _ in range(11)]
            vfs = os.statvfs(base)
            assert fields[0] == vfs.f_bsize and fields[2] == vfs.f_blocks
            assert fields[10] == vfs.f_namemax
            assert abs(fields[3] - vfs.f_bfree) < vfs.f_blocks // 100 + 1024
            # limits@openssh.com, home-directory, expand-path,
            # users-groups-by-id
            t, msg = ext_request(sftp, "limits@openssh.com")
            assert t == paramiko.sftp.CMD_EXTENDED_REPLY
            lim = [msg.get_int64() for _ in range(4)]
            assert lim[0] >= 34000 and lim[1] >= 32768 and lim[3] >= 16
            t, msg = ext_request(sftp, "home-directory", "")
            assert t == paramiko.sftp.CMD_NAME and msg.get_int() == 1
            assert msg.get_text() == os.path.expanduser("~root")
            t, msg = ext_request(sftp, "expand-path@openssh.com", "~/.")
            assert msg.get_int() == 1
            assert msg.get_text() == os.path.realpath(os.path.expanduser("~root"))
            t, msg = ext_request(sftp, "users-groups-by-id@openssh.com",
                                 struct.pack(">II", 0, 0xfffffff0),
                                 struct.pack(">I", 0))
            assert t == paramiko.sftp.CMD_EXTENDED_REPLY
            users = paramiko.Message(msg.get_binary())
            assert users.get_text() == "root" and users.get_text() == ""
            # copy-data between two handles, server side
            (base / "c1").write_bytes(b"0123456789")
            with sftp.open(f"{base}/c1", "rb") as a, \
                    sftp.open(f"{base}/c2", "wb") as b:
                u64 = paramiko.py3compat.long   # paramiko packs these as uint64
                t, msg = ext_request(sftp, "copy-data", a.handle, u64(2), u64(0),
                                     b.handle, u64(0))
                assert msg.get_int() == paramiko.sftp.SFTP_OK
            assert (base / "c2").read_bytes() == b"23456789"
            # an unknown extension
            with pytest.raises(IOError):
                sftp._request(paramiko.sftp.CMD_EXTENDED, "nosuch@example.com")
            sftp.close()
        except (paramiko.SSHException, socket.error, EOFError) as e:
            pytest.fail(row.explain(f"paramiko: {type(e).__name__}: {e}"))
        finally:
            client.close()


# ---- curl (libssh2) --------------------------------------------------------------

def curl_has_sftp():
    try:
        out = subprocess.run(["curl", "-V"], capture_output=True, text=True,
                             timeout=30).stdout
    except OSError:
        return False
    protos = next((line for line in out.splitlines()
                   if line.startswith("Protocols:")), "")
    return "sftp" in protos.split()


def test_curl_sftp(sftp_server, keys, tmp_path):
    """curl sftp:// (Debian's curl uses libssh2): upload, download,
    directory listing, with the host keys in ~/.ssh/known_hosts."""
    need_tool("curl")
    if not curl_has_sftp():
        pytest.skip("this curl has no sftp:// (curl -V lists no sftp)")
    ms = sftp_server
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    known_hosts(ms, home / ".ssh" / "known_hosts")
    env = dict(os.environ, HOME=str(home))
    key = keys["ed25519"]
    data = os.urandom((4 << 20) + 5)
    src = tmp_path / "c.bin"
    src.write_bytes(data)
    remote = tmp_path / "cremote"
    remote.mkdir()
    version = version_of(["curl", "-V"], r"libssh2/[\d.]+")
    base = ["curl", "-sS", "--key", key.path, "--pubkey", key.path + ".pub",
            "-u", "root:"]
    url = f"sftp://127.0.0.1:{ms.port}{remote}"
    with ms.row("curl sftp://", version, "sftp", "upload, download, list") as row:
        run(base + ["-T", str(src), f"{url}/up.bin"], row, "curl upload", env=env)
        assert (remote / "up.bin").read_bytes() == data, row.explain("curl upload")
        back = tmp_path / "curl-back.bin"
        run(base + ["-o", str(back), f"{url}/up.bin"], row, "curl download",
            env=env)
        assert back.read_bytes() == data, row.explain("curl download")
        res = run(base + [f"{url}/"], row, "curl list", env=env)
        assert b"up.bin" in res.stdout, row.explain("curl listing", res)


# ---- rclone ----------------------------------------------------------------------

def test_rclone(sftp_server, keys, tmp_path):
    """rclone with an sftp remote made on the fly (environment variables):
    copy a tree up and back, list it, and `rclone about` (statvfs)."""
    need_tool("rclone")
    ms = sftp_server
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    files = {"top.bin": os.urandom(300000), "a/x.txt": b"hello\n",
             "a/b/big.bin": os.urandom(3 << 20)}
    for name, data in files.items():
        (tree / name).write_bytes(data)
    remote = tmp_path / "rremote"
    remote.mkdir()
    kh = known_hosts(ms, tmp_path / "known_hosts")
    env = dict(os.environ, RCLONE_CONFIG=str(tmp_path / "rclone.conf"),
               RCLONE_CONFIG_NSSH_TYPE="sftp", RCLONE_CONFIG_NSSH_HOST="127.0.0.1",
               RCLONE_CONFIG_NSSH_PORT=str(ms.port), RCLONE_CONFIG_NSSH_USER="root",
               RCLONE_CONFIG_NSSH_KEY_FILE=keys["ed25519"].path,
               RCLONE_CONFIG_NSSH_KNOWN_HOSTS_FILE=str(kh),
               RCLONE_CONFIG_NSSH_DISABLE_HASHCHECK="true")
    version = version_of(["rclone", "version"], r"rclone (v[\w.-]+)")
    with ms.row("rclone", version, "sftp", "copy up/down, lsf, about (statvfs)") as row:
        run(["rclone", "copy", str(tree), f"nssh:{remote}"], row, "rclone copy up",
            env=env)
        for name, data in files.items():
            assert (remote / name).read_bytes() == data, row.explain(f"{name} up")
        back = tmp_path / "rback"
        run(["rclone", "copy", f"nssh:{remote}", str(back)], row,
            "rclone copy down", env=env)
        for name, data in files.items():
            assert (back / name).read_bytes() == data, row.explain(f"{name} down")
        res = run(["rclone", "lsf", "-R", f"nssh:{remote}"], row, "rclone lsf",
                  env=env)
        assert set(res.stdout.decode().split()) >= {"top.bin", "a/", "a/x.txt",
                                                    "a/b/big.bin"}
        res = run(["rclone", "about", "--json", f"nssh:{remote}"], row,
                  "rclone about", env=env)
        import json
        about = json.loads(res.stdout)
        vfs = os.statvfs(remote)
        assert about["total"] == vfs.f_blocks * vfs.f_frsize, \
            row.explain(f"rclone about {about}", res)


# ---- internal-sftp options, ForceCommand, no exec ---------------------------------

def daemon_exes(ms):
    """The executables of the daemon's descendants."""
    out = {}
    for pid in descendants(ms.srv.daemon_pid):
        try:
            out[pid] = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            pass
    return out


def test_no_exec(sftp_server, keys, nanosshd):
    """While an SFTP session is open, every process below the daemon is
    nanosshd itself: nothing was exec'd (no sftp-server, no shell)."""
    ms = sftp_server
    with ms.row("paramiko SFTPClient", paramiko.__version__, "sftp",
                "internal-sftp runs without exec") as row:
        client = pk_connect(ms, keys["ed25519"])
        try:
            sftp = client.open_sftp()
            assert sftp.normalize(".") == os.path.realpath(os.path.expanduser("~root"))
            exes = daemon_exes(ms)
            me = os.path.realpath(nanosshd)
            assert len(exes) >= 2, row.explain(f"processes {exes}")
            others = {p: e for p, e in exes.items()
                      if os.path.realpath(e.replace(" (deleted)", "")) != me}
            assert not others, row.explain(f"processes not nanosshd: {others}")
            sftp.close()
        finally:
            client.close()


@pytest.fixture(scope="module")
def sftp_user(plain_user, keys):
    """The plain user, with a pub/ directory and the ed25519 key."""
    home = pathlib.Path(plain_user.pw_dir)
    (home / "pub").mkdir(exist_ok=True)
    os.chown(home / "pub", plain_user.pw_uid, plain_user.pw_gid)
    (home / "keep.txt").write_text("kept\n")
    sshdir = home / ".ssh"
    sshdir.mkdir(mode=0o700, exist_ok=True)
    (sshdir / "authorized_keys").write_text(keys["ed25519"].line() + "\n")
    os.chmod(sshdir / "authorized_keys", 0o600)
    for p in (home / "keep.txt", sshdir, sshdir / "authorized_keys"):
        os.chown(p, plain_user.pw_uid, plain_user.pw_gid)
    return plain_user


def batch_as(srv, key, user, text, tmp_path, expect_ok=True):
    batch = tmp_path / "b"
    batch.write_text(text)
    res = subprocess.run(["sftp", "-P", str(srv.port), "-b", str(batch)]
                         + ssh_opts(key) + [f"{user}@127.0.0.1"],
                         capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    if expect_ok:
        assert res.returncode == 0, explain(srv, res, "sftp batch")
    return res


def test_options_user_umask_startdir(start_server, keys, sftp_user, tmp_path):
    """As an ordinary user: -d %d/pub starts there, -u 027 shapes new
    modes, files belong to the user, the log has sftp-server's lines."""
    need_tool("sftp")
    srv = start_server(authkeys_file=False,
                       opts=["Subsystem=sftp internal-sftp -l INFO -d %d/pub -u 027"])
    src = tmp_path / "u.bin"
    src.write_bytes(b"x" * 1000)
    res = batch_as(srv, keys["ed25519"], sftp_user.pw_name,
                   f"pwd\nput {src} u.bin\nmkdir nd\nls ../keep.txt\n", tmp_path)
    pub = pathlib.Path(sftp_user.pw_dir) / "pub"
    assert f"{pub}".encode() in res.stdout, explain(srv, res, "start directory")
    st = os.stat(pub / "u.bin")
    assert st.st_uid == sftp_user.pw_uid, explain(srv, res, "file not the user's")
    assert stat.S_IMODE(st.st_mode) == 0o640, explain(srv, res, "umask 027")
    assert stat.S_IMODE(os.stat(pub / "nd").st_mode) == 0o750
    name = sftp_user.pw_name
    for line in [f"session opened for local user {name} from [127.0.0.1]",
                 f'open "{pub}/u.bin" flags WRITE,CREATE,TRUNCATE mode 0644',
                 f'close "{pub}/u.bin" bytes read 0 written 1000',
                 f'mkdir name "{pub}/nd" mode 0777',
                 f"session closed for local user {name} from [127.0.0.1]"]:
        assert wait_for_log(srv, line), explain(srv, None, f"no log line {line!r}")


def test_options_readonly_deny_allow(start_server, keys, tmp_path):
    need_tool("sftp")
    work = tmp_path / "w"
    work.mkdir()
    (work / "f").write_text("data\n")
    src = tmp_path / "s"
    src.write_text("new\n")
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["Subsystem=sftp internal-sftp -R -l INFO"])
    res = batch_as(srv, keys["ed25519"], "root", f"put {src} {work}/new\n",
                   tmp_path, expect_ok=False)
    assert res.returncode != 0 and not (work / "new").exists(), \
        explain(srv, res, "-R allowed a put")
    assert b"ermission denied" in res.stderr, explain(srv, res, "-R error text")
    back = tmp_path / "got"
    batch_as(srv, keys["ed25519"], "root", f"get {work}/f {back}\n", tmp_path)
    assert back.read_text() == "data\n"

    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["Subsystem=sftp internal-sftp -P remove,mkdir -l INFO"])
    res = batch_as(srv, keys["ed25519"], "root", f"rm {work}/f\n", tmp_path,
                   expect_ok=False)
    assert res.returncode != 0 and (work / "f").exists(), explain(srv, res, "-P remove")
    assert wait_for_log(srv, "Refusing denied request: remove")
    batch_as(srv, keys["ed25519"], "root", f"put {src} {work}/new\n", tmp_path)
    assert (work / "new").read_text() == "new\n"

    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["Subsystem=sftp internal-sftp -p open,read,close,"
                             "realpath,stat,lstat,fstat,opendir,readdir"])
    batch_as(srv, keys["ed25519"], "root", f"get {work}/f {back}\nls {work}\n",
             tmp_path)
    res = batch_as(srv, keys["ed25519"], "root", f"rename {work}/f {work}/g\n",
                   tmp_path, expect_ok=False)
    assert res.returncode != 0 and (work / "f").exists(), explain(srv, res, "-p list")


def test_stderr_logging(start_server, keys, tmp_path):
    """-e: the log lines go to the client's stderr, not the daemon's log."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["Subsystem=sftp internal-sftp -e -l INFO"])
    client = pk_connect(srv, keys["ed25519"])
    try:
        chan = client.get_transport().open_session()
        chan.invoke_subsystem("sftp")
        sftp = paramiko.SFTPClient(chan)
        sftp.listdir(str(tmp_path))
        sftp.close()
        err = b""
        while True:
            chunk = chan.recv_stderr(4096)
            if not chunk:
                break
            err += chunk
    finally:
        client.close()
    assert f'opendir "{tmp_path}"'.encode() in err, explain(srv, None, f"stderr {err!r}")
    assert f'opendir "{tmp_path}"' not in srv.log_text()


def test_force_command_internal_sftp(start_server, keys, tmp_path):
    """ForceCommand internal-sftp: SFTP works, and a command or shell
    request gets the SFTP server instead of running anything."""
    need_tool("sftp")
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["ForceCommand=internal-sftp -l INFO",
                             "Subsystem=sftp /nonexistent/sftp-server"])
    src = tmp_path / "fc.bin"
    src.write_bytes(os.urandom(100000))
    dst = tmp_path / "fc-up.bin"
    batch_as(srv, keys["ed25519"], "root", f"put {src} {dst}\n", tmp_path)
    assert dst.read_bytes() == src.read_bytes()
    marker = tmp_path / "ran"
    res = subprocess.run(["ssh", "-p", str(srv.port)] + ssh_opts(keys["ed25519"])
                         + ["root@127.0.0.1", f"touch {marker}; echo hi"],
                         capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert b"hi" not in res.stdout and not marker.exists(), \
        explain(srv, res, "ForceCommand internal-sftp ran the command")
    assert wait_for_log(srv, "forced-command (config)")
    assert wait_for_log(srv, "session opened for local user root")


def test_config_check(nanosshd, hostkey):
    """nanosshd -t names a bad internal-sftp option."""
    res = subprocess.run([nanosshd, "-t", "-h", hostkey, "-o",
                          "Subsystem=sftp internal-sftp -P nosuch"],
                         capture_output=True, timeout=30)
    text = (res.stdout + res.stderr).decode(errors="replace")
    assert res.returncode != 0 and 'unknown request "nosuch"' in text, text
    res = subprocess.run([nanosshd, "-t", "-h", hostkey, "-o",
                          "Subsystem=sftp internal-sftp -l VERBOSE -R -u 022"],
                         capture_output=True, timeout=30)
    assert res.returncode == 0, res


def test_client_command_internal_sftp(start_server, keys):
    """As in sshd, only the configuration can start internal-sftp: a
    client's own command "internal-sftp" goes to the shell (not found)."""
    srv = start_server(authorized=[keys["ed25519"].line()])
    res = subprocess.run(["ssh", "-p", str(srv.port)] + ssh_opts(keys["ed25519"])
                         + ["root@127.0.0.1", "internal-sftp"],
                         capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert res.returncode == 127 and b"not found" in res.stderr, \
        explain(srv, res, "a client command ran internal-sftp")


def test_key_command_internal_sftp(start_server, keys, tmp_path):
    """authorized_keys command="internal-sftp ..." serves SFTP too, with
    the sftp subsystem configured as a program that does not exist."""
    need_tool("sftp")
    key = keys["ed25519"]
    srv = start_server(authorized=[key.line('command="internal-sftp -l INFO"')],
                       opts=["Subsystem=sftp /nonexistent/sftp-server"])
    src = tmp_path / "k.bin"
    src.write_bytes(os.urandom(50000))
    dst = tmp_path / "k-up.bin"
    batch_as(srv, key, "root", f"put {src} {dst}\n", tmp_path)
    assert dst.read_bytes() == src.read_bytes()
    assert wait_for_log(srv, "forced-command (key-option)")
    assert wait_for_log(srv, f'close "{dst}" bytes read 0 written 50000')
