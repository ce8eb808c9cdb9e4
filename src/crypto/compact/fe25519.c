/*
 * GF(2^255 - 19) in ten limbs of 26/25 bits (see fe25519.h). The limb of
 * index i holds bits ceil(25.5 i) .. ceil(25.5 (i+1)) - 1, so a product of
 * limbs i and j lands at limb i + j, doubled when both are odd (the half
 * bits add up), and limbs past the top wrap around times 19 because
 * 2^255 = 19 (mod p).
 */
#include "fe25519.h"

#define M26 0x3ffffffu
#define M25 0x1ffffffu

/* A 32x32->64-bit product: both operands are below 2^32 by the bounds
 * above, so this is one UMULL/UMLAL on a Cortex-M4. */
#define M(a, b) ((uint64_t)(a) * (b))

static unsigned width(unsigned i)
{
    return (i & 1) ? 25 : 26;
}

/* Carry 64-bit accumulators into limbs. Accepts h[i] < 2^63. */
static void carry64(fe out, uint64_t h[10])
{
    uint64_t c;
    unsigned i;

    for (i = 0; i < 9; i++) {
        c = h[i] >> width(i);
        h[i] &= (i & 1) ? M25 : M26;
        h[i + 1] += c;
    }
    c = h[9] >> 25;
    h[9] &= M25;
    h[0] += 19 * c;
    c = h[0] >> 26;
    h[0] &= M26;
    h[1] += c;
    for (i = 0; i < 10; i++)
        out[i] = (uint32_t)h[i];
}

static void carry32(fe h)
{
    uint64_t t[10];
    unsigned i;

    for (i = 0; i < 10; i++)
        t[i] = h[i];
    carry64(h, t);
}

void fe_0(fe h)
{
    unsigned i;

    for (i = 0; i < 10; i++)
        h[i] = 0;
}

void fe_1(fe h)
{
    fe_0(h);
    h[0] = 1;
}

void fe_copy(fe h, const fe f)
{
    unsigned i;

    for (i = 0; i < 10; i++)
        h[i] = f[i];
}

void fe_frombytes(fe h, const uint8_t s[32])
{
    uint64_t acc = 0;
    unsigned bits = 0, j = 0, i;

    for (i = 0; i < 10; i++) {
        unsigned w = width(i);

        while (bits < w) {
            acc |= (uint64_t)s[j++] << bits;
            bits += 8;
        }
        h[i] = (uint32_t)(acc & ((1u << w) - 1));
        acc >>= w;
        bits -= w;
    }
}

