/*
 * aes128-cbc, aes192-cbc, aes256-cbc and 3des-cbc (RFC 4253 section 6.3),
 * kept for old peers only: never offered unless a configuration names
 * them (CBC with encrypt-and-MAC is the construction of the SSH CBC
 * plaintext-recovery attacks).
 *
 * The IV of each direction is the initial chaining value and the chain
 * continues across packets ("the IV for each packet is the last cipher
 * block of the previous one"), so one EVP context serves the whole
 * direction; OpenSSL's padding is off because the packet layer already
 * aligns every packet to block_len (16 for AES, 8 for 3DES).
 */
#include <limits.h>

#include <openssl/evp.h>

#include "ossl.h"

typedef struct cbc_ctx {
    EVP_CIPHER_CTX *cc;
} cbc_ctx;
OSSL_CTX_FITS(cbc_ctx, NSSH_CIPHER_CTX_SIZE);

static void cbc_cleanup(void *ctx)
{
    cbc_ctx *c = ctx;

    EVP_CIPHER_CTX_free(c->cc);  /* cleanses the key schedule */
    c->cc = NULL;
}

static int cbc_init(cbc_ctx *c, const char *alg, const uint8_t *key,
                    const uint8_t *iv, int encrypt)
{
    EVP_CIPHER *cipher = NULL;
    int e = NSSH_ERR_CRYPTO;

    c->cc = NULL;
    if ((cipher = EVP_CIPHER_fetch(NULL, alg, NULL)) == NULL ||
        (c->cc = EVP_CIPHER_CTX_new()) == NULL)
        goto out;
    if (EVP_CipherInit_ex2(c->cc, cipher, key, iv, encrypt ? 1 : 0, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(c->cc, 0) != 1)
        goto out;
    e = 0;
out:
    EVP_CIPHER_free(cipher);
    if (e < 0)
        cbc_cleanup(c);
    return e;
}

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return cbc_init(ctx, "AES-128-CBC", key, iv, encrypt);
}

static int aes192_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return cbc_init(ctx, "AES-192-CBC", key, iv, encrypt);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return cbc_init(ctx, "AES-256-CBC", key, iv, encrypt);
}

/* Three-key triple DES in EDE mode (RFC 4253 section 6.3: "three-key
 * 3DES (encrypt-decrypt-encrypt), where the first 8 bytes of the key are
 * used for the first encryption, ..."), OpenSSL's DES-EDE3-CBC. */
static int des3_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return cbc_init(ctx, "DES-EDE3-CBC", key, iv, encrypt);
}

/* len is a whole number of blocks (the packet layer guarantees it), so
 * nothing stays buffered inside OpenSSL between calls. */
static int cbc_crypt(void *ctx, uint8_t *buf, size_t len)
{
    cbc_ctx *c = ctx;
    int n;

    if (c->cc == NULL)
        return NSSH_ERR_STATE;
    if (len % (size_t)EVP_CIPHER_CTX_get_block_size(c->cc))
        return NSSH_ERR_INTERNAL;
    while (len > 0) {
        size_t chunk = len > (size_t)INT_MAX / 2 ? (size_t)INT_MAX / 2 & ~(size_t)15 : len;

        if (EVP_CipherUpdate(c->cc, buf, &n, buf, (int)chunk) != 1 ||
            (size_t)n != chunk)
            return NSSH_ERR_CRYPTO;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

#define CBC(var, sshname, klen, blen, initfn) \
    const nssh_cipher var = {                 \
        .name = sshname,                      \
        .key_len = klen,                      \
        .iv_len = blen,                       \
        .block_len = blen,                    \
        .tag_len = 0,                         \
        .flags = 0,                           \
        .init = initfn,                       \
        .crypt = cbc_crypt,                   \
        .cleanup = cbc_cleanup,               \
    }

CBC(nssh_ossl_aes128_cbc, "aes128-cbc", 16, 16, aes128_init);
CBC(nssh_ossl_aes192_cbc, "aes192-cbc", 24, 16, aes192_init);
CBC(nssh_ossl_aes256_cbc, "aes256-cbc", 32, 16, aes256_init);
CBC(nssh_ossl_3des_cbc, "3des-cbc", 24, 8, des3_init);
