#!/usr/bin/python3
"""Raw TCP checks of nanossh-lwip's connection handling (run by
tools/lwip-test.sh inside the demo's namespace).

  lwip_raw.py SLOTS GRACE
  lwip_raw.py stop PID

1. A malformed first packet followed by 32 KiB the engine never takes:
   the server sends SSH_MSG_DISCONNECT and then a FIN, not a RST (a pcb
   closed with unacknowledged received data would answer with a RST and
   drop the DISCONNECT).
2. A connection that never logs in is closed after GRACE seconds (the
   engine's timer, driven by tcp_poll), not before, and its slot is free.
3. With every connection slot taken, one more connection is reset.
4. A connection reset by the client frees its slot for the next one.
With "stop": a client in the middle of the key exchange gets
SSH_MSG_DISCONNECT and a FIN when the server (PID) is told to stop with
SIGTERM, and the server exits.
Exit status 0 when all hold; one line per check on stdout.
"""
import os
import signal
import socket
import struct
import sys
import time

ADDR = (os.environ["NANOSSH_ADDR"], int(os.environ.get("NANOSSH_PORT", "22")))
VERSION = b"SSH-2.0-nanossh"


def connect():
    s = socket.create_connection(ADDR, timeout=10)
    s.settimeout(10)
    return s


def read_until_end(s):
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return data, "eof"
            data += b
    except ConnectionResetError:
        return data, "reset"
    except socket.timeout:
        return data, "timeout"


def plain_packets(data):
    """Message numbers of the unencrypted packets after the version line
    (RFC 4253 section 6: uint32 length, byte padding length, payload)."""
    end = data.find(b"\r\n")
    pos, types = end + 2, []
    while end >= 0 and pos + 5 < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        types.append(data[pos + 5])
        pos += 4 + length
    return types


def banner(s):
    line = s.recv(len(VERSION))
    return line == VERSION


def stop(pid):
    s = connect()
    s.sendall(b"SSH-2.0-raw\r\n")
    data = b""
    while 20 not in plain_packets(data):      # the server's KEXINIT
        data += s.recv(65536)
    # The server sends its KEXINIT without waiting for ours; give it time
    # to take our version line too (before that it owes us no DISCONNECT).
    time.sleep(0.5)
    os.kill(pid, signal.SIGTERM)
    rest, how = read_until_end(s)
    s.close()
    types = plain_packets(data + rest)
    gone = False
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            gone = True
            break
        time.sleep(0.1)
    ok = types[-1:] == [1] and how == "eof" and gone
    print(("ok: " if ok else "FAILED: ") +
          "server stop: DISCONNECT then FIN mid-handshake (messages %s, %s), "
          "server %s" % (types, how, "exited" if gone else "still running"))
    return 0 if ok else 1


def main():
    if sys.argv[1] == "stop":
        return stop(int(sys.argv[2]))
    slots = int(sys.argv[1])
    grace = float(sys.argv[2])
    failed = 0

    def check(ok, text):
        nonlocal failed
        print(("ok: " if ok else "FAILED: ") + text)
        failed += not ok

    # the idle connection of check 2, opened first so it ages meanwhile
    idle = connect()
    idle_start = time.monotonic()
    idle_banner = banner(idle)

    # 1. bad packet length field, then junk
    s = connect()
    s.sendall(b"SSH-2.0-raw\r\n" + b"\x00\x00\x00\x0c\x0a\x14" + b"\xff" * 12
              + b"\xee" * 32768)
    data, how = read_until_end(s)
    s.close()
    types = plain_packets(data)
    check(data.startswith(VERSION) and 1 in types and how == "eof",
          "malformed packet: DISCONNECT then FIN (got messages %s, %s)"
          % (types, how))

    # 2. the idle one is closed after the grace time (poll every second)
    idle.settimeout(grace + 10)
    data, how = read_until_end(idle)
    took = time.monotonic() - idle_start
    idle.close()
    check(idle_banner and how in ("eof", "reset") and grace - 0.5 <= took <= grace + 4,
          "idle connection closed after %.1f s (login grace %g s, %s)"
          % (took, grace, how))

    # 3. every slot taken: one more is reset
    held = [connect() for _ in range(slots)]
    check(all(banner(h) for h in held), "%d connections at once" % slots)
    try:
        x = connect()
        data, how = read_until_end(x)
        x.close()
    except (ConnectionRefusedError, ConnectionResetError) as e:
        data, how = b"", "refused at connect: %s" % e
    check(how != "timeout" and not data,
          "connection over the %d slots refused (%s)" % (slots, how))

    # 4. a reset frees the slot
    h = held.pop()
    h.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close()
    ok = False
    for _ in range(20):
        time.sleep(0.1)
        y = connect()
        try:
            ok = banner(y)
        except (ConnectionResetError, socket.timeout):
            ok = False
        y.close()
        if ok:
            break
    check(ok, "slot free again after the client's reset")
    for h in held:
        h.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
