#!/usr/bin/env bash
# Freestanding Cortex-M4 check of the compact crypto backend.
#
#   tools/cortex-m4-compact.sh [WORKDIR]
#
# Compiles src/crypto/compact, src/crypto/pq and src/crypto/hybrid.c for a
# Cortex-M4 (-mthumb -ffreestanding -Os -Werror), checks that the objects
# need nothing from a C library beyond mem* and str* functions (plus the
# compiler's own runtime helpers), and prints the code size (text + data)
# of each algorithm and the peak stack of each operation
# (deepest call chain from -fcallgraph-info=su). Called by
# tools/cortex-m4-check.sh; exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."

CC=${ARM_CC:-arm-none-eabi-gcc}
NM=${ARM_NM:-arm-none-eabi-nm}
SIZE=${ARM_SIZE:-arm-none-eabi-size}
for tool in "$CC" "$NM" "$SIZE"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "cortex-m4-compact: $tool not found (apt-get install gcc-arm-none-eabi)" >&2
        exit 1
    fi
done

work=${1:-}
if [ -z "$work" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

CFLAGS=(-mcpu=cortex-m4 -mthumb -ffreestanding -Os -std=c99 -Wall -Wextra -Werror
        -ffunction-sections -fdata-sections -fcallgraph-info=su
        -Iinclude -Isrc/core -Isrc/crypto -Isrc/crypto/compact)

shopt -s nullglob
sources=(src/crypto/compact/*.c src/crypto/pq/*.c src/crypto/hybrid.c)
objs=()
for src in "${sources[@]}"; do
    obj="$work/$(basename "${src%.c}").o"
    if ! (cd "$work" && "$CC" "${CFLAGS[@]/#-I/-I$OLDPWD/}" -c "$OLDPWD/$src" -o "$obj"); then
        echo "cortex-m4-compact: FAILED to compile $src" >&2
        exit 1
    fi
    objs+=("$obj")
done

"$NM" --defined-only -g "${objs[@]}" 2>/dev/null | awk 'NF == 3 { print $3 }' \
    | sort -u > "$work/defined"
"$NM" --undefined-only -g "${objs[@]}" 2>/dev/null | awk 'NF >= 2 && $1 == "U" { print $2 }' \
    | sort -u > "$work/needed"
libgcc=$("$CC" -mcpu=cortex-m4 -mthumb -print-libgcc-file-name)
if [ -f "$libgcc" ]; then
    "$NM" --defined-only -g "$libgcc" 2>/dev/null | awk 'NF == 3 { print $3 }' \
        | sort -u > "$work/libgcc"
else
    : > "$work/libgcc"
fi
bad=$(comm -23 "$work/needed" "$work/defined" | comm -23 - "$work/libgcc" \
      | grep -v '^__aeabi_' | grep -Ev '^(mem|str)[a-z]*$' \
      | grep -v '^nssh_wipe$' || true)   # the engine's (src/core/buf.c), checked by cortex-m4-check
if [ -n "$bad" ]; then
    echo "cortex-m4-compact: FAILED: the backend needs symbols a freestanding build lacks:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi

# The build option that leaves sntrup761 out must leave no reference to it.
for f in lists kem_hybrid; do
    (cd "$work" && "$CC" "${CFLAGS[@]/#-I/-I$OLDPWD/}" -DNSSH_COMPACT_SNTRUP=0 \
        -c "$OLDPWD/src/crypto/compact/$f.c" -o "$work/nosntrup_$f.o")
    if "$NM" "$work/nosntrup_$f.o" | grep -q sntrup; then
        echo "cortex-m4-compact: FAILED: $f.c refers to sntrup761 with NSSH_COMPACT_SNTRUP=0" >&2
        exit 1
    fi
done
rm -f "$work"/nosntrup_*

# Code size per algorithm: the files each one needs of its own (the
# shared field arithmetic is counted once, with X25519).
size_of() {
    local total=0 f n
    for f in "$@"; do
        n=$("$SIZE" "$work/$f.o" | awk 'NR == 2 { print $1 + $2 }')
        total=$((total + n))
    done
    echo "$total"
}
row() {
    local label=$1
    shift
    printf 'cortex-m4-compact: %-38s %6d bytes\n' "$label" "$(size_of "$@")"
}
echo "cortex-m4-compact: ${#objs[@]} files compiled for cortex-m4 (freestanding, -Os), code size (text + data):"
row "SHA-256, SHA-512, hash tables" sha256 sha512 hash
row "HMAC-SHA-256/512 (4 MAC tables)" hmac
row "X25519, curve25519-sha256 (+ GF(p))" fe25519 x25519
row "Ed25519 sign/verify, ssh-ed25519, keys" ed25519 ed25519_ge ed25519_sc sig_ed25519 keyfile
row "chacha20-poly1305@openssh.com" chacha20 poly1305 cipher_chachapoly
row "AES (bitsliced), aes128/256-ctr" aes_ct cipher_aesctr
row "GHASH, GCM, aes128/256-gcm@openssh.com" ghash gcm cipher_aesgcm
row "ChaCha20 DRBG" drbg
row "ML-KEM-768 + mlkem768x25519 (hybrid)" keccak mlkem768 mlkem_poly hybrid kem_hybrid
row "sntrup761 (optional)" sntrup761 sntrup761_arith sntrup761_encode sntrup761_recip sntrup761_sample
row "tables, lists, helpers" lists util
"$SIZE" -t "${objs[@]}" | awk '
    /\(TOTALS\)/ { printf "cortex-m4-compact: all of it: text %d, data %d, bss %d bytes\n", $1, $2, $3 }'
# Worst-case stack of each operation: the deepest chain of frames in the
# call graph (calls through the hash table's pointers not followed; the
# hybrids' X25519 half is the X25519 line).
echo "cortex-m4-compact: peak stack (deepest call chain, -fcallgraph-info=su):"
python3 tools/stack_depth.py "$work" compact_x25519 compact_ed25519_sign \
    compact_ed25519_verify nssh_compact_key_load_openssh compact_aes_setkey \
    compact_gcm_seal compact_hmac_compute nssh_compact_drbg_generate \
    hybrid_mlkem_keypair hybrid_mlkem_encaps hybrid_mlkem_decaps \
    hybrid_sntrup_keypair hybrid_sntrup_encaps hybrid_sntrup_decaps \
    | sed 's/^/cortex-m4-compact:   /'
echo "cortex-m4-compact: OK"