void fe_tobytes(uint8_t s[32], const fe f)
{
    uint32_t h[10], q;
    uint64_t acc = 0;
    unsigned i, bits = 0, j = 0;

    fe_copy(h, f);
    carry32(h);
    carry32(h);
    /* Now h < 2^255 + 2^26; subtract p once if h + 19 reaches 2^255. */
    q = (h[0] + 19) >> 26;
    for (i = 1; i < 10; i++)
        q = (h[i] + q) >> width(i);
    h[0] += 19 * q;
    for (i = 0; i < 9; i++) {
        h[i + 1] += h[i] >> width(i);
        h[i] &= (i & 1) ? M25 : M26;
    }
    h[9] &= M25;   /* drops the 2^255 of q * p */
    for (i = 0; i < 10; i++) {
        acc |= (uint64_t)h[i] << bits;
        bits += width(i);
        while (bits >= 8) {
            s[j++] = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
    s[31] = (uint8_t)acc;
}

void fe_add(fe h, const fe f, const fe g)
{
    unsigned i;

    for (i = 0; i < 10; i++)
        h[i] = f[i] + g[i];
    carry32(h);
}

/* 2p limb by limb: every limb of a carried g is at most this. */
static const uint32_t two_p[10] = {
    0x7ffffda, 0x3fffffe, 0x7fffffe, 0x3fffffe, 0x7fffffe,
    0x3fffffe, 0x7fffffe, 0x3fffffe, 0x7fffffe, 0x3fffffe,
};

void fe_sub(fe h, const fe f, const fe g)
{
    unsigned i;

    for (i = 0; i < 10; i++)
        h[i] = f[i] + two_p[i] - g[i];
    carry32(h);
}

void fe_neg(fe h, const fe f)
{
    fe z;

    fe_0(z);
    fe_sub(h, z, f);
}

/* h = f g: limb i times limb j lands at limb i + j, doubled when both
 * are odd (d = 2 f), times 19 past the top (n = 19 g). Every operand is
 * below 2^32, so each term is one 32x32->64 multiply-accumulate. */
void fe_mul(fe h, const fe f, const fe g)
{
    const uint32_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4],
                   f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8], f9 = f[9];
    const uint32_t d1 = 2 * f1, d3 = 2 * f3, d5 = 2 * f5, d7 = 2 * f7, d9 = 2 * f9;
    const uint32_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4],
                   g5 = g[5], g6 = g[6], g7 = g[7], g8 = g[8], g9 = g[9];
    const uint32_t n1 = 19 * g1, n2 = 19 * g2, n3 = 19 * g3, n4 = 19 * g4,
                   n5 = 19 * g5, n6 = 19 * g6, n7 = 19 * g7, n8 = 19 * g8, n9 = 19 * g9;
    uint64_t t[10];

    t[0] = M(f0, g0) + M(d1, n9) + M(f2, n8) + M(d3, n7) + M(f4, n6) + M(d5, n5) +
           M(f6, n4) + M(d7, n3) + M(f8, n2) + M(d9, n1);
    t[1] = M(f0, g1) + M(f1, g0) + M(f2, n9) + M(f3, n8) + M(f4, n7) + M(f5, n6) +
           M(f6, n5) + M(f7, n4) + M(f8, n3) + M(f9, n2);
    t[2] = M(f0, g2) + M(d1, g1) + M(f2, g0) + M(d3, n9) + M(f4, n8) + M(d5, n7) +
           M(f6, n6) + M(d7, n5) + M(f8, n4) + M(d9, n3);
    t[3] = M(f0, g3) + M(f1, g2) + M(f2, g1) + M(f3, g0) + M(f4, n9) + M(f5, n8) +
           M(f6, n7) + M(f7, n6) + M(f8, n5) + M(f9, n4);
    t[4] = M(f0, g4) + M(d1, g3) + M(f2, g2) + M(d3, g1) + M(f4, g0) + M(d5, n9) +
           M(f6, n8) + M(d7, n7) + M(f8, n6) + M(d9, n5);
    t[5] = M(f0, g5) + M(f1, g4) + M(f2, g3) + M(f3, g2) + M(f4, g1) + M(f5, g0) +
           M(f6, n9) + M(f7, n8) + M(f8, n7) + M(f9, n6);
    t[6] = M(f0, g6) + M(d1, g5) + M(f2, g4) + M(d3, g3) + M(f4, g2) + M(d5, g1) +
           M(f6, g0) + M(d7, n9) + M(f8, n8) + M(d9, n7);
    t[7] = M(f0, g7) + M(f1, g6) + M(f2, g5) + M(f3, g4) + M(f4, g3) + M(f5, g2) +
           M(f6, g1) + M(f7, g0) + M(f8, n9) + M(f9, n8);
    t[8] = M(f0, g8) + M(d1, g7) + M(f2, g6) + M(d3, g5) + M(f4, g4) + M(d5, g3) +
           M(f6, g2) + M(d7, g1) + M(f8, g0) + M(d9, n9);
    t[9] = M(f0, g9) + M(f1, g8) + M(f2, g7) + M(f3, g6) + M(f4, g5) + M(f5, g4) +
           M(f6, g3) + M(f7, g2) + M(f8, g1) + M(f9, g0);
    carry64(h, t);
}

