#!/usr/bin/env bash
# Run OpenSSH's own regression suite (regress/ of openssh-portable) against
# nanosshd, or against that OpenSSH's sshd for comparison.
#
#   tools/openssh-regress.sh [options] SRC [TEST...]
#
# SRC is an OpenSSH portable source tree (a release tarball or a checkout of
# https://github.com/openssh/openssh-portable, e.g. tag V_10_5_P1). It is
# never modified and never part of nanossh: it is copied to the work
# directory, configured and built there (the programs and the regress
# helpers), and the suite runs from that copy, since the tests keep their
# keys, configurations and logs next to the helper binaries.
#
# Each test runs through regress/test-exec.sh with TEST_SSH_SSHD set to the
# server under test; the suite writes an sshd_config (StrictModes,
# SshdSessionPath, ModuliFile, PerSourcePenalties, HostKey lines, ...),
# checks it with `-t`, and starts the server either as a daemon with
# `-f sshd_config -E logfile` or through ProxyCommand as `-i -f sshd_proxy`.
# The client side (ssh, scp, sftp, ssh-keygen, ssh-agent) is the built
# OpenSSH.
#
# Options:
#   --sshd             test that OpenSSH's own sshd instead of nanosshd
#   --nanosshd PATH    the nanosshd to test (default: build/nanosshd)
#   --work DIR         work directory (default: $TMPDIR/nanossh-openssh-regress)
#   --timeout SECONDS  per test (default 900)
#   --list             print the default test list and exit
#   --keep-going       (default) run every test; failures do not stop the run
#
# Without TEST names it runs the server-side tests listed below (COMPAT.md
# explains the list and every result). Per test it prints PASS, FAIL or
# SKIP (the suite said SKIPPED: not counted as a pass) with the seconds it
# took, then the totals; the log of each test is in WORK/logs-<server>/.
# Exit status: 0 when every test passed, 1 otherwise.
#
# The suite is run as root here (it then tests logins as root and needs no
# sudo); as an ordinary user the tests that need SUDO skip themselves.
# Debian packages needed: build-essential autoconf libssl-dev zlib1g-dev.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

# The server-side tests: every test of regress/Makefile's LTESTS that
# starts the server under test (as a daemon or in -i mode) and whose
# outcome depends on it. Client-only tests (ssh-keygen, ssh-agent, ssh -G,
# sshd -T parsing of OpenSSH's own configuration) are left out; COMPAT.md
# lists them with the reason.
default_tests="connect proxy-connect connect-privsep connect-uri proto-version
proto-mismatch exit-status exit-status-signal envpass transfer banner rekey dhgex
stderr-data stderr-after-eof broken-pipe try-ciphers yes-head login-timeout
agent keyscan key-options scp scp3 scp-uri sftp sftp-chroot sftp-cmds
sftp-badcmds sftp-batch sftp-glob sftp-perm sftp-resume sftp-uri reconfigure
dynamic-forward forwarding multiplex reexec brokenkeys cfgparse cfgmatch
cfgmatchlisten addrmatch localcommand forcecommand portnum keytype kextype
cert-hostkey cert-userkey host-expand keys-command forward-control
integrity multipubkey limit-keytype hostkey-agent hostkey-rotate principals-command
cert-file servcfginclude allow-deny-users authinfo knownhosts agent-restrict
channel-timeout connection-timeout match-subsystem penalty penalty-expire percent
knownhosts-command
connect-bigconf ssh-tty proxyjump"

server=nanosshd
nanosshd="$here/build/nanosshd"
work="${TMPDIR:-/tmp}/nanossh-openssh-regress"
per_test=900

usage() {
    sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --sshd) server=sshd; shift ;;
    --nanosshd) nanosshd=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --timeout) per_test=$2; shift 2 ;;
    --list) echo $default_tests | tr ' ' '\n'; exit 0 ;;
    --keep-going) shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "$0: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
