/*
 * GHASH (SP 800-38D section 6.3-6.4): multiplication in GF(2^128) modulo
 * x^128 + x^7 + x^2 + x + 1, constant time without tables.
 *
 * GCM numbers the bits of a block from the most significant bit of its
 * first byte as the coefficients of x^0, x^1, ... so each 32-bit
 * big-endian word is bit-reversed into natural order, multiplied, reduced
 * and reversed back. Carry-less 32x32-bit products come from ordinary
 * integer multiplications of operands masked to every fourth bit: each
 * result bit then sums at most eight ones, so the carries stay in the
 * three bits in between, which the final masks drop. Integer multiplies
 * take a fixed time on the CPUs this is for (Cortex-M4's UMULL, x86-64).
 */
#include "compact.h"

static uint32_t rev32(uint32_t x)
{
    x = ((x & 0x55555555u) << 1) | ((x >> 1) & 0x55555555u);
    x = ((x & 0x33333333u) << 2) | ((x >> 2) & 0x33333333u);
    x = ((x & 0x0f0f0f0fu) << 4) | ((x >> 4) & 0x0f0f0f0fu);
    x = ((x & 0x00ff00ffu) << 8) | ((x >> 8) & 0x00ff00ffu);
    return (x << 16) | (x >> 16);
}

/* Carry-less product of two 32-bit polynomials. */
static uint64_t clmul32(uint32_t x, uint32_t y)
{
    const uint64_t x0 = x & 0x11111111u, x1 = x & 0x22222222u,
                   x2 = x & 0x44444444u, x3 = x & 0x88888888u;
    const uint64_t y0 = y & 0x11111111u, y1 = y & 0x22222222u,
                   y2 = y & 0x44444444u, y3 = y & 0x88888888u;
    uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);

    return (z0 & 0x1111111111111111ull) | (z1 & 0x2222222222222222ull) |
           (z2 & 0x4444444444444444ull) | (z3 & 0x8888888888888888ull);
}

/* x = x * h mod P, both in natural order, little-endian words. */
static void gf128_mul(uint32_t x[4], const uint32_t h[4])
{
    uint32_t c[8] = { 0 }, ov;
    unsigned i, j;

    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++) {
            uint64_t p = clmul32(x[i], h[j]);

            c[i + j] ^= (uint32_t)p;
            c[i + j + 1] ^= (uint32_t)(p >> 32);
        }
    /* x^128 = x^7 + x^2 + x + 1: fold c[4..7] (degree <= 126) in as
     * hi ^ hi<<1 ^ hi<<2 ^ hi<<7, then the few bits those shifts push
     * past x^127 the same way once more. */
    for (i = 0; i < 4; i++) {
        uint32_t w = c[4 + i], lo = i ? c[3 + i] : 0;

        c[i] ^= w ^ (w << 1) ^ (w << 2) ^ (w << 7) ^
                (lo >> 31) ^ (lo >> 30) ^ (lo >> 25);
    }
    ov = (c[7] >> 31) ^ (c[7] >> 30) ^ (c[7] >> 25);
    c[0] ^= ov ^ (ov << 1) ^ (ov << 2) ^ (ov << 7);
    for (i = 0; i < 4; i++)
        x[i] = c[i];
}

void compact_ghash(uint8_t y[16], const uint8_t h[16], const uint8_t *data,
                   size_t len)
{
    uint32_t x[4], hw[4];
    uint8_t blk[16];
    unsigned i;

    for (i = 0; i < 4; i++) {
        x[i] = rev32(load_be32(y + 4 * i));
        hw[i] = rev32(load_be32(h + 4 * i));
    }
    while (len > 0) {
        size_t n = len < 16 ? len : 16;

        for (i = 0; i < 16; i++)
            blk[i] = i < n ? data[i] : 0;
        for (i = 0; i < 4; i++)
            x[i] ^= rev32(load_be32(blk + 4 * i));
        gf128_mul(x, hw);
        data += n;
        len -= n;
    }
    for (i = 0; i < 4; i++)
        store_be32(y + 4 * i, rev32(x[i]));
    compact_wipe(x, sizeof(x));
    compact_wipe(hw, sizeof(hw));
    compact_wipe(blk, sizeof(blk));
}
