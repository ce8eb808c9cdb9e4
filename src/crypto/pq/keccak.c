/*
 * Keccak-f[1600] and the sponge construction (FIPS 202 sections 3 and 4),
 * with SHA3-256, SHA3-512, SHAKE128 and SHAKE256 on top (section 6).
 * Lanes are kept as 64-bit words; bytes enter and leave little-endian, so
 * the code does not depend on the host's byte order.
 */
#include <string.h>

#include "keccak.h"

/* Iota round constants (FIPS 202 section 3.2.5). */
static const uint64_t round_const[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL,
    0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL,
    0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL,
    0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL,
    0x0000000080000001ULL, 0x8000000080008008ULL,
};

static uint64_t rotl(uint64_t v, unsigned n)
{
    return (v << n) | (v >> ((64u - n) & 63u));
}

static void keccak_f1600(uint64_t a[25])
{
    uint64_t b[25], c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    unsigned round, y;

    for (round = 0; round < 24; round++) {
        /* theta */
        c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
        c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
        c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
        c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
        c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
        d0 = c4 ^ rotl(c1, 1);
        d1 = c0 ^ rotl(c2, 1);
        d2 = c1 ^ rotl(c3, 1);
        d3 = c2 ^ rotl(c4, 1);
        d4 = c3 ^ rotl(c0, 1);
        for (y = 0; y < 25; y += 5) {
            a[y] ^= d0;
            a[y + 1] ^= d1;
            a[y + 2] ^= d2;
            a[y + 3] ^= d3;
            a[y + 4] ^= d4;
        }
        /* rho (section 3.2.2) rotates each lane; pi (section 3.2.3)
         * moves lane (x, y) to (y, 2x + 3y). */
        b[0] = a[0];
        b[1] = rotl(a[6], 44);
        b[2] = rotl(a[12], 43);
        b[3] = rotl(a[18], 21);
        b[4] = rotl(a[24], 14);
        b[5] = rotl(a[3], 28);
        b[6] = rotl(a[9], 20);
        b[7] = rotl(a[10], 3);
        b[8] = rotl(a[16], 45);
        b[9] = rotl(a[22], 61);
        b[10] = rotl(a[1], 1);
        b[11] = rotl(a[7], 6);
        b[12] = rotl(a[13], 25);
        b[13] = rotl(a[19], 8);
        b[14] = rotl(a[20], 18);
        b[15] = rotl(a[4], 27);
        b[16] = rotl(a[5], 36);
        b[17] = rotl(a[11], 10);
        b[18] = rotl(a[17], 15);
        b[19] = rotl(a[23], 56);
        b[20] = rotl(a[2], 62);
        b[21] = rotl(a[8], 55);
        b[22] = rotl(a[14], 39);
        b[23] = rotl(a[15], 41);
        b[24] = rotl(a[21], 2);
        /* chi */
        for (y = 0; y < 25; y += 5) {
            a[y] = b[y] ^ (~b[y + 1] & b[y + 2]);
            a[y + 1] = b[y + 1] ^ (~b[y + 2] & b[y + 3]);
            a[y + 2] = b[y + 2] ^ (~b[y + 3] & b[y + 4]);
            a[y + 3] = b[y + 3] ^ (~b[y + 4] & b[y]);
            a[y + 4] = b[y + 4] ^ (~b[y] & b[y + 1]);
        }
        /* iota */
        a[0] ^= round_const[round];
    }
    nssh_wipe(b, sizeof(b));
}

void pq_keccak_init(pq_keccak *k, unsigned rate)
{
    memset(k->s, 0, sizeof(k->s));
    k->rate = rate;
    k->pos = 0;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store64(uint8_t *p, uint64_t v)
{
    unsigned i;

    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Whole lanes go in eight bytes at a time when the position allows. */
void pq_keccak_absorb(pq_keccak *k, const uint8_t *in, size_t len)
{
    while (len > 0) {
        if (k->pos % 8 == 0 && len >= 8) {
            k->s[k->pos / 8] ^= load64(in);
            in += 8;
            len -= 8;
            k->pos += 8;
        } else {
            k->s[k->pos / 8] ^= (uint64_t)*in++ << (8 * (k->pos % 8));
            len--;
            k->pos++;
        }
        if (k->pos == k->rate) {
            keccak_f1600(k->s);
            k->pos = 0;
        }
    }
}

/* pad10*1 with the domain bits in front (FIPS 202 sections 5.1 and 6). */
void pq_keccak_finish(pq_keccak *k, uint8_t suffix)
{
    k->s[k->pos / 8] ^= (uint64_t)suffix << (8 * (k->pos % 8));
    k->s[(k->rate - 1) / 8] ^= (uint64_t)0x80 << (8 * ((k->rate - 1) % 8));
    keccak_f1600(k->s);
    k->pos = 0;
}

void pq_keccak_squeeze(pq_keccak *k, uint8_t *out, size_t len)
{
    while (len > 0) {
        if (k->pos == k->rate) {
            keccak_f1600(k->s);
            k->pos = 0;
        }
        if (k->pos % 8 == 0 && len >= 8) {
            store64(out, k->s[k->pos / 8]);
            out += 8;
            len -= 8;
            k->pos += 8;
        } else {
            *out++ = (uint8_t)(k->s[k->pos / 8] >> (8 * (k->pos % 8)));
            len--;
            k->pos++;
        }
    }
}

static void sponge(uint8_t *out, size_t outlen, unsigned rate, uint8_t suffix,
                   const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    pq_keccak k;

    pq_keccak_init(&k, rate);
    pq_keccak_absorb(&k, a, alen);
    if (b != NULL)
        pq_keccak_absorb(&k, b, blen);
    pq_keccak_finish(&k, suffix);
    pq_keccak_squeeze(&k, out, outlen);
    nssh_wipe(&k, sizeof(k));
}

void pq_sha3_256(uint8_t out[32], const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen)
{
    sponge(out, 32, PQ_SHA3_256_RATE, PQ_SUFFIX_SHA3, a, alen, b, blen);
}

void pq_sha3_512(uint8_t out[64], const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen)
{
    sponge(out, 64, PQ_SHA3_512_RATE, PQ_SUFFIX_SHA3, a, alen, b, blen);
}

void pq_shake256(uint8_t *out, size_t outlen, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen)
{
    sponge(out, outlen, PQ_SHAKE256_RATE, PQ_SUFFIX_SHAKE, a, alen, b, blen);
}
