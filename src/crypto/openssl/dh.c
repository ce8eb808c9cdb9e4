/*
 * Modular exponentiation for finite-field Diffie-Hellman (RFC 4253
 * section 8): one constant-time power, used for both e = g^x and
 * K = f^x. The exponent is secret; OpenSSL's BN_mod_exp_mont_consttime
 * keeps its timing and memory access independent of the exponent bits.
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "ossl.h"
#include "dh.h"

/* 1 < v < p-1: refuses 0, 1, p-1 (the subgroup of order 2) and anything
 * not reduced mod p. */
static int in_range(const BIGNUM *v, const BIGNUM *p, BN_CTX *ctx)
{
    BIGNUM *pm1 = BN_CTX_get(ctx);

    if (pm1 == NULL || BN_copy(pm1, p) == NULL || !BN_sub_word(pm1, 1))
        return NSSH_ERR_CRYPTO;
    if (BN_cmp(v, BN_value_one()) <= 0 || BN_cmp(v, pm1) >= 0)
        return NSSH_ERR_KEX_VALUE;
    return 0;
}

/* out = base^x mod p, plen bytes. */
static int dh_pow(const uint8_t *p, size_t plen, const uint8_t *base,
                  size_t blen, const uint8_t *x, size_t xlen, uint8_t *out)
{
    BN_CTX *ctx;
    BIGNUM *bp, *bb, *bx, *br;
    int e = NSSH_ERR_CRYPTO;

    if (plen == 0 || p[0] == 0 || !(p[plen - 1] & 1) || xlen == 0 ||
        xlen >= plen)
        return NSSH_ERR_KEX_VALUE;
    if ((ctx = BN_CTX_secure_new()) == NULL)
        return NSSH_ERR_CRYPTO;
    BN_CTX_start(ctx);
    bp = BN_CTX_get(ctx);
    bb = BN_CTX_get(ctx);
    bx = BN_CTX_get(ctx);
    br = BN_CTX_get(ctx);
    if (br == NULL || BN_bin2bn(p, (int)plen, bp) == NULL ||
        BN_bin2bn(base, (int)blen, bb) == NULL ||
        BN_bin2bn(x, (int)xlen, bx) == NULL)
        goto out;
    if ((e = in_range(bb, bp, ctx)) < 0)
        goto out;
    e = NSSH_ERR_CRYPTO;
    BN_set_flags(bx, BN_FLG_CONSTTIME);
    if (!BN_mod_exp_mont_consttime(br, bb, bx, bp, ctx, NULL) ||
        BN_bn2binpad(br, out, (int)plen) != (int)plen)
        goto out;
    e = 0;
out:
    if (e < 0)
        ERR_clear_error();
    /* The context's numbers (x and the result) are cleared as it is freed. */
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    return e;
}

int dh_keypair(const uint8_t *p, size_t plen, const uint8_t *g, size_t glen,
               uint8_t *x, size_t xlen, uint8_t *e, nssh_rng_fn rng,
               void *rng_user)
{
    int err;

    if (xlen == 0 || xlen >= plen)
        return NSSH_ERR_INTERNAL;
    if (rng(rng_user, x, xlen) < 0) {
        OPENSSL_cleanse(x, xlen);
        return NSSH_ERR_RNG;
    }
    /* A set top bit fixes the exponent's length (no timing difference
     * from leading zero words) and keeps it nonzero; xlen < plen keeps
     * it below p. */
    x[0] |= 0x80;
    if ((err = dh_pow(p, plen, g, glen, x, xlen, e)) < 0)
        OPENSSL_cleanse(x, xlen);
    return err;
}

int dh_shared(const uint8_t *p, size_t plen, const uint8_t *x, size_t xlen,
              const uint8_t *peer, uint8_t *k)
{
    int err = dh_pow(p, plen, peer, plen, x, xlen, k);

    if (err < 0)
        OPENSSL_cleanse(k, plen);
    return err;
}
