#!/usr/bin/env bash
# Build nanossh twice and run every test suite.
#
#   ./tools/test.sh
#
# 1. installs missing packages (Debian 12),
# 2. builds build/ (normal) and build-asan/ (AddressSanitizer and
#    UndefinedBehaviorSanitizer, -DNSSH_SANITIZE=ON),
# 3. runs the cmocka unit tests of both builds, the Cortex-M4 freestanding
#    check, and the interop suite (tests/interop: OpenSSH, Dropbear, PuTTY,
#    paramiko, AsyncSSH, Go and libssh clients, ssh-audit; SFTP clients:
#    curl (libssh2) and rclone) against
#    build/nanosshd and build-asan/nanosshd, writing the interop matrix of
#    each pass to build*/INTEROP.md, and the lwIP tests (tools/lwip-test.sh)
#    against build*/nanossh-lwip,
# 4. ends with one line "N passed, N failed"; exits non-zero if anything
#    failed.
#
# Environment: JOBS (parallel build jobs, default 2), PYTEST_ARGS (extra
# arguments for pytest, e.g. "-k cipher").
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

# The interop suite logs in as root and creates a throwaway user.
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo --preserve-env=JOBS,PYTEST_ARGS "$ROOT/tools/test.sh" "$@"
    fi
    echo "tools/test.sh must run as root (or with sudo installed)"
    echo "0 passed, 1 failed"
    exit 1
fi
. tools/deps.sh

JOBS=${JOBS:-2}
PY=/usr/bin/python3
TOTAL_PASSED=0
TOTAL_FAILED=0
FAILURES=()

section() { printf '\n==== %s ====\n' "$*"; }

# add PASSED FAILED LABEL [NOTES...]
add() {
    local p=$1 f=$2 label=$3
    shift 3
    TOTAL_PASSED=$((TOTAL_PASSED + p))
    TOTAL_FAILED=$((TOTAL_FAILED + f))
    echo "$label: $p passed, $f failed"
    local n
    for n in "$@"; do
        FAILURES+=("$label: $n")
    done
}

# add_parsed LABEL RESULTS-OUTPUT: first line "P F", then one note a line.
add_parsed() {
    local label=$1 out=$2 counts notes=()
    counts=$(head -n1 <<<"$out")
    mapfile -t notes < <(tail -n +2 <<<"$out")
    add "${counts% *}" "${counts#* }" "$label" "${notes[@]}"
}

section "packages"
if ! ensure_packages build-essential cmake pkg-config libssl-dev \
        libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi \
        python3 python3-pytest python3-paramiko openssh-client procps \
        passwd util-linux libpam0g-dev sshpass putty-tools \
        dropbear-bin python3-asyncssh python3-cryptography golang-go \
        golang-golang-x-crypto-dev libssh-dev ssh-audit gcc \
        openssh-sftp-server rsync git fail2ban man-db groff-base valgrind \
        curl rclone openssh-server python3-jsonschema \
        qemu-system-arm liblwip-dev iproute2 clang libclang-rt-dev openssl \
        xauth; then
    echo "package installation failed"
    echo "0 passed, 1 failed"
    exit 1
fi
# Password logins in the interop suite go through this PAM service.
ensure_pam_service
# A root nanosshd's pre-auth child runs as this system user.
ensure_privsep_user
# test_mldsa_noble.py signs and verifies with @noble (npm): tools/noble.sh.
if NSSH_NOBLE=$(tools/noble.sh); then
    export NSSH_NOBLE
else
    add 0 1 "noble" "tools/noble.sh could not install @noble/post-quantum"
fi

build() {
    local dir=$1
    shift
    section "build $dir"
    cmake -B "$dir" -S . -DNSSH_BUILD_TESTS=ON "$@" &&
        cmake --build "$dir" -j "$JOBS"
}

unit_tests() {
    local dir=$1 log=$1/unit-tests.log out
    section "unit tests ($dir)"
    ctest --test-dir "$dir" -V --timeout 300 >"$log" 2>&1
    grep -E '^ *[0-9]+/[0-9]+ Test +#' "$log"
    out=$("$PY" tools/results.py ctest "$log")
    if [ "$(head -n1 <<<"$out")" = "0 0" ]; then
        out=$'0 1\nno unit tests ran (see '"$log"')'
    fi
    add_parsed "unit ($dir)" "$out"
}

