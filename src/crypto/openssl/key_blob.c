/*
 * Public key blobs:
 *   ssh-ed25519          string name, string key(32)            RFC 8709 4
 *   ecdsa-sha2-nistpNNN  string name, string curve-id, string Q RFC 5656 3.1
 *   ssh-rsa              string name, mpint e, mpint n          RFC 4253 6.6
 *   ssh-mldsa44-ed25519@openssh.com
 *                        string name, string(ML-DSA-44 pk || Ed25519 pk)
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "keyint.h"

/* The fields after the name, for a blob whose type is ki. */
static int read_public(const key_info *ki, rd *r, EVP_PKEY **pkey)
{
    const uint8_t *a, *b;
    size_t alen, blen;

    switch (ki->type) {
    case NSSH_KEY_ED25519:
        if (rd_string(r, &a, &alen) < 0 || alen != 32)
            return NSSH_ERR_KEY;
        return key_build_ed25519(a, NULL, pkey);
    case NSSH_KEY_RSA:
        if (rd_mpint(r, &a, &alen) < 0 || rd_mpint(r, &b, &blen) < 0)
            return NSSH_ERR_KEY;
        return key_build_rsa(a, alen, b, blen, NULL, pkey);
    default:
        /* The curve id must name the same curve as the key type. */
        if (rd_string(r, &a, &alen) < 0 || alen != strlen(ki->curve) ||
            memcmp(a, ki->curve, alen) != 0 || rd_string(r, &b, &blen) < 0)
            return NSSH_ERR_KEY;
        return key_build_ecdsa(ki, b, blen, NULL, 0, pkey);
    }
}

int nssh_ossl_key_from_blob(const uint8_t *blob, size_t len, nssh_key **out)
{
    const key_info *ki;
    const uint8_t *name;
    size_t name_len;
    EVP_PKEY *pkey = NULL;
    rd r;
    int e;

    if (!out)
        return NSSH_ERR_STATE;
    *out = NULL;
    if (!blob)
        return NSSH_ERR_KEY;
    rd_init(&r, blob, len);
    if (rd_string(&r, &name, &name_len) < 0)
        return NSSH_ERR_KEY;
    ki = key_info_by_name(name, name_len);
    if (!ki)
        return NSSH_ERR_KEY;
    if (key_is_sk_type(ki->type)) {
        e = key_sk_from_blob(ki->type, &r, out);
        if (e < 0)
            ERR_clear_error();
        return e == NSSH_ERR_CRYPTO || e == NSSH_ERR_INTERNAL ? e : e < 0 ? NSSH_ERR_KEY : 0;
    }
    if (ki->type == NSSH_KEY_MLDSA44_ED25519) {
        const uint8_t *pk;
        size_t pk_len;

        if (rd_string(&r, &pk, &pk_len) < 0 || pk_len != KEY_MLDSA_PK ||
            rd_end(&r) < 0)
            return NSSH_ERR_KEY;
        e = key_build_mldsa(pk, NULL, out);
        if (e < 0)
            ERR_clear_error();
        return e < 0 ? NSSH_ERR_KEY : 0;
    }
    e = read_public(ki, &r, &pkey);
    if (e < 0) {
        ERR_clear_error();      /* a refused key is no backend failure */
        return e == NSSH_ERR_CRYPTO ? e : NSSH_ERR_KEY;
    }
    if (rd_end(&r) < 0) {
        EVP_PKEY_free(pkey);
        return NSSH_ERR_KEY;    /* trailing bytes */
    }
    return key_wrap(ki->type, pkey, 0, out);
}

int key_put_public(const nssh_key *k, wr *w)
{
    const key_info *ki = key_info_by_type(k->type);
    uint8_t raw[32];
    int e;

    if (!ki || !k->pkey)
        return NSSH_ERR_KEY;
    if (key_is_sk_type(k->type))
        return key_sk_put_public(k, w);
    switch (k->type) {
    case NSSH_KEY_ED25519:
        e = key_ed25519_raw(k->pkey, 0, raw);
        if (e == 0)
            wr_string(w, raw, sizeof(raw));
        return e;
    case NSSH_KEY_MLDSA44_ED25519:
        if (!k->mldsa)
            return NSSH_ERR_KEY;
        wr_string(w, k->mldsa->pk, KEY_MLDSA_PK);
        return 0;
    case NSSH_KEY_RSA:
        e = key_put_bn_param(w, k->pkey, OSSL_PKEY_PARAM_RSA_E);
        if (e == 0)
            e = key_put_bn_param(w, k->pkey, OSSL_PKEY_PARAM_RSA_N);
        return e;
    default:
        wr_cstring(w, ki->curve);
        return key_put_ec_point(w, k->pkey);
    }
}

int nssh_ossl_key_public_blob(const nssh_key *k, uint8_t *buf, size_t cap,
                         size_t *len)
{
    wr w;
    int e;

    if (!k || !len)
        return NSSH_ERR_STATE;
    wr_init(&w, buf, cap);
    wr_cstring(&w, nssh_ossl_key_type_name(k));
    e = key_put_public(k, &w);
    if (e < 0)
        return e;
    if (w.err)
        return w.err;
    *len = w.len;
    return 0;
}
