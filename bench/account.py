"""A throwaway login account for the benchmark, soak and hardening runs:
a /bin/sh user with a home directory, a key in authorized_keys and
optionally a password, removed (with every process it still runs) at the
end. Creating it kills every process of an account of the same name, so
each run names its own (the scripts use their PID)."""
import os
import pwd
import signal
import subprocess
import time


def kill_processes_of(uid):
    """SIGKILL every process owned by uid; returns how many there were."""
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    os.kill(int(pid), signal.SIGKILL)
                    n += 1
            except OSError:
                pass
    return n


def processes_of(uid):
    """PIDs of the processes uid runs now."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    out.append(int(pid))
            except OSError:
                pass
    return out


def add(name, pubkey_path, password=None):
    """Create the account; returns its passwd entry. Without a password
    the account is not locked ("!") but has none ("*"): servers that check
    the shadow entry (sshd without PAM) refuse locked accounts."""
    try:
        pwd.getpwnam(name)
        remove(name)
    except KeyError:
        pass
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", name], check=True)
    if password is None:
        subprocess.run(["usermod", "-p", "*", name], check=True)
    else:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n".encode(),
                       check=True)
    pw = pwd.getpwnam(name)
    ssh_dir = os.path.join(pw.pw_dir, ".ssh")
    os.makedirs(ssh_dir, mode=0o700, exist_ok=True)
    ak = os.path.join(ssh_dir, "authorized_keys")
    with open(pubkey_path) as src, open(ak, "w") as dst:
        dst.write(src.read())
    os.chmod(ak, 0o600)
    for p in (ssh_dir, ak):
        os.chown(p, pw.pw_uid, pw.pw_gid)
    return pw


def remove(name):
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    kill_processes_of(uid)
    time.sleep(0.2)
    subprocess.run(["userdel", "-r", name], capture_output=True)
