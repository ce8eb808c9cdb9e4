/*
 * UMAC (RFC 4418): Tag = UHASH(K, M) xor PDF(K, Nonce), with AES-128 as
 * ENCIPHER. Written from the RFC's pseudocode, section by section:
 *
 *   3.2 KDF     subkeys are AES-128 in counter mode under K
 *   3.3 PDF     the pad: AES under K' = KDF(K, 0, 16) of the padded nonce
 *   5.1 L1-HASH NH over 1024-byte chunks, words read little-endian
 *   5.2 L2-HASH POLY over the L1 output modulo 2^64 - 59
 *   5.3 L3-HASH inner product modulo 2^36 - 5, cut to 32 bits
 *
 * The hash works on public data (the packet) under secret keys; nothing
 * branches on a key. The POLY-64 branch on a message word is on the
 * message, which is public, as in the RFC.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ossl.h"
#include "umac.h"

#define P64 0xFFFFFFFFFFFFFFC5ull           /* 2^64 - 59 */
#define P64_OFFSET 59u
#define P64_MAXWORD 0xFFFFFFFF00000000ull   /* 2^64 - 2^32 */
#define P36 0x0000000FFFFFFFFBull           /* 2^36 - 5 */
#define L2_MASK 0x01FFFFFF01FFFFFFull

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64_at(const uint8_t *p)
{
    return (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
}

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* One AES block in ECB mode. */
static int encipher(EVP_CIPHER_CTX *cc, const uint8_t in[16], uint8_t out[16])
{
    int n = 0;

    if (EVP_EncryptUpdate(cc, out, &n, in, 16) != 1 || n != 16)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int aes_key(EVP_CIPHER_CTX *cc, const uint8_t key[16])
{
    EVP_CIPHER *aes = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    int ok = aes != NULL && EVP_EncryptInit_ex2(cc, aes, key, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_set_padding(cc, 0) == 1;

    EVP_CIPHER_free(aes);
    return ok ? 0 : NSSH_ERR_CRYPTO;
}

/* Section 3.2: Y = ENCIPHER(K, uint2str(index, 8) || uint2str(i, 8)) for
 * i = 1, 2, ..., cut to n bytes. */
static int kdf(EVP_CIPHER_CTX *cc, uint8_t index, uint8_t *out, size_t n)
{
    uint8_t in[16] = { 0 }, t[16];
    uint64_t i;
    size_t k;
    int e = 0;

    in[7] = index;
    for (i = 1; n > 0 && e == 0; i++) {
        for (k = 0; k < 8; k++)
            in[15 - k] = (uint8_t)(i >> (8 * k));
        e = encipher(cc, in, t);
        k = n < 16 ? n : 16;
        memcpy(out, t, k);
        out += k;
        n -= k;
    }
    OPENSSL_cleanse(t, sizeof(t));
    return e;
}

static int derive(umac_ctx *u, EVP_CIPHER_CTX *cc, const uint8_t *key)
{
    unsigned iters = u->taglen / 4, i, j;
    uint8_t buf[sizeof(u->l1)], kp[16];
    int e;

    if ((e = aes_key(cc, key)) < 0)
        goto out;
    /* L1Key = KDF(K, 1, 1024 + (iters - 1) * 16), read as big-endian words */
    if ((e = kdf(cc, 1, buf, 1024 + (iters - 1) * 16)) < 0)
        goto out;
    for (j = 0; j < 256 + 4 * (iters - 1); j++)
        u->l1[j] = be32_at(buf + 4 * j);
    /* L2Key = KDF(K, 2, iters * 24): the first 8 bytes of each 24 are the
     * POLY-64 key (the other 16, POLY-128's, are never needed here). */
    if ((e = kdf(cc, 2, buf, iters * 24)) < 0)
        goto out;
    for (i = 0; i < iters; i++)
        u->l2[i] = be64_at(buf + 24 * i) & L2_MASK;
    /* L3Key1 = KDF(K, 3, iters * 64): eight 8-byte words each, mod p36 */
    if ((e = kdf(cc, 3, buf, iters * 64)) < 0)
        goto out;
    for (i = 0; i < iters; i++)
        for (j = 0; j < 8; j++)
            u->l3[i][j] = be64_at(buf + 64 * i + 8 * j) % P36;
    /* L3Key2 = KDF(K, 4, iters * 4) */
    if ((e = kdf(cc, 4, u->l3x, iters * 4)) < 0)
        goto out;
    /* PDF's K' = KDF(K, 0, 16) becomes the cipher's key from now on. */
    if ((e = kdf(cc, 0, kp, sizeof(kp))) < 0)
        goto out;
    e = aes_key(cc, kp);
out:
    OPENSSL_cleanse(buf, sizeof(buf));
    OPENSSL_cleanse(kp, sizeof(kp));
    return e;
}

int umac_init(umac_ctx *u, const uint8_t *key, unsigned taglen)
{
    EVP_CIPHER_CTX *cc;
    int e;

    memset(u, 0, sizeof(*u));
    if (taglen != 8 && taglen != 16)
        return NSSH_ERR_INTERNAL;
    u->taglen = taglen;
    if ((cc = EVP_CIPHER_CTX_new()) == NULL)
        return NSSH_ERR_CRYPTO;
    u->pdf = cc;
    if ((e = derive(u, cc, key)) < 0)
        umac_cleanup(u);
    return e;
}

void umac_cleanup(umac_ctx *u)
{
    EVP_CIPHER_CTX_free(u->pdf);   /* cleanses the key schedule */
    OPENSSL_cleanse(u, sizeof(*u));
}

/* Section 5.1 NH over one chunk of at most 1024 bytes, zero-padded to a
 * non-empty multiple of 32 bytes, plus the chunk's bit length. k is the
 * stream's key: the L1 key from word 4 * (stream number). */
static uint64_t nh_chunk(const uint32_t *k, const uint8_t *m, size_t len)
{
    uint8_t last[32];
    uint32_t w[8];
    uint64_t y = 0;
    size_t off = 0, j;

    do {
        const uint8_t *blk = m + off;
        if (len - off < 32) {
            memset(last, 0, sizeof(last));
            memcpy(last, m + off, len - off);
            blk = last;
        }
        for (j = 0; j < 8; j++)
            w[j] = le32_at(blk + 4 * j) + k[j];   /* +_32 */
        y += (uint64_t)w[0] * w[4] + (uint64_t)w[1] * w[5] +
             (uint64_t)w[2] * w[6] + (uint64_t)w[3] * w[7];
        k += 8;
        off += 32;
    } while (off < len);
    return y + (uint64_t)len * 8;   /* +_64 bitlength(M_i) */
}

/* a * b mod 2^64 - 59, without 128-bit integers. */
static uint64_t mulmod64(uint64_t a, uint64_t b)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    uint64_t lo = (uint32_t)p00 | mid << 32;
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    uint64_t t0, t1, r;

    /* hi * 2^64 + lo = hi * 59 + lo (mod p): hi * 59 is below 2^70. */
    t0 = (uint32_t)hi * (uint64_t)P64_OFFSET;
    t1 = (hi >> 32) * (uint64_t)P64_OFFSET;      /* times 2^32 */
    r = lo + t0;
    hi = r < t0;                                  /* carry, times 2^64 */
    t0 = t1 << 32;
    r += t0;
    hi += (r < t0) + (t1 >> 32);
    /* Fold once more: hi is now below 2^7. */
    t0 = hi * P64_OFFSET;
    r += t0;
    if (r < t0)
        r += P64_OFFSET;
    return r >= P64 ? r - P64 : r;
}

static uint64_t addmod64(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;

    if (s < a)
        s += P64_OFFSET;
    return s >= P64 ? s - P64 : s;
}

/* Section 5.2 POLY(64, 2^64 - 2^32, k, M) step for one 8-byte word. */
static uint64_t poly64_step(uint64_t y, uint64_t k, uint64_t m)
{
    if (m >= P64_MAXWORD) {
        y = addmod64(mulmod64(k, y), P64 - 1);    /* marker */
        return addmod64(mulmod64(k, y), m - P64_OFFSET);
    }
    return addmod64(mulmod64(k, y), m);
}

/* Section 5.3: the 16-byte B (high 8 bytes zero here) against the
 * stream's L3 keys. */
static uint32_t l3_hash(const uint64_t k[8], uint64_t b_lo)
{
    uint64_t y = 0;
    unsigned j;

    /* B's first four 2-byte chunks are zero. */
    for (j = 4; j < 8; j++)
        y += ((b_lo >> (16 * (7 - j))) & 0xffff) * k[j];
    return (uint32_t)(y % P36);
}

int umac_tag(umac_ctx *u, const uint8_t *msg, size_t len,
             const uint8_t nonce[UMAC_NONCE_LEN], uint8_t *tag)
{
    unsigned iters = u->taglen / 4, i, index = 0;
    uint8_t block[16] = { 0 }, pad[16];
    uint64_t y[UMAC_MAX_ITERS], a;
    size_t off = 0;
    int e;

    if (u->pdf == NULL)
        return NSSH_ERR_STATE;
    if (len > UMAC_MAX_MSG)
        return NSSH_ERR_INTERNAL;
    /* Section 5 UHASH: for every stream, L1 over 1024-byte chunks; one
     * chunk goes to L3 as is (B = zeroes(8) || A), more go through L2. */
    for (i = 0; i < iters; i++)
        y[i] = 1;
    do {
        size_t n = len - off > 1024 ? 1024 : len - off;
        for (i = 0; i < iters; i++) {
            a = nh_chunk(u->l1 + 4 * i, msg + off, n);
            y[i] = len <= 1024 ? a : poly64_step(y[i], u->l2[i], a);
        }
        off += n;
    } while (off < len);
    /* Section 3.3 PDF: an 8-byte tag takes half of the AES block, chosen
     * by the nonce's low bit, which is cleared first. */
    memcpy(block, nonce, UMAC_NONCE_LEN);
    if (u->taglen == 8) {
        index = block[7] & 1u;
        block[7] &= 0xfe;
    }
    if ((e = encipher(u->pdf, block, pad)) < 0)
        goto out;
    for (i = 0; i < iters; i++) {
        uint32_t c = l3_hash(u->l3[i], y[i]) ^ be32_at(u->l3x + 4 * i);
        const uint8_t *p = pad + 8 * index + 4 * i;
        tag[4 * i] = (uint8_t)(c >> 24) ^ p[0];
        tag[4 * i + 1] = (uint8_t)(c >> 16) ^ p[1];
        tag[4 * i + 2] = (uint8_t)(c >> 8) ^ p[2];
        tag[4 * i + 3] = (uint8_t)c ^ p[3];
    }
out:
    OPENSSL_cleanse(pad, sizeof(pad));
    return e;
}
