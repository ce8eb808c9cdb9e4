#!/usr/bin/python3
"""Side-by-side SFTP speed: nanosshd's internal-sftp, OpenSSH's
sftp-server exec'd by the same nanosshd (another subsystem), and OpenSSH
sshd's own internal-sftp (when /usr/sbin/sshd is there).

    tools/sftp_speed.py [--daemon build/nanosshd] [--mib 256] [--runs 3]

Starts nanosshd on 127.0.0.1 (a free port) with throwaway keys, then for
each server times OpenSSH sftp's put and get of a random file (in
/dev/shm when there is one, so disks do not decide), and prints the
median MB/s of the runs. Not part of the test command: a measurement."""
import argparse
import hashlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SFTP_SERVER = "/usr/lib/openssh/sftp-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def start_sshd(d):
    """OpenSSH sshd with internal-sftp on a free port, or None."""
    if not os.path.exists("/usr/sbin/sshd"):
        return None, None
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", "/dev/null", "-p", str(port),
         "-o", "ListenAddress=127.0.0.1", "-h", f"{d}/hk",
         "-o", f"AuthorizedKeysFile={d}/ck.pub", "-o", "PidFile=none",
         "-o", "Subsystem=sftp internal-sftp", "-o", "UsePAM=no",
         "-o", "StrictModes=no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc, port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", default="build/nanosshd")
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=base) as d:
        for name in ("hk", "ck"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                            f"{d}/{name}"], check=True)
        os.chmod(f"{d}/ck.pub", 0o644)
        port = free_port()
        daemon = subprocess.Popen(
            [a.daemon, "-D", "-e", "-p", str(port), "-o", "ListenAddress=127.0.0.1",
             "-h", f"{d}/hk", "-o", f"AuthorizedKeysFile={d}/ck.pub",
             "-o", "StrictModes=no",   # the keys file is below /dev/shm
             "-o", "Subsystem=sftp internal-sftp",
             "-o", f"Subsystem=ext-sftp {SFTP_SERVER}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sshd, sshd_port = start_sshd(d)
        try:
            wait_port(port)
            src = f"{d}/src.bin"
            with open(src, "wb") as f:
                for _ in range(a.mib):
                    f.write(os.urandom(1 << 20))
            digest = sha(src)
            def ssh(p):
                return ["-P", str(p), "-i", f"{d}/ck", "-o", "BatchMode=yes",
                        "-o", "StrictHostKeyChecking=no",
                        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
            print(f"{a.mib} MiB, {a.runs} runs, median MB/s "
                  f"(OpenSSH sftp client, default cipher)")
            cases = [("nanosshd internal-sftp", "sftp", port),
                     ("nanosshd sftp-server", "ext-sftp", port)]
            if sshd:
                cases.append(("sshd internal-sftp", "sftp", sshd_port))
            for label, sub, p in cases:
                res = {"put": [], "get": []}
                for _ in range(a.runs):
                    for op in ("put", "get"):
                        batch = f"{d}/batch"
                        with open(batch, "w") as f:
                            f.write(f"put {src} {d}/up.bin\n" if op == "put"
                                    else f"get {d}/up.bin {d}/down.bin\n")
                        t = time.monotonic()
                        subprocess.run(["sftp", "-s", sub, "-b", batch] + ssh(p)
                                       + ["root@127.0.0.1"], check=True,
                                       stdout=subprocess.DEVNULL)
                        res[op].append(a.mib * 1.048576 / (time.monotonic() - t))
                    assert sha(f"{d}/down.bin") == digest, "copy differs"
                print(f"  {label:24s} put {statistics.median(res['put']):7.1f}"
                      f"   get {statistics.median(res['get']):7.1f}"
                      f"   (put {', '.join('%.0f' % x for x in res['put'])};"
                      f" get {', '.join('%.0f' % x for x in res['get'])})")
        finally:
            for proc in (daemon, sshd):
                if proc:
                    proc.terminate()
                    proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
