/*
 * ML-KEM polynomial arithmetic (FIPS 203 sections 4.2.1, 4.2.2 and 4.3).
 * Reduction mod q uses a multiply and shift (Barrett) and a masked
 * conditional subtraction, never a division or a branch, so the time
 * taken does not depend on secret coefficients.
 */
#include <string.h>

#include "keccak.h"
#include "mlkem_poly.h"

/* zeta[i] = 17^BitRev7(i) mod q (FIPS 203 section 4.3). */
static const uint16_t zeta[128] = {
       1, 1729, 2580, 3289, 2642,  630, 1897,  848, 1062, 1919,  193,  797,
    2786, 3260,  569, 1746,  296, 2447, 1339, 1476, 3046,   56, 2240, 1333,
    1426, 2094,  535, 2882, 2393, 2879, 1974,  821,  289,  331, 3253, 1756,
    1197, 2304, 2277, 2055,  650, 1977, 2513,  632, 2865,   33, 1320, 1915,
    2319, 1435,  807,  452, 1438, 2868, 1534, 2402, 2647, 2617, 1481,  648,
    2474, 3110, 1227,  910,   17, 2761,  583, 2649, 1637,  723, 2288, 1100,
    1409, 2662, 3281,  233,  756, 2156, 3015, 3050, 1703, 1651, 2789, 1789,
    1847,  952, 1461, 2687,  939, 2308, 2437, 2388,  733, 2337,  268,  641,
    1584, 2298, 2037, 3220,  375, 2549, 2090, 1645, 1063,  319, 2773,  757,
    2099,  561, 2466, 2594, 2804, 1092,  403, 1026, 1143, 2150, 2775,  886,
    1722, 1212, 1874, 1029, 2110, 2935,  885, 2154,
};

/* gamma[i] = 17^(2 BitRev7(i) + 1) mod q, for MultiplyNTTs. */
static const uint16_t gamma_[128] = {
      17, 3312, 2761,  568,  583, 2746, 2649,  680, 1637, 1692,  723, 2606,
    2288, 1041, 1100, 2229, 1409, 1920, 2662,  667, 3281,   48,  233, 3096,
     756, 2573, 2156, 1173, 3015,  314, 3050,  279, 1703, 1626, 1651, 1678,
    2789,  540, 1789, 1540, 1847, 1482,  952, 2377, 1461, 1868, 2687,  642,
     939, 2390, 2308, 1021, 2437,  892, 2388,  941,  733, 2596, 2337,  992,
     268, 3061,  641, 2688, 1584, 1745, 2298, 1031, 2037, 1292, 3220,  109,
     375, 2954, 2549,  780, 2090, 1239, 1645, 1684, 1063, 2266,  319, 3010,
    2773,  556,  757, 2572, 2099, 1230,  561, 2768, 2466,  863, 2594,  735,
    2804,  525, 1092, 2237,  403, 2926, 1026, 2303, 1143, 2186, 2150, 1179,
    2775,  554,  886, 2443, 1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300,
    2110, 1219, 2935,  394,  885, 2444, 2154, 1175,
};

#define INV128 3303u          /* 128^-1 mod q, the inverse NTT's scale */
#define BARRETT 1290167u      /* floor(2^32 / q) */
#define DIV2Q 165141429u      /* ceil(2^40 / 2q): exact for n < 2^23 */

/* x - q when x >= q, for x < 2q. */
static uint16_t csub(uint32_t x)
{
    uint32_t s = x - MLKEM_Q;
    uint32_t mask = 0u - (s >> 31);   /* all ones when x < q */

    return (uint16_t)(s + (mask & MLKEM_Q));
}

/* x mod q for any 32-bit x: the quotient estimate is at most one short. */
static uint16_t reduce(uint32_t x)
{
    uint32_t t = (uint32_t)(((uint64_t)x * BARRETT) >> 32);

    return csub(x - t * MLKEM_Q);
}

static uint16_t mulq(uint16_t a, uint16_t b)
{
    return reduce((uint32_t)a * b);
}

void mlkem_ntt(mlkem_poly *p)
{
    unsigned len, start, j, i = 1;
    uint16_t z, t;

    for (len = 128; len >= 2; len >>= 1)
        for (start = 0; start < MLKEM_N; start += 2 * len) {
            z = zeta[i++];
            for (j = start; j < start + len; j++) {
                t = mulq(z, p->c[j + len]);
                p->c[j + len] = csub((uint32_t)p->c[j] + MLKEM_Q - t);
                p->c[j] = csub((uint32_t)p->c[j] + t);
            }
        }
}

void mlkem_invntt(mlkem_poly *p)
{
    unsigned len, start, j, i = 127;
    uint16_t z, t;

    for (len = 2; len <= 128; len <<= 1)
        for (start = 0; start < MLKEM_N; start += 2 * len) {
            z = zeta[i--];
            for (j = start; j < start + len; j++) {
                t = p->c[j];
                p->c[j] = csub((uint32_t)t + p->c[j + len]);
                p->c[j + len] = mulq(z, csub((uint32_t)p->c[j + len] + MLKEM_Q - t));
            }
        }
    for (j = 0; j < MLKEM_N; j++)
        p->c[j] = mulq(p->c[j], INV128);
}

