/*
 * ecdsa-sha2-nistp256/384/521 (RFC 5656 section 3.1.2): SHA-256, -384 or
 * -512 by curve size, and the signature blob is string name ||
 * string(mpint r || mpint s). OpenSSL works with the DER form
 * (ECDSA-Sig-Value), so r and s are moved between the two encodings.
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "buf.h"
#include "sig.h"

/* Room for one P-521 scalar and for both as SSH mpints. */
#define EC_SCALAR_MAX 66u
#define EC_RAW_MAX (2u * (4u + 1u + EC_SCALAR_MAX))
/* DER ECDSA-Sig-Value of P-521 is at most 139 bytes. */
#define EC_DER_MAX 160u

typedef struct ec_alg {
    const char *name;
    int ktype;
    const char *md;
} ec_alg;

static const ec_alg ec_p256 = { "ecdsa-sha2-nistp256", NSSH_KEY_ECDSA_P256, "SHA256" };
static const ec_alg ec_p384 = { "ecdsa-sha2-nistp384", NSSH_KEY_ECDSA_P384, "SHA384" };
static const ec_alg ec_p521 = { "ecdsa-sha2-nistp521", NSSH_KEY_ECDSA_P521, "SHA512" };

/* mpint r || mpint s from a DER signature. */
static int der_to_ssh(const uint8_t *der, size_t der_len, wr *w)
{
    const unsigned char *p = der;
    const BIGNUM *bn[2];
    uint8_t mag[EC_SCALAR_MAX];
    ECDSA_SIG *s;
    int i, n, e = NSSH_ERR_CRYPTO;

    if ((s = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL)
        return NSSH_ERR_CRYPTO;
    ECDSA_SIG_get0(s, &bn[0], &bn[1]);
    for (i = 0; i < 2; i++) {
        if (BN_num_bytes(bn[i]) > (int)sizeof(mag) ||
            (n = BN_bn2bin(bn[i], mag)) < 0)
            goto out;
        wr_mpint(w, mag, (size_t)n);
    }
    e = w->err;
out:
    ECDSA_SIG_free(s);
    return e;
}

static int ec_sign(const ec_alg *a, const nssh_key *key, const uint8_t *data,
                   size_t len, uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    uint8_t der[EC_DER_MAX], raw[EC_RAW_MAX];
    size_t der_len = sizeof(der);
    wr w;
    int e;

    if (sig_has_signer(key, a->ktype))
        return sig_signer_sign(key, a->name, data, len, sig, sig_max, sig_len);
    if ((e = sig_check_private(key, a->ktype)) < 0)
        return e;
    if ((e = sig_evp_sign(key->pkey, a->md, data, len, der, &der_len)) < 0)
        return e;
    wr_init(&w, raw, sizeof(raw));
    if ((e = der_to_ssh(der, der_len, &w)) < 0)
        return e;
    return sigblob_put(a->name, raw, w.len, sig, sig_max, sig_len);
}

/* DER signature (OPENSSL_malloc'ed) from mpint r || mpint s. */
int sig_ecdsa_ssh_to_der(const uint8_t *raw, size_t raw_len, uint8_t **der, int *der_len)
{
    const uint8_t *m[2];
    size_t n[2];
    BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG *es = NULL;
    rd rr;
    int e = NSSH_ERR_FORMAT;

    rd_init(&rr, raw, raw_len);
    if (rd_mpint(&rr, &m[0], &n[0]) < 0 || rd_mpint(&rr, &m[1], &n[1]) < 0 ||
        rd_end(&rr) < 0)
        goto out;
    e = NSSH_ERR_SIGNATURE;
    if (n[0] > EC_SCALAR_MAX || n[1] > EC_SCALAR_MAX)
        goto out;
    e = NSSH_ERR_CRYPTO;
    if ((r = BN_bin2bn(m[0], (int)n[0], NULL)) == NULL ||
        (s = BN_bin2bn(m[1], (int)n[1], NULL)) == NULL ||
        (es = ECDSA_SIG_new()) == NULL || ECDSA_SIG_set0(es, r, s) != 1)
        goto out;
    r = s = NULL;  /* owned by es now */
    *der = NULL;
    if ((*der_len = i2d_ECDSA_SIG(es, der)) <= 0)
        goto out;
    e = 0;
out:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return e;
}

static int ec_verify(const ec_alg *a, const uint8_t *keyblob, size_t keylen,
                     const uint8_t *data, size_t len, const uint8_t *sig,
                     size_t siglen)
{
    const uint8_t *raw;
    uint8_t *der = NULL;
    size_t n;
    int der_len = 0, e;
    nssh_key *k = NULL;

    if ((e = sigblob_get(a->name, sig, siglen, &raw, &n)) < 0)
        return e;
    if ((e = sig_ecdsa_ssh_to_der(raw, n, &der, &der_len)) < 0)
        return e;
    if ((e = sigblob_pubkey(a->name, a->ktype, keyblob, keylen, &k)) < 0)
        goto out;
    e = sig_evp_verify(k->pkey, a->md, data, len, der, (size_t)der_len);
out:
    nssh_ossl_key_free(k);
    OPENSSL_free(der);
    return e;
}

/* OpenSSL draws the ECDSA nonce from its own source, not from rng. */
#define EC_TABLE(var, alg, sshname) \
    SIG_TABLE_NO_RNG(var, alg, sshname, sshname, ec_sign, ec_verify)

EC_TABLE(nssh_ossl_sig_ecdsa_p256, ec_p256, "ecdsa-sha2-nistp256");
EC_TABLE(nssh_ossl_sig_ecdsa_p384, ec_p384, "ecdsa-sha2-nistp384");
EC_TABLE(nssh_ossl_sig_ecdsa_p521, ec_p521, "ecdsa-sha2-nistp521");
