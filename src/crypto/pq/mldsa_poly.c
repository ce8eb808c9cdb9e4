/*
 * ML-DSA polynomial arithmetic and sampling (FIPS 204 sections 7.3-7.5).
 * Products use Montgomery reduction with R = 2^32 so that no division or
 * 64-bit modulo (a variable-time library call on small CPUs) is needed.
 */
#include <string.h>

#include "keccak.h"
#include "mldsa_poly.h"

#define QINV 58728449           /* q^-1 mod 2^32 */
#define INV_F 41978             /* R^2 / 256 mod q: NTT^-1 scale */

/* zetas[m] = 1753^BitRev8(m) * R mod q, centred (FIPS 204 appendix B
 * lists 1753^BitRev8(m)); computed with
 *   [(pow(1753, int(f'{m:08b}'[::-1], 2), q) << 32) % q for m in range(256)]
 * and each value above q/2 taken minus q. zetas[0] is unused. */
static const int32_t zetas[MLDSA_N] = {
    -4186625, 25847, -2608894, -518909, 237124, -777960, -876248, 466468,
    1826347, 2353451, -359251, -2091905, 3119733, -2884855, 3111497, 2680103,
    2725464, 1024112, -1079900, 3585928, -549488, -1119584, 2619752, -2108549,
    -2118186, -3859737, -1399561, -3277672, 1757237, -19422, 4010497, 280005,
    2706023, 95776, 3077325, 3530437, -1661693, -3592148, -2537516, 3915439,
    -3861115, -3043716, 3574422, -2867647, 3539968, -300467, 2348700, -539299,
    -1699267, -1643818, 3505694, -3821735, 3507263, -2140649, -1600420, 3699596,
    811944, 531354, 954230, 3881043, 3900724, -2556880, 2071892, -2797779,
    -3930395, -1528703, -3677745, -3041255, -1452451, 3475950, 2176455, -1585221,
    -1257611, 1939314, -4083598, -1000202, -3190144, -3157330, -3632928, 126922,
    3412210, -983419, 2147896, 2715295, -2967645, -3693493, -411027, -2477047,
    -671102, -1228525, -22981, -1308169, -381987, 1349076, 1852771, -1430430,
    -3343383, 264944, 508951, 3097992, 44288, -1100098, 904516, 3958618,
    -3724342, -8578, 1653064, -3249728, 2389356, -210977, 759969, -1316856,
    189548, -3553272, 3159746, -1851402, -2409325, -177440, 1315589, 1341330,
    1285669, -1584928, -812732, -1439742, -3019102, -3881060, -3628969, 3839961,
    2091667, 3407706, 2316500, 3817976, -3342478, 2244091, -2446433, -3562462,
    266997, 2434439, -1235728, 3513181, -3520352, -3759364, -1197226, -3193378,
    900702, 1859098, 909542, 819034, 495491, -1613174, -43260, -522500,
    -655327, -3122442, 2031748, 3207046, -3556995, -525098, -768622, -3595838,
    342297, 286988, -2437823, 4108315, 3437287, -3342277, 1735879, 203044,
    2842341, 2691481, -2590150, 1265009, 4055324, 1247620, 2486353, 1595974,
    -3767016, 1250494, 2635921, -3548272, -2994039, 1869119, 1903435, -1050970,
    -1333058, 1237275, -3318210, -1430225, -451100, 1312455, 3306115, -1962642,
    -1279661, 1917081, -2546312, -1374803, 1500165, 777191, 2235880, 3406031,
    -542412, -2831860, -1671176, -1846953, -2584293, -3724270, 594136, -3776993,
    -2013608, 2432395, 2454455, -164721, 1957272, 3369112, 185531, -1207385,
    -3183426, 162844, 1616392, 3014001, 810149, 1652634, -3694233, -1799107,
    -3038916, 3523897, 3866901, 269760, 2213111, -975884, 1717735, 472078,
    -426683, 1723600, -1803090, 1910376, -1667432, -1104333, -260646, -3833893,
    -2939036, -2235985, -420899, -2286327, 183443, -976891, 1612842, -3545687,
    -554416, 3919660, -48306, -1362209, 3937738, 1400424, -846154, 1976782,
};

