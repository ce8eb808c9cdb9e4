/*
 * ecdh-sha2-nistp256/384/521 (RFC 5656 section 4) as KEMs: keypair() is
 * the client's ephemeral key (Q_C), encaps() the server's (Q_S) and the
 * shared point, decaps() the client's view of it. Q_C and Q_S travel as
 * strings holding uncompressed points (SEC 1 section 2.3.3, RFC 5656
 * section 3.1); K is the shared point's x coordinate, hashed as an mpint
 * (RFC 5656 section 4). Private scalars come from the caller's random
 * source, so a fixed source gives fixed results.
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "ossl.h"

typedef struct curve {
    int nid;
    uint16_t flen;   /* field element (and scalar) bytes */
} curve;

static const curve p256 = { NID_X9_62_prime256v1, 32 };
static const curve p384 = { NID_secp384r1, 48 };
static const curve p521 = { NID_secp521r1, 66 };

#define PT_LEN(flen) (1u + 2u * (flen))   /* 0x04 || x || y */

/* How many candidates to draw before blaming the random source: a
 * candidate is refused with probability below 2^-32 on these curves. */
#define SCALAR_TRIES 16

/* Work state shared by the operations below. */
typedef struct ec_op {
    EC_GROUP *grp;
    BN_CTX *ctx;
    BIGNUM *d;       /* private scalar */
    EC_POINT *pt;
} ec_op;

static int op_begin(ec_op *op, const curve *cv)
{
    op->grp = EC_GROUP_new_by_curve_name(cv->nid);
    op->ctx = BN_CTX_secure_new();
    op->pt = NULL;
    op->d = NULL;
    if (op->ctx != NULL)
        BN_CTX_start(op->ctx);
    if (op->grp == NULL || op->ctx == NULL)
        return NSSH_ERR_CRYPTO;
    op->d = BN_CTX_get(op->ctx);
    if (op->d == NULL || (op->pt = EC_POINT_new(op->grp)) == NULL)
        return NSSH_ERR_CRYPTO;
    BN_set_flags(op->d, BN_FLG_CONSTTIME);
    return 0;
}

static void op_end(ec_op *op)
{
    ERR_clear_error();
    EC_POINT_clear_free(op->pt);
    if (op->ctx != NULL) {
        BN_CTX_end(op->ctx);
        BN_CTX_free(op->ctx);   /* clears d */
    }
    EC_GROUP_free(op->grp);
}

/* A scalar d in [1, n-1] drawn from rng into sk (flen bytes): the bits
 * above the order's length are cleared and a candidate out of range is
 * drawn again (rejection sampling, FIPS 186-5 appendix A.4.2). */
static int draw_scalar(ec_op *op, const curve *cv, uint8_t *sk,
                       nssh_rng_fn rng, void *rng_user)
{
    const BIGNUM *n = EC_GROUP_get0_order(op->grp);
    int spare = cv->flen * 8 - BN_num_bits(n), i;

    for (i = 0; i < SCALAR_TRIES; i++) {
        if (rng(rng_user, sk, cv->flen) < 0)
            return NSSH_ERR_RNG;
        sk[0] &= (uint8_t)(0xffu >> spare);
        if (BN_bin2bn(sk, cv->flen, op->d) == NULL)
            return NSSH_ERR_CRYPTO;
        if (!BN_is_zero(op->d) && BN_cmp(op->d, n) < 0)
            return 0;
    }
    return NSSH_ERR_RNG;
}

/* pk = d * G, uncompressed. */
static int public_point(ec_op *op, const curve *cv, uint8_t *pk)
{
    size_t n = PT_LEN(cv->flen);

    if (EC_POINT_mul(op->grp, op->pt, op->d, NULL, NULL, op->ctx) != 1 ||
        EC_POINT_point2oct(op->grp, op->pt, POINT_CONVERSION_UNCOMPRESSED,
                           pk, n, op->ctx) != n)
        return NSSH_ERR_CRYPTO;
    return 0;
}

/* ss = x(d * Q) for the peer's point Q. Q must be an uncompressed point
 * on the curve other than infinity (RFC 5656 section 4: "MUST verify");
 * the curves have cofactor 1, so that puts it in the prime-order group. */
