#!/usr/bin/env bash
# Build an OpenSSH client from a portable source tree (a release tarball or
# a checkout of openssh-portable, e.g. tag V_10_2_P1) into a prefix, so the
# firmware and interop tests can run a newer client than the distribution's
# (Debian 12 ships 9.2; OpenSSH 10 makes mlkem768x25519-sha256 the default
# key exchange).
#
#   tools/openssh-build.sh SOURCE_DIR PREFIX
#
# The source tree is built in place (out of this repository: OpenSSH's
# source is never part of nanossh). The client then is PREFIX/bin/ssh, with
# sftp, scp and ssh-keygen next to it; point the tests at it with
#   NSSH_SSH10=PREFIX/bin/ssh tools/mcu-test.sh
# Debian packages it needs: build-essential autoconf libssl-dev zlib1g-dev.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_DIR PREFIX" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
prefix=$(cd "$2" && pwd)
case "$prefix" in
"$(cd "$(dirname "$0")/.." && pwd)"/*)
    echo "$0: install OpenSSH outside the nanossh tree" >&2
    exit 2
    ;;
esac
[ -f "$src/ssh.c" ] && [ -f "$src/configure.ac" ] || {
    echo "$0: $src is not an OpenSSH portable source tree" >&2
    exit 2
}

# shellcheck source=tools/deps.sh
. "$(dirname "$0")/deps.sh"
ensure_packages build-essential autoconf libssl-dev zlib1g-dev

cd "$src"
[ -x configure ] || autoreconf -i >/dev/null
# Only the client programs are wanted: no PAM, no Kerberos, no
# privilege-separation user (the server is not installed or run), and a
# private configuration directory so the host's /etc/ssh is left alone.
./configure --prefix="$prefix" --sysconfdir="$prefix/etc" \
    --with-privsep-path="$prefix/var/empty" \
    --without-openssl-header-check --without-pam --without-kerberos5 \
    --without-selinux --with-zlib >configure.log 2>&1 || {
    tail -n 30 configure.log >&2
    exit 1
}
nice -n 10 make -j"${JOBS:-2}" ssh scp sftp ssh-keygen >make.log 2>&1 || {
    tail -n 30 make.log >&2
    exit 1
}
install -d "$prefix/bin" "$prefix/etc"
install -m 755 ssh scp sftp ssh-keygen "$prefix/bin/"
# An empty client configuration: the tests pass their options on the
# command line.
[ -f "$prefix/etc/ssh_config" ] || : >"$prefix/etc/ssh_config"
"$prefix/bin/ssh" -V