/* a * 2^-32 mod q for |a| < 2^31 q; result in (-q, q). */
static int32_t mont_reduce(int64_t a)
{
    int32_t t = (int32_t)((uint32_t)a * (uint32_t)QINV);

    return (int32_t)((a - (int64_t)t * MLDSA_Q) >> 32);
}

/* a mod q into [-6283009, 6283008] for a <= 2^31 - 2^22 - 1. */
static int32_t reduce32(int32_t a)
{
    int32_t t = (a + (1 << 22)) >> 23;

    return a - t * MLDSA_Q;
}

/* Adds q when a is negative, without a branch. */
static int32_t caddq(int32_t a)
{
    return a + ((a >> 31) & MLDSA_Q);
}

void mldsa_ntt(mldsa_poly *p)
{
    unsigned len, start, j, m = 0;
    int32_t z, t;

    for (len = 128; len > 0; len >>= 1) {
        for (start = 0; start < MLDSA_N; start = j + len) {
            z = zetas[++m];
            for (j = start; j < start + len; j++) {
                t = mont_reduce((int64_t)z * p->c[j + len]);
                p->c[j + len] = p->c[j] - t;
                p->c[j] = p->c[j] + t;
            }
        }
    }
}

void mldsa_invntt(mldsa_poly *p)
{
    unsigned len, start, j, m = MLDSA_N;
    int32_t z, t;

    /* Inputs below q keep every sum of the 256 below 2^31. */
    for (j = 0; j < MLDSA_N; j++)
        p->c[j] = reduce32(p->c[j]);
    for (len = 1; len < MLDSA_N; len <<= 1) {
        for (start = 0; start < MLDSA_N; start = j + len) {
            z = -zetas[--m];
            for (j = start; j < start + len; j++) {
                t = p->c[j];
                p->c[j] = t + p->c[j + len];
                p->c[j + len] = mont_reduce((int64_t)z * (t - p->c[j + len]));
            }
        }
    }
    for (j = 0; j < MLDSA_N; j++)
        p->c[j] = mont_reduce((int64_t)INV_F * p->c[j]);
}

void mldsa_pointwise(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    unsigned i;

    for (i = 0; i < MLDSA_N; i++)
        r->c[i] = mont_reduce((int64_t)a->c[i] * b->c[i]);
}

void mldsa_pointwise_acc(mldsa_poly *r, const mldsa_poly *a,
                         const mldsa_poly *b)
{
    unsigned i;

    for (i = 0; i < MLDSA_N; i++)
        r->c[i] += mont_reduce((int64_t)a->c[i] * b->c[i]);
}

void mldsa_add(mldsa_poly *r, const mldsa_poly *a)
{
    unsigned i;

    for (i = 0; i < MLDSA_N; i++)
        r->c[i] += a->c[i];
}

void mldsa_sub(mldsa_poly *r, const mldsa_poly *a)
{
    unsigned i;

    for (i = 0; i < MLDSA_N; i++)
        r->c[i] -= a->c[i];
}

void mldsa_freeze(mldsa_poly *p)
{
    unsigned i;

    for (i = 0; i < MLDSA_N; i++)
        p->c[i] = caddq(reduce32(p->c[i]));
}

