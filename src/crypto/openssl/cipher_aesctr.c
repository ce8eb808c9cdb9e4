/*
 * aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 section 4). The IV is the
 * initial 128-bit big-endian counter; the keystream carries on across
 * calls and packets, so one context serves the whole direction.
 */
#include <limits.h>

#include <openssl/evp.h>

#include "ossl.h"

typedef struct ctr_ctx {
    EVP_CIPHER_CTX *cc;
} ctr_ctx;
OSSL_CTX_FITS(ctr_ctx, NSSH_CIPHER_CTX_SIZE);

static void ctr_cleanup(void *ctx)
{
    ctr_ctx *c = ctx;

    EVP_CIPHER_CTX_free(c->cc);  /* cleanses the key schedule */
    c->cc = NULL;
}

static int ctr_init(ctr_ctx *c, const char *alg, const uint8_t *key,
                    const uint8_t *iv, int encrypt)
{
    EVP_CIPHER *cipher = NULL;
    int e = NSSH_ERR_CRYPTO;

    c->cc = NULL;
    if ((cipher = EVP_CIPHER_fetch(NULL, alg, NULL)) == NULL ||
        (c->cc = EVP_CIPHER_CTX_new()) == NULL)
        goto out;
    if (EVP_CipherInit_ex2(c->cc, cipher, key, iv, encrypt ? 1 : 0, NULL) != 1)
        goto out;
    e = 0;
out:
    EVP_CIPHER_free(cipher);
    if (e < 0)
        ctr_cleanup(c);
    return e;
}

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ctr_init(ctx, "AES-128-CTR", key, iv, encrypt);
}

static int aes192_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ctr_init(ctx, "AES-192-CTR", key, iv, encrypt);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ctr_init(ctx, "AES-256-CTR", key, iv, encrypt);
}

static int ctr_crypt(void *ctx, uint8_t *buf, size_t len)
{
    ctr_ctx *c = ctx;
    int n;

    if (c->cc == NULL)
        return NSSH_ERR_STATE;
    while (len > 0) {
        size_t chunk = len > (size_t)INT_MAX / 2 ? (size_t)INT_MAX / 2 : len;

        if (EVP_CipherUpdate(c->cc, buf, &n, buf, (int)chunk) != 1 ||
            (size_t)n != chunk)
            return NSSH_ERR_CRYPTO;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

#define AES_CTR(var, sshname, klen, initfn) \
    const nssh_cipher var = {               \
        .name = sshname,                    \
        .key_len = klen,                    \
        .iv_len = 16,                       \
        .block_len = 16,                    \
        .tag_len = 0,                       \
        .flags = 0,                         \
        .init = initfn,                     \
        .crypt = ctr_crypt,                 \
        .cleanup = ctr_cleanup,             \
    }

AES_CTR(nssh_ossl_aes128_ctr, "aes128-ctr", 16, aes128_init);
AES_CTR(nssh_ossl_aes192_ctr, "aes192-ctr", 24, aes192_init);
AES_CTR(nssh_ossl_aes256_ctr, "aes256-ctr", 32, aes256_init);
