/*
 * A software FIDO authenticator in the middleware interface OpenSSH loads
 * (sk_api.h): for the tests only. ssh-keygen -w, ssh -o
 * SecurityKeyProvider= and nanosshd's SecurityKeyProvider load it.
 *
 * NOT A SECURITY KEY: the "key handle" is the private key itself
 * ("SSK1" || alg || 32 private bytes), so whoever holds the key file can
 * sign. A real authenticator keeps the key inside and the handle only
 * names it.
 *
 * What it signs is what PROTOCOL.u2f says an authenticator signs:
 * SHA256(application) || flags || counter || SHA256(message), with
 * Ed25519, or ECDSA P-256 over SHA-256. The flags it reports are "user
 * present" plus "user verified" when the key asked for it; the tests
 * steer it with the environment:
 *   SOFT_SK_FLAGS=n   report these flags instead (e.g. 0: nobody touched)
 *   SOFT_SK_FAIL=1    every sk_sign fails (a broken or absent device)
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "sk_api.h"

#define HANDLE_MAGIC "SSK1"
#define HANDLE_LEN (4u + 1u + 32u)

#define EXPORT __attribute__((visibility("default")))

EXPORT uint32_t sk_api_version(void);
EXPORT int sk_enroll(uint32_t alg, const uint8_t *challenge,
                     size_t challenge_len, const char *application,
                     uint8_t flags, const char *pin, struct sk_option **options,
                     struct sk_enroll_response **response);
EXPORT int sk_sign(uint32_t alg, const uint8_t *data, size_t data_len,
                   const char *application, const uint8_t *key_handle,
                   size_t key_handle_len, uint8_t flags, const char *pin,
                   struct sk_option **options,
                   struct sk_sign_response **response);
EXPORT int sk_load_resident_keys(const char *pin, struct sk_option **options,
                                 struct sk_resident_key ***rks, size_t *nrks);

uint32_t sk_api_version(void)
{
    return SK_API_VERSION;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* The private scalar of a P-256 key, 32 bytes big-endian. */
static int ec_priv(EVP_PKEY *k, uint8_t out[32])
{
    BIGNUM *d = NULL;
    int ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
             BN_bn2binpad(d, out, 32) == 32;
    BN_clear_free(d);
    return ok ? 0 : -1;
}

/* A key from the 32 private bytes of a handle. */
static EVP_PKEY *key_from_handle(uint32_t alg, const uint8_t *priv)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *ctx;
    OSSL_PARAM_BLD *bld;
    OSSL_PARAM *params = NULL;
    BIGNUM *d;
    EC_GROUP *g;
    EC_POINT *q;
    uint8_t pub[65];

    if (alg == SK_ALG_ED25519)
        return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, 32);
    /* P-256: the public point is d*G, needed by the key import. */
    d = BN_bin2bn(priv, 32, NULL);
    g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    q = g ? EC_POINT_new(g) : NULL;
    bld = OSSL_PARAM_BLD_new();
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (d && q && bld && ctx && EC_POINT_mul(g, q, d, NULL, NULL, NULL) &&
        EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub,
                           sizeof(pub), NULL) == sizeof(pub) &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        "P-256", 0) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                         sizeof(pub)) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        EVP_PKEY_fromdata_init(ctx) > 0)
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    EC_POINT_free(q);
    EC_GROUP_free(g);
    BN_clear_free(d);
    return k;
}

int sk_enroll(uint32_t alg, const uint8_t *challenge, size_t challenge_len,
              const char *application, uint8_t flags, const char *pin,
              struct sk_option **options, struct sk_enroll_response **response)
{
    struct sk_enroll_response *r = NULL;
    EVP_PKEY *k = NULL;
    uint8_t handle[HANDLE_LEN], pub[65];
    size_t pub_len = sizeof(pub), priv_len = 32;
    int rc = SK_ERR_GENERAL;

    (void)challenge, (void)challenge_len, (void)pin, (void)options;
    if (!response || !application)
        return SK_ERR_GENERAL;
    *response = NULL;
    if (alg != SK_ALG_ED25519 && alg != SK_ALG_ECDSA)
        return SK_ERR_UNSUPPORTED;
    k = alg == SK_ALG_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                              : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!k)
        goto out;
    memcpy(handle, HANDLE_MAGIC, 4);
    handle[4] = (uint8_t)alg;
    if (alg == SK_ALG_ED25519) {
        if (!EVP_PKEY_get_raw_private_key(k, handle + 5, &priv_len) ||
            !EVP_PKEY_get_raw_public_key(k, pub, &pub_len))
            goto out;
    } else if (ec_priv(k, handle + 5) < 0 ||
               !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                                sizeof(pub), &pub_len) ||
               pub_len != 65) {
        goto out;
    }
    if (!(r = calloc(1, sizeof(*r))) ||
        !(r->public_key = dup_bytes(pub, pub_len)) ||
        !(r->key_handle = dup_bytes(handle, sizeof(handle))))
        goto out;
    r->public_key_len = pub_len;
    r->key_handle_len = sizeof(handle);
    r->flags = flags;
    *response = r;
    r = NULL;
    rc = 0;
