/*
 * sntrup761x25519-sha512 and its first name,
 * sntrup761x25519-sha512@openssh.com (RFC 9941, formerly
 * draft-ietf-sshm-ntruprime-ssh): a hybrid of the sntrup761 KEM and X25519.
 *   Q_C = sntrup761 public key (1158) || X25519 public key (32)
 *   Q_S = sntrup761 ciphertext (1039) || X25519 public key (32)
 *   K   = SHA-512(sntrup761 key (32) || X25519 result (32)), 64 bytes,
 * and K enters the exchange hash and key derivation as a string, not an
 * mpint. The X25519 half is the curve25519-sha256 table's (its all-zero
 * result check included); the sntrup761 half is src/crypto/pq.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ossl.h"
#include "pq/sntrup761.h"

#define X_LEN 32u
#define SS_LEN 64u
#define PK_LEN (SNTRUP761_PK_BYTES + X_LEN)
#define CT_LEN (SNTRUP761_CT_BYTES + X_LEN)
#define SK_LEN (SNTRUP761_SK_BYTES + X_LEN)

static const nssh_kem *const x25519 = &nssh_ossl_curve25519_sha256;

/* ss = SHA-512(k), k the two halves' keys side by side. */
static int combine(uint8_t *ss, const uint8_t *k)
{
    unsigned int n = 0;

    if (EVP_Digest(k, SNTRUP761_SS_BYTES + X_LEN, ss, &n, EVP_sha512(), NULL) != 1 ||
        n != SS_LEN)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int hy_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    int e = sntrup761_keypair(pk, sk, rng, rng_user);

    if (e == 0 && (e = x25519->keypair(pk + SNTRUP761_PK_BYTES,
                                       sk + SNTRUP761_SK_BYTES, rng, rng_user)) < 0)
        OPENSSL_cleanse(sk, SNTRUP761_SK_BYTES);
    return e;
}

static int hy_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                     nssh_rng_fn rng, void *rng_user)
{
    uint8_t k[SNTRUP761_SS_BYTES + X_LEN];
    int e;

    if ((e = sntrup761_encaps(ct, k, pk, rng, rng_user)) < 0)
        goto out;
    if ((e = x25519->encaps(ct + SNTRUP761_CT_BYTES, k + SNTRUP761_SS_BYTES,
                            pk + SNTRUP761_PK_BYTES, rng, rng_user)) < 0)
        goto out;
    e = combine(ss, k);
out:
    OPENSSL_cleanse(k, sizeof(k));
    return e;
}

static int hy_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    uint8_t k[SNTRUP761_SS_BYTES + X_LEN];
    int e;

    if ((e = sntrup761_decaps(k, ct, sk)) < 0)
        goto out;
    if ((e = x25519->decaps(k + SNTRUP761_SS_BYTES, ct + SNTRUP761_CT_BYTES,
                            sk + SNTRUP761_SK_BYTES)) < 0)
        goto out;
    e = combine(ss, k);
out:
    OPENSSL_cleanse(k, sizeof(k));
    return e;
}

const nssh_kem nssh_ossl_sntrup761x25519_sha512 = {
    .name = "sntrup761x25519-sha512",
    .hash = &nssh_ossl_sha512,
    .pk_len = PK_LEN, .ct_len = CT_LEN, .sk_len = SK_LEN, .ss_len = SS_LEN,
    .flags = 0,
    .keypair = hy_keypair,
    .encaps = hy_encaps,
    .decaps = hy_decaps,
};

/* The name OpenSSH used from 8.5 until the draft's; the same algorithm. */
const nssh_kem nssh_ossl_sntrup761x25519_sha512_openssh = {
    .name = "sntrup761x25519-sha512@openssh.com",
    .hash = &nssh_ossl_sha512,
    .pk_len = PK_LEN, .ct_len = CT_LEN, .sk_len = SK_LEN, .ss_len = SS_LEN,
    .flags = 0,
    .keypair = hy_keypair,
    .encaps = hy_encaps,
    .decaps = hy_decaps,
};

_Static_assert(PK_LEN <= NSSH_KEM_PK_MAX && CT_LEN <= NSSH_KEM_CT_MAX &&
               SK_LEN <= NSSH_KEM_SK_MAX && SS_LEN <= NSSH_KEM_SS_MAX,
               "NSSH_KEM_*_MAX too small for sntrup761x25519");
