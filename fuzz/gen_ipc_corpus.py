#!/usr/bin/env python3
"""Seeds for the ipc fuzz target (fuzz/ipc_target.h) into fuzz/corpus/ipc.

An input is what a pre-auth child writes to its monitor: frames of
uint32 length || body, the body a type byte and fields (ipc.h). The
seeds follow a login as the child asks for it: one host key signature,
the user's first request, public key queries and a signed attempt for
root with the key of fuzz/ipc_user_key.pub (its signature is not valid:
nobody holds the private key, so the monitor refuses it after parsing
the signed data), a user that does not exist, methods that are off, and
requests out of order that the monitor must treat as hostile.
Usage: gen_ipc_corpus.py [DIR]
"""
import base64
import os
import struct
import sys

SIGN, AUTHREQ, PUBKEY, VERIFY, PASSWORD, RESULT, EXPORT, KBDINT, COMPLETE = range(1, 10)
ANSWER = 64
here = os.path.dirname(os.path.abspath(__file__))


def u32(v):
    return struct.pack(">I", v)


def s(b):
    b = b.encode() if isinstance(b, str) else b
    return u32(len(b)) + b


def frame(body):
    return u32(len(body)) + body


with open(os.path.join(here, "ipc_user_key.pub")) as f:
    blob = base64.b64decode(f.read().split()[1])
ALG = "ssh-ed25519"
H = bytes(range(32))        # the exchange hash the child asks to sign


def sign(index=0, h=H):
    return frame(bytes([SIGN]) + u32(index) + s(h))


def authreq(user, method):
    return frame(bytes([AUTHREQ]) + s(user) + s(method))


def pubkey(user, has_sig, alg=ALG, key=blob):
    return frame(bytes([PUBKEY]) + s(user) + s(alg) + s(key) + bytes([has_sig]))


def signed_data(user, sid=H):
    return (s(sid) + bytes([50]) + s(user) + s("ssh-connection") + s("publickey")
            + b"\1" + s(ALG) + s(blob))


def verify(user, sig_alg=ALG):
    return frame(bytes([VERIFY]) + s(blob) + s(signed_data(user)) + s(s(sig_alg) + s(bytes(64))))


def password(user, pw, none=0):
    return frame(bytes([PASSWORD]) + s(user) + s(pw) + bytes([none]))


def result(user, method, alg, key, ok, partial):
    return frame(bytes([RESULT]) + s(user) + s(method) + s(alg) + s(key) + bytes([ok, partial]))


def kbdint(user, answers=None):
    body = bytes([KBDINT]) + s(user) + s("") + bytes([1 if answers is not None else 0])
    answers = answers or []
    return frame(body + u32(len(answers)) + b"".join(s(a) for a in answers))


def complete(user, method):
    return frame(bytes([COMPLETE]) + s(user) + s(method))


def export(data):
    return frame(bytes([EXPORT]) + s(data))


answer = frame(bytes([ANSWER]) + b"\1" + u32(0) + s("") + s("") + u32(1) + u32(6)
               + struct.pack(">Q", 1 << 30) + u32(0) + s("root") + b"\1")

seeds = {
    "root_signed_attempt": sign() + authreq("root", "publickey") + pubkey("root", 0)
                           + pubkey("root", 1) + verify("root")
                           + result("root", "publickey", ALG, blob, 0, 0),
    "root_wrong_sig_alg": sign(0, bytes(64)) + authreq("root", "publickey") + pubkey("root", 1)
                          + frame(bytes([VERIFY]) + s(blob) + s(signed_data("root", bytes(64)))
                                  + s(s("rsa-sha2-256") + s(bytes(64)))),
    "no_such_user": sign(0, bytes(20)) + authreq("nanossh-fuzz-nobody", "publickey")
                    + pubkey("nanossh-fuzz-nobody", 1)
                    + result("nanossh-fuzz-nobody", "publickey", ALG, blob, 0, 0)
                    + authreq("nanossh-fuzz-nobody", "none"),
    "methods_off": sign() + authreq("root", "password") + password("root", "hunter2")
                   + password("root", "", 1) + kbdint("root") + kbdint("root", ["1", ""]),
    "other_user": sign() + authreq("root", "publickey") + pubkey("daemon", 0),
    "success_not_decided": sign() + authreq("root", "publickey") + complete("root", "publickey"),
    "result_ok_forged": sign() + authreq("root", "publickey")
                        + result("root", "publickey", ALG, blob, 1, 0),
    "export_early": sign() + export(b"\0" * 64),
    "auth_before_kex": authreq("root", "publickey"),
    "second_sign": sign() + sign(),
    "bad_index": sign(7),
    "answer_from_child": answer,
    "verify_unapproved": sign() + authreq("root", "publickey") + verify("root"),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "ipc")
os.makedirs(out, exist_ok=True)
for name, data in sorted(seeds.items()):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
