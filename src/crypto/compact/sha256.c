/*
 * SHA-256 (FIPS 180-4 sections 4.1.2, 5.1.1, 6.2). Words are read and
 * written big-endian byte by byte, so the code does not depend on the
 * host's byte order. No branch depends on the data.
 */
#include <string.h>

#include "compact.h"

/* First 32 bits of the fractional parts of the cube roots of the first 64
 * primes (section 4.2.2). */
static const uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Square roots of the first 8 primes, likewise (section 5.3.3). */
static const uint32_t h256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

/* One 64-byte block (section 6.2.2), with the message schedule kept in a
 * 16-word ring to save stack. */
static void compress(uint32_t h[8], const uint8_t *blk)
{
    uint32_t w[16], a, b, c, d, e, f, g, hh, t1, t2;
    unsigned i;

    for (i = 0; i < 16; i++)
        w[i] = load_be32(blk + 4 * i);
    a = h[0]; b = h[1]; c = h[2]; d = h[3];
    e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        if (i >= 16) {
            uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
            uint32_t s0 = ror(w15, 7) ^ ror(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = ror(w2, 17) ^ ror(w2, 19) ^ (w2 >> 10);

            w[i & 15] += s0 + w[(i - 7) & 15] + s1;
        }
        t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
             k256[i] + w[i & 15];
        t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    compact_wipe(w, sizeof(w));
}

void compact_sha256_init(compact_sha256_ctx *s)
{
    memcpy(s->h, h256, sizeof(s->h));
    s->bytes = 0;
    s->fill = 0;
}

void compact_sha256_update(compact_sha256_ctx *s, const void *data, size_t len)
{
    const uint8_t *in = data;

    if (len == 0)
        return;
    s->bytes += len;
    if (s->fill > 0) {
        size_t n = sizeof(s->block) - s->fill;

        if (n > len)
            n = len;
        memcpy(s->block + s->fill, in, n);
        s->fill += (unsigned)n;
        in += n;
        len -= n;
        if (s->fill < sizeof(s->block))
            return;
        compress(s->h, s->block);
        s->fill = 0;
    }
    for (; len >= sizeof(s->block); in += 64, len -= 64)
        compress(s->h, in);
    memcpy(s->block, in, len);
    s->fill = (unsigned)len;
}

/* Padding: 0x80, zeros, then the bit length as a 64-bit big-endian number
 * (section 5.1.1). */
void compact_sha256_final(compact_sha256_ctx *s, uint8_t out[32])
{
    unsigned i;

    s->block[s->fill++] = 0x80;
    if (s->fill > sizeof(s->block) - 8) {
        memset(s->block + s->fill, 0, sizeof(s->block) - s->fill);
        compress(s->h, s->block);
        s->fill = 0;
    }
    memset(s->block + s->fill, 0, sizeof(s->block) - 8 - s->fill);
    store_be32(s->block + 56, (uint32_t)(s->bytes >> 29));
    store_be32(s->block + 60, (uint32_t)(s->bytes << 3));
    compress(s->h, s->block);
    for (i = 0; i < 8; i++)
        store_be32(out + 4 * i, s->h[i]);
    compact_wipe(s, sizeof(*s));
}

void compact_sha256(uint8_t out[32], const void *data, size_t len)
{
    compact_sha256_ctx s;

    compact_sha256_init(&s);
    compact_sha256_update(&s, data, len);
    compact_sha256_final(&s, out);
}
