/*
 * RSA keys from SSH numbers: e and n of a public blob (RFC 4253 section
 * 6.6), plus d, iqmp, p and q of an openssh-key-v1 file (PROTOCOL.key).
 *
 * A private key is checked for consistency (n = pq, ed = 1 modulo p-1 and
 * q-1, iqmp q = 1 mod p), not for primality: OpenSSL's full check spends
 * a quarter of a second on a 3072-bit key, which a daemon loading its
 * host keys for every connection cannot afford, and a key file that
 * passes these equations and still has composite "primes" was made that
 * way by its owner.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "keyint.h"

/* Limits on the public numbers before OpenSSL sees them. */
static int public_ok(const uint8_t *e, size_t e_len, const uint8_t *n,
                     size_t n_len)
{
    size_t bits;

    if (n_len == 0 || e_len == 0 || e_len > n_len || n[0] == 0 || e[0] == 0 ||
        !(n[n_len - 1] & 1) || !(e[e_len - 1] & 1) || (e_len == 1 && e[0] < 3))
        return 0;
    bits = n_len * 8;
    for (uint8_t top = n[0]; !(top & 0x80); top <<= 1)
        bits--;
    return bits >= KEY_RSA_MIN_BITS && bits <= KEY_RSA_MAX_BITS;
}

/* The CRT exponents d mod (p-1), d mod (q-1), checking on the way that
 * they invert e, and that pq = n and iqmp q = 1 mod p. v: n e d p q iqmp,
 * then dp dq. */
static int consistent(BIGNUM *const v[8])
{
    BN_CTX *ctx = BN_CTX_secure_new();
    BIGNUM *t, *m;
    int ok = 0, i;

    if (!ctx)
        return 0;
    BN_CTX_start(ctx);
    t = BN_CTX_get(ctx);
    m = BN_CTX_get(ctx);
    if (!m || BN_is_zero(v[3]) || BN_is_zero(v[4]) || BN_is_one(v[3]) ||
        BN_is_one(v[4]) || !BN_mul(t, v[3], v[4], ctx) || BN_cmp(t, v[0]) != 0)
        goto out;
    for (i = 0; i < 2; i++) {          /* p, then q */
        BIGNUM *prime = v[3 + i], *dx = v[6 + i];
        if (!BN_copy(m, prime) || !BN_sub_word(m, 1) ||
            !BN_mod(dx, v[2], m, ctx) || !BN_mod_mul(t, dx, v[1], m, ctx) ||
            !BN_is_one(t))
            goto out;
    }
    ok = BN_cmp(v[5], v[3]) < 0 && BN_mod_mul(t, v[5], v[4], v[3], ctx) &&
         BN_is_one(t);
out:
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    return ok;
}

/* Read the private numbers into v[2..5] and derive v[6..7]. */
static int private_numbers(BIGNUM *const v[8], const rsa_priv *pr)
{
    if (pr->d_len == 0 || pr->p_len == 0 || pr->q_len == 0 || pr->iqmp_len == 0)
        return NSSH_ERR_KEY;
    if (!BN_bin2bn(pr->d, (int)pr->d_len, v[2]) ||
        !BN_bin2bn(pr->p, (int)pr->p_len, v[3]) ||
        !BN_bin2bn(pr->q, (int)pr->q_len, v[4]) ||
        !BN_bin2bn(pr->iqmp, (int)pr->iqmp_len, v[5]))
        return NSSH_ERR_CRYPTO;
    return consistent(v) ? 0 : NSSH_ERR_KEY;
}

int key_build_rsa(const uint8_t *e, size_t e_len, const uint8_t *n,
                  size_t n_len, const rsa_priv *pr, EVP_PKEY **out)
{
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        /* iqmp = q^-1 mod p is OpenSSL's first CRT coefficient. */
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
    };
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *v[8] = { 0 };
    int r = NSSH_ERR_CRYPTO, i, count = pr ? 8 : 2;

    *out = NULL;
    if (!public_ok(e, e_len, n, n_len))
        return NSSH_ERR_KEY;
    bld = OSSL_PARAM_BLD_new();
    for (i = 0; i < 8; i++)
        if (!(v[i] = BN_secure_new()))
            goto out;
    if (!bld || !BN_bin2bn(n, (int)n_len, v[0]) || !BN_bin2bn(e, (int)e_len, v[1]))
        goto out;
    if (pr && (r = private_numbers(v, pr)) < 0)
        goto out;
    /* The builder keeps pointers to the BIGNUMs until to_param. */
    r = NSSH_ERR_CRYPTO;
    for (i = 0; i < count; i++)
        if (!OSSL_PARAM_BLD_push_BN(bld, names[i], v[i]))
            goto out;
    r = key_from_params("RSA", bld, pr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, out);
out:
    for (i = 0; i < 8; i++)
        BN_clear_free(v[i]);
    OSSL_PARAM_BLD_free(bld);
    return r;
}

int key_rsa_check(const EVP_PKEY *pkey)
{
    static const char *const names[6] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    BIGNUM *v[8] = { 0 };
    int r = NSSH_ERR_KEY, i;

    for (i = 0; i < 6; i++)
        if (!EVP_PKEY_get_bn_param(pkey, names[i], &v[i]))
            goto out;
    if (!(v[6] = BN_secure_new()) || !(v[7] = BN_secure_new())) {
        r = NSSH_ERR_CRYPTO;
        goto out;
    }
    if (consistent(v))
        r = 0;
out:
    for (i = 0; i < 8; i++)
        BN_clear_free(v[i]);
    return r;
}
