/*
 * AES encryption (FIPS 197) bitsliced on 32-bit words, for constant time
 * without lookup tables: two blocks are processed together, and word i of
 * the state holds bit i of all 32 bytes. Byte (row r, column c) of block
 * b sits at bit 8r + 2c + b, so each row is one byte of every word:
 *
 *   ShiftRows    rotates row r's byte right by 2r bits;
 *   MixColumns   reaches the next row of the same column by rotating the
 *                word by 8 bits, and doubles in GF(2^8) by moving words;
 *   SubBytes     computes the inverse in GF(2^8) as x^254 (four
 *                multiplications and seven squarings on whole words,
 *                logic gates only) followed by the affine map.
 *
 * The S-box is the slow part (roughly 800 word operations per 32 bytes);
 * a smaller circuit (Boyar and Peralta) would be faster, this one is
 * derived straight from the field definition. The key schedule uses the
 * same S-box, so no operation anywhere depends on key or data values.
 */
#include <string.h>

#include "compact.h"

typedef uint32_t slice[8];

/* ---- GF(2^8) on bit planes: x^8 = x^4 + x^3 + x + 1 ---------------- */

/* Fold planes 14..8 of a 15-plane product back into 0..7. */
static void reduce(uint32_t p[15], slice out)
{
    int k;

    for (k = 14; k >= 8; k--) {
        p[k - 4] ^= p[k];
        p[k - 5] ^= p[k];
        p[k - 7] ^= p[k];
        p[k - 8] ^= p[k];
    }
    for (k = 0; k < 8; k++)
        out[k] = p[k];
}

static void gf_mul(slice c, const slice a, const slice b)
{
    uint32_t p[15];
    int i, j;

    memset(p, 0, sizeof(p));
    for (i = 0; i < 8; i++)
        for (j = 0; j < 8; j++)
            p[i + j] ^= a[i] & b[j];
    reduce(p, c);
}

static void gf_sq(slice c, const slice a)
{
    uint32_t p[15];
    int i;

    memset(p, 0, sizeof(p));
    for (i = 0; i < 8; i++)
        p[2 * i] = a[i];
    reduce(p, c);
}

/* SubBytes on all 32 bytes: s = A(x^254) ^ 0x63. */
static void sub_bytes(slice q)
{
    slice x2, x3, x12, x15, t;
    uint32_t b[8];
    int i;

    gf_sq(x2, q);            /* x^2 */
    gf_mul(x3, x2, q);       /* x^3 */
    gf_sq(t, x3);            /* x^6 */
    gf_sq(x12, t);           /* x^12 */
    gf_mul(x15, x12, x3);    /* x^15 */
    gf_sq(t, x15);           /* x^30 */
    gf_sq(t, t);             /* x^60 */
    gf_sq(t, t);             /* x^120 */
    gf_sq(t, t);             /* x^240 */
    gf_mul(t, t, x12);       /* x^252 */
    gf_mul(t, t, x2);        /* x^254 = x^-1 */
    /* affine map: b_i ^ b_i+4 ^ b_i+5 ^ b_i+6 ^ b_i+7 ^ c_i, c = 0x63 */
    for (i = 0; i < 8; i++)
        b[i] = t[i] ^ t[(i + 4) & 7] ^ t[(i + 5) & 7] ^ t[(i + 6) & 7] ^
               t[(i + 7) & 7];
    for (i = 0; i < 8; i++)
        q[i] = b[i] ^ (((0x63u >> i) & 1u) ? 0xffffffffu : 0u);
}

static void shift_rows(slice q)
{
    int i;

    for (i = 0; i < 8; i++) {
        uint32_t w = q[i];

        q[i] = (w & 0x000000ffu) |
               ((w & 0x0000fc00u) >> 2) | ((w & 0x00000300u) << 6) |
               ((w & 0x00f00000u) >> 4) | ((w & 0x000f0000u) << 4) |
               ((w & 0xc0000000u) >> 6) | ((w & 0x3f000000u) << 2);
    }
}

static uint32_t rot(uint32_t w, unsigned n)
{
    return (w >> n) | (w << (32 - n));
}

