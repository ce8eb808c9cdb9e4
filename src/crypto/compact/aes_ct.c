/*
 * AES encryption (FIPS 197) bitsliced on 32-bit words, for constant time
 * without lookup tables: two blocks are processed together, and word i of
 * the state holds bit i of all 32 bytes. Byte (row r, column c) of block
 * b sits at bit 8r + 2c + b, so each row is one byte of every word:
 *
 *   ShiftRows    rotates row r's byte right by 2r bits;
 *   MixColumns   reaches the next row of the same column by rotating the
 *                word by 8 bits, and doubles in GF(2^8) by moving words;
 *   SubBytes     computes the inverse in GF(2^8) in the tower field
 *                GF((2^4)^2) with logic operations on whole words (about
 *                220 of them for 32 bytes), then the affine map.
 *
 * The key schedule uses the same S-box, so no operation anywhere depends
 * on key or data values.
 */
#include <string.h>

#include "compact.h"

typedef uint32_t slice[8];

/* ---- SubBytes through the tower field GF((2^4)^2) --------------------
 *
 * The inverse in GF(2^8) is computed in an isomorphic field: elements
 * a1 Y + a0 with a1, a0 in GF(16) = GF(2)[z]/(z^4 + z + 1) and
 * Y^2 = Y + 8 (z^3). There (a1 Y + a0)^-1 = a1 d^-1 Y + (a0 + a1) d^-1
 * with d = 8 a1^2 + a1 a0 + a0^2, which costs five GF(16) products and
 * linear maps. The change of basis into the tower field (the powers of a
 * root of x^8 + x^4 + x^3 + x + 1 there) and the one back, merged with
 * the affine map of FIPS 197 section 5.1.1, are fixed XORs of bit planes.
 * The maps were derived and the whole circuit checked against the S-box
 * for all 256 inputs before being written down here; the tests compare
 * the cipher with FIPS 197 and OpenSSL.
 */
typedef uint32_t nib[4];   /* four bit planes of GF(16) elements */

/* c = a b in GF(16); c may alias a or b. */
static void gf16_mul(nib c, const uint32_t *a, const uint32_t *b)
{
    const uint32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    const uint32_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    const uint32_t p0 = a0 & b0;
    const uint32_t p1 = (a0 & b1) ^ (a1 & b0);
    const uint32_t p2 = (a0 & b2) ^ (a1 & b1) ^ (a2 & b0);
    const uint32_t p3 = (a0 & b3) ^ (a1 & b2) ^ (a2 & b1) ^ (a3 & b0);
    const uint32_t p4 = (a1 & b3) ^ (a2 & b2) ^ (a3 & b1);
    const uint32_t p5 = (a2 & b3) ^ (a3 & b2);
    const uint32_t p6 = a3 & b3;

    /* z^4 = z + 1, z^5 = z^2 + z, z^6 = z^3 + z^2 */
    c[0] = p0 ^ p4;
    c[1] = p1 ^ p4 ^ p5;
    c[2] = p2 ^ p5 ^ p6;
    c[3] = p3 ^ p6;
}

/* SubBytes on all 32 bytes. */
static void sub_bytes(slice q)
{
    const uint32_t u0 = q[0], u1 = q[1], u2 = q[2], u3 = q[3],
                   u4 = q[4], u5 = q[5], u6 = q[6], u7 = q[7];
    uint32_t a[8], d[4], d2[4], d4[4], d8[4], t[4], s[4], r[8];
    int i;

    /* to the tower field: a = T u (a[0..3] = a0, a[4..7] = a1) */
    a[0] = u0 ^ u5 ^ u7;
    a[1] = u2;
    a[2] = u2 ^ u3 ^ u4 ^ u5 ^ u6 ^ u7;
    a[3] = u3 ^ u4;
    a[4] = u4 ^ u5 ^ u6;
    a[5] = u1 ^ u4 ^ u6 ^ u7;
    a[6] = u2 ^ u3 ^ u5 ^ u7;
    a[7] = u5 ^ u7;
    /* d = nu a1^2 + a1 a0 + a0^2 (nu = 8) */
    gf16_mul(d, a + 4, a);
    d[0] ^= a[6] ^ a[0] ^ a[2];
    d[1] ^= a[5] ^ a[6] ^ a[7] ^ a[2];
    d[2] ^= a[5] ^ a[1] ^ a[3];
    d[3] ^= a[4] ^ a[6] ^ a[7] ^ a[3];
    /* d^-1 = d^14 = d^2 d^4 d^8 (squaring is linear) */
    d2[0] = d[0] ^ d[2];
    d2[1] = d[2];
    d2[2] = d[1] ^ d[3];
    d2[3] = d[3];
    d4[0] = d2[0] ^ d2[2];
    d4[1] = d2[2];
    d4[2] = d2[1] ^ d2[3];
    d4[3] = d2[3];
    d8[0] = d4[0] ^ d4[2];
    d8[1] = d4[2];
    d8[2] = d4[1] ^ d4[3];
    d8[3] = d4[3];
    gf16_mul(t, d2, d4);
    gf16_mul(t, t, d8);
    /* r = a1 d^-1 Y + (a0 + a1) d^-1 */
    gf16_mul(r + 4, a + 4, t);
    for (i = 0; i < 4; i++)
        s[i] = a[i] ^ a[4 + i];
    gf16_mul(r, s, t);
    /* back to the AES basis with the affine map; ~ adds 0x63's bits */
    q[0] = ~(r[0] ^ r[2] ^ r[6]);
    q[1] = ~(r[0] ^ r[1] ^ r[2] ^ r[3] ^ r[4] ^ r[5]);
    q[2] = r[0] ^ r[3] ^ r[5] ^ r[6];
    q[3] = r[0] ^ r[2] ^ r[5];
    q[4] = r[0] ^ r[1] ^ r[3] ^ r[4] ^ r[5];
    q[5] = ~(r[1] ^ r[2] ^ r[3] ^ r[5] ^ r[6] ^ r[7]);
    q[6] = ~(r[4] ^ r[6] ^ r[7]);
    q[7] = r[1] ^ r[2];
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
