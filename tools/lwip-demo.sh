#!/usr/bin/env bash
# Run a command against nanossh on lwIP, in a network namespace of its own.
#
#   tools/lwip-demo.sh [--authorized-key FILE.pub] [--user NAME]
#                      [--crypto compact|openssl] [--verbose] -- CMD [ARGS...]
#
# As root: creates a network namespace with a TAP device, starts
# nanossh-lwip on that TAP (lwIP has its own addresses, 10.99.0.2/30 and
# fd00:99::2/64; the namespace's kernel side of the TAP is 10.99.0.1/30 and
# fd00:99::1/64), runs CMD inside the namespace with
#   NANOSSH_ADDR   the server's address        NANOSSH_PORT  22
#   NANOSSH_ADDR6  its IPv6 address
#   NANOSSH_USER   the login name              NANOSSH_LWIP_PID  server's PID
#   NANOSSH_LWIP_LOG  the server's log
#                  (BUILD/lwip-demo/server.log unless NANOSSH_LWIP_LOG is set)
#   NANOSSH_IDENTITY  the private key to log in with, when this script made
#                  the key pair (no --authorized-key given)
# then stops the server, deletes the namespace (also on failure or a
# signal) and exits with CMD's status. Nothing is configured outside the
# namespace.
#
# The server is BUILD/nanossh-lwip (BUILD: $NANOSSH_BUILD, default build/),
# built when missing. The host key is made once with ssh-keygen in
# BUILD/lwip-demo/ and kept. Without --authorized-key a client key pair is
# made there too. The user is "admin" unless --user says otherwise. The
# server's crypto is the compact backend unless --crypto openssl.
# NANOSSH_LWIP_ARGS adds arguments to the server's command line (e.g.
# "--login-grace 3").
#
# Example:
#   tools/lwip-demo.sh -- sh -c 'ssh -i "$NANOSSH_IDENTITY" \
#       -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
#       "$NANOSSH_USER@$NANOSSH_ADDR" echo hello'
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

usage() {
    sed -n '4,5p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

AUTHKEY= USER_NAME=admin VERBOSE=() CRYPTO=compact
while [ $# -gt 0 ]; do
    case $1 in
    --authorized-key) AUTHKEY=${2:?}; shift 2 ;;
    --user) USER_NAME=${2:?}; shift 2 ;;
    --crypto) CRYPTO=${2:?}; shift 2 ;;
    --verbose) VERBOSE+=(-v -v); shift ;;
    --) shift; break ;;
    *) usage ;;
    esac
done
[ $# -gt 0 ] || usage
if [ "$(id -u)" -ne 0 ]; then
    echo "lwip-demo: must run as root (it creates a network namespace)" >&2
    exit 2
fi

BUILD=${NANOSSH_BUILD:-$ROOT/build}
BIN=$BUILD/nanossh-lwip
STATE=$BUILD/lwip-demo
if [ ! -x "$BIN" ]; then
    echo "lwip-demo: building $BIN" >&2
    { cmake -B "$BUILD" -S "$ROOT" && cmake --build "$BUILD" -j2 --target nanossh-lwip; } >&2
fi
mkdir -p "$STATE"
chmod 700 "$STATE"
HOSTKEY=$STATE/ssh_host_ed25519_key
[ -f "$HOSTKEY" ] || ssh-keygen -q -t ed25519 -N '' -C nanossh-lwip -f "$HOSTKEY"
if [ -z "$AUTHKEY" ]; then
    IDENTITY=$STATE/client_ed25519
    [ -f "$IDENTITY" ] || ssh-keygen -q -t ed25519 -N '' -C lwip-demo -f "$IDENTITY"
    AUTHKEY=$IDENTITY.pub
    export NANOSSH_IDENTITY=$IDENTITY
fi
[ -r "$AUTHKEY" ] || { echo "lwip-demo: cannot read $AUTHKEY" >&2; exit 2; }

NS=nanossh-lwip-$$-$RANDOM
TAP=nsshtap0
KERNEL_ADDR=10.99.0.1
LWIP_ADDR=10.99.0.2
KERNEL_ADDR6=fd00:99::1
LWIP_ADDR6=fd00:99::2
LOG=${NANOSSH_LWIP_LOG:-$STATE/server.log}
SERVER_PID=

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" addr add "$KERNEL_ADDR/30" dev "$TAP"
ip -n "$NS" addr add "$KERNEL_ADDR6/64" dev "$TAP" nodad
ip -n "$NS" link set "$TAP" up

# ip netns exec execs the server itself, so $! is its PID.
ip netns exec "$NS" "$BIN" --tap "$TAP" --addr "$LWIP_ADDR/30" --addr6 "$LWIP_ADDR6" \
    --gateway "$KERNEL_ADDR" --host-key "$HOSTKEY" --authorized-key "$AUTHKEY" \
    --user "$USER_NAME" --crypto "$CRYPTO" "${VERBOSE[@]}" \
    ${NANOSSH_LWIP_ARGS:-} >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$LOG" && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "lwip-demo: the server did not start:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.1
done
if ! grep -q 'listening on' "$LOG"; then
    echo "lwip-demo: the server did not come up within 10 s:" >&2
    cat "$LOG" >&2
    exit 1
fi

set +e
ip netns exec "$NS" env NANOSSH_ADDR="$LWIP_ADDR" NANOSSH_ADDR6="$LWIP_ADDR6" \
    NANOSSH_PORT=22 \
    NANOSSH_USER="$USER_NAME" NANOSSH_LWIP_LOG="$LOG" \
    NANOSSH_LWIP_PID="$SERVER_PID" "$@"
rc=$?
set -e
exit "$rc"
