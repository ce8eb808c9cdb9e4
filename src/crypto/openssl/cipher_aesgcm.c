/*
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 with
 * OpenSSH's names, PROTOCOL section 1.6). The packet length is additional
 * authenticated data sent in clear; padding_length || payload || padding
 * is encrypted. The 12-byte IV is a 4-byte fixed field and an 8-byte
 * invocation counter that is incremented, big-endian, after every packet
 * (RFC 5647 section 7.1). The sequence number is not used.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ossl.h"

#define GCM_IV 12u
#define GCM_TAG 16u

typedef struct gcm_ctx {
    EVP_CIPHER_CTX *cc;
    uint8_t iv[GCM_IV];
} gcm_ctx;
OSSL_CTX_FITS(gcm_ctx, NSSH_CIPHER_CTX_SIZE);

static void gcm_cleanup(void *ctx)
{
    gcm_ctx *g = ctx;

    EVP_CIPHER_CTX_free(g->cc);
    OPENSSL_cleanse(g, sizeof(*g));
}

static int gcm_init(gcm_ctx *g, const char *alg, const uint8_t *key,
                    const uint8_t *iv, int encrypt)
{
    EVP_CIPHER *cipher = NULL;
    int e = NSSH_ERR_CRYPTO;

    memset(g, 0, sizeof(*g));
    memcpy(g->iv, iv, GCM_IV);
    if ((cipher = EVP_CIPHER_fetch(NULL, alg, NULL)) == NULL ||
        (g->cc = EVP_CIPHER_CTX_new()) == NULL)
        goto out;
    /* 12 bytes is GCM's default IV length. */
    if (EVP_CipherInit_ex2(g->cc, cipher, key, NULL, encrypt ? 1 : 0, NULL) != 1)
        goto out;
    e = 0;
out:
    EVP_CIPHER_free(cipher);
    if (e < 0)
        gcm_cleanup(g);
    return e;
}

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return gcm_init(ctx, "AES-128-GCM", key, iv, encrypt);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return gcm_init(ctx, "AES-256-GCM", key, iv, encrypt);
}

/* Load this packet's IV, then advance the invocation counter. */
static int next_iv(gcm_ctx *g)
{
    int i;

    if (EVP_CipherInit_ex2(g->cc, NULL, NULL, g->iv, -1, NULL) != 1)
        return NSSH_ERR_CRYPTO;
    for (i = GCM_IV - 1; i >= 4; i--)
        if (++g->iv[i] != 0)
            break;
    return 0;
}

/* Feed the length as AAD and transform pkt[4..len) in place. */
static int gcm_body(gcm_ctx *g, uint8_t *pkt, size_t len)
{
    int n, e;

    if (g->cc == NULL)
        return NSSH_ERR_STATE;
    if (len < 4 || len > INT_MAX)
        return NSSH_ERR_PACKET;
    if ((e = next_iv(g)) < 0)
        return e;
    if (EVP_CipherUpdate(g->cc, NULL, &n, pkt, 4) != 1 ||
        EVP_CipherUpdate(g->cc, pkt + 4, &n, pkt + 4, (int)(len - 4)) != 1)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int gcm_seal(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    gcm_ctx *g = ctx;
    uint8_t end[16];
    int n, e;

    (void)seq;
    if ((e = gcm_body(g, pkt, len)) < 0)
        return e;
    if (EVP_CipherFinal_ex(g->cc, end, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(g->cc, EVP_CTRL_GCM_GET_TAG, GCM_TAG, pkt + len) != 1)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int gcm_get_length(void *ctx, uint32_t seq, const uint8_t *in4, uint32_t *plen)
{
    (void)ctx;
    (void)seq;
    *plen = ((uint32_t)in4[0] << 24) | ((uint32_t)in4[1] << 16) |
            ((uint32_t)in4[2] << 8) | in4[3];
    return 0;
}

/* OpenSSL compares the tag in constant time in the final step. */
static int gcm_open(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    gcm_ctx *g = ctx;
    uint8_t end[16];
    int n, e;

    (void)seq;
    if ((e = gcm_body(g, pkt, len)) < 0)
        return e;
    if (EVP_CIPHER_CTX_ctrl(g->cc, EVP_CTRL_GCM_SET_TAG, GCM_TAG, pkt + len) != 1)
        return NSSH_ERR_CRYPTO;
    if (EVP_CipherFinal_ex(g->cc, end, &n) != 1)
        return NSSH_ERR_MAC;
    return 0;
}

const nssh_cipher nssh_ossl_aes128_gcm = {
    .name = "aes128-gcm@openssh.com",
    .key_len = 16,
    .iv_len = GCM_IV,
    .block_len = 16,
    .tag_len = GCM_TAG,
    .flags = NSSH_CIPHER_AEAD,
    .init = aes128_init,
    .seal = gcm_seal,
    .get_length = gcm_get_length,
    .open = gcm_open,
    .cleanup = gcm_cleanup,
};

const nssh_cipher nssh_ossl_aes256_gcm = {
    .name = "aes256-gcm@openssh.com",
    .key_len = 32,
    .iv_len = GCM_IV,
    .block_len = 16,
    .tag_len = GCM_TAG,
    .flags = NSSH_CIPHER_AEAD,
    .init = aes256_init,
    .seal = gcm_seal,
    .get_length = gcm_get_length,
    .open = gcm_open,
    .cleanup = gcm_cleanup,
};