out:
    if (r) {
        free(r->public_key);
        free(r->key_handle);
        free(r);
    }
    EVP_PKEY_free(k);
    OPENSSL_cleanse(handle, sizeof(handle));
    return rc;
}

/* Split a DER ECDSA signature into r and s (32 bytes each). */
static int split_der(const uint8_t *der, size_t len, struct sk_sign_response *r)
{
    const unsigned char *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
    const BIGNUM *br, *bs;
    int ok = 0;

    if (!s)
        return -1;
    ECDSA_SIG_get0(s, &br, &bs);
    r->sig_r_len = (size_t)BN_num_bytes(br);
    r->sig_s_len = (size_t)BN_num_bytes(bs);
    if ((r->sig_r = malloc(r->sig_r_len + 1)) &&
        (r->sig_s = malloc(r->sig_s_len + 1))) {
        BN_bn2bin(br, r->sig_r);
        BN_bn2bin(bs, r->sig_s);
        ok = 1;
    }
    ECDSA_SIG_free(s);
    return ok ? 0 : -1;
}

int sk_sign(uint32_t alg, const uint8_t *data, size_t data_len,
            const char *application, const uint8_t *key_handle,
            size_t key_handle_len, uint8_t flags, const char *pin,
            struct sk_option **options, struct sk_sign_response **response)
{
    static uint32_t counter;
    struct sk_sign_response *r = NULL;
    EVP_PKEY *k = NULL;
    EVP_MD_CTX *md = NULL;
    uint8_t msg[32 + 1 + 4 + 32], sig[128];
    size_t sig_len = sizeof(sig);
    unsigned n;
    const char *env;
    int rc = SK_ERR_GENERAL;

    (void)pin, (void)options;
    if (!response)
        return SK_ERR_GENERAL;
    *response = NULL;
    if ((env = getenv("SOFT_SK_FAIL")) && *env == '1')
        return SK_ERR_DEVICE_NOT_FOUND;
    if (!application || !key_handle || key_handle_len != HANDLE_LEN ||
        memcmp(key_handle, HANDLE_MAGIC, 4) || key_handle[4] != alg)
        return SK_ERR_GENERAL;   /* not one of ours */
    if (!(r = calloc(1, sizeof(*r))))
        return SK_ERR_GENERAL;
    r->flags = SK_FLAG_USER_PRESENCE |
               (flags & SK_FLAG_USER_VERIFICATION ? SK_FLAG_USER_VERIFICATION : 0);
    if ((env = getenv("SOFT_SK_FLAGS")) && *env)
        r->flags = (uint8_t)strtoul(env, NULL, 0);
    r->counter = ++counter;
    if (!EVP_Digest(application, strlen(application), msg, &n, EVP_sha256(), NULL))
        goto out;
    msg[32] = r->flags;
    msg[33] = (uint8_t)(r->counter >> 24);
    msg[34] = (uint8_t)(r->counter >> 16);
    msg[35] = (uint8_t)(r->counter >> 8);
    msg[36] = (uint8_t)r->counter;
    if (!EVP_Digest(data, data_len, msg + 37, &n, EVP_sha256(), NULL))
        goto out;
    if (!(k = key_from_handle(alg, key_handle + 5)) || !(md = EVP_MD_CTX_new()) ||
        EVP_DigestSignInit(md, NULL, alg == SK_ALG_ED25519 ? NULL : EVP_sha256(),
                           NULL, k) != 1 ||
        EVP_DigestSign(md, sig, &sig_len, msg, sizeof(msg)) != 1)
        goto out;
    if (alg == SK_ALG_ED25519) {
        if (!(r->sig_r = dup_bytes(sig, sig_len)))
            goto out;
        r->sig_r_len = sig_len;
    } else if (split_der(sig, sig_len, r) < 0) {
        goto out;
    }
    *response = r;
    r = NULL;
    rc = 0;
out:
    if (r) {
        free(r->sig_r);
        free(r->sig_s);
        free(r);
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    return rc;
}

/* No resident credentials on this authenticator. */
int sk_load_resident_keys(const char *pin, struct sk_option **options,
                          struct sk_resident_key ***rks, size_t *nrks)
{
    (void)pin, (void)options;
    if (!rks || !nrks)
        return SK_ERR_GENERAL;
    *rks = NULL;
    *nrks = 0;
    return 0;
}
