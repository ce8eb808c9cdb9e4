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

void fe_mul(fe h, const fe f, const fe g)
{
    uint64_t t[10] = { 0 }, g1[10], g2[10], g19[10], g38[10];
    unsigned i, j;

    for (j = 0; j < 10; j++) {
        g1[j] = g[j];
        g2[j] = 2 * (uint64_t)g[j];
        g19[j] = 19 * (uint64_t)g[j];
        g38[j] = 38 * (uint64_t)g[j];
    }
    for (i = 0; i < 10; i++) {
        uint64_t fi = f[i];

        for (j = 0; j < 10 - i; j++)
            t[i + j] += fi * ((i & j & 1) ? g2[j] : g1[j]);
        for (j = 10 - i; j < 10; j++)
            t[i + j - 10] += fi * ((i & j & 1) ? g38[j] : g19[j]);
    }
    carry64(h, t);
}

/* As fe_mul with g = f, each cross product taken once and doubled. */
void fe_sq(fe h, const fe f)
{
    uint64_t t[10] = { 0 };
    unsigned i, j;

    for (i = 0; i < 10; i++) {
        uint64_t fi = f[i];

        t[(2 * i) % 10] += fi * fi * ((i & 1) ? 2 : 1) * (2 * i >= 10 ? 19 : 1);
        for (j = i + 1; j < 10; j++) {
            uint64_t m = 2u * ((i & j & 1) ? 2u : 1u) * (i + j >= 10 ? 19u : 1u);

            t[(i + j) % 10] += fi * (m * f[j]);
        }
    }
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
