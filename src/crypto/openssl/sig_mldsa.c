/*
 * ssh-mldsa44-ed25519@openssh.com, as OpenSSH 10.5 implements
 * draft-miller-sshm-mldsa44-ed25519-composite-sigs (the composite
 * MLDSA44-Ed25519-SHA512 of draft-ietf-lamps-pq-composite-sigs):
 *
 *   M'  = "CompositeAlgorithmSignatures2025" || Label || u8(0) || SHA-512(M)
 *         with Label = "COMPSIG-MLDSA44-Ed25519-SHA512" (the SSH layer
 *         passes no context, hence the zero length byte)
 *   sig = ML-DSA-44.Sign(sk, M', ctx = Label) (2420) || Ed25519(M') (64)
 *
 * and the blob string name || string sig. ML-DSA signing is hedged with
 * the engine's random source (deterministic when none is given). Both
 * halves must verify.
 */
#include <string.h>

#include "keyint.h"
#include "pq/mldsa44.h"
#include "pq/sha512.h"
#include "sig.h"

#define NAME "ssh-mldsa44-ed25519@openssh.com"
#define PREFIX "CompositeAlgorithmSignatures2025"
#define LABEL "COMPSIG-MLDSA44-Ed25519-SHA512"
#define MPRIME_LEN (sizeof(PREFIX) - 1 + sizeof(LABEL) - 1 + 1 + 64)
#define ED_SIG 64u
#define RAW_SIG (MLDSA44_SIG_BYTES + ED_SIG)

static void mprime(uint8_t out[MPRIME_LEN], const uint8_t *data, size_t len)
{
    size_t o = 0;

    memcpy(out, PREFIX, sizeof(PREFIX) - 1);
    o += sizeof(PREFIX) - 1;
    memcpy(out + o, LABEL, sizeof(LABEL) - 1);
    o += sizeof(LABEL) - 1;
    out[o++] = 0;
    pq_sha512(out + o, data, len);
}

static int mldsa_sign(const nssh_key *key, const uint8_t *data, size_t len,
                      uint8_t *sig, size_t sig_max, size_t *sig_len,
                      nssh_rng_fn rng, void *rng_user)
{
    uint8_t m[MPRIME_LEN], rnd[MLDSA44_SEED_BYTES], raw[RAW_SIG];
    size_t n = ED_SIG;
    int e;

    if (sig_has_signer(key, NSSH_KEY_MLDSA44_ED25519))
        return sig_signer_sign(key, NAME, data, len,
                               sig, sig_max, sig_len);
    if ((e = sig_check_private(key, NSSH_KEY_MLDSA44_ED25519)) < 0)
        return e;
    if (!key->mldsa)
        return NSSH_ERR_KEY;
    memset(rnd, 0, sizeof(rnd));
    if (rng && (e = rng(rng_user, rnd, sizeof(rnd))) < 0)
        return e;
    mprime(m, data, len);
    e = mldsa44_sign_derand(raw, m, sizeof(m), (const uint8_t *)LABEL,
                            sizeof(LABEL) - 1, key->mldsa->sk, rnd);
    if (e == 0)
        e = sig_evp_sign(key->pkey, NULL, m, sizeof(m), raw + MLDSA44_SIG_BYTES, &n);
    if (e == 0 && n != ED_SIG)
        e = NSSH_ERR_CRYPTO;
    if (e == 0)
        e = sigblob_put(NAME, raw, sizeof(raw), sig, sig_max, sig_len);
    nssh_wipe(rnd, sizeof(rnd));
    return e;
}

static int mldsa_verify(const uint8_t *keyblob, size_t keylen,
                        const uint8_t *data, size_t len, const uint8_t *sig,
                        size_t siglen)
{
    uint8_t m[MPRIME_LEN];
    const uint8_t *raw;
    size_t n;
    nssh_key *k = NULL;
    int e;

    if ((e = sigblob_get(NAME, sig, siglen, &raw, &n)) < 0)
        return e;
    if (n != RAW_SIG)
        return NSSH_ERR_SIGNATURE;
    if ((e = sigblob_pubkey(NAME, NSSH_KEY_MLDSA44_ED25519, keyblob, keylen, &k)) < 0)
        return e;
    mprime(m, data, len);
    e = mldsa44_verify(raw, m, sizeof(m), (const uint8_t *)LABEL,
                       sizeof(LABEL) - 1, k->mldsa->pk);
    if (e == 0)
        e = sig_evp_verify(k->pkey, NULL, m, sizeof(m), raw + MLDSA44_SIG_BYTES, ED_SIG);
    nssh_ossl_key_free(k);
    return e < 0 ? NSSH_ERR_SIGNATURE : 0;
}

const nssh_sig_alg nssh_ossl_sig_mldsa44_ed25519 = {
    .name = NAME,
    .key_type = NAME,
    .sign = mldsa_sign,
    .verify = mldsa_verify,
};
