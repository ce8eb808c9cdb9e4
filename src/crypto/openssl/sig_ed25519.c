/*
 * ssh-ed25519 (RFC 8709): the signature blob is string "ssh-ed25519" ||
 * string(64-byte Ed25519 signature, RFC 8032 section 5.1.6).
 */
#include "sig.h"

#define ED_SIG 64u

static int ed_sign(const nssh_key *key, const uint8_t *data, size_t len,
                   uint8_t *sig, size_t sig_max, size_t *sig_len,
                   nssh_rng_fn rng, void *rng_user)
{
    uint8_t raw[ED_SIG];
    size_t n = sizeof(raw);
    int e;

    (void)rng;
    (void)rng_user;  /* Ed25519 is deterministic */
    if (sig_has_signer(key, NSSH_KEY_ED25519))
        return sig_signer_sign(key, "ssh-ed25519", data, len, sig, sig_max, sig_len);
    if ((e = sig_check_private(key, NSSH_KEY_ED25519)) < 0)
        return e;
    if ((e = sig_evp_sign(key->pkey, NULL, data, len, raw, &n)) < 0)
        return e;
    if (n != ED_SIG)
        return NSSH_ERR_CRYPTO;
    return sigblob_put("ssh-ed25519", raw, n, sig, sig_max, sig_len);
}

static int ed_verify(const uint8_t *keyblob, size_t keylen, const uint8_t *data,
                     size_t len, const uint8_t *sig, size_t siglen)
{
    const uint8_t *raw;
    size_t n;
    nssh_key *k = NULL;
    int e;

    if ((e = sigblob_get("ssh-ed25519", sig, siglen, &raw, &n)) < 0)
        return e;
    if (n != ED_SIG)
        return NSSH_ERR_SIGNATURE;
    if ((e = sigblob_pubkey("ssh-ed25519", NSSH_KEY_ED25519, keyblob, keylen, &k)) < 0)
        return e;
    e = sig_evp_verify(k->pkey, NULL, data, len, raw, n);
    nssh_ossl_key_free(k);
    return e;
}

const nssh_sig_alg nssh_ossl_sig_ed25519 = {
    .name = "ssh-ed25519",
    .key_type = "ssh-ed25519",
    .sign = ed_sign,
    .verify = ed_verify,
};
