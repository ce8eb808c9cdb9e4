"""The firmware under QEMU, for the tests and the figures script.

Firmware(build, ...) writes a provisioning block (fresh seed), starts
qemu-system-arm -M netduinoplus2 with USART1 on a free 127.0.0.1 port and
USART2 (diagnostics) in a log file, and stops QEMU by its PID.
"""
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("mcu_provision", ROOT / "tools" / "mcu-provision.py")
provision = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(provision)

PROV_ADDR = 0x2002FE00


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_dir():
    return pathlib.Path(os.environ.get("MCU_BUILD") or ROOT / "build-mcu")


def keygen(path, comment="test"):
    path = pathlib.Path(path)
    if not path.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
                        "-f", str(path)], check=True)
    return path


class Firmware:
    def __init__(self, elf, workdir, hostkey, auth_pub, user="admin",
                 prov_bytes=None, icount=False):
        self.elf = pathlib.Path(elf)
        self.dir = pathlib.Path(workdir)
        self.port = free_port()
        self.log = self.dir / f"fw-{self.port}.log"
        self.prov = self.dir / f"prov-{self.port}.bin"
        if prov_bytes is None:
            seed = open("/dev/urandom", "rb").read(32)
            prov_bytes = provision.block(seed, provision.openssh_ed25519(hostkey), user,
                                         provision.ed25519_public_keys(auth_pub))
        self.prov.write_bytes(prov_bytes)
        cmd = ["qemu-system-arm", "-M", "netduinoplus2", "-display", "none",
               "-monitor", "none",
               "-serial", f"tcp:127.0.0.1:{self.port},server=on,wait=off",
               "-serial", f"file:{self.log}",
               "-kernel", str(self.elf)]
        if prov_bytes:   # b"": boot with nothing loaded
            cmd += ["-device", f"loader,file={self.prov},addr={PROV_ADDR:#x},force-raw=on"]
        if icount:
            cmd[3:3] = ["-icount", "shift=0"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def text(self):
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, needle, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if needle in self.text():
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return needle in self.text()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.prov.unlink(missing_ok=True)
        return self.proc.stdout.read().decode(errors="replace")
