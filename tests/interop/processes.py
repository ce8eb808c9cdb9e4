"""Processes for the interop suite: free ports, the daemon under test
(started, found and stopped by PID, never by name) and its descendants."""
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    """PIDs of every process below pid (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def exe_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def gone(pid):
    """True when pid has exited (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def stop_pid(pid, grace=5.0):
    """SIGTERM, then SIGKILL after grace seconds, one PID."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + grace
    while time.monotonic() < end:
        if gone(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Server:
    """A running nanosshd; see the start_server fixture."""

    def __init__(self, cmd, port, log_path, env, run_as=None):
        self.cmd, self.port, self.log_path = cmd, port, log_path
        self.run_as = run_as
        self.log_file = open(log_path, "wb")
        if run_as:
            cmd = ["runuser", "-u", run_as, "--"] + cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.log_file,
                                     stderr=subprocess.STDOUT, env=env,
                                     cwd="/", start_new_session=True)
        self.daemon_pid = self.proc.pid
        self.stopped = False

    def log_text(self):
        return pathlib.Path(self.log_path).read_text(errors="replace")

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def wait_ready(self, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"nanosshd exited with status {self.proc.returncode} "
                            f"at start: {' '.join(self.cmd)}\n--- log ---\n"
                            f"{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"nanosshd did not accept connections on port {self.port} "
                        f"within {timeout:.0f} s\n--- log ---\n{self.log_tail()}")
        if self.run_as:
            # runuser may stay as a parent; find the daemon itself.
            for pid in [self.proc.pid] + descendants(self.proc.pid):
                if os.path.basename(exe_of(pid)) == os.path.basename(self.cmd[0]):
                    self.daemon_pid = pid
                    break

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        if self.daemon_pid != self.proc.pid:
            stop_pid(self.daemon_pid)
        if self.proc.poll() is None:
            stop_pid(self.proc.pid)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        # Per-connection processes that outlived the daemon.
        for pid in descendants(self.proc.pid):
            stop_pid(pid, grace=1.0)
        self.log_file.close()

    def sanitizer_report(self):
        text = self.log_text()
        for mark in SANITIZER_MARKS:
            i = text.find(mark)
            if i >= 0:
                return text[max(0, i - 200):i + 4000]
        return None


def daemon_env():
    env = {k: v for k, v in os.environ.items()
           if not (k in ("LANG", "LANGUAGE") or k.startswith("LC_")
                   or k.startswith("XDG_"))}
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return env
