#!/usr/bin/env bash
# Firmware stage of tools/test.sh: build the nanossh firmware for QEMU's
# netduinoplus2, run tests/mcu (OpenSSH against the firmware in QEMU), and
# re-measure the figures of EMBEDDED.md (tools/mcu-figures.py --check).
#
#   tools/mcu-test.sh [BUILD]      (default build-mcu)
#
# NSSH_SSH10=/path/to/bin/ssh adds the OpenSSH 10 client tests
# (tests/mcu/test_openssh10.py: its default mlkem768x25519-sha256, shell,
# sftp); tools/openssh-build.sh builds such a client from an
# openssh-portable source tree. Without it the report says that this
# client was not tested.
#
# Standard output is for test.sh's add_parsed: "PASSED FAILED", then one
# line per failure. The build log, the tests' and the figures' output go to
# BUILD/mcu-test.log (tests and figures also to standard error).
set -uo pipefail
# (pipefail: a tee'd command's status is the command's)
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build-mcu}
PY=/usr/bin/python3
mkdir -p "$BUILD"
LOG=$BUILD/mcu-test.log
: > "$LOG"
notes=()
passed=0
failed=0

if ! make -j"${JOBS:-2}" -f port/netduinoplus2/firmware.mk BUILD="$BUILD" >>"$LOG" 2>&1; then
    echo "0 1"
    echo "firmware build failed (see $LOG)"
    exit 1
fi
if grep -E 'warning:' "$LOG" >/dev/null; then
    failed=$((failed + 1)); notes+=("firmware build has compiler warnings (see $LOG)")
else
    passed=$((passed + 1))
fi

# No heap: the same link with one object calling malloc must fail.
heap_check() {
    local t
    t=$(mktemp -d)
    printf '#include <stdlib.h>\nvoid *use_heap(size_t n) { return malloc(n); }\n' >"$t/heap.c"
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -c "$t/heap.c" -o "$t/heap.o" &&
    ! arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -nostartfiles --specs=nano.specs \
        -T port/netduinoplus2/board.ld -Wl,--gc-sections -Wl,--undefined=use_heap \
        -o "$t/heap.elf" "$BUILD/obj/main.o" "$t/heap.o" \
        -Wl,--whole-archive "$BUILD/libboard.a" -Wl,--no-whole-archive "$BUILD/libapp.a" \
        "$BUILD/libsftp.a" "$BUILD/libengine.a" "$BUILD/libcrypto.a" "$BUILD/libengine.a" \
        -lc -lgcc >>"$LOG" 2>&1
    local rc=$?
    rm -rf "$t"
    return $rc
}
if heap_check; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); notes+=("firmware linked with malloc in it: the no-heap guard is gone")
fi

if [ -n "${NSSH_SSH10:-}" ]; then
    if [ ! -x "$NSSH_SSH10" ]; then
        failed=$((failed + 1)); notes+=("NSSH_SSH10=$NSSH_SSH10 is not an executable")
    fi
    export NSSH_SSH10
else
    notes+=("OpenSSH 10 client NOT tested: NSSH_SSH10 unset (tools/openssh-build.sh SRC PREFIX builds one)")
fi

xml=$PWD/$BUILD/mcu-tests.xml
rm -f "$xml"
MCU_BUILD=$PWD/$BUILD "$PY" -m pytest -c tests/mcu/pytest.ini tests/mcu \
    --junitxml="$xml" 2>&1 | tee -a "$LOG" >&2
out=$("$PY" tools/results.py junit "$xml" 2>>"$LOG" || echo "0 1")
counts=$(head -n1 <<<"$out")
passed=$((passed + ${counts% *}))
failed=$((failed + ${counts#* }))
mapfile -t more < <(tail -n +2 <<<"$out")
notes+=("${more[@]}")

if MCU_BUILD=$PWD/$BUILD "$PY" tools/mcu-figures.py --check \
        -o "$BUILD/EMBEDDED-figures.md" 2>&1 | tee -a "$LOG" >&2; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); notes+=("figures: measurement failed or a figure is off (see $LOG)")
fi

echo "$passed $failed"
for n in "${notes[@]}"; do [ -n "$n" ] && echo "$n"; done
[ "$failed" -eq 0 ]