/* As fe_mul with g = f, each cross product taken once and doubled. */
void fe_sq(fe h, const fe f)
{
    const uint32_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4],
                   f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8], f9 = f[9];
    const uint32_t d0 = 2 * f0, d1 = 2 * f1, d2 = 2 * f2, d3 = 2 * f3, d4 = 2 * f4,
                   d5 = 2 * f5, d6 = 2 * f6, d7 = 2 * f7, d8 = 2 * f8;
    const uint32_t n5 = 19 * f5, n6 = 19 * f6, n7 = 19 * f7, n8 = 19 * f8, n9 = 19 * f9;
    const uint32_t m7 = 38 * f7, m9 = 38 * f9;
    uint64_t t[10];

    t[0] = M(f0, f0) + M(d1, m9) + M(d2, n8) + M(d3, m7) + M(d4, n6) + M(d5, n5);
    t[1] = M(d0, f1) + M(d2, n9) + M(d3, n8) + M(d4, n7) + M(d5, n6);
    t[2] = M(d0, f2) + M(d1, f1) + M(d3, m9) + M(d4, n8) + M(d5, m7) + M(f6, n6);
    t[3] = M(d0, f3) + M(d1, f2) + M(d4, n9) + M(d5, n8) + M(d6, n7);
    t[4] = M(d0, f4) + M(d1, d3) + M(f2, f2) + M(d5, m9) + M(d6, n8) + M(d7, n7);
    t[5] = M(d0, f5) + M(d1, f4) + M(d2, f3) + M(d6, n9) + M(d7, n8);
    t[6] = M(d0, f6) + M(d1, d5) + M(d2, f4) + M(d3, f3) + M(d7, m9) + M(f8, n8);
    t[7] = M(d0, f7) + M(d1, f6) + M(d2, f5) + M(d3, f4) + M(d8, n9);
    t[8] = M(d0, f8) + M(d1, d7) + M(d2, f6) + M(d3, d5) + M(f4, f4) + M(f9, m9);
    t[9] = M(d0, f9) + M(d1, f8) + M(d2, f7) + M(d3, f6) + M(d4, f5);
    carry64(h, t);
}

void fe_mul_small(fe h, const fe f, uint32_t n)
{
    uint64_t t[10];
    unsigned i;

    for (i = 0; i < 10; i++)
        t[i] = (uint64_t)f[i] * n;
    carry64(h, t);
}

static void sq_n(fe h, const fe f, unsigned n)
{
    fe_sq(h, f);
    while (--n > 0)
        fe_sq(h, h);
}

/* z^(2^250 - 1) into t250, and z^11 into z11. */
static void pow_2_250(fe t250, fe z11, const fe z)
{
    fe t0, t1, t2, t3;

    fe_sq(t0, z);             /* z^2 */
    sq_n(t1, t0, 2);          /* z^8 */
    fe_mul(t1, t1, z);        /* z^9 */
    fe_mul(z11, t0, t1);      /* z^11 */
    fe_sq(t2, z11);           /* z^22 */
    fe_mul(t1, t1, t2);       /* z^(2^5 - 1) */
    sq_n(t2, t1, 5);
    fe_mul(t1, t2, t1);       /* z^(2^10 - 1) */
    sq_n(t2, t1, 10);
    fe_mul(t2, t2, t1);       /* z^(2^20 - 1) */
    sq_n(t3, t2, 20);
    fe_mul(t2, t3, t2);       /* z^(2^40 - 1) */
    sq_n(t2, t2, 10);
    fe_mul(t1, t2, t1);       /* z^(2^50 - 1) */
    sq_n(t2, t1, 50);
    fe_mul(t2, t2, t1);       /* z^(2^100 - 1) */
    sq_n(t3, t2, 100);
    fe_mul(t2, t3, t2);       /* z^(2^200 - 1) */
    sq_n(t2, t2, 50);
    fe_mul(t250, t2, t1);     /* z^(2^250 - 1) */
}

void fe_invert(fe h, const fe z)
{
    fe t, z11;

    pow_2_250(t, z11, z);
    sq_n(t, t, 5);            /* z^(2^255 - 32) */
    fe_mul(h, t, z11);        /* z^(2^255 - 21) = z^(p - 2) */
}

void fe_pow22523(fe h, const fe z)
{
    fe t, z11;

    pow_2_250(t, z11, z);
    sq_n(t, t, 2);            /* z^(2^252 - 4) */
    fe_mul(h, t, z);          /* z^(2^252 - 3) = z^((p - 5) / 8) */
}

void fe_cswap(fe f, fe g, uint32_t b)
{
    uint32_t m = 0u - b, x;
    unsigned i;

    for (i = 0; i < 10; i++) {
        x = m & (f[i] ^ g[i]);
        f[i] ^= x;
        g[i] ^= x;
    }
}

void fe_cmov(fe f, const fe g, uint32_t b)
{
    uint32_t m = 0u - b;
    unsigned i;

    for (i = 0; i < 10; i++)
        f[i] ^= m & (f[i] ^ g[i]);
}

uint32_t fe_iszero(const fe f)
{
    uint8_t s[32];
    uint32_t acc = 0;
    unsigned i;

    fe_tobytes(s, f);
    for (i = 0; i < 32; i++)
        acc |= s[i];
    return (acc - 1u) >> 31;
}

uint32_t fe_isodd(const fe f)
{
    uint8_t s[32];

    fe_tobytes(s, f);
    return s[0] & 1u;
}
