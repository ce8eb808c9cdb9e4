/*
 * HMAC for the binary packet protocol (RFC 4253 section 6.4; SHA-2 from
 * RFC 6668; the -etm@openssh.com variants from OpenSSH's PROTOCOL section
 * 1.7, which differ only in what the engine feeds in). The key is set once
 * in init; each packet re-initialises the MAC with the same key.
 */
#include <openssl/core_names.h>
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
    uint8_t s[4];
    size_t n = 0;

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
        EVP_MAC_final(m->mc, out, &n, outlen) != 1 || n != outlen)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int sha1_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "SHA1", key, 20); }
static int sha256_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "SHA256", key, 32); }
static int sha512_init(void *ctx, const uint8_t *key) { return mac_init(ctx, "SHA512", key, 64); }

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
    const nssh_mac var = {                                      \
        .name = sshname,                                        \
        .key_len = len,                                         \
        .out_len = len,                                         \
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
