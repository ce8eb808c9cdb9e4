#!/usr/bin/env python3
"""Seeds for the pair fuzz target (fuzz/pair_target.h) into fuzz/corpus/pair.

An input is a script. Byte 0, bit 0: the direction whose packets are
edited (0 client to server, reaching the server's handlers; 1 server to
client, reaching the client's). Then operations, op = byte % 16:
  0 A       client call A % 20: 0 publickey "root" (accepted), 1 publickey
            "nobody" (refused), 2/3 password right/wrong, 4 none, 5 open
            session, 6 pty-req, 7 exec, 8 shell, 9 env, 10 window-change,
            11 signal, 12 subsystem (6-12 take a want_reply byte), 13 data
            (bytes, then an ext byte), 14 EOF, 15 close, 16 re-key,
            17 keepalive, 18 tcpip-forward (port byte), 19 direct-tcpip open
  1 A       server call A % 12: 0/1 data (bytes, ext byte), 2 exit-status
            (byte), 3 exit-signal (byte), 4 EOF, 5 close, 6 re-key,
            7 keepalive, 8 forwarded-tcpip open, 9/10 confirm/refuse the
            held direct-tcpip open, 11 disconnect
  2, 15     pump both ways until nothing moves (no edits)
  3         move the unedited direction once
  4 B       replace the next packet's payload with B
  5 B       inject a packet with payload B before the next one
  6 O V     XOR byte O (mod length) of the next payload with V
  7 N       truncate the next payload to N (mod length + 1)
  8 B       append B to the next payload
  9         drop the next packet      10  send it twice
  11 B      raw bytes, framing and all 12  pass it on unchanged
  13 T      advance the clock (T + 1) x 200 ms   14  toggle window consuming
B is a length byte (255: two more, big-endian, up to 8 KiB) and the bytes.
Usage: gen_pair_corpus.py [DIR]
"""
import os
import struct
import sys


def u32(v):
    return struct.pack(">I", v)


def s(b):
    b = b.encode() if isinstance(b, str) else b
    return u32(len(b)) + b


def B(payload):
    assert len(payload) <= 0x1FFF
    if len(payload) < 255:
        return bytes([len(payload)]) + payload
    return bytes([255]) + struct.pack(">H", len(payload)) + payload


PUMP = b"\x02"
MOVE = b"\x03"
PASS = b"\x0c"
DROP = b"\x09"
DUP = b"\x0a"


def C(a, *extra):
    return bytes([0, a]) + b"".join(extra)


def S(a, *extra):
    return bytes([1, a]) + b"".join(extra)


def REPLACE(p):
    return b"\x04" + B(p)


def INJECT(p):
    return b"\x05" + B(p)


def XOR(o, v):
    return bytes([6, o, v])


def TRUNC(n):
    return bytes([7, n])


LOGIN = C(0) + PUMP
SESSION = LOGIN + C(5) + PUMP + C(6, b"\x01") + C(7, b"\x01") + PUMP

userauth_pw = bytes([50]) + s("root") + s("ssh-connection") + s("password") + b"\0" + s("secret")
userauth_kbd = bytes([50]) + s("root") + s("ssh-connection") + s("keyboard-interactive") + s("") + s("")
info_resp = bytes([61]) + u32(2) + s("42") + s("x")
win_adjust = bytes([93]) + u32(0) + u32(0xFFFFFFFF)
data_bad_ch = bytes([94]) + u32(7) + s("x")
env_req = bytes([98]) + u32(0) + s("env") + b"\1" + s("A") + s("b")
glob_fwd = bytes([80]) + s("tcpip-forward") + b"\1" + s("") + u32(0)
ignore = bytes([2]) + s("padding")
debug = bytes([4]) + b"\1" + s("hello") + s("en")
unimpl = bytes([3]) + u32(3)
auth_fail = bytes([51]) + s("publickey,password") + b"\0"
banner = bytes([53]) + s("Welcome\n") + s("")
hostkeys = bytes([80]) + s("hostkeys-00@openssh.com") + b"\0" + s(b"\0\0\0\x08null-sig\0\0\0\x01\x07")
fwd_open = bytes([90]) + s("forwarded-tcpip") + u32(5) + u32(65536) + u32(32768) + s("localhost") + u32(8022) + s("127.0.0.1") + u32(4444)
bogus_confirm = bytes([91]) + u32(3) + u32(9) + u32(1000) + u32(1000)
exit_status = bytes([98]) + u32(0) + s("exit-status") + b"\0" + u32(3)
kexinit_trunc = bytes([20]) + bytes(16) + s("null-kex@fuzz")

seeds = {
    # client to server: the server's handlers
    "c2s_session": b"\0" + SESSION + C(13, B(b"hello"), b"\0") + PUMP + C(16) + PUMP
                   + C(9, b"\1") + C(10, b"\0") + C(11, b"\0") + C(14) + C(15) + PUMP,
    "c2s_password": b"\0" + C(0) + PASS + MOVE + REPLACE(userauth_pw) + PUMP + C(5) + PUMP,
    "c2s_kbdint": b"\0" + C(4) + PUMP + INJECT(userauth_kbd) + PUMP + INJECT(info_resp) + PUMP,
    "c2s_channel": b"\0" + LOGIN + C(5) + PUMP + INJECT(win_adjust) + INJECT(data_bad_ch)
                   + INJECT(env_req) + INJECT(glob_fwd) + INJECT(ignore) + INJECT(debug)
                   + INJECT(unimpl) + PUMP,
    "c2s_rekey": b"\0" + LOGIN + C(16) + XOR(30, 1) + PUMP + C(16) + TRUNC(40) + PUMP,
    "c2s_tcpip": b"\0" + LOGIN + C(19) + PUMP + S(9) + PUMP + C(18, b"\1") + DUP + PUMP
                 + C(18, b"\0") + PUMP + C(17) + PUMP,
    "c2s_window": b"\0" + SESSION + b"\x0e" + S(0, B(bytes(3000)), b"\0") + PUMP
                  + C(13, B(bytes(8000)), b"\0") + DROP + PUMP + b"\x0d\x20" + PUMP,
    # server to client: the client's handlers
    "s2c_authfail": b"\1" + C(0) + MOVE + PASS + MOVE + REPLACE(auth_fail) + PUMP
                    + C(2) + MOVE + INJECT(banner) + PUMP,
    "s2c_session": b"\1" + SESSION + S(0, B(b"out"), b"\0") + DUP + S(1, B(b"err"), b"\1")
                   + S(2, b"\3") + S(3, b"\1") + S(4) + S(5) + PUMP,
    "s2c_inject": b"\1" + SESSION + INJECT(hostkeys) + INJECT(fwd_open) + INJECT(bogus_confirm)
                  + INJECT(exit_status) + INJECT(ignore) + PUMP + S(8) + PUMP + S(7) + PUMP,
    "s2c_rekey": b"\1" + LOGIN + S(6) + REPLACE(kexinit_trunc) + PUMP,
    "s2c_disconnect": b"\1" + LOGIN + S(11) + XOR(9, 0x20) + PUMP,
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "pair")
os.makedirs(out, exist_ok=True)
for name, data in sorted(seeds.items()):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
