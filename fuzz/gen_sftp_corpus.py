#!/usr/bin/python3
"""Write the SFTP fuzz seed corpus (fuzz/sftp_corpus/): client byte
streams for sftp_target.c. The first byte of each file chooses how the
target splits the stream into calls; the rest is SFTP v3 requests
(draft-ietf-secsh-filexfer-02), OpenSSH extensions included.
    fuzz/gen_sftp_corpus.py [DIR]"""
import os
import struct
import sys


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


def msg(t, body, rid=None):
    payload = bytes([t]) + (u32(rid) if rid is not None else b"") + body
    return u32(len(payload)) + payload


def attrs_perm(p):
    return u32(4) + u32(p)


INIT = msg(1, u32(3))
SEED = 0x12345678       # sftp_target.c's handle_seed


def handle(slot, gen):
    """The handle the target issues for slot at generation gen (the mix of
    src/sftp/handles.c), so the seeds reach the file and directory code."""
    x = ((gen << 16) ^ slot ^ SEED) & 0xffffffff
    x ^= x >> 16
    x = (x * 0x7feb352d) & 0xffffffff
    x ^= x >> 15
    x = (x * 0x846ca68b) & 0xffffffff
    x ^= x >> 16
    return u32(slot) + u32(x)


H0 = handle(0, 0)       # the first file opened
H1 = handle(0, 1)       # slot 0 again, after that file is closed


def every_request():
    out = [INIT]
    rid = 1

    def add(t, body):
        nonlocal rid
        out.append(msg(t, body, rid))
        rid += 1

    add(14, s("/d") + attrs_perm(0o755))                         # MKDIR
    add(3, s("/d/f") + u32(0x1a) + attrs_perm(0o644))           # OPEN
    add(6, s(H0) + u64(0) + s(b"hello world"))                   # WRITE
    add(5, s(H0) + u64(0) + u32(100))                            # READ
    add(8, s(H0))                                                # FSTAT
    add(10, s(H0) + u32(1) + u64(3))                             # FSETSTAT
    add(4, s(H0))                                                # CLOSE
    add(17, s("/d/f"))                                           # STAT
    add(7, s("/d/f"))                                            # LSTAT
    add(9, s("/d/f") + u32(8) + u32(1) + u32(2))                 # SETSTAT
    add(11, s("/d"))                                             # OPENDIR
    add(12, s(H1))                                               # READDIR
    add(12, s(H1))
    add(4, s(H1))
    add(16, s("/d/../d/./f"))                                    # REALPATH
    add(20, s("f") + s("/d/l"))                                  # SYMLINK
    add(19, s("/d/l"))                                           # READLINK
    add(18, s("/d/f") + s("/d/g"))                               # RENAME
    add(200, s("posix-rename@openssh.com") + s("/d/g") + s("/d/h"))
    add(200, s("hardlink@openssh.com") + s("/d/h") + s("/d/k"))
    add(200, s("statvfs@openssh.com") + s("/"))
    add(3, s("/d/h") + u32(3) + u32(0))                         # slot 0, gen 2
    add(200, s("fstatvfs@openssh.com") + s(handle(0, 2)))
    add(200, s("fsync@openssh.com") + s(handle(0, 2)))
    add(200, s("lsetstat@openssh.com") + s("/d/l") + u32(8) + u32(5) + u32(6))
    add(200, s("limits@openssh.com"))
    add(200, s("expand-path@openssh.com") + s("~/x"))
    add(3, s("/d/c") + u32(0x1a) + u32(0))                      # slot 1
    add(200, s("copy-data") + s(handle(0, 2)) + u64(0) + u64(0) +
        s(handle(1, 0)) + u64(0))
    add(200, s("home-directory") + s(""))
    add(200, s("users-groups-by-id@openssh.com") + s(u32(0)) + s(u32(0)))
    add(200, s("nosuch@example.com"))
    add(13, s("/d/k"))                                           # REMOVE
    add(15, s("/d"))                                             # RMDIR
    add(77, b"")                                                 # unknown
    return b"".join(out)


def pipeline():
    out = [INIT, msg(3, s("/p") + u32(0x1b) + u32(0), 1)]
    for i in range(200):
        out.append(msg(6, s(H0) + u64(i * 512) + s(bytes([i & 255]) * 512), 2 + i))
        out.append(msg(5, s(H0) + u64(i * 512) + u32(4096), 1000 + i))
    return b"".join(out)


def hostile():
    return b"".join([
        INIT,
        msg(5, s(H0) + u64(0) + u32(0xffffffff), 1),      # huge READ
        msg(3, s("x" * 3000) + u32(1) + u32(0), 2),        # long path
        msg(6, u32(8) + H0 + u64(2 ** 64 - 2) + u32(50) + b"z" * 80, 3),
        msg(3, s("a\0b") + u32(1) + u32(0), 4),            # NUL in path
        msg(17, u32(1000), 5),                              # truncated string
        u32(2 ** 31) + bytes([3]) + u32(6),                 # length too big
    ])


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "sftp_corpus")
    os.makedirs(d, exist_ok=True)
    seeds = {"every_request": every_request(), "pipeline": pipeline(),
             "hostile": hostile()}
    for name, body in seeds.items():
        for split in (0, 7):
            with open(os.path.join(d, f"{name}_{split}"), "wb") as f:
                f.write(bytes([split]) + body)


if __name__ == "__main__":
    main()
