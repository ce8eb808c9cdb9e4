#!/usr/bin/env bash
# Build nanossh and run the daemon in the foreground on 127.0.0.1:2222.
#
#   ./tools/run.sh [extra nanosshd options]
#
# Installs missing build packages (Debian 12), builds in build/, prints the
# ssh command to connect, then runs build/nanosshd until Ctrl-C. Host keys
# are made on first start in the state directory (/var/lib/nanossh as root,
# ~/.local/state/nanossh otherwise).
set -euo pipefail

cd "$(dirname "$0")/.."
. tools/deps.sh

PORT=2222
ensure_packages build-essential cmake pkg-config libssl-dev libpam0g-dev \
    openssh-client openssh-sftp-server
# Password logins go through PAM service "nanossh".
ensure_pam_service
# UsePrivilegeSeparation's pre-auth child runs as this system user.
ensure_privsep_user

# The unit tests need cmocka; running the daemon does not.
cmake -B build -S . -DNSSH_BUILD_TESTS=OFF
cmake --build build -j "${JOBS:-2}"

# Who will log in: under sudo, the user who invoked it.
login_user=${SUDO_USER:-$(id -un)}
login_home=$(getent passwd "$login_user" | cut -d: -f6)

echo
echo "nanosshd listens on 127.0.0.1:$PORT. Connect with:"
echo
echo "    ssh -p $PORT $login_user@127.0.0.1"
echo
if [ "$(id -u)" -eq 0 ]; then
    echo "The daemon runs as root and serves every user of this machine; each"
    echo "logs in with a key from their own ~/.ssh/authorized_keys."
    [ -n "${SUDO_USER:-}" ] &&
        echo "You ($SUDO_USER) log in with your own key, not root's."
else
    echo "The daemon runs as $login_user and serves only $login_user."
fi
if [ ! -s "$login_home/.ssh/authorized_keys" ]; then
    echo
    echo "$login_home/.ssh/authorized_keys is empty or missing. To add a key:"
    echo "    ssh-keygen -t ed25519 && cat ~/.ssh/id_ed25519.pub >> ~/.ssh/authorized_keys"
fi
echo
exec build/nanosshd -D -e -p "$PORT" -o ListenAddress=127.0.0.1 "$@"
