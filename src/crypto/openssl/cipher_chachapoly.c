/*
 * chacha20-poly1305@openssh.com, as OpenSSH's PROTOCOL.chacha20poly1305
 * defines it. The 64 bytes of key are K_2 (payload, first 32 bytes) and
 * K_1 (packet length, last 32 bytes). ChaCha20 here is the original
 * variant with a 64-bit block counter and a 64-bit nonce; the nonce is the
 * packet sequence number as a big-endian uint64.
 *
 *   length:   ChaCha20(K_1, nonce, counter 0) over the 4 length bytes
 *   poly key: first 32 bytes of ChaCha20(K_2, nonce, counter 0)
 *   payload:  ChaCha20(K_2, nonce, counter 1 onwards)
 *   tag:      Poly1305(poly key, encrypted length || encrypted payload)
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ossl.h"

#define CP_KEY 32u
#define CP_TAG 16u
#define CP_BLOCK 64u

typedef struct chacha_ctx {
    EVP_CIPHER_CTX *payload;  /* keyed with K_2 */
    EVP_CIPHER_CTX *length;   /* keyed with K_1 */
    EVP_MAC_CTX *poly;
} chacha_ctx;
OSSL_CTX_FITS(chacha_ctx, NSSH_CIPHER_CTX_SIZE);

static void chacha_cleanup(void *ctx)
{
    chacha_ctx *c = ctx;

    /* The frees cleanse the key schedules. */
    EVP_CIPHER_CTX_free(c->payload);
    EVP_CIPHER_CTX_free(c->length);
    EVP_MAC_CTX_free(c->poly);
    memset(c, 0, sizeof(*c));
}

/*
 * OpenSSL's "ChaCha20" takes a 16-byte IV that is state words 12..15 in
 * little-endian order: for the original variant that is the 64-bit block
 * counter (little-endian) followed by the 8 nonce bytes.
 */
static int set_nonce(EVP_CIPHER_CTX *cc, uint32_t seq, uint8_t counter)
{
    uint8_t iv[16] = { 0 };

    iv[0] = counter;
    iv[12] = (uint8_t)(seq >> 24);
    iv[13] = (uint8_t)(seq >> 16);
    iv[14] = (uint8_t)(seq >> 8);
    iv[15] = (uint8_t)seq;
    return EVP_CipherInit_ex2(cc, NULL, NULL, iv, 1, NULL) == 1 ? 0 : NSSH_ERR_CRYPTO;
}

static int xor_stream(EVP_CIPHER_CTX *cc, uint8_t *out, const uint8_t *in, size_t len)
{
    int n;

    if (len > INT_MAX)
        return NSSH_ERR_PACKET;
    if (EVP_CipherUpdate(cc, out, &n, in, (int)len) != 1 || (size_t)n != len)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int chacha_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    chacha_ctx *c = ctx;
    EVP_CIPHER *cipher = NULL;
    EVP_MAC *mac = NULL;
    int e = NSSH_ERR_CRYPTO;

    (void)iv;
    (void)encrypt;  /* a stream cipher: the same operation both ways */
    memset(c, 0, sizeof(*c));
    if ((cipher = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL)) == NULL ||
        (mac = EVP_MAC_fetch(NULL, "POLY1305", NULL)) == NULL)
        goto out;
    if ((c->payload = EVP_CIPHER_CTX_new()) == NULL ||
        (c->length = EVP_CIPHER_CTX_new()) == NULL ||
        (c->poly = EVP_MAC_CTX_new(mac)) == NULL)
        goto out;
    if (EVP_CipherInit_ex2(c->payload, cipher, key, NULL, 1, NULL) != 1 ||
        EVP_CipherInit_ex2(c->length, cipher, key + CP_KEY, NULL, 1, NULL) != 1)
        goto out;
    e = 0;
