/*
 * Hashes for the exchange hash and key derivation (RFC 4253 section 7.2):
 * the context block holds one EVP_MD_CTX pointer.
 */
#include <openssl/evp.h>

#include "ossl.h"

typedef struct hash_ctx {
    EVP_MD_CTX *md;
} hash_ctx;
OSSL_CTX_FITS(hash_ctx, NSSH_HASH_CTX_SIZE);

static int hash_init(void *ctx, const char *mdname)
{
    hash_ctx *h = ctx;
    EVP_MD *md = NULL;
    int e = NSSH_ERR_CRYPTO;

    h->md = NULL;
    if ((md = EVP_MD_fetch(NULL, mdname, NULL)) == NULL)
        goto out;
    if ((h->md = EVP_MD_CTX_new()) == NULL)
        goto out;
    if (EVP_DigestInit_ex2(h->md, md, NULL) != 1) {
        EVP_MD_CTX_free(h->md);
        h->md = NULL;
        goto out;
    }
    e = 0;
out:
    EVP_MD_free(md);  /* the context keeps its own reference */
    return e;
}

static int hash_update(void *ctx, const void *data, size_t len)
{
    hash_ctx *h = ctx;

    if (h->md == NULL)
        return NSSH_ERR_STATE;
    if (len == 0)
        return 0;
    return EVP_DigestUpdate(h->md, data, len) == 1 ? 0 : NSSH_ERR_CRYPTO;
}

static void hash_cleanup(void *ctx)
{
    hash_ctx *h = ctx;

    EVP_MD_CTX_free(h->md);  /* NULL is fine; frees cleanse the state */
    h->md = NULL;
}

static int hash_final(void *ctx, uint8_t *out)
{
    hash_ctx *h = ctx;
    int e;

    if (h->md == NULL)
        return NSSH_ERR_STATE;
    e = EVP_DigestFinal_ex(h->md, out, NULL) == 1 ? 0 : NSSH_ERR_CRYPTO;
    hash_cleanup(ctx);
    return e;
}

static int sha1_init(void *ctx) { return hash_init(ctx, "SHA1"); }
static int sha256_init(void *ctx) { return hash_init(ctx, "SHA256"); }
static int sha384_init(void *ctx) { return hash_init(ctx, "SHA384"); }
static int sha512_init(void *ctx) { return hash_init(ctx, "SHA512"); }

const nssh_hash nssh_ossl_sha1 = {
    "sha1", 20, sha1_init, hash_update, hash_final, hash_cleanup
};
const nssh_hash nssh_ossl_sha256 = {
    "sha256", 32, sha256_init, hash_update, hash_final, hash_cleanup
};
const nssh_hash nssh_ossl_sha384 = {
    "sha384", 48, sha384_init, hash_update, hash_final, hash_cleanup
};
const nssh_hash nssh_ossl_sha512 = {
    "sha512", 64, sha512_init, hash_update, hash_final, hash_cleanup
};
