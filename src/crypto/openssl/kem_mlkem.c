/*
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, section 2) on
 * this backend's X25519 and SHA-256; the composition itself (wire layout,
 * K = SHA-256(K_PQ || K_CL) as a string) is src/crypto/hybrid.c, shared
 * with the compact backend.
 */
#include "ossl.h"
#include "hybrid.h"

static const hybrid_x25519 x = { x25519_public, x25519_shared };

static int h_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    return hybrid_mlkem_keypair(&x, pk, sk, rng, rng_user);
}

static int h_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                    nssh_rng_fn rng, void *rng_user)
{
    return hybrid_mlkem_encaps(&x, &nssh_ossl_sha256, ct, ss, pk, rng, rng_user);
}

static int h_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return hybrid_mlkem_decaps(&x, &nssh_ossl_sha256, ss, ct, sk);
}

const nssh_kem nssh_ossl_mlkem768x25519_sha256 = {
    .name = "mlkem768x25519-sha256",
    .hash = &nssh_ossl_sha256,
    .pk_len = HYBRID_MLKEM_PK_LEN, .ct_len = HYBRID_MLKEM_CT_LEN,
    .sk_len = HYBRID_MLKEM_SK_LEN, .ss_len = HYBRID_MLKEM_SS_LEN,
    .flags = 0,   /* K is a string */
    .keypair = h_keypair,
    .encaps = h_encaps,
    .decaps = h_decaps,
};
