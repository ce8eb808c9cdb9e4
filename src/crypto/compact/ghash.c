/*
 * GHASH (SP 800-38D section 6.3-6.4): multiplication in GF(2^128) with
 * GCM's reflected bit order, by Algorithm 1 of section 6.3, one bit at a
 * time. Each step adds V under a mask made from the bit and reduces
 * under a mask made from V's low bit, so nothing branches on or indexes
 * memory with H or the data.
 */
#include "compact.h"

/* x = x * h, both 128-bit big-endian in four words. */
static void gf128_mul(uint32_t x[4], const uint32_t h[4])
{
    uint32_t z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    uint32_t v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
    unsigned i;

    for (i = 0; i < 128; i++) {
        uint32_t bit = (x[i >> 5] >> (31 - (i & 31))) & 1u;
        uint32_t m = 0u - bit, r;

        z0 ^= v0 & m;
        z1 ^= v1 & m;
        z2 ^= v2 & m;
        z3 ^= v3 & m;
        r = 0u - (v3 & 1u);
        v3 = (v3 >> 1) | (v2 << 31);
        v2 = (v2 >> 1) | (v1 << 31);
        v1 = (v1 >> 1) | (v0 << 31);
        v0 = (v0 >> 1) ^ (0xe1000000u & r);
    }
    x[0] = z0;
    x[1] = z1;
    x[2] = z2;
    x[3] = z3;
}

void compact_ghash(uint8_t y[16], const uint8_t h[16], const uint8_t *data,
                   size_t len)
{
    uint32_t x[4], hw[4];
    uint8_t blk[16];
    unsigned i;

    for (i = 0; i < 4; i++) {
        x[i] = load_be32(y + 4 * i);
        hw[i] = load_be32(h + 4 * i);
    }
    while (len > 0) {
        size_t n = len < 16 ? len : 16;

        for (i = 0; i < 16; i++)
            blk[i] = i < n ? data[i] : 0;
        for (i = 0; i < 4; i++)
            x[i] ^= load_be32(blk + 4 * i);
        gf128_mul(x, hw);
        data += n;
        len -= n;
    }
    for (i = 0; i < 4; i++)
        store_be32(y + 4 * i, x[i]);
    compact_wipe(x, sizeof(x));
    compact_wipe(hw, sizeof(hw));
    compact_wipe(blk, sizeof(blk));
}