void mldsa_sample_a(mldsa_poly *p, const uint8_t rho[32], uint8_t r,
                    uint8_t s)
{
    uint8_t in[34], buf[PQ_SHAKE128_RATE];
    unsigned n = 0, i;
    pq_keccak k;
    int32_t v;

    /* A is public: plain rejection on 23-bit candidates (algorithm 14). */
    memcpy(in, rho, 32);
    in[32] = s;
    in[33] = r;
    pq_keccak_init(&k, PQ_SHAKE128_RATE);
    pq_keccak_absorb(&k, in, sizeof(in));
    pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
    while (n < MLDSA_N) {
        pq_keccak_squeeze(&k, buf, sizeof(buf));
        for (i = 0; i + 3 <= sizeof(buf) && n < MLDSA_N; i += 3) {
            v = (int32_t)(buf[i] | (uint32_t)buf[i + 1] << 8 |
                          (uint32_t)(buf[i + 2] & 0x7f) << 16);
            if (v < MLDSA_Q)
                p->c[n++] = v;
        }
    }
}

void mldsa_sample_eta(mldsa_poly *p, const uint8_t rhop[64], uint16_t nonce)
{
    uint8_t in[66], buf[PQ_SHAKE256_RATE];
    unsigned n = 0, i, h, keep;
    uint32_t b;
    pq_keccak k;

    memcpy(in, rhop, 64);
    in[64] = (uint8_t)nonce;
    in[65] = (uint8_t)(nonce >> 8);
    pq_keccak_init(&k, PQ_SHAKE256_RATE);
    pq_keccak_absorb(&k, in, sizeof(in));
    pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
    while (n < MLDSA_N) {
        pq_keccak_squeeze(&k, buf, sizeof(buf));
        for (i = 0; i < 2 * sizeof(buf) && n < MLDSA_N; i++) {
            /* CoeffFromHalfByte (algorithm 15): a nibble of 15 is dropped;
             * whether it was says nothing about the nibbles kept. */
            b = (uint32_t)(buf[i >> 1] >> (4 * (i & 1))) & 15u;
            keep = (b - 15u) >> 31;
            MLDSA_PUBLIC(&keep, sizeof(keep));
            if (keep) {
                /* 2 - (b mod 5); b < 15, so b mod 5 = b - 5 floor(b * 13 / 64) */
                h = (b * 13u) >> 6;
                p->c[n++] = 2 - (int32_t)(b - 5u * h);
            }
        }
    }
    nssh_wipe(buf, sizeof(buf));
    nssh_wipe(&k, sizeof(k));
}

void mldsa_sample_mask(mldsa_poly *p, const uint8_t rhopp[64], uint16_t nonce)
{
    uint8_t in[66], buf[32 * 18];

    memcpy(in, rhopp, 64);
    in[64] = (uint8_t)nonce;
    in[65] = (uint8_t)(nonce >> 8);
    pq_shake256(buf, sizeof(buf), in, sizeof(in), NULL, 0);
    mldsa_unpack(p, buf, 18, MLDSA_GAMMA1, 1);
    nssh_wipe(buf, sizeof(buf));
}

void mldsa_sample_ball(mldsa_poly *p, const uint8_t ctilde[32])
{
    uint8_t buf[PQ_SHAKE256_RATE];
    unsigned pos, i, j;
    uint64_t signs = 0;
    pq_keccak k;

    memset(p, 0, sizeof(*p));
    pq_keccak_init(&k, PQ_SHAKE256_RATE);
    pq_keccak_absorb(&k, ctilde, 32);
    pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
    pq_keccak_squeeze(&k, buf, sizeof(buf));
    for (i = 0; i < 8; i++)
        signs |= (uint64_t)buf[i] << (8 * i);
    pos = 8;
    for (i = MLDSA_N - MLDSA_TAU; i < MLDSA_N; i++) {
        do {
            if (pos == sizeof(buf)) {
                pq_keccak_squeeze(&k, buf, sizeof(buf));
                pos = 0;
            }
            j = buf[pos++];
        } while (j > i);
        p->c[i] = p->c[j];
        p->c[j] = 1 - 2 * (int32_t)(signs & 1);
        signs >>= 1;
    }
}

