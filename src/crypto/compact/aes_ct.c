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
 * The S-box is the slow part (about 700 word operations per 32 bytes);
 * a smaller circuit (Boyar and Peralta's, about 120 gates) would be
 * faster, this one is derived straight from the field definition. The key schedule uses the
 * same S-box, so no operation anywhere depends on key or data values.
 */
#include <string.h>

#include "compact.h"

typedef uint32_t slice[8];

/* ---- GF(2^8) on bit planes: x^8 = x^4 + x^3 + x + 1 ---------------- */

/* c = a * b: the 15 planes of the carry-less product, then x^8..x^14
 * folded back (each x^k adds to x^(k-4), x^(k-5), x^(k-7), x^(k-8)).
 * Written out so the planes stay in registers. */
static void gf_mul(slice c, const slice a, const slice b)
{
    const uint32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4],
                   a5 = a[5], a6 = a[6], a7 = a[7];
    const uint32_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4],
                   b5 = b[5], b6 = b[6], b7 = b[7];
    uint32_t p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14;

    p0 = (a0 & b0);
    p1 = (a0 & b1) ^ (a1 & b0);
    p2 = (a0 & b2) ^ (a1 & b1) ^ (a2 & b0);
    p3 = (a0 & b3) ^ (a1 & b2) ^ (a2 & b1) ^ (a3 & b0);
    p4 = (a0 & b4) ^ (a1 & b3) ^ (a2 & b2) ^ (a3 & b1) ^ (a4 & b0);
    p5 = (a0 & b5) ^ (a1 & b4) ^ (a2 & b3) ^ (a3 & b2) ^ (a4 & b1) ^ (a5 & b0);
    p6 = (a0 & b6) ^ (a1 & b5) ^ (a2 & b4) ^ (a3 & b3) ^ (a4 & b2) ^ (a5 & b1) ^ (a6 & b0);
    p7 = (a0 & b7) ^ (a1 & b6) ^ (a2 & b5) ^ (a3 & b4) ^ (a4 & b3) ^ (a5 & b2) ^ (a6 & b1) ^ (a7 & b0);
    p8 = (a1 & b7) ^ (a2 & b6) ^ (a3 & b5) ^ (a4 & b4) ^ (a5 & b3) ^ (a6 & b2) ^ (a7 & b1);
    p9 = (a2 & b7) ^ (a3 & b6) ^ (a4 & b5) ^ (a5 & b4) ^ (a6 & b3) ^ (a7 & b2);
    p10 = (a3 & b7) ^ (a4 & b6) ^ (a5 & b5) ^ (a6 & b4) ^ (a7 & b3);
    p11 = (a4 & b7) ^ (a5 & b6) ^ (a6 & b5) ^ (a7 & b4);
    p12 = (a5 & b7) ^ (a6 & b6) ^ (a7 & b5);
    p13 = (a6 & b7) ^ (a7 & b6);
    p14 = (a7 & b7);
    p10 ^= p14; p9 ^= p14; p7 ^= p14; p6 ^= p14;
    p9 ^= p13; p8 ^= p13; p6 ^= p13; p5 ^= p13;
    p8 ^= p12; p7 ^= p12; p5 ^= p12; p4 ^= p12;
    p7 ^= p11; p6 ^= p11; p4 ^= p11; p3 ^= p11;
    p6 ^= p10; p5 ^= p10; p3 ^= p10; p2 ^= p10;
    p5 ^= p9; p4 ^= p9; p2 ^= p9; p1 ^= p9;
    p4 ^= p8; p3 ^= p8; p1 ^= p8; p0 ^= p8;
    c[0] = p0; c[1] = p1; c[2] = p2; c[3] = p3;
    c[4] = p4; c[5] = p5; c[6] = p6; c[7] = p7;
}

/* c = a^2, linear over GF(2): sum a_i x^2i reduced, worked out once. */
static void gf_sq(slice c, const slice a)
{
    const uint32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4],
                   a5 = a[5], a6 = a[6], a7 = a[7];

    c[0] = a0 ^ a4 ^ a6;
    c[1] = a4 ^ a6 ^ a7;
    c[2] = a1 ^ a5;
    c[3] = a4 ^ a5 ^ a6 ^ a7;
    c[4] = a2 ^ a4 ^ a7;
    c[5] = a5 ^ a6;
    c[6] = a3 ^ a5;
    c[7] = a6 ^ a7;
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
    /* 0x63: bits 0, 1, 5 and 6 */
    q[0] = ~b[0];
    q[1] = ~b[1];
    q[2] = b[2];
    q[3] = b[3];
    q[4] = b[4];
    q[5] = ~b[5];
    q[6] = ~b[6];
    q[7] = b[7];
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

/*
 * Bytes to bit planes and back with a bit-matrix transposition: three
 * rounds of "swap-move" between word pairs turn eight words of four bytes
 * into eight bit planes, bit i of a byte landing in word 7 - i at
 * position 8 m + 7 - j when the byte sat in byte m of word j. So byte
 * (row r, column c) of block b goes to byte r of word 7 - 2c - b, which
 * puts it at bit 8r + 2c + b. The transposition is its own inverse.
 */
#define SWAPMOVE(a, b, mask, n)                   \
    do {                                          \
        uint32_t t_ = (((b) >> (n)) ^ (a)) & (mask); \
        (a) ^= t_;                                \
        (b) ^= t_ << (n);                         \
    } while (0)

static void transpose(uint32_t w[8])
{
    SWAPMOVE(w[0], w[1], 0x55555555u, 1);
    SWAPMOVE(w[2], w[3], 0x55555555u, 1);
    SWAPMOVE(w[4], w[5], 0x55555555u, 1);
    SWAPMOVE(w[6], w[7], 0x55555555u, 1);
    SWAPMOVE(w[0], w[2], 0x33333333u, 2);
    SWAPMOVE(w[1], w[3], 0x33333333u, 2);
    SWAPMOVE(w[4], w[6], 0x33333333u, 2);
    SWAPMOVE(w[5], w[7], 0x33333333u, 2);
    SWAPMOVE(w[0], w[4], 0x0f0f0f0fu, 4);
    SWAPMOVE(w[1], w[5], 0x0f0f0f0fu, 4);
    SWAPMOVE(w[2], w[6], 0x0f0f0f0fu, 4);
    SWAPMOVE(w[3], w[7], 0x0f0f0f0fu, 4);
}

/* in[16 b + 4 c + r] (FIPS 197 order) into byte r of word 7 - 2c - b:
 * word 7 - 2c - b is the four bytes of column c of block b. */
static void load(slice q, const uint8_t in[32])
{
    uint32_t w[8];
    unsigned b, c, i;

    for (b = 0; b < 2; b++)
        for (c = 0; c < 4; c++)
            w[7 - 2 * c - b] = load_le32(in + 16 * b + 4 * c);
    transpose(w);
    for (i = 0; i < 8; i++)
        q[i] = w[7 - i];
    compact_wipe(w, sizeof(w));
}

static void store(uint8_t out[32], const slice q)
{
    uint32_t w[8];
    unsigned b, c, i;

    for (i = 0; i < 8; i++)
        w[7 - i] = q[i];
    transpose(w);
    for (b = 0; b < 2; b++)
        for (c = 0; c < 4; c++)
            store_le32(out + 16 * b + 4 * c, w[7 - 2 * c - b]);
    compact_wipe(w, sizeof(w));
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
