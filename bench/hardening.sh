#!/usr/bin/env bash
# nanosshd's hardening figures (see bench/hardening.py): idle-connection
# floods, parallel password guessing and DHEat, against nanosshd and
# Debian's OpenSSH sshd, with the per-source limits and penalties on and off.
#
#   bench/hardening.sh [--tests flood,guess,dheat] [--floods 100,200]
#                      [--guess-seconds S] [--no-sshd] [--json FILE]
#                      [--nanosshd-opt UsePrivilegeSeparation=yes]
#
# Runs as root: installs the peer and paramiko from Debian if missing,
# creates a throwaway /bin/sh account with a random password and removes
# it at the end; builds build/nanosshd if missing (NANOSSHD overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    echo "bench/hardening.sh must run as root" >&2
    exit 2
fi
. tools/deps.sh
ensure_packages build-essential cmake pkg-config libssl-dev libpam0g-dev \
    openssh-client openssh-server python3 python3-paramiko \
    python3-cryptography passwd
ensure_privsep_user
ensure_pam_service
NANOSSHD=${NANOSSHD:-build/nanosshd}
if [ ! -x "$NANOSSHD" ]; then
    cmake -B build -S . -DNSSH_BUILD_TESTS=OFF
    cmake --build build -j "${JOBS:-2}" --target nanosshd
fi
exec /usr/bin/python3 bench/hardening.py --nanosshd "$NANOSSHD" "$@"