/* BaseCaseMultiply (algorithm 12) for all 128 pairs, added to r. */
void mlkem_basemul_acc(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b)
{
    unsigned i;

    for (i = 0; i < MLKEM_N / 2; i++) {
        uint32_t a0 = a->c[2 * i], a1 = a->c[2 * i + 1];
        uint32_t b0 = b->c[2 * i], b1 = b->c[2 * i + 1];
        uint32_t c0 = a0 * b0 + (uint32_t)mulq((uint16_t)a1, (uint16_t)b1) * gamma_[i];
        uint32_t c1 = a0 * b1 + a1 * b0;

        r->c[2 * i] = reduce(c0 + r->c[2 * i]);
        r->c[2 * i + 1] = reduce(c1 + r->c[2 * i + 1]);
    }
}

void mlkem_add(mlkem_poly *r, const mlkem_poly *a)
{
    unsigned i;

    for (i = 0; i < MLKEM_N; i++)
        r->c[i] = csub((uint32_t)r->c[i] + a->c[i]);
}

void mlkem_sub(mlkem_poly *r, const mlkem_poly *a)
{
    unsigned i;

    for (i = 0; i < MLKEM_N; i++)
        r->c[i] = csub((uint32_t)r->c[i] + MLKEM_Q - a->c[i]);
}

/* Rejection sampling of 12-bit candidates: the stream is public (it comes
 * from rho), so branching on it leaks nothing. */
void mlkem_sample_ntt(mlkem_poly *p, const uint8_t rho[32], uint8_t b0,
                      uint8_t b1)
{
    uint8_t blk[PQ_SHAKE128_RATE], idx[2] = { b0, b1 };
    pq_keccak k;
    unsigned n = 0, pos;
    uint16_t d1, d2;

    pq_keccak_init(&k, PQ_SHAKE128_RATE);
    pq_keccak_absorb(&k, rho, 32);
    pq_keccak_absorb(&k, idx, 2);
    pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
    while (n < MLKEM_N) {
        pq_keccak_squeeze(&k, blk, sizeof(blk));
        for (pos = 0; pos + 3 <= sizeof(blk) && n < MLKEM_N; pos += 3) {
            d1 = (uint16_t)(blk[pos] | ((blk[pos + 1] & 0x0f) << 8));
            d2 = (uint16_t)((blk[pos + 1] >> 4) | (blk[pos + 2] << 4));
            if (d1 < MLKEM_Q)
                p->c[n++] = d1;
            if (d2 < MLKEM_Q && n < MLKEM_N)
                p->c[n++] = d2;
        }
    }
}

/* Each byte gives two coefficients; each nibble is (b0 + b1) - (b2 + b3). */
void mlkem_sample_cbd2(mlkem_poly *p, const uint8_t seed[32], uint8_t nonce)
{
    uint8_t buf[128];
    unsigned i, h;

    pq_shake256(buf, sizeof(buf), seed, 32, &nonce, 1);
    for (i = 0; i < MLKEM_N; i++) {
        unsigned nib = (buf[i / 2] >> (4 * (i % 2))) & 0x0f;

        h = (nib & 1) + ((nib >> 1) & 1);
        h = h + MLKEM_Q - ((nib >> 2) & 1) - ((nib >> 3) & 1);
        p->c[i] = csub(h);
    }
    nssh_wipe(buf, sizeof(buf));
}

/* Compress_d(x) = round(2^d x / q) mod 2^d
 *               = floor((2^(d+1) x + q) / 2q) mod 2^d. */
static uint32_t compress(uint16_t x, unsigned d)
{
    uint64_t n = ((uint64_t)x << (d + 1)) + MLKEM_Q;

    return (uint32_t)((n * DIV2Q) >> 40) & ((1u << d) - 1);
}

/* ByteEncode_d packs d-bit values little-endian (algorithm 5). */
void mlkem_encode(uint8_t *out, const mlkem_poly *p, unsigned d)
{
    uint32_t acc = 0;
    unsigned i, bits = 0;

    for (i = 0; i < MLKEM_N; i++) {
        acc |= (d == 12 ? p->c[i] : compress(p->c[i], d)) << bits;
        for (bits += d; bits >= 8; bits -= 8) {
            *out++ = (uint8_t)acc;
            acc >>= 8;
        }
    }
}

/* ByteDecode_d (algorithm 6) then Decompress_d(y) = round(q y / 2^d). */
void mlkem_decode(mlkem_poly *p, const uint8_t *in, unsigned d)
{
    uint32_t acc = 0, y;
    unsigned i, bits = 0;

    for (i = 0; i < MLKEM_N; i++) {
        while (bits < d) {
            acc |= (uint32_t)*in++ << bits;
            bits += 8;
        }
        y = acc & ((1u << d) - 1);
        acc >>= d;
        bits -= d;
        p->c[i] = (uint16_t)((y * MLKEM_Q + (1u << (d - 1))) >> d);
    }
}

unsigned mlkem_decode12(mlkem_poly *p, const uint8_t in[384])
{
    unsigned i, bad = 0;
    uint32_t v0, v1;

    for (i = 0; i < MLKEM_N / 2; i++) {
        v0 = in[3 * i] | ((uint32_t)(in[3 * i + 1] & 0x0f) << 8);
        v1 = (in[3 * i + 1] >> 4) | ((uint32_t)in[3 * i + 2] << 4);
        /* (MLKEM_Q - 1 - v) has its top bit set exactly when v >= q */
        bad |= ((MLKEM_Q - 1 - v0) | (MLKEM_Q - 1 - v1)) >> 31;
        p->c[2 * i] = csub(v0);
        p->c[2 * i + 1] = csub(v1);
    }
    return bad;
}
