/*
 * One OpenSSL cipher context that runs for a whole direction, shared by
 * the modes whose state simply carries on from packet to packet: CTR
 * (the counter, RFC 4344 section 4) and CBC (the chaining value, RFC 4253
 * section 6.3). Padding is off: the packet layer already aligns every
 * packet to the cipher's block, so nothing stays buffered between calls.
 */
#include <limits.h>

#include <openssl/evp.h>

#include "ossl.h"

OSSL_CTX_FITS(ossl_stream, NSSH_CIPHER_CTX_SIZE);

void ossl_stream_cleanup(void *ctx)
{
    ossl_stream *c = ctx;

    EVP_CIPHER_CTX_free(c->cc);  /* cleanses the key schedule */
    c->cc = NULL;
}

int ossl_stream_init(void *ctx, const char *alg, const uint8_t *key,
                     const uint8_t *iv, int encrypt)
{
    ossl_stream *c = ctx;
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
        ossl_stream_cleanup(c);
    return e;
}

/* len is a whole number of the cipher's blocks (1 for CTR). */
int ossl_stream_crypt(void *ctx, uint8_t *buf, size_t len)
{
    ossl_stream *c = ctx;
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
