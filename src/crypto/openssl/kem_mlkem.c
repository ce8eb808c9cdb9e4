/*
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, section 2):
 * ML-KEM-768 (FIPS 203) and X25519 (RFC 8731) side by side.
 *
 *   C_INIT  = C_PK2 || C_PK1: ML-KEM encapsulation key || X25519 key
 *             (1184 + 32 bytes)
 *   S_REPLY = S_CT2 || S_PK1: ML-KEM ciphertext || X25519 key
 *             (1088 + 32 bytes)
 *   K = SHA-256(K_PQ || K_CL)   (section 2.4)
 *
 * K_CL is the 32-byte X25519 result exactly as curve25519-sha256 would
 * read it into its mpint, kept as a fixed-length byte string; an all-zero
 * result is refused (RFC 8731 section 3). K enters the exchange hash and
 * key derivation as a string, not an mpint (section 2.5), so the table's
 * flags leave NSSH_KEM_SS_MPINT clear. The client's secret key is the
 * ML-KEM decapsulation key followed by its X25519 private key.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ossl.h"
#include "../pq/mlkem768.h"

#define PK_LEN (MLKEM768_PK_BYTES + X25519_LEN)
#define CT_LEN (MLKEM768_CT_BYTES + X25519_LEN)
#define SK_LEN (MLKEM768_SK_BYTES + X25519_LEN)
#define SS_LEN 32u

/* K = SHA-256(K_PQ || K_CL). */
static int combine(uint8_t *ss, const uint8_t *k_pq, const uint8_t *k_cl)
{
    uint8_t buf[MLKEM768_SS_BYTES + X25519_LEN];
    unsigned int n = 0;
    int e = 0;

    memcpy(buf, k_pq, MLKEM768_SS_BYTES);
    memcpy(buf + MLKEM768_SS_BYTES, k_cl, X25519_LEN);
    if (EVP_Digest(buf, sizeof(buf), ss, &n, EVP_sha256(), NULL) != 1 ||
        n != SS_LEN) {
        ERR_clear_error();
        e = NSSH_ERR_CRYPTO;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return e;
}

static int h_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    uint8_t seed[2 * MLKEM768_SEED_BYTES];   /* d || z */
    uint8_t *x_sk = sk + MLKEM768_SK_BYTES;
    int e;

    if (rng(rng_user, seed, sizeof(seed)) < 0 ||
        rng(rng_user, x_sk, X25519_LEN) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    e = mlkem768_keypair_derand(pk, sk, seed, seed + MLKEM768_SEED_BYTES);
    if (e == 0)
        e = x25519_public(x_sk, pk + MLKEM768_PK_BYTES);
out:
    if (e < 0)
        OPENSSL_cleanse(sk, SK_LEN);
    OPENSSL_cleanse(seed, sizeof(seed));
    return e;
}

/* The server's side: encapsulate to C_PK2, answer with an ephemeral
 * X25519 key. mlkem768_encaps_derand applies the encapsulation key check
 * the draft requires (FIPS 203 section 7.2). */
static int h_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                    nssh_rng_fn rng, void *rng_user)
{
    uint8_t m[MLKEM768_SEED_BYTES], eph[X25519_LEN];
    uint8_t k_pq[MLKEM768_SS_BYTES], k_cl[X25519_LEN];
    int e;

    if (rng(rng_user, m, sizeof(m)) < 0 ||
        rng(rng_user, eph, sizeof(eph)) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    if ((e = mlkem768_encaps_derand(ct, k_pq, pk, m)) < 0 ||
        (e = x25519_public(eph, ct + MLKEM768_CT_BYTES)) < 0 ||
        (e = x25519_shared(k_cl, eph, pk + MLKEM768_PK_BYTES)) < 0)
        goto out;
    e = combine(ss, k_pq, k_cl);
out:
    if (e < 0)
        OPENSSL_cleanse(ss, SS_LEN);
    OPENSSL_cleanse(m, sizeof(m));
    OPENSSL_cleanse(eph, sizeof(eph));
    OPENSSL_cleanse(k_pq, sizeof(k_pq));
    OPENSSL_cleanse(k_cl, sizeof(k_cl));
    return e;
}

static int h_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    uint8_t k_pq[MLKEM768_SS_BYTES], k_cl[X25519_LEN];
    int e;

    if ((e = mlkem768_decaps(k_pq, ct, sk)) < 0 ||
        (e = x25519_shared(k_cl, sk + MLKEM768_SK_BYTES,
                           ct + MLKEM768_CT_BYTES)) < 0)
        goto out;
    e = combine(ss, k_pq, k_cl);
out:
    if (e < 0)
        OPENSSL_cleanse(ss, SS_LEN);
    OPENSSL_cleanse(k_pq, sizeof(k_pq));
    OPENSSL_cleanse(k_cl, sizeof(k_cl));
    return e;
}

const nssh_kem nssh_ossl_mlkem768x25519_sha256 = {
    .name = "mlkem768x25519-sha256",
    .hash = &nssh_ossl_sha256,
    .pk_len = PK_LEN, .ct_len = CT_LEN, .sk_len = SK_LEN, .ss_len = SS_LEN,
    .flags = 0,   /* K is a string */
    .keypair = h_keypair,
    .encaps = h_encaps,
    .decaps = h_decaps,
};