/* new_r = 2 (a_r ^ a_r+1) ^ a_r+1 ^ a_r+2 ^ a_r+3 */
static void mix_columns(slice q)
{
    uint32_t t[8], r1[8];
    int i;

    for (i = 0; i < 8; i++) {
        r1[i] = rot(q[i], 8);
        t[i] = q[i] ^ r1[i];
    }
    q[0] = t[7] ^ r1[0] ^ rot(q[0], 16) ^ rot(q[0], 24);
    for (i = 7; i >= 1; i--) {
        uint32_t x = t[i - 1];

        if (i == 1 || i == 3 || i == 4)
            x ^= t[7];
        q[i] = x ^ r1[i] ^ rot(q[i], 16) ^ rot(q[i], 24);
    }
}

/* Bit position of byte p (FIPS 197 order, p = 4c + r) of block b. */
static unsigned pos(unsigned p, unsigned b)
{
    return 8 * (p & 3) + 2 * (p >> 2) + b;
}

static void load(slice q, const uint8_t in[32])
{
    unsigned k, i;

    memset(q, 0, sizeof(slice));
    for (k = 0; k < 32; k++) {
        unsigned s = pos(k & 15, k >> 4);

        for (i = 0; i < 8; i++)
            q[i] |= (uint32_t)((in[k] >> i) & 1u) << s;
    }
}

static void store(uint8_t out[32], const slice q)
{
    unsigned k, i;

    for (k = 0; k < 32; k++) {
        unsigned s = pos(k & 15, k >> 4);
        uint32_t v = 0;

        for (i = 0; i < 8; i++)
            v |= ((q[i] >> s) & 1u) << i;
        out[k] = (uint8_t)v;
    }
}

/* SubWord (FIPS 197 section 5.2) through the bitsliced S-box. */
static uint32_t sub_word(uint32_t w)
{
    uint8_t b[32];
    slice q;

    memset(b, 0, sizeof(b));
    store_be32(b, w);
    load(q, b);
    sub_bytes(q);
    store(b, q);
    w = load_be32(b);
    compact_wipe(b, sizeof(b));
    compact_wipe(q, sizeof(q));
    return w;
}

int compact_aes_setkey(compact_aes_key *k, const uint8_t *key, size_t klen)
{
    static const uint8_t rcon[10] = {
        0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36,
    };
    uint32_t w[60], t;
    uint8_t rk[32];
    unsigned nk, nr, i, r;

    memset(k, 0, sizeof(*k));
    if (klen != 16 && klen != 32)
        return NSSH_ERR_CRYPTO;
    nk = (unsigned)klen / 4;
    nr = nk + 6;
    for (i = 0; i < nk; i++)
        w[i] = load_be32(key + 4 * i);
    for (i = nk; i < 4 * (nr + 1); i++) {
        t = w[i - 1];
        if (i % nk == 0)
            t = sub_word((t << 8) | (t >> 24)) ^ ((uint32_t)rcon[i / nk - 1] << 24);
        else if (nk > 6 && i % nk == 4)
            t = sub_word(t);
        w[i] = w[i - nk] ^ t;
    }
    /* each round key, for both blocks */
    for (r = 0; r <= nr; r++) {
        for (i = 0; i < 4; i++)
            store_be32(rk + 4 * i, w[4 * r + i]);
        memcpy(rk + 16, rk, 16);
        load(k->sk + 8 * r, rk);
    }
    k->rounds = nr;
    compact_wipe(w, sizeof(w));
    compact_wipe(rk, sizeof(rk));
    return 0;
}

static void add_round_key(slice q, const uint32_t *rk)
{
    int i;

    for (i = 0; i < 8; i++)
        q[i] ^= rk[i];
}

void compact_aes_encrypt2(const compact_aes_key *k, uint8_t out[32],
                          const uint8_t in[32])
{
    slice q;
    unsigned r;

    load(q, in);
    add_round_key(q, k->sk);
    for (r = 1; r < k->rounds; r++) {
        sub_bytes(q);
        shift_rows(q);
        mix_columns(q);
        add_round_key(q, k->sk + 8 * r);
    }
    sub_bytes(q);
    shift_rows(q);
    add_round_key(q, k->sk + 8 * k->rounds);
    store(out, q);
    compact_wipe(q, sizeof(q));
}
