#!/usr/bin/env bash
# nanossh on lwIP against OpenSSH, through tools/lwip-demo.sh.
#
#   tools/lwip-test.sh [BUILD-DIR]      (default build; as root)
#
# First compiles the adapter for Cortex-M4 against lwIP's NO_SYS=1
# options. Then starts BUILD-DIR/nanossh-lwip in a network namespace of its
# own (tools/lwip-demo.sh), once with the compact crypto backend and once
# with OpenSSL, and checks there with OpenSSH: commands with the
# authorized key over IPv4 and IPv6 (output and exit status), a wrong key
# refused, a pty shell, sftp put and get of 40 KiB and 1 MiB (SHA-256
# compared, also with the device's sha256 command and an ssh cat), two
# downloads at once; raw TCP clients (tools/lwip_raw.py) check the
# DISCONNECT-then-FIN after a bad packet, the login grace timeout, the
# connection slots, and last that SIGTERM sends a client DISCONNECT. The
# server's log must show no sanitizer report.
#
# Prints "PASSED FAILED" on the first line of stdout and one line for each
# failure after it (the format tools/test.sh's add_parsed reads); details
# go to stderr.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ "${1:-}" != "--inner" ]; then
    BUILD=$(cd "${1:-build}" && pwd) || { echo "0 1"; echo "lwip: no build folder ${1:-build}"; exit 1; }
    P=0 F=0 NOTES=()
    GRACE=4    # seconds a connection may take to log in (lwip_raw.py waits it out)
    # The adapter without an OS: NO_SYS=1, compiled for Cortex-M4.
    ARM=$(mktemp -d)
    if arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=gnu11 -Wall -Wextra \
        -Wno-unused-parameter -Werror -Iport/lwip/nosys -Iinclude -Iport/lwip \
        -I/usr/include/lwip -c port/lwip/lwip_conn.c -o "$ARM/conn.o" &&
        arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=gnu11 -Wall -Wextra \
        -Wno-unused-parameter -Werror -Iport/lwip/nosys -Iinclude -Iport/lwip \
        -I/usr/include/lwip -c port/lwip/lwip_server.c -o "$ARM/server.o"; then
        echo "ok: adapter for Cortex-M4 with NO_SYS=1: $(arm-none-eabi-size -t "$ARM"/*.o | awk 'END { print $1 }') bytes of code" >&2
        P=$((P + 1))
    else
        F=$((F + 1)); NOTES+=("lwip: the adapter does not compile for Cortex-M4 with NO_SYS=1")
    fi
    rm -rf "$ARM"

    # The OpenSSH checks, once with each crypto backend of the server.
    for crypto in compact openssl; do
        OUT=$(mktemp)
        LOG=$BUILD/lwip-demo/test-server-$crypto.log
        mkdir -p "$BUILD/lwip-demo"
        echo "== nanossh-lwip with $crypto crypto" >&2
        NANOSSH_BUILD=$BUILD NANOSSH_LWIP_LOG=$LOG LWIP_GRACE=$GRACE \
            NANOSSH_LWIP_ARGS="--login-grace $GRACE" \
            timeout 300 "$ROOT/tools/lwip-demo.sh" --crypto "$crypto" -- \
            "$ROOT/tools/lwip-test.sh" --inner "$OUT" >&2
        rc=$?
        if [ -s "$OUT" ]; then
            counts=$(head -n1 "$OUT")
            P=$((P + ${counts% *})) F=$((F + ${counts#* }))
            while read -r n; do
                NOTES+=("lwip ($crypto): $n")
            done < <(tail -n +2 "$OUT")
        else
            F=$((F + 1))
            NOTES+=("lwip ($crypto): lwip-demo.sh failed before the checks ran (status $rc)")
        fi
        rm -f "$OUT"
        # After the server stopped: no sanitizer report (leaks come at exit).
        if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$LOG"; then
            echo "sanitizer report in the server log:" >&2
            cat "$LOG" >&2
            F=$((F + 1)); NOTES+=("lwip ($crypto): sanitizer report in $LOG")
        fi
    done
    echo "$P $F"
    for n in "${NOTES[@]+"${NOTES[@]}"}"; do
        echo "$n"
    done
    [ "$F" -eq 0 ]
    exit
fi

# ---- inside the namespace -------------------------------------------------
RESULT=$2
: "${NANOSSH_ADDR:?} ${NANOSSH_ADDR6:?} ${NANOSSH_IDENTITY:?} ${NANOSSH_USER:?}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PASSED=0 FAILED=0 NOTES=()

pass() { PASSED=$((PASSED + 1)); echo "ok: $1" >&2; }
fail() { FAILED=$((FAILED + 1)); NOTES+=("$1"); echo "FAILED: $1" >&2; }

OPTS=(-o BatchMode=yes -o StrictHostKeyChecking=no
      -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20)
sshc() { timeout 60 ssh "${OPTS[@]}" -p "${NANOSSH_PORT:-22}" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# 1. A command with the authorized key: its output and exit status.
out=$(sshc -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR" echo hello lwip 2>"$WORK/err")
rc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "hello lwip" ]; then
    pass "ssh echo"
else
    fail "ssh echo: status $rc, output '$out' ($(head -c 300 "$WORK/err"))"
fi

# 1b. The same over IPv6 (the listener takes both: IP_ANY_TYPE).
out=$(sshc -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR6" echo over ipv6 2>"$WORK/err")
rc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "over ipv6" ]; then
    pass "ssh echo over IPv6"
else
    fail "ssh over IPv6: status $rc, output '$out' ($(head -c 300 "$WORK/err"))"
fi

# 2. A command that fails: its exit status reaches the client.
sshc -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR" no-such-command \
    >/dev/null 2>"$WORK/err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 255 ]; then
    pass "exit status $rc of a failing command"
else
    fail "failing command: status $rc, expected the command's own ($(head -c 300 "$WORK/err"))"
fi

# 3. Another key is refused.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/wrong" </dev/null
sshc -i "$WORK/wrong" -o IdentitiesOnly=yes "$NANOSSH_USER@$NANOSSH_ADDR" \
    echo should-not-run >"$WORK/out" 2>"$WORK/err"
rc=$?
if [ "$rc" -eq 255 ] && grep -q 'Permission denied' "$WORK/err" &&
    [ ! -s "$WORK/out" ]; then
    pass "wrong key refused"
else
    fail "wrong key: status $rc, stdout '$(head -c 100 "$WORK/out")', stderr '$(head -c 300 "$WORK/err")'"
fi

# 4. Raw TCP: a bad packet gets DISCONNECT and FIN, an idle connection is
# closed after the login grace time (the engine's timer on tcp_poll),
# slots run out and come back after a reset (tools/lwip_raw.py; the
# server has 4 slots).
if timeout 120 /usr/bin/python3 "$ROOT/tools/lwip_raw.py" 4 "${LWIP_GRACE:-4}" >"$WORK/raw" 2>&1; then
    pass "raw TCP: $(grep -c '^ok' "$WORK/raw") connection-handling checks"
else
    fail "raw TCP: $(grep -v '^ok' "$WORK/raw" | tr '\n' ' ' | head -c 400)"
fi

# 5. A pty shell: typed lines run, "exit 3" becomes the exit status.
printf 'echo pty-ok\rexit 3\r' |
    sshc -tt -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR" \
    >"$WORK/pty" 2>"$WORK/err"
rc=$?
if [ "$rc" -eq 3 ] && grep -qx $'pty-ok\r' "$WORK/pty"; then
    pass "pty shell"
else
    fail "pty shell: status $rc, output '$(head -c 300 "$WORK/pty" | tr -d '\r')' ($(head -c 200 "$WORK/err"))"
fi

# 6. SFTP: put and get 40 KiB and 1 MiB (sixteen TCP windows of lwIP, so
# the held pbufs and tcp_recved pacing carry it one way and tcp_sndbuf
# and tcp_sent the other), equal SHA-256; the device's sha256 command and
# a cat through ssh agree.
head -c 40960 /dev/urandom >"$WORK/up1"
head -c 1048576 /dev/urandom >"$WORK/up2"
printf 'put %s a.bin\nput %s b.bin\nget a.bin %s\nget b.bin %s\nrm a.bin\n' \
    "$WORK/up1" "$WORK/up2" "$WORK/down1" "$WORK/down2" >"$WORK/batch"
start=$(ms)
timeout 120 sftp "${OPTS[@]}" -P "${NANOSSH_PORT:-22}" -i "$NANOSSH_IDENTITY" \
    -b "$WORK/batch" "$NANOSSH_USER@$NANOSSH_ADDR" >"$WORK/sftp.out" 2>&1
rc=$?
took=$(($(ms) - start))
for i in 1 2; do
    up=$(sha256sum <"$WORK/up$i" | cut -d' ' -f1)
    down=$(sha256sum <"$WORK/down$i" 2>/dev/null | cut -d' ' -f1)
    if [ "$rc" -eq 0 ] && [ "$up" = "$down" ]; then
        pass "sftp put + get of $(stat -c %s "$WORK/up$i") bytes, SHA-256 equal"
    else
        fail "sftp round trip $i: status $rc, sha256 $up vs ${down:-none} ($(tail -c 300 "$WORK/sftp.out"))"
    fi
done
echo "   (sftp batch took $took ms)" >&2
sum=$(sha256sum <"$WORK/up2" | cut -d' ' -f1)
out=$(sshc -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR" sha256 b.bin 2>&1)
if [ "${out%% *}" = "$sum" ]; then
    pass "sha256 on the device matches"
else
    fail "sha256 b.bin on the device: '$out'"
fi
start=$(ms)
out=$(sshc -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR" cat b.bin | sha256sum | cut -d' ' -f1)
if [ "$out" = "$sum" ]; then
    pass "1 MiB through ssh cat in $(($(ms) - start)) ms"
else
    fail "ssh cat b.bin: sha256 $out, expected $sum"
fi

# 7. Two downloads at once on two connections, both intact.
for i in 1 2; do
    sshc -i "$NANOSSH_IDENTITY" "$NANOSSH_USER@$NANOSSH_ADDR" cat b.bin \
        2>"$WORK/perr$i" | sha256sum | cut -d' ' -f1 >"$WORK/par$i" &
done
wait
if [ "$(cat "$WORK/par1")" = "$sum" ] && [ "$(cat "$WORK/par2")" = "$sum" ]; then
    pass "two 1 MiB downloads at once"
else
    fail "parallel downloads: $(cat "$WORK/par1") $(cat "$WORK/par2"), expected $sum ($(head -c 200 "$WORK/perr1" "$WORK/perr2"))"
fi

# 8. Last, as it ends the server: SIGTERM while a client is in the key
# exchange (nssh_lwip_server_stop).
if timeout 30 /usr/bin/python3 "$ROOT/tools/lwip_raw.py" stop "$NANOSSH_LWIP_PID" >"$WORK/stop" 2>&1; then
    pass "$(sed 's/^ok: //' "$WORK/stop")"
else
    fail "$(tr '\n' ' ' <"$WORK/stop" | head -c 400)"
fi

{
    echo "$PASSED $FAILED"
    for n in "${NOTES[@]+"${NOTES[@]}"}"; do
        echo "$n"
    done
} >"$RESULT"
[ "$FAILED" -eq 0 ]
