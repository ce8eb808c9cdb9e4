#!/usr/bin/env bash
# Run the nanossh firmware in QEMU (netduinoplus2, STM32F405) with its SSH
# byte stream on 127.0.0.1:PORT.
#
#   tools/mcu-demo.sh [--port PORT] [--authorized-key FILE.pub] [--user NAME]
#                     [--log FILE] [--icount] [--sntrup] [--build DIR]
#
#   --port            TCP port QEMU listens on for USART1 (default 2223)
#   --authorized-key  ssh-ed25519 public key(s) allowed to log in
#                     (default ~/.ssh/id_ed25519.pub)
#   --user            the user name to log in as (default admin)
#   --log             write the firmware's diagnostics (USART2) to FILE
#                     instead of standard output
#   --icount          run QEMU with -icount shift=0 (one instruction per
#                     virtual nanosecond; what the figures use)
#   --sntrup          run the image with sntrup761x25519-sha512 too (the
#                     build option; OpenSSH 9.2 then gets a post-quantum
#                     key exchange)
#   --build           build folder (default build-mcu; its path must
#                     contain "mcu")
#
# Builds what is missing (make -f port/netduinoplus2/firmware.mk), makes
# the host key once (BUILD/ssh_host_ed25519_key), writes a provisioning
# block with a fresh 32-byte seed from /dev/urandom for this boot, and runs
# QEMU in the foreground until SIGINT or SIGTERM. Then:
#
#   ssh -p 2223 admin@127.0.0.1
#   sftp -P 2223 admin@127.0.0.1
set -euo pipefail

cd "$(dirname "$0")/.."
PORT=2223
AUTH_KEY="${HOME:-/root}/.ssh/id_ed25519.pub"
USER_NAME="admin"
LOG=
ICOUNT=()
BUILD=${MCU_BUILD:-build-mcu}
VARIANT=
TARGET=all

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
    case $1 in
    --port) PORT=$2; shift 2 ;;
    --authorized-key) AUTH_KEY=$2; shift 2 ;;
    --user) USER_NAME=$2; shift 2 ;;
    --log) LOG=$2; shift 2 ;;
    --icount) ICOUNT=(-icount shift=0); shift ;;
    --sntrup) VARIANT=-sntrup; TARGET=sntrup; shift ;;
    --build) BUILD=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "mcu-demo: unknown argument $1" >&2; usage ;;
    esac
done
case $BUILD in *mcu*) ;; *) echo "mcu-demo: the build folder's path must contain 'mcu'" >&2; exit 2 ;; esac
if [ ! -r "$AUTH_KEY" ]; then
    echo "mcu-demo: no authorized key at $AUTH_KEY (make one with ssh-keygen -t ed25519, or pass --authorized-key)" >&2
    exit 2
fi
. tools/deps.sh
ensure_packages make gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm \
    openssh-client python3 >&2

make -s -j2 -f port/netduinoplus2/firmware.mk BUILD="$BUILD" "$TARGET" >&2
ELF=$BUILD/nanossh-fw$VARIANT.elf
HOSTKEY=$BUILD/ssh_host_ed25519_key
if [ ! -f "$HOSTKEY" ]; then
    ssh-keygen -q -t ed25519 -N '' -C nanossh-firmware -f "$HOSTKEY"
fi

# The block holds this boot's seed: private to us, removed when QEMU ends.
PROV=$(mktemp "$BUILD/provision.XXXXXX")
QEMU_PID=
cleanup() {
    if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null || true; wait "$QEMU_PID" 2>/dev/null || true; fi
    rm -f "$PROV"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
python3 tools/mcu-provision.py --hostkey "$HOSTKEY" --authorized-key "$AUTH_KEY" \
    --user "$USER_NAME" -o "$PROV"

echo "mcu-demo: firmware on 127.0.0.1:$PORT (ssh -p $PORT $USER_NAME@127.0.0.1); host key $(ssh-keygen -l -f "$HOSTKEY.pub" | awk '{print $2}')" >&2
qemu-system-arm -M netduinoplus2 -display none -monitor none "${ICOUNT[@]}" \
    -serial "tcp:127.0.0.1:$PORT,server=on,wait=off" \
    -serial "file:${LOG:-/dev/stdout}" \
    -kernel "$ELF" \
    -device "loader,file=$PROV,addr=0x2002FE00,force-raw=on" &
QEMU_PID=$!
wait "$QEMU_PID"
