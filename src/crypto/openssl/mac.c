/*
 * HMAC for the binary packet protocol (RFC 4253 section 6.4; SHA-2 from
 * RFC 6668; the -etm@openssh.com variants from OpenSSH's PROTOCOL section
 * 1.7, which differ only in what the engine feeds in). The key is set once
 * in init; each packet re-initialises the MAC with the same key.
 *
 * Legacy MACs, for old peers only and never offered by default:
 * hmac-sha1 and hmac-md5 (RFC 4253 section 6.4, RFC 2104), and their
 * "-96" forms, which send the first 96 bits of the tag (RFC 2104
 * section 5 truncation) while keying with the full digest length.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ossl.h"

typedef struct mac_ctx {
    EVP_MAC_CTX *mc;
} mac_ctx;
OSSL_CTX_FITS(mac_ctx, NSSH_MAC_CTX_SIZE);

static void mac_cleanup(void *ctx)
{
    mac_ctx *m = ctx;

    EVP_MAC_CTX_free(m->mc);  /* cleanses the keyed state */
    m->mc = NULL;
}

static int mac_init(mac_ctx *m, const char *digest, const uint8_t *key, size_t keylen)
{
    EVP_MAC *mac = NULL;
    OSSL_PARAM params[2];
    int e = NSSH_ERR_CRYPTO;

    m->mc = NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
        (m->mc = EVP_MAC_CTX_new(mac)) == NULL)
        goto out;
    if (EVP_MAC_init(m->mc, key, keylen, params) != 1)
        goto out;
    e = 0;
out:
    EVP_MAC_free(mac);
    if (e < 0)
        mac_cleanup(m);
    return e;
}

static int mac_compute(mac_ctx *m, uint32_t seq, const uint8_t *data, size_t len,
                       uint8_t *out, size_t outlen)
{
    uint8_t s[4], full[EVP_MAX_MD_SIZE];
    size_t n = 0;
    int e = NSSH_ERR_CRYPTO;

    if (m->mc == NULL)
        return NSSH_ERR_STATE;
    s[0] = (uint8_t)(seq >> 24);
    s[1] = (uint8_t)(seq >> 16);
    s[2] = (uint8_t)(seq >> 8);
    s[3] = (uint8_t)seq;
    /* A NULL key restarts the MAC with the key given in init. */
    if (EVP_MAC_init(m->mc, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(m->mc, s, sizeof(s)) != 1 ||
        (len > 0 && EVP_MAC_update(m->mc, data, len) != 1) ||
        EVP_MAC_final(m->mc, full, &n, sizeof(full)) != 1 || n < outlen)
        goto out;
    memcpy(out, full, outlen);   /* "-96": the leftmost 12 bytes */
    e = 0;
out:
    OPENSSL_cleanse(full, sizeof(full));
    return e;
}

static int md5_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "MD5", key, 16); }
static int sha1_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "SHA1", key, 20); }
static int sha256_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "SHA256", key, 32); }
static int sha512_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "SHA512", key, 64); }

static int trunc96_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len, uint8_t *out)
{
    return mac_compute(ctx, seq, data, len, out, 12);
}

static int md5_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len, uint8_t *out)
{
    return mac_compute(ctx, seq, data, len, out, 16);
}

static int sha1_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len, uint8_t *out)
{
    return mac_compute(ctx, seq, data, len, out, 20);
}

static int sha256_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len, uint8_t *out)
{
    return mac_compute(ctx, seq, data, len, out, 32);
}

static int sha512_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len, uint8_t *out)
{
    return mac_compute(ctx, seq, data, len, out, 64);
}

#define HMAC_ALG(var, sshname, len, is_etm, initfn, computefn) \
    HMAC_TRUNC(var, sshname, len, len, is_etm, initfn, computefn)
#define HMAC_TRUNC(var, sshname, klen, olen, is_etm, initfn, computefn) \
    const nssh_mac var = {                                      \
        .name = sshname,                                        \
        .key_len = klen,                                        \
        .out_len = olen,                                        \
        .etm = is_etm,                                          \
        .init = initfn,                                         \
        .compute = computefn,                                   \
        .cleanup = mac_cleanup,                                 \
    }

HMAC_ALG(nssh_ossl_hmac_sha256_etm, "hmac-sha2-256-etm@openssh.com", 32, 1, sha256_init, sha256_compute);
HMAC_ALG(nssh_ossl_hmac_sha512_etm, "hmac-sha2-512-etm@openssh.com", 64, 1, sha512_init, sha512_compute);
HMAC_ALG(nssh_ossl_hmac_sha256, "hmac-sha2-256", 32, 0, sha256_init, sha256_compute);
HMAC_ALG(nssh_ossl_hmac_sha512, "hmac-sha2-512", 64, 0, sha512_init, sha512_compute);
HMAC_ALG(nssh_ossl_hmac_sha1, "hmac-sha1", 20, 0, sha1_init, sha1_compute);
HMAC_ALG(nssh_ossl_hmac_sha1_etm, "hmac-sha1-etm@openssh.com", 20, 1, sha1_init, sha1_compute);
HMAC_TRUNC(nssh_ossl_hmac_sha1_96, "hmac-sha1-96", 20, 12, 0, sha1_init, trunc96_compute);
HMAC_TRUNC(nssh_ossl_hmac_sha1_96_etm, "hmac-sha1-96-etm@openssh.com", 20, 12, 1, sha1_init, trunc96_compute);
HMAC_ALG(nssh_ossl_hmac_md5, "hmac-md5", 16, 0, md5_init, md5_compute);
HMAC_ALG(nssh_ossl_hmac_md5_etm, "hmac-md5-etm@openssh.com", 16, 1, md5_init, md5_compute);
HMAC_TRUNC(nssh_ossl_hmac_md5_96, "hmac-md5-96", 16, 12, 0, md5_init, trunc96_compute);
HMAC_TRUNC(nssh_ossl_hmac_md5_96_etm, "hmac-md5-96-etm@openssh.com", 16, 12, 1, md5_init, trunc96_compute);
