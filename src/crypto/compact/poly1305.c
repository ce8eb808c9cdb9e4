/*
 * Poly1305 (RFC 8439 section 2.5) in five 26-bit limbs: products fit 64
 * bits, and the reduction modulo 2^130 - 5 folds the top back times 5.
 * No branch or index depends on the key or the data.
 */
#include <string.h>

#include "compact.h"

#define M26 0x3ffffffu

void compact_poly1305_init(compact_poly1305_ctx *p, const uint8_t key[32])
{
    /* r with the bits RFC 8439 section 2.5.1 clears ("clamping") */
    uint32_t t0 = load_le32(key), t1 = load_le32(key + 4),
             t2 = load_le32(key + 8), t3 = load_le32(key + 12);

    p->r[0] = t0 & 0x3ffffff;
    p->r[1] = ((t0 >> 26) | (t1 << 6)) & 0x3ffff03;
    p->r[2] = ((t1 >> 20) | (t2 << 12)) & 0x3ffc0ff;
    p->r[3] = ((t2 >> 14) | (t3 << 18)) & 0x3f03fff;
    p->r[4] = (t3 >> 8) & 0x00fffff;
    memset(p->h, 0, sizeof(p->h));
    p->pad[0] = load_le32(key + 16);
    p->pad[1] = load_le32(key + 20);
    p->pad[2] = load_le32(key + 24);
    p->pad[3] = load_le32(key + 28);
    p->fill = 0;
}

/* h = (h + m + hibit * 2^128) * r mod 2^130 - 5, one 16-byte block. */
static void block(compact_poly1305_ctx *p, const uint8_t m[16], uint32_t hibit)
{
    const uint32_t r0 = p->r[0], r1 = p->r[1], r2 = p->r[2], r3 = p->r[3],
                   r4 = p->r[4];
    const uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    uint32_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], h3 = p->h[3],
             h4 = p->h[4], t0, t1, t2, t3;
    uint64_t d0, d1, d2, d3, d4, c;

    t0 = load_le32(m);
    t1 = load_le32(m + 4);
    t2 = load_le32(m + 8);
    t3 = load_le32(m + 12);
    h0 += t0 & M26;
    h1 += ((t0 >> 26) | (t1 << 6)) & M26;
    h2 += ((t1 >> 20) | (t2 << 12)) & M26;
    h3 += ((t2 >> 14) | (t3 << 18)) & M26;
    h4 += (t3 >> 8) | (hibit << 24);

    d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 +
         (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
    d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 +
         (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
    d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 +
         (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
    d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 +
         (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
    d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 +
         (uint64_t)h3 * r1 + (uint64_t)h4 * r0;

    c = d0 >> 26; h0 = (uint32_t)d0 & M26; d1 += c;
    c = d1 >> 26; h1 = (uint32_t)d1 & M26; d2 += c;
    c = d2 >> 26; h2 = (uint32_t)d2 & M26; d3 += c;
    c = d3 >> 26; h3 = (uint32_t)d3 & M26; d4 += c;
    c = d4 >> 26; h4 = (uint32_t)d4 & M26;
    h0 += (uint32_t)c * 5;
    h1 += h0 >> 26;
    h0 &= M26;
    p->h[0] = h0; p->h[1] = h1; p->h[2] = h2; p->h[3] = h3; p->h[4] = h4;
}

void compact_poly1305_update(compact_poly1305_ctx *p, const uint8_t *m, size_t len)
{
    size_t n;

    if (len == 0)
        return;
    if (p->fill > 0) {
        n = 16 - p->fill;
        if (n > len)
            n = len;
        memcpy(p->buf + p->fill, m, n);
        p->fill += (unsigned)n;
        m += n;
        len -= n;
        if (p->fill < 16)
            return;
        block(p, p->buf, 1);
        p->fill = 0;
    }
    for (; len >= 16; m += 16, len -= 16)
        block(p, m, 1);
    if (len > 0) {
        memcpy(p->buf, m, len);
        p->fill = (unsigned)len;
    }
}

void compact_poly1305_final(compact_poly1305_ctx *p, uint8_t tag[16])
{
    uint32_t h0, h1, h2, h3, h4, g0, g1, g2, g3, g4, mask;
    uint64_t f;

    if (p->fill > 0) {
        /* the last partial block gets a 1 byte, no 2^128 bit */
        p->buf[p->fill] = 1;
        memset(p->buf + p->fill + 1, 0, 15 - p->fill);
        block(p, p->buf, 0);
    }
    h0 = p->h[0]; h1 = p->h[1]; h2 = p->h[2]; h3 = p->h[3]; h4 = p->h[4];
    /* full carry */
    h2 += h1 >> 26; h1 &= M26;
    h3 += h2 >> 26; h2 &= M26;
    h4 += h3 >> 26; h3 &= M26;
    h0 += (h4 >> 26) * 5; h4 &= M26;
    h1 += h0 >> 26; h0 &= M26;
    /* g = h + 5 - 2^130; keep g when that does not borrow (h >= p) */
    g0 = h0 + 5; g1 = h1 + (g0 >> 26); g0 &= M26;
    g2 = h2 + (g1 >> 26); g1 &= M26;
    g3 = h3 + (g2 >> 26); g2 &= M26;
    g4 = h4 + (g3 >> 26) - (1u << 26); g3 &= M26;
    mask = (g4 >> 31) - 1u;   /* all ones when g4 did not go negative */
    h0 = (h0 & ~mask) | (g0 & mask);
    h1 = (h1 & ~mask) | (g1 & mask);
    h2 = (h2 & ~mask) | (g2 & mask);
    h3 = (h3 & ~mask) | (g3 & mask);
    h4 = (h4 & ~mask) | (g4 & mask);
    /* tag = (h + s) mod 2^128 */
    h0 = h0 | (h1 << 26);
    h1 = (h1 >> 6) | (h2 << 20);
    h2 = (h2 >> 12) | (h3 << 14);
    h3 = (h3 >> 18) | (h4 << 8);
    f = (uint64_t)h0 + p->pad[0];             store_le32(tag, (uint32_t)f);
    f = (uint64_t)h1 + p->pad[1] + (f >> 32); store_le32(tag + 4, (uint32_t)f);
    f = (uint64_t)h2 + p->pad[2] + (f >> 32); store_le32(tag + 8, (uint32_t)f);
    f = (uint64_t)h3 + p->pad[3] + (f >> 32); store_le32(tag + 12, (uint32_t)f);
    compact_wipe(p, sizeof(*p));
}
