/*
 * SHA-512 (FIPS 180-4 sections 4.1.3, 5.1.2, 6.4). Words are read and
 * written big-endian byte by byte, so the code does not depend on the
 * host's byte order.
 */
#include <string.h>

#include "nanossh_crypto.h"
#include "sha512.h"

/* First 64 bits of the fractional parts of the cube roots of the first 80
 * primes (section 4.2.3). */
static const uint64_t k512[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full,
    0xe9b5dba58189dbbcull, 0x3956c25bf348b538ull, 0x59f111f1b605d019ull,
    0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull, 0xd807aa98a3030242ull,
    0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull,
    0xc19bf174cf692694ull, 0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull,
    0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull, 0x2de92c6f592b0275ull,
    0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full,
    0xbf597fc7beef0ee4ull, 0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull,
    0x06ca6351e003826full, 0x142929670a0e6e70ull, 0x27b70a8546d22ffcull,
    0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull,
    0x92722c851482353bull, 0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull,
    0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull, 0xd192e819d6ef5218ull,
    0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull,
    0x34b0bcb5e19b48a8ull, 0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull,
    0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull, 0x748f82ee5defb2fcull,
    0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull,
    0xc67178f2e372532bull, 0xca273eceea26619cull, 0xd186b8c721c0c207ull,
    0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull, 0x06f067aa72176fbaull,
    0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull,
    0x431d67c49c100d4cull, 0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull,
    0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

/* Square roots of the first 8 primes, likewise (section 5.3.5). */
static const uint64_t h512[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
    0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
    0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

static uint64_t ror(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64u - n));
}

static uint64_t load_be64(const uint8_t *p)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
    unsigned i;

    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* One 128-byte block (section 6.4.2). */
static void compress(uint64_t h[8], const uint8_t *blk)
{
    uint64_t w[80], a[8], t1, t2;
    unsigned i;

    for (i = 0; i < 16; i++)
        w[i] = load_be64(blk + 8 * i);
    for (i = 16; i < 80; i++) {
        uint64_t s0 = ror(w[i - 15], 1) ^ ror(w[i - 15], 8) ^ (w[i - 15] >> 7);
        uint64_t s1 = ror(w[i - 2], 19) ^ ror(w[i - 2], 61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(a, h, sizeof(a));
    for (i = 0; i < 80; i++) {
        t1 = a[7] + (ror(a[4], 14) ^ ror(a[4], 18) ^ ror(a[4], 41)) +
             ((a[4] & a[5]) ^ (~a[4] & a[6])) + k512[i] + w[i];
        t2 = (ror(a[0], 28) ^ ror(a[0], 34) ^ ror(a[0], 39)) +
             ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
        memmove(a + 1, a, 7 * sizeof(a[0]));
        a[4] += t1;
        a[0] = t1 + t2;
    }
    for (i = 0; i < 8; i++)
        h[i] += a[i];
    nssh_wipe(w, sizeof(w));
    nssh_wipe(a, sizeof(a));
}

void pq_sha512_init(pq_sha512_ctx *s)
{
    memcpy(s->h, h512, sizeof(s->h));
    s->bytes = 0;
    s->fill = 0;
}

void pq_sha512_update(pq_sha512_ctx *s, const void *data, size_t len)
{
    const uint8_t *in = data;

    s->bytes += len;
    while (len > 0) {
        size_t n = sizeof(s->block) - s->fill;

        if (n > len)
            n = len;
        memcpy(s->block + s->fill, in, n);
        s->fill += (unsigned)n;
        in += n;
        len -= n;
        if (s->fill == sizeof(s->block)) {
            compress(s->h, s->block);
            s->fill = 0;
        }
    }
}

/* Padding: 0x80, zeros, then the bit length as a 128-bit big-endian
 * number (section 5.1.2); messages here are far below 2^61 bytes, so the
 * upper 64 bits are zero. */
void pq_sha512_final(pq_sha512_ctx *s, uint8_t out[64])
{
    unsigned i;

    s->block[s->fill++] = 0x80;
    if (s->fill > sizeof(s->block) - 16) {
        memset(s->block + s->fill, 0, sizeof(s->block) - s->fill);
        compress(s->h, s->block);
        s->fill = 0;
    }
    memset(s->block + s->fill, 0, sizeof(s->block) - 8 - s->fill);
    store_be64(s->block + sizeof(s->block) - 8, s->bytes << 3);
    compress(s->h, s->block);
    for (i = 0; i < 8; i++)
        store_be64(out + 8 * i, s->h[i]);
    nssh_wipe(s, sizeof(*s));
}

void pq_sha512(uint8_t out[64], const void *data, size_t len)
{
    pq_sha512_ctx s;

    pq_sha512_init(&s);
    pq_sha512_update(&s, data, len);
    pq_sha512_final(&s, out);
}