src=$(cd "$1" 2>/dev/null && pwd) || { echo "$0: no directory $1" >&2; exit 2; }
shift
[ -f "$src/sshd.c" ] && [ -f "$src/regress/test-exec.sh" ] || {
    echo "$0: $src is not an OpenSSH portable source tree with regress/" >&2
    exit 2
}
case "$work/" in
"$here"/*) echo "$0: the work directory must be outside the nanossh tree" >&2
           exit 2 ;;
esac
tests=${*:-$default_tests}

if [ "$server" = nanosshd ]; then
    nanosshd=$(cd "$(dirname "$nanosshd")" 2>/dev/null && pwd)/$(basename "$nanosshd")
    [ -x "$nanosshd" ] || {
        echo "$0: no nanosshd at $nanosshd (build it, or pass --nanosshd)" >&2
        exit 2
    }
fi

# --- build: a private copy of SRC, configured and built once -------------
b="$work/openssh"
stamp="$b/.nanossh-regress-built"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$src" ]; then
    if [ -f "$here/tools/deps.sh" ]; then
        # shellcheck source=tools/deps.sh
        . "$here/tools/deps.sh"
        ensure_packages build-essential autoconf libssl-dev zlib1g-dev
    fi
    echo "building OpenSSH from $src in $b ..."
    rm -rf "$b"
    mkdir -p "$work"
    cp -a "$src" "$b" || exit 1
    (
        cd "$b" || exit 1
        # A tree that was configured or built in place: start clean, so
        # the copy's configuration below is the one that counts.
        [ -f Makefile ] && make distclean >/dev/null 2>&1
        [ -x configure ] || autoreconf -i >/dev/null 2>&1 || exit 1
        # The privilege-separation directory sshd needs exists on Debian
        # as /run/sshd (openssh-server creates it; make it if absent).
        mkdir -p /run/sshd 2>/dev/null
        ./configure --prefix="$b/inst" --sysconfdir="$b/inst/etc" \
            --with-privsep-path=/run/sshd --without-openssl-header-check \
            --without-pam --without-kerberos5 --without-selinux \
            --with-zlib >configure.log 2>&1 || { tail -n 30 configure.log; exit 1; }
        nice -n 10 make -j"${JOBS:-2}" >make.log 2>&1 &&
            nice -n 10 make regress-prep regress-binaries >>make.log 2>&1 ||
            { tail -n 30 make.log; exit 1; }
    ) || { echo "$0: building OpenSSH failed (logs in $b)" >&2; exit 1; }
    echo "$src" >"$stamp"
fi

if [ "$server" = sshd ]; then
    sshd_bin="$b/sshd"
    mkdir -p /run/sshd 2>/dev/null
else
    sshd_bin="$nanosshd"
fi

# A port nobody listens on, chosen now; the suite also uses a few ports
# above it (forwarding tests), so leave room.
pick_port() {
    /usr/bin/python3 - <<'EOF'
import socket, random
for _ in range(200):
    p = random.randrange(20000, 60000, 10)
    ok = True
    for q in range(p, p + 10):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            ok = False
        finally:
            s.close()
        if not ok:
            break
    if ok:
        print(p)
        break
EOF
}

running=
trap '[ -n "$running" ] && kill -- -"$running" 2>/dev/null; exit 130' INT TERM
logs="$work/logs-$server"
rm -rf "$logs"
mkdir -p "$logs"
obj="$b/regress"
pass=0; fail=0; skip=0; total=0
failed=""; skipped=""
printf '%s: %s\n' "server under test" "$sshd_bin"
for t in $tests; do
    [ -f "$src/regress/$t.sh" ] || { echo "$0: no test $t in $src/regress" >&2; exit 2; }
    port=$(pick_port)
    start=$(date +%s)
    (
        cd "$obj" || exit 1
        # The environment regress/Makefile's t-exec target sets, with the
        # server under test in TEST_SSH_SSHD.
        exec env SUDO="" TEST_ENV=MALLOC_OPTIONS= TEST_MALLOC_OPTIONS= \
            AWK=mawk EGREP='grep -E' OPENSSL_BIN=/usr/bin/openssl \
            PATH="$b:$PATH" OBJ="$obj" BUILDDIR="$b" \
            TEST_SHELL=sh TEST_SSH_PORT="$port" \
            TEST_SSH_UNSAFE_PERMISSIONS=1 \
            TEST_SSH_SSH="$b/ssh" TEST_SSH_SCP="$b/scp" \
            TEST_SSH_SSHD="$sshd_bin" \
            TEST_SSH_SSHD_SESSION="$b/sshd-session" \
            TEST_SSH_SSHD_AUTH="$b/sshd-auth" \
            TEST_SSH_SSHAGENT="$b/ssh-agent" TEST_SSH_SSHADD="$b/ssh-add" \
            TEST_SSH_SSHKEYGEN="$b/ssh-keygen" \
            TEST_SSH_SSHKEYSCAN="$b/ssh-keyscan" \
            TEST_SSH_SFTP="$b/sftp" TEST_SSH_SFTPSERVER="$b/sftp-server" \
            TEST_SSH_PKCS11_HELPER="$b/ssh-pkcs11-helper" \
            TEST_SSH_SSHPKCS11HELPER="$b/ssh-pkcs11-helper" \
            TEST_SSH_SK_HELPER="$b/ssh-sk-helper" \
            TEST_SSH_MODULI_FILE="$b/moduli" \
            TEST_SSH_IPV6=yes TEST_SSH_UTF8=no EXEEXT= \
            timeout -k 10 "$per_test" sh "$b/regress/test-exec.sh" \
            "$obj" "$b/regress/$t.sh"
    ) >"$logs/$t.out" 2>&1 </dev/null &
    # timeout(1) runs the test in a process group of its own: stop that
    # group too when this script is interrupted.
    running=$!
    wait $running
    rc=$?
    running=
    secs=$(( $(date +%s) - start ))
    # Keep the suite's own logs of a failed test next to its output.
    for f in failed-regress.log failed-ssh.log failed-sshd.log; do
        [ -f "$obj/$f" ] && mv "$obj/$f" "$logs/$t.$f"
    done
    total=$((total + 1))
    if grep -q '^SKIPPED' "$logs/$t.out" || grep -q '^skipped' "$logs/$t.out"; then
        verdict=SKIP; skip=$((skip + 1)); skipped="$skipped $t"
    elif [ $rc -eq 0 ]; then
        verdict=PASS; pass=$((pass + 1))
    else
        [ $rc -eq 124 ] && echo "timed out after ${per_test}s" >>"$logs/$t.out"
        verdict=FAIL; fail=$((fail + 1)); failed="$failed $t"
    fi
    printf '%-4s %-20s %4ss\n' "$verdict" "$t" "$secs"
done

echo "$server: $pass of $total passed, $fail failed, $skip skipped"
[ -z "$failed" ] || echo "failed:$failed"
[ -z "$skipped" ] || echo "skipped:$skipped"
echo "logs: $logs"
[ $fail -eq 0 ] && [ $skip -eq 0 ]
