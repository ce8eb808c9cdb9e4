/*
 * The private fields of one key inside an openssh-key-v1 file (OpenSSH's
 * PROTOCOL.key section 3), after the key type name:
 *   ssh-ed25519          string pub(32), string seed(32) || pub(32)
 *   ecdsa-sha2-nistpNNN  string curve-id, string Q, mpint d
 *   ssh-rsa              mpint n, mpint e, mpint d, mpint iqmp,
 *                        mpint p, mpint q
 *   ssh-mldsa44-ed25519@openssh.com
 *                        string pk(1344), string seeds(64)
 */
#include <string.h>

#include <openssl/core_names.h>

#include "keyint.h"

static int put_ed25519(const nssh_key *k, wr *w)
{
    uint8_t both[64];
    int e;

    e = key_ed25519_raw(k->pkey, 1, both);
    if (e == 0)
        e = key_ed25519_raw(k->pkey, 0, both + 32);
    if (e == 0) {
        wr_string(w, both + 32, 32);
        wr_string(w, both, 64);
    }
    nssh_wipe(both, sizeof(both));
    return e;
}

int keyfile_put_private(const nssh_key *k, wr *w)
{
    static const char *const rsa_params[] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,
    };
    const key_info *ki = key_info_by_type(k->type);
    size_t i;
    int e = 0;

    if (!ki || !k->has_private)
        return NSSH_ERR_KEY;
    if (key_is_sk_type(k->type))
        return key_sk_put_private(k, w);
    switch (k->type) {
    case NSSH_KEY_ED25519:
        return put_ed25519(k, w);
    case NSSH_KEY_MLDSA44_ED25519:
        if (!k->mldsa)
            return NSSH_ERR_KEY;
        wr_string(w, k->mldsa->pk, KEY_MLDSA_PK);
        wr_string(w, k->mldsa->seeds, KEY_MLDSA_SEEDS);
        return 0;
    case NSSH_KEY_RSA:
        for (i = 0; i < sizeof(rsa_params) / sizeof(rsa_params[0]) && e == 0; i++)
            e = key_put_bn_param(w, k->pkey, rsa_params[i]);
        return e;
    default:
        wr_cstring(w, ki->curve);
        e = key_put_ec_point(w, k->pkey);
        if (e == 0)
            e = key_put_bn_param(w, k->pkey, OSSL_PKEY_PARAM_PRIV_KEY);
        return e;
    }
}

static int get_ed25519(rd *r, EVP_PKEY **pkey)
{
    const uint8_t *pub, *both;
    size_t plen, blen;

    if (rd_string(r, &pub, &plen) < 0 || plen != 32 ||
        rd_string(r, &both, &blen) < 0 || blen != 64 ||
        memcmp(both + 32, pub, 32) != 0)
        return NSSH_ERR_KEY;
    return key_build_ed25519(pub, both, pkey);
}

static int get_ecdsa(const key_info *ki, rd *r, EVP_PKEY **pkey)
{
    const uint8_t *curve, *q, *d;
    size_t clen, qlen, dlen;

    if (rd_string(r, &curve, &clen) < 0 || clen != strlen(ki->curve) ||
        memcmp(curve, ki->curve, clen) != 0 ||
        rd_string(r, &q, &qlen) < 0 || rd_mpint(r, &d, &dlen) < 0)
        return NSSH_ERR_KEY;
    return key_build_ecdsa(ki, q, qlen, d, dlen, pkey);
}

static int get_rsa(rd *r, EVP_PKEY **pkey)
{
    const uint8_t *n, *e;
    size_t nlen, elen;
    rsa_priv pr;

    if (rd_mpint(r, &n, &nlen) < 0 || rd_mpint(r, &e, &elen) < 0 ||
        rd_mpint(r, &pr.d, &pr.d_len) < 0 ||
        rd_mpint(r, &pr.iqmp, &pr.iqmp_len) < 0 ||
        rd_mpint(r, &pr.p, &pr.p_len) < 0 || rd_mpint(r, &pr.q, &pr.q_len) < 0)
        return NSSH_ERR_KEY;
    return key_build_rsa(e, elen, n, nlen, &pr, pkey);
}

int keyfile_get_private(const key_info *ki, rd *r, nssh_key **out)
{
    EVP_PKEY *pkey = NULL;
    int e;

    if (key_is_sk_type(ki->type))
        return key_sk_get_private(ki->type, r, out);
    switch (ki->type) {
    case NSSH_KEY_MLDSA44_ED25519: {
        const uint8_t *pk, *seeds;
        size_t plen, slen;

        if (rd_string(r, &pk, &plen) < 0 || plen != KEY_MLDSA_PK ||
            rd_string(r, &seeds, &slen) < 0 || slen != KEY_MLDSA_SEEDS)
            return NSSH_ERR_KEY;
        return key_build_mldsa(pk, seeds, out);
    }
    case NSSH_KEY_ED25519:
        e = get_ed25519(r, &pkey);
        break;
    case NSSH_KEY_RSA:
        e = get_rsa(r, &pkey);
        break;
    default:
        e = get_ecdsa(ki, r, &pkey);
        break;
    }
    if (e < 0)
        return e;
    return key_wrap(ki->type, pkey, 1, out);
}
