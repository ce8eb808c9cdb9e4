#!/usr/bin/env bash
# The nanossh benchmark: nanosshd beside OpenSSH's sshd, Dropbear and
# TinySSH, on this machine, in one interleaved run.
#
#   bench/run.sh [--quick] [--size MIB] [--rounds N] [--logins N]
#                [--sessions 1,10,100] [--servers nanosshd,sshd,...]
#                [--load-sessions 1,10,100,1000]
#                [--single-sessions 1,10,100,1000,10000] [--tests ...]
#                [--ssh PATH-TO-SSH] [--out DIR]
#
# Runs as root: installs the peers from Debian if missing (openssh-server,
# dropbear-bin, tinysshd, ucspi-tcp) and matplotlib for the plots, builds
# build/nanosshd if missing, creates a throwaway user with /bin/sh, starts
# every server on 127.0.0.1 with fresh keys, and removes all of it at the
# end. Results: DIR/results.json, DIR/BENCHMARKS.md and DIR/*.png (DIR is
# bench/results unless --out says otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    echo "bench/run.sh must run as root" >&2
    exit 2
fi
. tools/deps.sh
ensure_packages build-essential cmake pkg-config libssl-dev libpam0g-dev \
    openssh-client openssh-server dropbear-bin tinysshd ucspi-tcp \
    python3 python3-matplotlib passwd
# A root nanosshd's pre-auth child runs as this system user.
ensure_privsep_user
NANOSSHD=${NANOSSHD:-build/nanosshd}
# nanossh-loadgen (the sessions test's client) is built beside nanosshd.
if [ ! -x "$NANOSSHD" ] || [ ! -x "$(dirname "$NANOSSHD")/nanossh-loadgen" ]; then
    cmake -B build -S . -DNSSH_BUILD_TESTS=OFF
    cmake --build build -j "${JOBS:-2}" --target nanosshd nanossh-loadgen
fi
exec /usr/bin/python3 bench/bench.py --nanosshd "$NANOSSHD" "$@"
