/*
 * mlkem768x25519-sha256 and sntrup761x25519-sha512 (+@openssh.com) on
 * this backend's X25519, SHA-256 and SHA-512; the composition is
 * src/crypto/hybrid.c, shared with the OpenSSL backend.
 */
#include "compact.h"
#include "hybrid.h"

static const hybrid_x25519 x = { compact_x25519_public, compact_x25519_shared };

static int ml_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    return hybrid_mlkem_keypair(&x, pk, sk, rng, rng_user);
}

static int ml_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                     nssh_rng_fn rng, void *rng_user)
{
    return hybrid_mlkem_encaps(&x, &nssh_compact_sha256, ct, ss, pk, rng, rng_user);
}

static int ml_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return hybrid_mlkem_decaps(&x, &nssh_compact_sha256, ss, ct, sk);
}

const nssh_kem nssh_compact_mlkem768x25519_sha256 = {
    .name = "mlkem768x25519-sha256",
    .hash = &nssh_compact_sha256,
    .pk_len = HYBRID_MLKEM_PK_LEN, .ct_len = HYBRID_MLKEM_CT_LEN,
    .sk_len = HYBRID_MLKEM_SK_LEN, .ss_len = HYBRID_MLKEM_SS_LEN,
    .flags = 0,   /* K is a string */
    .keypair = ml_keypair,
    .encaps = ml_encaps,
    .decaps = ml_decaps,
};

#if NSSH_COMPACT_SNTRUP
static int nt_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    return hybrid_sntrup_keypair(&x, pk, sk, rng, rng_user);
}

static int nt_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                     nssh_rng_fn rng, void *rng_user)
{
    return hybrid_sntrup_encaps(&x, &nssh_compact_sha512, ct, ss, pk, rng, rng_user);
}

static int nt_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return hybrid_sntrup_decaps(&x, &nssh_compact_sha512, ss, ct, sk);
}

#define SNTRUP_TABLE(var, sshname)                                   \
    const nssh_kem var = {                                           \
        .name = sshname,                                             \
        .hash = &nssh_compact_sha512,                                \
        .pk_len = HYBRID_SNTRUP_PK_LEN, .ct_len = HYBRID_SNTRUP_CT_LEN, \
        .sk_len = HYBRID_SNTRUP_SK_LEN, .ss_len = HYBRID_SNTRUP_SS_LEN, \
        .flags = 0,                                                  \
        .keypair = nt_keypair,                                       \
        .encaps = nt_encaps,                                         \
        .decaps = nt_decaps,                                         \
    }

SNTRUP_TABLE(nssh_compact_sntrup761x25519_sha512, "sntrup761x25519-sha512");
SNTRUP_TABLE(nssh_compact_sntrup761x25519_sha512_openssh,
             "sntrup761x25519-sha512@openssh.com");
#endif
