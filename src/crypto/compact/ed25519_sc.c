/*
 * Scalars modulo the order of the base point,
 * L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 section
 * 5.1). Reduction is plain binary long division: one conditional
 * subtraction of L per input bit, done with masks. That is slower than
 * Barrett's method but a few hundred microseconds at most on a
 * Cortex-M4, small next to a scalar multiplication, and obviously
 * constant time.
 */
#include <string.h>

#include "compact.h"
#include "ed25519_int.h"

/* L in little-endian 32-bit words. */
static const uint32_t L[8] = {
    0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de,
    0x00000000, 0x00000000, 0x00000000, 0x10000000,
};

/* r = (bits of in, most significant first) mod L; in is n words. */
static void reduce_words(uint32_t r[8], const uint32_t *in, unsigned n)
{
    uint32_t t[8], carry, borrow, mask;
    uint64_t d;
    unsigned i, j;

    memset(r, 0, 8 * sizeof(uint32_t));
    for (i = 32 * n; i-- > 0;) {
        /* r = 2r + bit: r < L < 2^253, so this fits 256 bits */
        carry = (in[i >> 5] >> (i & 31)) & 1u;
        for (j = 0; j < 8; j++) {
            uint32_t top = r[j] >> 31;

            r[j] = (r[j] << 1) | carry;
            carry = top;
        }
        /* t = r - L; keep it unless that borrowed */
        borrow = 0;
        for (j = 0; j < 8; j++) {
            d = (uint64_t)r[j] - L[j] - borrow;
            t[j] = (uint32_t)d;
            borrow = (uint32_t)(d >> 63);
        }
        mask = borrow - 1u;   /* all ones when r >= L */
        for (j = 0; j < 8; j++)
            r[j] = (t[j] & mask) | (r[j] & ~mask);
    }
    compact_wipe(t, sizeof(t));
}

static void words_out(uint8_t out[32], const uint32_t r[8])
{
    unsigned j;

    for (j = 0; j < 8; j++)
        store_le32(out + 4 * j, r[j]);
}

void sc_reduce64(uint8_t out[32], const uint8_t in[64])
{
    uint32_t w[16], r[8];
    unsigned j;

    for (j = 0; j < 16; j++)
        w[j] = load_le32(in + 4 * j);
    reduce_words(r, w, 16);
    words_out(out, r);
    compact_wipe(w, sizeof(w));
    compact_wipe(r, sizeof(r));
}

void sc_muladd(uint8_t s[32], const uint8_t a[32], const uint8_t b[32],
               const uint8_t c[32])
{
    uint32_t aw[8], bw[8], w[16], r[8];
    uint64_t t, carry;
    unsigned i, j;

    for (j = 0; j < 8; j++) {
        aw[j] = load_le32(a + 4 * j);
        bw[j] = load_le32(b + 4 * j);
    }
    memset(w, 0, sizeof(w));
    for (i = 0; i < 8; i++) {
        carry = 0;
        for (j = 0; j < 8; j++) {
            t = (uint64_t)aw[i] * bw[j] + w[i + j] + carry;
            w[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        w[i + 8] = (uint32_t)carry;
    }
    /* + c: a b + c < 2^512 */
    carry = 0;
    for (j = 0; j < 16; j++) {
        t = (uint64_t)w[j] + (j < 8 ? load_le32(c + 4 * j) : 0) + carry;
        w[j] = (uint32_t)t;
        carry = t >> 32;
    }
    reduce_words(r, w, 16);
    words_out(s, r);
    compact_wipe(aw, sizeof(aw));
    compact_wipe(bw, sizeof(bw));
    compact_wipe(w, sizeof(w));
    compact_wipe(r, sizeof(r));
}

int sc_is_canonical(const uint8_t s[32])
{
    int j;

    for (j = 7; j >= 0; j--) {
        uint32_t v = load_le32(s + 4 * j);

        if (v != L[j])
            return v < L[j];
    }
    return 0;   /* s == L */
}
