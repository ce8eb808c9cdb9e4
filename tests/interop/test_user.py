"""The daemon started by an ordinary user serves that user and nobody else."""
import os
import re
import shutil

import pytest

from conftest import explain, ssh


def chown_tree(path, pw):
    for root, dirs, files in os.walk(path):
        for name in [root] + [os.path.join(root, n) for n in dirs + files]:
            os.chown(name, pw.pw_uid, pw.pw_gid)


@pytest.fixture
def user_setup(plain_user, keys, hostkey):
    """The user's ~/.ssh/authorized_keys holds the ed25519 key; a copy of the
    host key and a second keys file (absolute path) live in their home."""
    home = plain_user.pw_dir
    sshdir = os.path.join(home, ".ssh")
    os.makedirs(sshdir, mode=0o700, exist_ok=True)
    with open(os.path.join(sshdir, "authorized_keys"), "w") as f:
        f.write(keys["ed25519"].line() + "\n")
    os.chmod(os.path.join(sshdir, "authorized_keys"), 0o600)
    hk = os.path.join(home, "host_ed25519")
    shutil.copyfile(hostkey, hk)
    os.chmod(hk, 0o600)
    shared = os.path.join(home, "shared_authorized_keys")
    with open(shared, "w") as f:
        f.write(keys["ed25519"].line() + "\n")
    os.chmod(shared, 0o644)
    state = os.path.join(home, ".local", "state", "nanossh")
    shutil.rmtree(state, ignore_errors=True)
    chown_tree(home, plain_user)
    return {"name": plain_user.pw_name, "home": home, "hostkey": hk,
            "shared": shared, "state": state}


def test_user_logs_in(start_server, keys, user_setup):
    u = user_setup
    srv = start_server(run_as=u["name"], host_key=u["hostkey"], authkeys_file=False)
    res = ssh(srv, keys["ed25519"], "id -un", user=u["name"])
    assert res.returncode == 0 and res.stdout == f"{u['name']}\n".encode(), \
        explain(srv, res, "the user running the daemon must be able to log in "
                "with ~/.ssh/authorized_keys")


def test_root_refused_by_user_daemon(start_server, keys, user_setup):
    """Even with a keys file that lists the key for everyone, a daemon
    without privileges serves only its own user."""
    u = user_setup
    srv = start_server(run_as=u["name"], host_key=u["hostkey"], authkeys_file=False,
                       opts=[f"AuthorizedKeysFile={u['shared']}"])
    res = ssh(srv, keys["ed25519"], "id -un", user=u["name"])
    assert res.returncode == 0 and res.stdout == f"{u['name']}\n".encode(), \
        explain(srv, res, "the user must log in with the shared keys file")
    res = ssh(srv, keys["ed25519"], "id -un", user="root")
    assert res.returncode == 255 and b"root" not in res.stdout, \
        explain(srv, res, "root must be refused by a daemon run by an ordinary user")


def host_key_fingerprints(stderr):
    return re.findall(r"Server host key: (\S+ SHA256:\S+)",
                      stderr.decode(errors="replace"))


def test_user_default_host_keys(start_server, keys, user_setup):
    """Without -h the daemon makes host keys in ~/.local/state/nanossh on
    first start and keeps them."""
    u = user_setup
    prints = []
    for attempt in range(2):
        srv = start_server(run_as=u["name"], host_key=None, authkeys_file=False)
        res = ssh(srv, keys["ed25519"], "id -un", user=u["name"], verbose=True)
        assert res.returncode == 0, \
            explain(srv, res, f"login with generated host keys (start {attempt + 1})")
        prints.append(host_key_fingerprints(res.stderr))
        srv.stop()
    assert os.path.isdir(u["state"]) and os.listdir(u["state"]), \
        f"no host keys in {u['state']}"
    assert prints[0] and prints[0] == prints[1], \
        f"host key changed across restarts: {prints}"
