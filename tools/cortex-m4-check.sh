#!/usr/bin/env bash
# Freestanding Cortex-M4 check of the protocol engine, the SFTP server and
# the compact crypto backend (tools/cortex-m4-compact.sh).
#
# Compiles every src/core/*.c and src/sftp/*.c (the SFTP module and its
# in-memory filesystem, with small firmware limits) for a Cortex-M4 with a small firmware profile
# (one 35000-byte packet, two channels, client role off), then checks that
# the objects need nothing from a C library beyond memcpy, memmove, memset,
# memcmp, memchr, strlen and strncmp (plus the compiler's own runtime helpers), and prints
# the code and data size. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."

CC=${ARM_CC:-arm-none-eabi-gcc}
NM=${ARM_NM:-arm-none-eabi-nm}
SIZE=${ARM_SIZE:-arm-none-eabi-size}
for tool in "$CC" "$NM" "$SIZE"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "cortex-m4-check: $tool not found (apt-get install gcc-arm-none-eabi)" >&2
        exit 1
    fi
done

CFLAGS=(-mcpu=cortex-m4 -mthumb -ffreestanding -Os -Wall -Wextra -Werror
        -Iinclude -Isrc/core -Isrc/sftp
        -DNSSH_SFTP_MAX_HANDLES=8 -DNSSH_SFTP_PATH_MAX=256 -DNSSH_SFTP_NAME_MAX=128
        -DNSSH_MAX_PACKET=35000u -DNSSH_MAX_CHANNELS=2
        -DNSSH_CHANNEL_WINDOW=16384u -DNSSH_CHANNEL_MAXPKT=16384u
        -DNSSH_OUTBUF_SIZE=40000u -DNSSH_ENABLE_CLIENT=0)
ALLOWED_LIBC="memcpy memmove memset memcmp memchr strlen strncmp"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
sources=(src/core/*.c src/sftp/*.c)
if [ ${#sources[@]} -eq 0 ]; then
    echo "cortex-m4-check: no sources in src/core" >&2
    exit 1
fi

fail=0
objs=()
for src in "${sources[@]}"; do
    obj="$tmp/$(basename "${src%.c}").o"
    if ! "$CC" "${CFLAGS[@]}" -c "$src" -o "$obj"; then
        echo "cortex-m4-check: FAILED to compile $src" >&2
        fail=1
        continue
    fi
    objs+=("$obj")
done
if [ "$fail" -ne 0 ]; then
    exit 1
fi

# Symbols the objects define among themselves, and the ones they need.
"$NM" --defined-only -g "${objs[@]}" 2>/dev/null | awk 'NF == 3 { print $3 }' \
    | sort -u > "$tmp/defined"
"$NM" --undefined-only -g "${objs[@]}" 2>/dev/null | awk 'NF >= 2 && $1 == "U" { print $2 }' \
    | sort -u > "$tmp/needed"

# The compiler's runtime (libgcc for this CPU) may be used freely: it
# ships with the compiler, not with a C library.
libgcc=$("$CC" -mcpu=cortex-m4 -mthumb -print-libgcc-file-name)
if [ -f "$libgcc" ]; then
    "$NM" --defined-only -g "$libgcc" 2>/dev/null | awk 'NF == 3 { print $3 }' \
        | sort -u > "$tmp/libgcc"
else
    : > "$tmp/libgcc"
fi
printf '%s\n' $ALLOWED_LIBC | sort -u > "$tmp/allowed"

bad=$(comm -23 "$tmp/needed" "$tmp/defined" | comm -23 - "$tmp/allowed" \
      | comm -23 - "$tmp/libgcc" | grep -v '^__aeabi_' || true)
if [ -n "$bad" ]; then
    echo "cortex-m4-check: FAILED: the engine needs symbols a freestanding build lacks:" >&2
    for sym in $bad; do
        users=$("$NM" -A --undefined-only "${objs[@]}" 2>/dev/null \
                | awk -v s="$sym" '$NF == s { n = $1; sub(/:.*/, "", n); sub(/.*\//, "", n); print n }' \
                | sort -u | tr '\n' ' ')
        echo "  $sym (used by: ${users% })" >&2
    done
    exit 1
fi

echo "cortex-m4-check: ${#objs[@]} files compiled for cortex-m4 (freestanding, -Os)"
"$SIZE" -t "${objs[@]}" | awk '
    NR == 1 { next }
    /\(TOTALS\)/ { printf "cortex-m4-check: text %d, data %d, bss %d bytes\n", $1, $2, $3 }'

# The compact crypto backend with the post-quantum code and the hybrid
# composition it uses: the same freestanding rules, nothing from a C
# library but mem* and str*, and the code size of each algorithm.
./tools/cortex-m4-compact.sh "$tmp/compact"
echo "cortex-m4-check: OK"