out:
    /* The contexts hold their own references to the algorithms. */
    EVP_CIPHER_free(cipher);
    EVP_MAC_free(mac);
    if (e < 0)
        chacha_cleanup(ctx);
    return e;
}

/*
 * Start K_2's keystream for this packet: block 0 gives the Poly1305 key
 * (its first 32 bytes; the rest is discarded), and the stream is then
 * positioned at block 1 for the payload.
 */
static int poly_key(chacha_ctx *c, uint32_t seq, uint8_t pk[CP_KEY])
{
    static const uint8_t zero[CP_BLOCK];
    uint8_t block[CP_BLOCK];
    int e;

    if ((e = set_nonce(c->payload, seq, 0)) == 0 &&
        (e = xor_stream(c->payload, block, zero, sizeof(block))) == 0)
        memcpy(pk, block, CP_KEY);
    OPENSSL_cleanse(block, sizeof(block));
    return e;
}

static int poly_tag(chacha_ctx *c, const uint8_t pk[CP_KEY], const uint8_t *data,
                    size_t len, uint8_t tag[CP_TAG])
{
    size_t n = 0;

    if (EVP_MAC_init(c->poly, pk, CP_KEY, NULL) != 1 ||
        EVP_MAC_update(c->poly, data, len) != 1 ||
        EVP_MAC_final(c->poly, tag, &n, CP_TAG) != 1 || n != CP_TAG)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int chacha_seal(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    chacha_ctx *c = ctx;
    uint8_t pk[CP_KEY];
    int e;

    if (c->poly == NULL)
        return NSSH_ERR_STATE;
    if (len < 4)
        return NSSH_ERR_PACKET;
    if ((e = set_nonce(c->length, seq, 0)) < 0 ||
        (e = xor_stream(c->length, pkt, pkt, 4)) < 0 ||
        (e = poly_key(c, seq, pk)) < 0 ||
        (e = xor_stream(c->payload, pkt + 4, pkt + 4, len - 4)) < 0)
        goto out;
    e = poly_tag(c, pk, pkt, len, pkt + len);
out:
    OPENSSL_cleanse(pk, sizeof(pk));
    return e;
}

static int chacha_get_length(void *ctx, uint32_t seq, const uint8_t *in4, uint32_t *plen)
{
    chacha_ctx *c = ctx;
    uint8_t b[4];
    int e;

    if (c->length == NULL)
        return NSSH_ERR_STATE;
    if ((e = set_nonce(c->length, seq, 0)) < 0 ||
        (e = xor_stream(c->length, b, in4, 4)) < 0)
        return e;
    *plen = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
            ((uint32_t)b[2] << 8) | b[3];
    return 0;
}

/* The tag is checked before anything is decrypted. */
static int chacha_open(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    chacha_ctx *c = ctx;
    uint8_t pk[CP_KEY], tag[CP_TAG];
    int e;

    if (c->poly == NULL)
        return NSSH_ERR_STATE;
    if (len < 4)
        return NSSH_ERR_PACKET;
    if ((e = poly_key(c, seq, pk)) < 0 ||
        (e = poly_tag(c, pk, pkt, len, tag)) < 0)
        goto out;
    e = NSSH_ERR_MAC;
    if (CRYPTO_memcmp(tag, pkt + len, CP_TAG) != 0)
        goto out;
    e = xor_stream(c->payload, pkt + 4, pkt + 4, len - 4);
out:
    OPENSSL_cleanse(pk, sizeof(pk));
    return e;
}

const nssh_cipher nssh_ossl_chacha20_poly1305 = {
    .name = "chacha20-poly1305@openssh.com",
    .key_len = 2 * CP_KEY,
    .iv_len = 0,
    .block_len = 8,
    .tag_len = CP_TAG,
    .flags = NSSH_CIPHER_AEAD,
    .init = chacha_init,
    .seal = chacha_seal,
    .get_length = chacha_get_length,
    .open = chacha_open,
    .cleanup = chacha_cleanup,
};