interop() {
    local dir=$1 xml=$ROOT/$1/interop.xml out
    shift
    section "interop ($dir/nanosshd)"
    rm -f "$xml"
    # shellcheck disable=SC2086
    env "$@" NANOSSHD="$ROOT/$dir/nanosshd" \
        "$PY" -m pytest tests/interop \
        --junitxml="$xml" ${PYTEST_ARGS:-}
    out=$("$PY" tools/results.py junit "$xml")
    add_parsed "interop ($dir)" "$out"
    # The interop matrix of this run, as Markdown (see INTEROP.md).
    "$PY" tools/interop_matrix.py "$dir/interop-matrix.jsonl" \
        -o "$dir/INTEROP.md" || true
}

start=$(date +%s)

if build build; then
    unit_tests build
    interop build
else
    add 0 1 "build" "build/ failed to build"
fi

# The benchmark in its tiny configuration (bench/run.sh --quick): every
# peer server started, measured and stopped, and the report complete.
# Functional only: its figures are not checked.
section "benchmark (quick)"
if [ -x build/nanosshd ] && ensure_packages openssh-server tinysshd ucspi-tcp \
        python3-matplotlib; then
    rm -rf build/bench-quick
    NANOSSHD=build/nanosshd bench/run.sh --quick --out build/bench-quick \
        >build/bench-quick.log 2>&1
    tail -n 5 build/bench-quick.log
    add_parsed "benchmark" "$("$PY" bench/check.py build/bench-quick)"
else
    add 0 1 "benchmark" "no build/nanosshd or peers missing"
fi

if build build-asan -DNSSH_SANITIZE=ON; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1 unit_tests build-asan
    interop build-asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1
else
    add 0 1 "build-asan" "build-asan/ failed to build"
fi

section "cortex-m4 check"
if ./tools/cortex-m4-check.sh; then
    add 1 0 "cortex-m4"
else
    add 0 1 "cortex-m4" "freestanding Cortex-M4 build failed"
fi

# Every fuzz target (tools/fuzz.sh --list) in build-fuzz/ (clang): its
# corpus replayed, then 3 s of fuzzing, so no harness rots unseen.
section "fuzz smoke (tools/fuzz.sh --smoke)"
out=$(./tools/fuzz.sh --smoke 3 2>&1)
echo "$out"
fz_ok=$(grep -c ': ok (' <<<"$out")
mapfile -t fz_bad < <(grep ': FAILED' <<<"$out")
if [ ${#fz_bad[@]} -eq 0 ] && [ "$fz_ok" -eq "$(./tools/fuzz.sh --list | wc -l)" ]; then
    add "$fz_ok" 0 "fuzz"
else
    add "$fz_ok" "$(( ${#fz_bad[@]} ? ${#fz_bad[@]} : 1 ))" "fuzz" \
        "${fz_bad[@]:-the fuzz build failed (tools/fuzz.sh --smoke)}"
fi

section "lwIP (tools/lwip-test.sh)"
for dir in build build-asan; do
    if [ -x "$dir/nanossh-lwip" ]; then
        out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 ./tools/lwip-test.sh "$dir")
        add_parsed "lwip ($dir)" "$out"
    else
        add 0 1 "lwip ($dir)" "$dir/nanossh-lwip was not built"
    fi
done

section "firmware (QEMU netduinoplus2)"
# Builds build-mcu/ with arm-none-eabi-gcc, boots it in QEMU for OpenSSH
# and re-measures the figures of EMBEDDED.md (see tools/mcu-test.sh).
out=$(./tools/mcu-test.sh build-mcu)
add_parsed "firmware" "$out"

section "summary"
echo "took $(( $(date +%s) - start )) s"
if [ ${#FAILURES[@]} -gt 0 ]; then
    echo "failures and notes:"
    printf '  %s\n' "${FAILURES[@]}"
fi
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