void mldsa_power2round(mldsa_poly *t1, mldsa_poly *t0, const mldsa_poly *a)
{
    unsigned i;
    int32_t hi;

    for (i = 0; i < MLDSA_N; i++) {
        hi = (a->c[i] + (1 << (MLDSA_D - 1)) - 1) >> MLDSA_D;
        t0->c[i] = a->c[i] - (hi << MLDSA_D);
        t1->c[i] = hi;
    }
}

void mldsa_decompose(int32_t *r1, int32_t *r0, int32_t a)
{
    /* r1 = floor((a + gamma2 - 1) / (2 gamma2)) as ((a + gamma2 - 1) >> 11)
     * divided by 93 (2 gamma2 = 93 * 2^11) with a multiply: 2819 / 2^18
     * is exact for every quotient input up to 4138 (checked over all a). */
    int32_t x = (a + MLDSA_GAMMA2 - 1) >> 11;
    int32_t hi = (int32_t)(((uint32_t)x * 2819u) >> 18);
    int32_t lo = a - hi * 2 * MLDSA_GAMMA2;
    /* a - r0 = q - 1 gives r1 = 0 and r0 - 1 (algorithm 36 step 3). */
    int32_t top = -(int32_t)(((uint32_t)(hi ^ 44) - 1u) >> 31);

    *r1 = hi & ~top;
    *r0 = lo - (top & 1);
}

void mldsa_highbits(mldsa_poly *r1, const mldsa_poly *a)
{
    unsigned i;
    int32_t lo;

    for (i = 0; i < MLDSA_N; i++)
        mldsa_decompose(&r1->c[i], &lo, a->c[i]);
}

void mldsa_use_hint(mldsa_poly *r1, const mldsa_poly *a, const uint8_t h[256])
{
    unsigned i;
    int32_t hi, lo, up, v;

    /* Public data (verification), but kept branch-free all the same. */
    for (i = 0; i < MLDSA_N; i++) {
        mldsa_decompose(&hi, &lo, a->c[i]);
        up = -((-lo) >> 31 & 1);              /* all ones when lo > 0 */
        v = hi + (((1 & up) | (-1 & ~up)) & -(int32_t)h[i]);
        v += 44 & (v >> 31);                  /* mod 44 */
        v -= 44 & -(int32_t)((uint32_t)(43 - v) >> 31);
        r1->c[i] = v;
    }
}

unsigned mldsa_norm_exceeds(const mldsa_poly *p, int32_t bound)
{
    unsigned i;
    uint32_t over = 0;
    int32_t t;

    for (i = 0; i < MLDSA_N; i++) {
        t = p->c[i] - (((MLDSA_Q - 1) / 2 - p->c[i]) >> 31 & MLDSA_Q);
        t = t - ((t >> 31) & 2 * t);          /* |t| */
        over |= (uint32_t)(bound - 1 - t) >> 31;
    }
    return over;
}

void mldsa_pack(uint8_t *out, const mldsa_poly *p, unsigned bits, int32_t b,
                int negate)
{
    uint64_t acc = 0;
    unsigned have = 0, i, o = 0;
    uint32_t v, mask = (1u << bits) - 1u;

    for (i = 0; i < MLDSA_N; i++) {
        v = (uint32_t)(negate ? b - p->c[i] : p->c[i]) & mask;
        acc |= (uint64_t)v << have;
        have += bits;
        while (have >= 8) {
            out[o++] = (uint8_t)acc;
            acc >>= 8;
            have -= 8;
        }
    }
}

void mldsa_unpack(mldsa_poly *p, const uint8_t *in, unsigned bits, int32_t b,
                  int negate)
{
    uint64_t acc = 0;
    unsigned have = 0, i, o = 0;
    uint32_t mask = (1u << bits) - 1u;
    int32_t v;

    for (i = 0; i < MLDSA_N; i++) {
        while (have < bits) {
            acc |= (uint64_t)in[o++] << have;
            have += 8;
        }
        v = (int32_t)(acc & mask);
        acc >>= bits;
        have -= bits;
        p->c[i] = negate ? b - v : v;
    }
}
