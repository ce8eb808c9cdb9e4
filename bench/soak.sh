#!/usr/bin/env bash
# The nanosshd soak (see bench/soak.py): 8 sessions x 256 MiB each way with
# RekeyLimit 1M, then 200 clients killed mid-transfer, in both process
# models; fails on a corrupt transfer or on any process, descriptor or
# memory left behind.
#
#   bench/soak.sh [--smoke] [--privsep yes,no] [--sessions N] [--size MIB]
#                 [--rekey 1M] [--kills N] [--kill-parallel N] [--json FILE]
#
# Runs as root: creates a throwaway /bin/sh account and removes it at the
# end; builds build/nanosshd if missing (NANOSSHD overrides the path).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    echo "bench/soak.sh must run as root" >&2
    exit 2
fi
. tools/deps.sh
ensure_packages build-essential cmake pkg-config libssl-dev libpam0g-dev \
    openssh-client python3 passwd
# The pre-auth child of UsePrivilegeSeparation yes runs as this user, and
# passwords and sessions go through this PAM service.
ensure_privsep_user
ensure_pam_service
NANOSSHD=${NANOSSHD:-build/nanosshd}
if [ ! -x "$NANOSSHD" ]; then
    cmake -B build -S . -DNSSH_BUILD_TESTS=OFF
    cmake --build build -j "${JOBS:-2}" --target nanosshd
fi
exec /usr/bin/python3 bench/soak.py --nanosshd "$NANOSSHD" "$@"
