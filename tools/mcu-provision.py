#!/usr/bin/env python3
"""Write the firmware's provisioning block (see port/baremetal/provision.h).

    mcu-provision.py --hostkey KEY --authorized-key FILE.pub [--user NAME] -o OUT

KEY is an unencrypted OpenSSH ed25519 private key (ssh-keygen -t ed25519 -N '');
FILE.pub holds one or more ssh-ed25519 public keys (authorized_keys format).
A fresh 32-byte seed is read from /dev/urandom every time: the block is
written for one boot and never reused.
"""
import argparse
import base64
import struct
import sys
import zlib

MAGIC = 0x5652504E
VERSION = 1
KEYS_MAX = 8
USER_MAX = 32
SIZE = 140 + 32 * KEYS_MAX + 4


def take_string(buf, off):
    (n,) = struct.unpack_from(">I", buf, off)
    off += 4
    if off + n > len(buf):
        raise ValueError("truncated string in key")
    return buf[off:off + n], off + n


def openssh_ed25519(path):
    """seed || public key (64 bytes) from an OpenSSH private key file
    (PROTOCOL.key: "openssh-key-v1", cipher none)."""
    text = open(path).read()
    begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
    end = "-----END OPENSSH PRIVATE KEY-----"
    if begin not in text or end not in text:
        raise ValueError(f"{path}: not an OpenSSH private key")
    body = text.split(begin, 1)[1].split(end, 1)[0]
    raw = base64.b64decode("".join(body.split()))
    magic = b"openssh-key-v1\0"
    if not raw.startswith(magic):
        raise ValueError(f"{path}: bad key magic")
    off = len(magic)
    cipher, off = take_string(raw, off)
    _kdf, off = take_string(raw, off)
    _kdfopts, off = take_string(raw, off)
    if cipher != b"none":
        raise ValueError(f"{path}: encrypted keys are not supported")
    (nkeys,) = struct.unpack_from(">I", raw, off)
    off += 4
    if nkeys != 1:
        raise ValueError(f"{path}: expected one key")
    _pub, off = take_string(raw, off)
    priv, _ = take_string(raw, off)
    c1, c2 = struct.unpack_from(">II", priv, 0)
    if c1 != c2:
        raise ValueError(f"{path}: check bytes differ")
    p = 8
    ktype, p = take_string(priv, p)
    if ktype != b"ssh-ed25519":
        raise ValueError(f"{path}: not an ed25519 key ({ktype.decode()})")
    pk, p = take_string(priv, p)
    sk, p = take_string(priv, p)
    if len(pk) != 32 or len(sk) != 64 or sk[32:] != pk:
        raise ValueError(f"{path}: malformed ed25519 key")
    return sk


def ed25519_public_keys(path):
    keys = []
    for line in open(path):
        parts = line.split()
        # authorized_keys lines may start with options; find the key type.
        for i, w in enumerate(parts[:-1]):
            if w == "ssh-ed25519":
                blob = base64.b64decode(parts[i + 1])
                t, o = take_string(blob, 0)
                k, o = take_string(blob, o)
                if t != b"ssh-ed25519" or len(k) != 32 or o != len(blob):
                    raise ValueError(f"{path}: malformed ssh-ed25519 key")
                keys.append(k)
                break
    if not keys:
        raise ValueError(f"{path}: no ssh-ed25519 key (the device accepts only those)")
    if len(keys) > KEYS_MAX:
        raise ValueError(f"{path}: more than {KEYS_MAX} keys")
    return keys


def block(seed, hostkey, user, keys):
    u = user.encode()
    if not 1 <= len(u) <= USER_MAX or b"\0" in u:
        raise ValueError(f"user name must be 1..{USER_MAX} bytes")
    b = struct.pack("<IHH", MAGIC, VERSION, SIZE) + seed + hostkey
    b += struct.pack("<BBH", len(keys), len(u), 0) + u.ljust(USER_MAX, b"\0")
    b += b"".join(keys).ljust(32 * KEYS_MAX, b"\0")
    return b + struct.pack("<I", zlib.crc32(b) & 0xFFFFFFFF)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hostkey", required=True)
    ap.add_argument("--authorized-key", required=True)
    ap.add_argument("--user", default="admin")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    try:
        with open("/dev/urandom", "rb") as r:
            seed = r.read(32)
        out = block(seed, openssh_ed25519(a.hostkey), a.user,
                    ed25519_public_keys(a.authorized_key))
    except (OSError, ValueError) as e:
        print(f"mcu-provision: {e}", file=sys.stderr)
        return 1
    assert len(out) == SIZE
    with open(a.output, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