static int shared_x(ec_op *op, const curve *cv, uint8_t *ss,
                    const uint8_t *peer)
{
    EC_POINT *q = EC_POINT_new(op->grp);
    BIGNUM *x = BN_CTX_get(op->ctx);
    int e = NSSH_ERR_CRYPTO;

    if (q == NULL || x == NULL)
        goto out;
    e = NSSH_ERR_KEX_VALUE;
    if (peer[0] != POINT_CONVERSION_UNCOMPRESSED ||
        EC_POINT_oct2point(op->grp, q, peer, PT_LEN(cv->flen), op->ctx) != 1 ||
        EC_POINT_is_at_infinity(op->grp, q) ||
        EC_POINT_is_on_curve(op->grp, q, op->ctx) != 1)
        goto out;
    e = NSSH_ERR_CRYPTO;
    if (EC_POINT_mul(op->grp, op->pt, NULL, q, op->d, op->ctx) != 1)
        goto out;
    e = NSSH_ERR_KEX_VALUE;
    if (EC_POINT_is_at_infinity(op->grp, op->pt))
        goto out;
    e = NSSH_ERR_CRYPTO;
    if (EC_POINT_get_affine_coordinates(op->grp, op->pt, x, NULL, op->ctx) != 1 ||
        BN_bn2binpad(x, ss, cv->flen) != cv->flen)
        goto out;
    e = 0;
out:
    if (e < 0)
        OPENSSL_cleanse(ss, cv->flen);
    EC_POINT_free(q);
    return e;
}

static int ec_keypair(const curve *cv, uint8_t *pk, uint8_t *sk,
                      nssh_rng_fn rng, void *rng_user)
{
    ec_op op;
    int e = op_begin(&op, cv);

    if (e == 0)
        e = draw_scalar(&op, cv, sk, rng, rng_user);
    if (e == 0)
        e = public_point(&op, cv, pk);
    if (e < 0)
        OPENSSL_cleanse(sk, cv->flen);
    op_end(&op);
    return e;
}

static int ec_encaps(const curve *cv, uint8_t *ct, uint8_t *ss,
                     const uint8_t *pk, nssh_rng_fn rng, void *rng_user)
{
    uint8_t eph[66];
    ec_op op;
    int e = op_begin(&op, cv);

    if (e == 0)
        e = draw_scalar(&op, cv, eph, rng, rng_user);
    if (e == 0)
        e = public_point(&op, cv, ct);
    if (e == 0)
        e = shared_x(&op, cv, ss, pk);
    OPENSSL_cleanse(eph, sizeof(eph));
    op_end(&op);
    return e;
}

static int ec_decaps(const curve *cv, uint8_t *ss, const uint8_t *ct,
                     const uint8_t *sk)
{
    ec_op op;
    int e = op_begin(&op, cv);

    if (e == 0 && BN_bin2bn(sk, cv->flen, op.d) == NULL)
        e = NSSH_ERR_CRYPTO;
    if (e == 0)
        e = shared_x(&op, cv, ss, ct);
    op_end(&op);
    return e;
}

/* The table has no context pointer: one set of entry points per curve. */
#define CURVE_ENTRIES(c)                                                     \
    static int c##_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng,        \
                           void *u)                                          \
    {                                                                        \
        return ec_keypair(&c, pk, sk, rng, u);                               \
    }                                                                        \
    static int c##_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,       \
                          nssh_rng_fn rng, void *u)                          \
    {                                                                        \
        return ec_encaps(&c, ct, ss, pk, rng, u);                            \
    }                                                                        \
    static int c##_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk) \
    {                                                                        \
        return ec_decaps(&c, ss, ct, sk);                                    \
    }

CURVE_ENTRIES(p256)
CURVE_ENTRIES(p384)
CURVE_ENTRIES(p521)

#define ECDH_KEM(c, sshname, h, flen)                                        \
    {                                                                        \
        .name = sshname, .hash = &h, .pk_len = PT_LEN(flen),                 \
        .ct_len = PT_LEN(flen), .sk_len = flen, .ss_len = flen,              \
        .flags = NSSH_KEM_SS_MPINT,                                          \
        .keypair = c##_keypair, .encaps = c##_encaps, .decaps = c##_decaps,  \
    }

const nssh_kem nssh_ossl_ecdh_nistp256 =
    ECDH_KEM(p256, "ecdh-sha2-nistp256", nssh_ossl_sha256, 32);
const nssh_kem nssh_ossl_ecdh_nistp384 =
    ECDH_KEM(p384, "ecdh-sha2-nistp384", nssh_ossl_sha384, 48);
const nssh_kem nssh_ossl_ecdh_nistp521 =
    ECDH_KEM(p521, "ecdh-sha2-nistp521", nssh_ossl_sha512, 66);
