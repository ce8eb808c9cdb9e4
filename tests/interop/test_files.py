"""File transfer tools over nanosshd: sftp (the sftp subsystem), scp in
both its modes, rsync and git, and the Subsystem keyword."""
import filecmp
import hashlib
import os
import shlex
import subprocess

import pytest

from conftest import SSH_BASE, explain, need_tool, ssh, wait_for_log

SCP_SIZE = 8 * 1024 * 1024


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ssh_opts(srv, key):
    """ssh options as a list, for tools that take them (-o ..., -i ...)."""
    return ["-i", key.path] + SSH_BASE + ["-o", "LogLevel=ERROR"]


def ssh_command_line(srv, key):
    """An ssh command line as one string (rsync -e, GIT_SSH_COMMAND)."""
    return " ".join(shlex.quote(a) for a in
                    ["ssh", "-p", str(srv.port)] + ssh_opts(srv, key))


def run(cmd, srv, what, timeout=240, **kw):
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=timeout,
                             stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired as e:
        pytest.fail(explain(srv, None, f"{what}: timed out after {timeout} s; "
                            f"stderr {(e.stderr or b'')[-2000:]!r}"))
    assert res.returncode == 0, explain(srv, res, what)
    return res


@pytest.fixture
def random_file(tmp_path):
    path = tmp_path / "scp-source.bin"
    path.write_bytes(os.urandom(SCP_SIZE))
    return path


def test_sftp_batch_64m(server, keys, bigfile, tmp_path):
    """sftp -b puts and gets 64 MiB; both copies have the checksum."""
    need_tool("sftp")
    src, digest = bigfile
    remote = tmp_path / "remote" / "uploaded.bin"
    remote.parent.mkdir()
    back = tmp_path / "downloaded.bin"
    batch = tmp_path / "batch"
    batch.write_text(f"put {src} {remote}\nget {remote} {back}\n")
    run(["sftp", "-P", str(server.port), "-b", str(batch)]
        + ssh_opts(server, keys["ed25519"]) + ["root@127.0.0.1"],
        server, "sftp batch put and get of 64 MiB")
    assert file_sha(remote) == digest, explain(server, None, "uploaded copy differs")
    assert file_sha(back) == digest, explain(server, None, "downloaded copy differs")
    assert wait_for_log(server, "subsystem request for sftp by user root"), \
        explain(server, None, "no subsystem line in the log")


@pytest.mark.parametrize("mode", ["sftp", "legacy"])
def test_scp_both_directions(server, keys, random_file, tmp_path, mode):
    """scp up and down, with OpenSSH 9's sftp protocol and with -O (the
    old scp -t / -f protocol run as a command)."""
    need_tool("scp")
    remote = tmp_path / f"scp-remote-{mode}.bin"
    back = tmp_path / f"scp-back-{mode}.bin"
    flags = ["-O"] if mode == "legacy" else []
    base = ["scp", "-P", str(server.port)] + flags + ssh_opts(server, keys["ed25519"])
    run(base + [str(random_file), f"root@127.0.0.1:{remote}"], server,
        f"scp ({mode}) upload")
    run(base + [f"root@127.0.0.1:{remote}", str(back)], server,
        f"scp ({mode}) download")
    assert file_sha(remote) == file_sha(random_file), \
        explain(server, None, f"scp ({mode}) upload differs")
    assert file_sha(back) == file_sha(random_file), \
        explain(server, None, f"scp ({mode}) download differs")


def make_tree(root):
    """Nested directories, files from empty to 1 MiB, a symbolic link."""
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "empty-dir").mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "small.txt").write_text("hello\n")
    for i, size in enumerate((1, 4095, 65536, 300001, 1 << 20)):
        (root / "a" / f"file{i}.bin").write_bytes(os.urandom(size))
    (root / "a" / "b" / "c" / "deep.txt").write_text("deep\n" * 1000)
    os.symlink("a/b/c/deep.txt", root / "link")


def diff_r(srv, a, b):
    res = subprocess.run(["diff", "-r", "--no-dereference", str(a), str(b)],
                         capture_output=True, timeout=60)
    assert res.returncode == 0, explain(srv, res, f"diff -r {a} {b}")


def test_rsync_tree(server, keys, tmp_path):
    """rsync -a pushes a tree and pulls it back over ssh."""
    need_tool("rsync")
    src, remote, back = tmp_path / "src", tmp_path / "remote", tmp_path / "back"
    src.mkdir()
    make_tree(src)
    e = ssh_command_line(server, keys["ed25519"])
    run(["rsync", "-a", "-e", e, f"{src}/", f"root@127.0.0.1:{remote}/"],
        server, "rsync push")
    diff_r(server, src, remote)
    run(["rsync", "-a", "-e", e, f"root@127.0.0.1:{remote}/", f"{back}/"],
        server, "rsync pull")
    diff_r(server, src, back)


def git(srv, *args, cwd=None, env=None):
    return run(["git", "-c", "user.name=Interop", "-c",
                "user.email=interop@example.invalid", "-c", "init.defaultBranch=main"]
               + list(args), srv, "git " + " ".join(args), cwd=cwd, env=env,
               timeout=120)


def test_git_clone_and_push(server, keys, tmp_path):
    """git clone and git push to a bare repository over ssh."""
    need_tool("git")
    bare, work, again = tmp_path / "repo.git", tmp_path / "work", tmp_path / "again"
    git(server, "init", "-q", "--bare", str(bare))
    env = dict(os.environ, GIT_SSH_COMMAND=ssh_command_line(server, keys["ed25519"]))
    url = f"ssh://root@127.0.0.1:{server.port}{bare}"
    git(server, "clone", "-q", url, str(work), env=env)
    (work / "README").write_text("pushed over nanosshd\n")
    (work / "data.bin").write_bytes(os.urandom(200000))
    git(server, "add", "README", "data.bin", cwd=work)
    git(server, "commit", "-q", "-m", "first", cwd=work)
    git(server, "push", "-q", "origin", "HEAD:refs/heads/main", cwd=work, env=env)
    log = git(server, "--git-dir", str(bare), "log", "--format=%s", "main")
    assert log.stdout.decode().strip() == "first", explain(server, log, "bare repo log")
    git(server, "clone", "-q", "-b", "main", url, str(again), env=env)
    assert filecmp.cmp(work / "data.bin", again / "data.bin", shallow=False), \
        explain(server, None, "clone after push differs")


def test_subsystem_keyword(start_server, keys, tmp_path):
    """A configured subsystem runs its command as the user; an unknown one
    is refused; with Subsystem lines given, sftp is only there if listed."""
    srv = start_server(authorized=[keys["ed25519"].line()],
                       opts=["Subsystem=greet /bin/echo hello from the subsystem"])
    res = ssh(srv, keys["ed25519"], "greet", args=["-s"])
    assert res.returncode == 0 and res.stdout == b"hello from the subsystem\n", \
        explain(srv, res, "configured subsystem")
    res = ssh(srv, keys["ed25519"], "nosuch", args=["-s"])
    assert res.returncode != 0, explain(srv, res, "unknown subsystem accepted")
    assert wait_for_log(srv, "subsystem request for nosuch by user root failed"), \
        explain(srv, None, "no refusal in the log")
    batch = tmp_path / "batch"
    batch.write_text("pwd\n")
    res = subprocess.run(["sftp", "-P", str(srv.port), "-b", str(batch)]
                         + ssh_opts(srv, keys["ed25519"]) + ["root@127.0.0.1"],
                         capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert res.returncode != 0, explain(srv, res, "sftp without a Subsystem sftp line")
