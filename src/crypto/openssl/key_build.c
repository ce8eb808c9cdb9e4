/*
 * OpenSSL key objects from the numbers an SSH blob or key file carries,
 * and those numbers back from the objects. Every key built here is
 * checked: points on the curve, private parts matching public parts.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "keyint.h"

int key_build_ed25519(const uint8_t *pub, const uint8_t *seed, EVP_PKEY **out)
{
    EVP_PKEY *pkey;
    uint8_t derived[32];

    *out = NULL;
    if (!seed) {
        pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
        if (!pkey)
            return NSSH_ERR_KEY;
        *out = pkey;
        return 0;
    }
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    if (!pkey)
        return NSSH_ERR_KEY;
    /* PROTOCOL.key stores the public key next to the seed: they must agree. */
    if (pub && (key_ed25519_raw(pkey, 0, derived) < 0 ||
                memcmp(derived, pub, 32) != 0)) {
        EVP_PKEY_free(pkey);
        return NSSH_ERR_KEY;
    }
    *out = pkey;
    return 0;
}

/* Full check of a freshly built key: public (point on curve, not the
 * identity, right order) and, with a private part, the pair. */
static int check_pkey(EVP_PKEY *pkey, int with_private)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    if (!ctx)
        return NSSH_ERR_CRYPTO;
    ok = with_private ? EVP_PKEY_check(ctx) : EVP_PKEY_public_check(ctx);
    EVP_PKEY_CTX_free(ctx);
    return ok == 1 ? 0 : NSSH_ERR_KEY;
}

int key_from_params(const char *alg, OSSL_PARAM_BLD *bld, int selection,
                       EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
    int e = NSSH_ERR_KEY;

    if (!params || !ctx) {
        e = NSSH_ERR_CRYPTO;
        goto out;
    }
    if (EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, out, selection, params) == 1)
        e = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);    /* clears private BIGNUM copies */
    return e;
}

int key_build_ecdsa(const key_info *ki, const uint8_t *q, size_t q_len,
                    const uint8_t *d, size_t d_len, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *bn = NULL;
    int e = NSSH_ERR_CRYPTO;

    *out = NULL;
    /* RFC 5656 section 3.1 with SEC1 2.3.3: only the uncompressed form,
     * 0x04 || X || Y, each coordinate the field's size. */
    if (q_len != 1 + 2 * ki->field_len || q[0] != 0x04)
        return NSSH_ERR_KEY;
    if (d && (d_len == 0 || d_len > ki->field_len))
        return NSSH_ERR_KEY;
    bld = OSSL_PARAM_BLD_new();
    if (!bld)
        goto out;
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ki->group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, q_len))
        goto out;
    if (d) {
        bn = BN_secure_new();
        if (!bn || !BN_bin2bn(d, (int)d_len, bn) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn))
            goto out;
    }
    e = key_from_params("EC", bld, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, out);
    if (e == 0)
        e = check_pkey(*out, d != NULL);
out:
    if (e < 0) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    BN_clear_free(bn);
    OSSL_PARAM_BLD_free(bld);
    return e;
}

int key_put_bn_param(wr *w, const EVP_PKEY *pkey, const char *param)
{
    BIGNUM *bn = NULL;
    uint8_t tmp[KEY_BN_MAX + 1];
    int n, e = NSSH_ERR_CRYPTO;

    if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
        return NSSH_ERR_CRYPTO;
    n = BN_num_bytes(bn);
    if (n < 0 || (size_t)n > sizeof(tmp))
        goto out;
    BN_bn2bin(bn, tmp);
    wr_mpint(w, tmp, (size_t)n);
    nssh_wipe(tmp, (size_t)n);
    e = 0;
out:
    BN_clear_free(bn);
    return e;
}

int key_put_ec_point(wr *w, const EVP_PKEY *pkey)
{
    uint8_t q[1 + 2 * 66];
    size_t len = 0;

    if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, q,
                                         sizeof(q), &len) ||
        len == 0 || q[0] != 0x04)
        return NSSH_ERR_CRYPTO;
    wr_string(w, q, len);
    return 0;
}

int key_ed25519_raw(const EVP_PKEY *pkey, int private_part, uint8_t out[32])
{
    size_t len = 32;
    int ok = private_part ? EVP_PKEY_get_raw_private_key(pkey, out, &len)
                          : EVP_PKEY_get_raw_public_key(pkey, out, &len);
    return ok == 1 && len == 32 ? 0 : NSSH_ERR_CRYPTO;
}
