/*
 * What every signature algorithm shares: the SSH signature blob
 * (RFC 4253 section 6.6), public keys from key blobs, and the EVP calls.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "buf.h"
#include "sig.h"

int sigblob_put(const char *name, const uint8_t *raw, size_t raw_len,
                uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    wr w;

    wr_init(&w, sig, sig_max);
    wr_cstring(&w, name);
    wr_string(&w, raw, raw_len);
    if (w.err)
        return w.err;
    *sig_len = w.len;
    return 0;
}

int sigblob_get(const char *want, const uint8_t *sig, size_t sig_len,
                const uint8_t **raw, size_t *raw_len)
{
    const uint8_t *name;
    size_t n;
    rd r;

    rd_init(&r, sig, sig_len);
    if (rd_string(&r, &name, &n) < 0 || rd_string(&r, raw, raw_len) < 0 ||
        rd_end(&r) < 0)
        return NSSH_ERR_FORMAT;
    if (n != strlen(want) || memcmp(name, want, n) != 0)
        return NSSH_ERR_SIGNATURE;
    return 0;
}

int sigblob_pubkey(const char *key_type, int ktype, const uint8_t *blob,
                   size_t len, nssh_key **out)
{
    const uint8_t *name;
    size_t n;
    nssh_key *k = NULL;
    rd r;

    *out = NULL;
    rd_init(&r, blob, len);
    if (rd_string(&r, &name, &n) < 0 || n != strlen(key_type) ||
        memcmp(name, key_type, n) != 0)
        return NSSH_ERR_KEY;
    if (nssh_ossl_key_from_blob(blob, len, &k) < 0 || k == NULL)
        return NSSH_ERR_KEY;
    if (nssh_ossl_key_type(k) != ktype || k->pkey == NULL) {
        nssh_ossl_key_free(k);
        return NSSH_ERR_KEY;
    }
    *out = k;
    return 0;
}

int sig_check_private(const nssh_key *k, int ktype)
{
    if (k == NULL || k->type != ktype || !k->has_private || k->pkey == NULL)
        return NSSH_ERR_KEY;
    return 0;
}

/* Digest context set up for pkey; PKCS#1 v1.5 padding for RSA (RFC 8332
 * section 3). */
static EVP_MD_CTX *evp_start(EVP_PKEY *pkey, const char *mdname, int sign)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok;

    if (md == NULL)
        return NULL;
    if (sign)
        ok = EVP_DigestSignInit_ex(md, &pc, mdname, NULL, NULL, pkey, NULL);
    else
        ok = EVP_DigestVerifyInit_ex(md, &pc, mdname, NULL, NULL, pkey, NULL);
    if (ok == 1 && EVP_PKEY_is_a(pkey, "RSA"))
        ok = EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING);
    if (ok != 1) {
        EVP_MD_CTX_free(md);
        return NULL;
    }
    return md;
}

int sig_evp_sign(EVP_PKEY *pkey, const char *mdname, const uint8_t *data,
                 size_t len, uint8_t *out, size_t *out_len)
{
    EVP_MD_CTX *md;
    size_t need = 0;
    int e = NSSH_ERR_CRYPTO;

    if ((md = evp_start(pkey, mdname, 1)) == NULL)
        goto out;
    /* Ask the size first: OpenSSL fails rather than truncate. */
    if (EVP_DigestSign(md, NULL, &need, data, len) != 1)
        goto out;
    e = NSSH_ERR_NOSPACE;
    if (need > *out_len)
        goto out;
    e = NSSH_ERR_CRYPTO;
    if (EVP_DigestSign(md, out, out_len, data, len) != 1)
        goto out;
    e = 0;
out:
    if (e < 0)
        ERR_clear_error();
    EVP_MD_CTX_free(md);
    return e;
}

int sig_evp_verify(EVP_PKEY *pkey, const char *mdname, const uint8_t *data,
                   size_t len, const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *md;
    int e = NSSH_ERR_CRYPTO;

    if ((md = evp_start(pkey, mdname, 0)) == NULL)
        goto out;
    e = EVP_DigestVerify(md, sig, sig_len, data, len) == 1 ? 0 : NSSH_ERR_SIGNATURE;
out:
    if (e < 0)
        ERR_clear_error();
    EVP_MD_CTX_free(md);
    return e;
}
