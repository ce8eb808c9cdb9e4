/*
 * sntrup761x25519-sha512 and its first name,
 * sntrup761x25519-sha512@openssh.com (RFC 9941, formerly
 * draft-ietf-sshm-ntruprime-ssh), on this backend's X25519 and SHA-512;
 * the composition is src/crypto/hybrid.c, shared with the compact
 * backend.
 */
#include "ossl.h"
#include "hybrid.h"

static const hybrid_x25519 x = { x25519_public, x25519_shared };

static int hy_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    return hybrid_sntrup_keypair(&x, pk, sk, rng, rng_user);
}

static int hy_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                     nssh_rng_fn rng, void *rng_user)
{
    return hybrid_sntrup_encaps(&x, &nssh_ossl_sha512, ct, ss, pk, rng, rng_user);
}

static int hy_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return hybrid_sntrup_decaps(&x, &nssh_ossl_sha512, ss, ct, sk);
}

#define SNTRUP_TABLE(var, sshname)                                   \
    const nssh_kem var = {                                           \
        .name = sshname,                                             \
        .hash = &nssh_ossl_sha512,                                   \
        .pk_len = HYBRID_SNTRUP_PK_LEN, .ct_len = HYBRID_SNTRUP_CT_LEN, \
        .sk_len = HYBRID_SNTRUP_SK_LEN, .ss_len = HYBRID_SNTRUP_SS_LEN, \
        .flags = 0,                                                  \
        .keypair = hy_keypair,                                       \
        .encaps = hy_encaps,                                         \
        .decaps = hy_decaps,                                         \
    }

SNTRUP_TABLE(nssh_ossl_sntrup761x25519_sha512, "sntrup761x25519-sha512");
/* The name OpenSSH used from 8.5 until the draft's; the same algorithm. */
SNTRUP_TABLE(nssh_ossl_sntrup761x25519_sha512_openssh,
             "sntrup761x25519-sha512@openssh.com");

_Static_assert(HYBRID_SNTRUP_PK_LEN <= NSSH_KEM_PK_MAX &&
               HYBRID_SNTRUP_CT_LEN <= NSSH_KEM_CT_MAX &&
               HYBRID_SNTRUP_SK_LEN <= NSSH_KEM_SK_MAX &&
               HYBRID_SNTRUP_SS_LEN <= NSSH_KEM_SS_MAX,
               "NSSH_KEM_*_MAX too small for sntrup761x25519");
