#!/usr/bin/python3
"""Measure the nanossh firmware's figures (EMBEDDED.md) from a real build
and a real run.

    tools/mcu-figures.py [--check] [-o OUT.md] [--update-doc EMBEDDED.md] [--build DIR]

Sizes: the linker maps of build-mcu/nanossh-fw.elf (default algorithms)
and nanossh-fw-sntrup.elf (the sntrup761 build option), every input
section that survived --gc-sections attributed to its component (engine,
each algorithm, SFTP, device application, board/adapter, C library).
Flash is text + rodata + data's load image; static RAM is data + bss (+
the reserved stack); the RAM filesystem's .ramfs is listed apart.

Run time: the firmware in QEMU with -icount shift=0 (1 instruction = 1 ns
of virtual time), one login per key exchange. The firmware paints its
stack and reports, on its diagnostics UART, the peak stack and the
instructions it executed while busy (idle time excluded) for the key
exchange and for the authentication that follows. Instructions become an
estimate at 168 MHz assuming one instruction per cycle (the Cortex-M4
runs most instructions in one cycle; flash wait states and multi-cycle
loads make real hardware somewhat slower).

--update-doc replaces the text between the "figures begin" and "figures
end" comments of the given Markdown file with the new figures.

--check exits non-zero when a measurement fails, when the default image
exceeds 128 KiB of flash or 64 KiB of RAM (data + bss + reserved stack),
or when a measured stack peak does not fit the reserved stack. The
sntrup761 image's RAM is reported, not enforced (EMBEDDED.md says why it
misses the target).
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "mcu"))
sys.path.insert(0, str(ROOT / "tests" / "interop"))

FLASH_TARGET = 128 * 1024
RAM_TARGET = 64 * 1024
MHZ = 168

# Objects of libcrypto.a by algorithm.
ALGORITHM = [
    ("ML-KEM-768", r"mlkem|keccak"),
    ("sntrup761", r"sntrup"),
    ("hybrid KEM glue (both hybrids)", r"kem_hybrid|^hybrid"),
    ("X25519 + field arithmetic", r"x25519|fe25519"),
    ("Ed25519", r"ed25519|sig_ed25519"),
    ("SHA-512", r"sha512"),
    ("SHA-256, HMAC", r"sha256|hmac|^hash"),
    ("chacha20-poly1305", r"chacha|poly1305"),
    ("AES (bitsliced) CTR and GCM", r"aes|gcm|ghash"),
    ("DRBG", r"drbg"),
    ("tables, key files, helpers", r"."),
]


# Variables of main.c that belong to other components.
VARIABLES = {".bss.conn_mem": ("engine", "connection memory (conn_mem)"),
             ".bss.session": ("device application", "session state"),
             ".bss.memfs": ("SFTP server + memfs", "memfs state")}


def component(path, section=""):
    """(component, detail) of an input section named in the map."""
    if section in VARIABLES:
        return VARIABLES[section]
    m = re.search(r"lib(\w+)\.a\(([^)]+)\.o\)", path)
    if m:
        lib, obj = m.groups()
        if lib == "crypto":
            for name, pat in ALGORITHM:
                if re.search(pat, obj):
                    return "crypto", name
        if lib == "board":
            return "board + serial adapter", obj
        if lib in ("c_nano", "c"):
            return "C library (mem*, str*)", obj
        if lib == "gcc":
            return "compiler runtime", obj
        return {"engine": "engine", "sftp": "SFTP server + memfs",
                "app": "device application"}.get(lib, lib), obj
    if "main" in path:
        return "board + serial adapter", "main"
    return "other", path


def parse_map(path):
    """{(component, detail): {"flash": n, "ram": n, "ramfs": n}} and the
    sizes of the output sections."""
    text = pathlib.Path(path).read_text()
    text = text[text.index("Linker script and memory map"):]
    out, sect = {}, None
    sections = {}
    pending = None
    for line in text.splitlines():
        m = re.match(r"^(\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)", line)
        if m:
            sect = m.group(1)
            sections[sect] = int(m.group(3), 16)
            continue
        m = re.match(r"^ (\.\S+|COMMON)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^\s+(?:(\.\S+|COMMON)\s+)?0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
        if m and (m.group(1) or pending):
            size = int(m.group(3), 16)
            pending_name, pending = pending, None
            if not size or sect is None:
                continue
            kind = {".isr_vector": "flash", ".text": "flash", ".ARM.exidx": "flash",
                    ".data": "data", ".bss": "ram", ".ramfs": "ramfs"}.get(sect)
            if not kind:
                continue
            d = out.setdefault(component(m.group(4), m.group(1) or pending_name),
                               {"flash": 0, "ram": 0, "ramfs": 0})
            if kind == "data":      # load image in flash, copy in RAM
                d["flash"] += size
                d["ram"] += size
            else:
                d[kind] += size
        else:
            pending = None
    return out, sections


def symbol_sizes(elf, names):
    r = subprocess.run(["arm-none-eabi-nm", "-S", str(elf)], capture_output=True,
                       text=True, check=True)
    sizes = {}
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] in names:
            sizes[f[3]] = int(f[1], 16)
    return sizes


def measures(log):
    """[(phase, name, stack_peak, instructions)] from the diagnostics."""
    out = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"measure (kex|auth) (\S+) stack_peak=(\d+)", line)
        if m and i + 1 < len(lines):
            n = re.match(r"measure insns=(\d+)", lines[i + 1])
            if n:
                out.append((m.group(1), m.group(2), int(m.group(3)), int(n.group(1))))
    return out


def run_logins(build, work):
    """Log in once per key exchange under -icount; returns the measures."""
    from qemu_fw import Firmware, keygen
    import rawkex
    import rawssh
    host = keygen(build / "ssh_host_ed25519_key", "nanossh-firmware")
    user = keygen(work / "user_key")
    ssh = ["ssh", "-F", "/dev/null", "-i", str(user), "-o", "IdentitiesOnly=yes",
           "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=error"]
    results = []

    def boot(elf):
        fw = Firmware(build / elf, work, host, str(user) + ".pub", icount=True)
        if not fw.wait_log("ready:", 60):
            fw.stop()
            raise RuntimeError(f"{elf} did not start:\n{fw.text()}")
        return fw

    def login(fw, kex):
        try:
            r = subprocess.run(ssh + ["-p", str(fw.port), "-o", f"KexAlgorithms={kex}",
                                      "admin@127.0.0.1", "echo measured"],
                               capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"login with {kex} timed out; firmware log:\n{fw.text()}")
        if r.stdout != b"measured\n":
            raise RuntimeError(f"login with {kex} failed: {r.stderr.decode()}\n"
                               f"firmware log:\n{fw.text()}")

    fw = boot("nanossh-fw.elf")
    try:
        login(fw, "curve25519-sha256")
        # mlkem768x25519-sha256: OpenSSH 9.2 lacks it; the raw client of
        # the interop suite carries the exchange through NEWKEYS.
        c = rawssh.RawClient(fw.port, timeout=120)
        c.send_version("SSH-2.0-rawssh_0.1")
        c.read_version()
        c.read_packet()
        c.send_payload(rawssh.kexinit_payload(kex="mlkem768x25519-sha256",
                                              hostkey="ssh-ed25519"))
        ex = rawkex.Exchange("mlkem768x25519-sha256")
        c.send_payload(ex.init_payload())
        p = c.read_packet()
        while p.type in (2, 4):
            p = c.read_packet()
        if p.type != 31:
            raise RuntimeError(f"mlkem768x25519: reply type {p.type}")
        c.send_payload(bytes([21]))
        if not fw.wait_log("measure kex mlkem768x25519-sha256", 60):
            raise RuntimeError("no measurement of mlkem768x25519-sha256")
        fw.wait_log("measure insns", 5)
        c.close()
        login(fw, "curve25519-sha256")     # ends the raw session
        results += measures(fw.text())
    finally:
        fw.stop()
    fw = boot("nanossh-fw-sntrup.elf")
    try:
        login(fw, "sntrup761x25519-sha512@openssh.com")
        results += [m for m in measures(fw.text()) if "sntrup" in m[1] or m[0] == "auth"][:2]
    finally:
        fw.stop()
    return results


def kib(n):
    return f"{n / 1024:.1f} KiB"


def report(build, runs):
    comp, sect = parse_map(build / "nanossh-fw.map")
    comp_s, sect_s = parse_map(build / "nanossh-fw-sntrup.map")
    syms = symbol_sizes(build / "nanossh-fw.elf", {"conn_mem", "session"})
    lines = []
    w = lines.append
    flash = sum(v["flash"] for v in comp.values())
    flash_s = sum(v["flash"] for v in comp_s.values())
    data, bss = sect.get(".data", 0), sect.get(".bss", 0)
    stack, ramfs = sect.get(".stack", 0), sect.get(".ramfs", 0)
    ram = data + bss + stack
    w("| image | flash (text+rodata+data) | static RAM (data+bss) | reserved stack | RAM without .ramfs | .ramfs |")
    w("|---|---:|---:|---:|---:|---:|")
    w(f"| default (mlkem768x25519, curve25519) | {flash} ({kib(flash)}) | {data + bss} | {stack} | "
      f"**{ram} ({kib(ram)})** | {ramfs} |")
    w(f"| with sntrup761x25519 | {flash_s} ({kib(flash_s)}) | {sect_s.get('.data', 0) + sect_s.get('.bss', 0)} | "
      f"{sect_s.get('.stack', 0)} | {sect_s.get('.data', 0) + sect_s.get('.bss', 0) + sect_s.get('.stack', 0)} | "
      f"{sect_s.get('.ramfs', 0)} |")
    w("")
    w(f"Targets: flash <= {FLASH_TARGET} with ML-KEM: "
      f"{'met' if flash <= FLASH_TARGET else 'MISSED'} ({flash}); RAM <= {RAM_TARGET} "
      f"for one session without .ramfs: {'met' if ram <= RAM_TARGET else 'MISSED'} ({ram}). "
      f"sntrup761 costs {flash_s - flash} bytes of flash.")
    w("")
    w(f"One session: engine memory (conn_mem) {syms.get('conn_mem', 0)} bytes, device "
      f"session state {syms.get('session', 0)} bytes; RAM filesystem storage "
      f"(.ramfs, all RAM the image leaves) {ramfs} bytes.")
    w("")
    w("| component | flash | static RAM |")
    w("|---|---:|---:|")
    groups = {}
    for (c, d), v in comp.items():
        g = groups.setdefault(c, {"flash": 0, "ram": 0, "parts": {}})
        g["flash"] += v["flash"]
        g["ram"] += v["ram"]
        if c == "crypto" or v["ram"]:
            p = g["parts"].setdefault(d, {"flash": 0, "ram": 0})
            p["flash"] += v["flash"]
            p["ram"] += v["ram"]
    sn = sum(v["flash"] for (c, d), v in comp_s.items() if d == "sntrup761")
    for c, g in sorted(groups.items(), key=lambda x: -x[1]["flash"]):
        w(f"| {c} | {g['flash']} | {g['ram']} |")
        for d, p in sorted(g["parts"].items(), key=lambda x: -x[1]["flash"]):
            w(f"| &nbsp;&nbsp;{d} | {p['flash']} | {p['ram']} |")
    w(f"| &nbsp;&nbsp;sntrup761 (build option) | {sn} | 0 |")
    w(f"| reserved stack | 0 | {stack} |")
    w("")
    if runs:
        w("| phase | algorithm | peak stack (bytes) | instructions | at 168 MHz |")
        w("|---|---|---:|---:|---:|")
        seen, last = set(), "?"
        for phase, name, peak, insns in runs:
            if phase == "kex":
                last = name
            else:
                name = f"publickey ssh-ed25519 (after {last})"
            if (phase, name) in seen:
                continue
            seen.add((phase, name))
            w(f"| {'key exchange' if phase == 'kex' else 'user auth'} | {name} | {peak} | "
              f"{insns:,} | {insns / MHZ / 1000:.0f} ms |")
        kex = {n: i for p, n, _, i in runs if p == "kex"}
        auth = [i for p, _, _, i in runs if p == "auth"]
        base = kex.get("curve25519-sha256")
        if base and auth:
            w("")
            extra = ", ".join(f"{n} {(i - base) / 1e6:+.1f} million" for n, i in kex.items()
                              if n != "curve25519-sha256")
            login = base + auth[0]
            w(f"Against curve25519-sha256: {extra} instructions. A login with "
              f"curve25519-sha256 (key exchange and authentication) takes "
              f"{login / 1e6:.1f} million instructions, about "
              f"{login / MHZ / 1000:.0f} ms at {MHZ} MHz.")
    return "\n".join(lines) + "\n", flash, ram, (stack, sect_s.get(".stack", 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("-o", "--output")
    ap.add_argument("--update-doc")
    ap.add_argument("--build", default=os.environ.get("MCU_BUILD") or str(ROOT / "build-mcu"))
    a = ap.parse_args()
    build = pathlib.Path(a.build)
    r = subprocess.run(["make", "-s", "-j2", "-f", "port/netduinoplus2/firmware.mk",
                        f"BUILD={build}", "all", "sntrup"], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode:
        print(r.stdout + r.stderr)
        return 1
    problems = []
    with tempfile.TemporaryDirectory(prefix="nanossh-fig-") as work:
        try:
            runs = run_logins(build, pathlib.Path(work))
        except Exception as e:   # reported, and a failure under --check
            problems.append(f"run: {e}")
            runs = []
    text, flash, ram, stacks = report(build, runs)
    print(text)
    if a.output:
        pathlib.Path(a.output).write_text(text)
    if a.update_doc and runs:
        doc = pathlib.Path(a.update_doc)
        old = doc.read_text()
        begin, end = "<!-- figures begin -->\n", "<!-- figures end -->"
        i, j = old.index(begin) + len(begin), old.index(end)
        doc.write_text(old[:i] + "\n" + text + "\n" + old[j:])
    kexes = {n for p, n, _, _ in runs if p == "kex"}
    for want in ("curve25519-sha256", "mlkem768x25519-sha256",
                 "sntrup761x25519-sha512@openssh.com"):
        if want not in kexes:
            problems.append(f"no measurement for {want}")
    if flash > FLASH_TARGET:
        problems.append(f"flash {flash} above {FLASH_TARGET}")
    if ram > RAM_TARGET:
        problems.append(f"RAM {ram} (data + bss + reserved stack) above {RAM_TARGET}")
    for p, n, peak, _ in runs:
        stack = stacks[1] if "sntrup" in n else stacks[0]
        if peak >= stack - 32:
            problems.append(f"{n}: stack peak {peak} does not fit the {stack} reserved")
    for p in problems:
        print("mcu-figures:", p, file=sys.stderr)
    return 1 if a.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
