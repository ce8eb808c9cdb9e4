/*
 * mlkem768nistp256-sha256 and mlkem1024nistp384-sha384
 * (draft-kampanakis-curdle-ssh-pq-ke, "PQ/T hybrid key exchange with
 * ML-KEM"): ML-KEM from src/crypto/pq with ECDH on the NIST curves
 * (kem_ecdh.c), messages as for the other hybrids (SSH_MSG_KEX_HYBRID_INIT
 * and _REPLY share numbers 30 and 31 with ECDH):
 *
 *   C_INIT  = ML-KEM encapsulation key || client's ECDH point
 *   S_REPLY = ML-KEM ciphertext        || server's ECDH point
 *   K       = HASH(K_PQ || K_CL), encoded as a string
 *
 * Points are uncompressed (SEC 1 section 2.3.3, 65 bytes on P-256, 97 on
 * P-384); K_CL is the shared point's x coordinate at the field's full
 * length (32 or 48 bytes, leading zeros kept), K_PQ the 32-byte ML-KEM
 * secret; HASH is SHA-256 or SHA-384. The client's secret key is the
 * ML-KEM decapsulation key followed by its ECDH scalar. Random bytes are
 * drawn in a fixed order (ML-KEM first), so a fixed source gives fixed
 * results.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ossl.h"
#include "pq/mlkem768.h"
#include "pq/mlkem1024.h"

typedef struct pq_set {
    uint16_t pk, sk, ct;
    int (*keypair)(uint8_t *pk, uint8_t *sk, const uint8_t *d, const uint8_t *z);
    int (*encaps)(uint8_t *ct, uint8_t *ss, const uint8_t *pk, const uint8_t *m);
    int (*decaps)(uint8_t *ss, const uint8_t *ct, const uint8_t *sk);
} pq_set;

typedef struct nist_hybrid {
    const pq_set *pq;
    const nssh_kem *ec;   /* ecdh-sha2-nistp256 / -nistp384's KEM */
    const char *md;       /* "SHA256" / "SHA384" */
} nist_hybrid;

#define PQ_SS 32u
#define EC_SS_MAX 48u

/* The prototypes take fixed-size arrays; the table takes pointers. */
static int k768_keypair(uint8_t *pk, uint8_t *sk, const uint8_t *d, const uint8_t *z)
{
    return mlkem768_keypair_derand(pk, sk, d, z);
}
static int k768_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk, const uint8_t *m)
{
    return mlkem768_encaps_derand(ct, ss, pk, m);
}
static int k768_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return mlkem768_decaps(ss, ct, sk);
}
static int k1024_keypair(uint8_t *pk, uint8_t *sk, const uint8_t *d, const uint8_t *z)
{
    return mlkem1024_keypair_derand(pk, sk, d, z);
}
static int k1024_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk, const uint8_t *m)
{
    return mlkem1024_encaps_derand(ct, ss, pk, m);
}
static int k1024_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return mlkem1024_decaps(ss, ct, sk);
}

static const pq_set mlkem768 = { MLKEM768_PK_BYTES, MLKEM768_SK_BYTES,
                                 MLKEM768_CT_BYTES, k768_keypair, k768_encaps,
                                 k768_decaps };
static const pq_set mlkem1024 = { MLKEM1024_PK_BYTES, MLKEM1024_SK_BYTES,
                                  MLKEM1024_CT_BYTES, k1024_keypair, k1024_encaps,
                                  k1024_decaps };

static const nist_hybrid h768p256 = { &mlkem768, &nssh_ossl_ecdh_nistp256, "SHA256" };
static const nist_hybrid h1024p384 = { &mlkem1024, &nssh_ossl_ecdh_nistp384, "SHA384" };

/* ss = HASH(k[0..len)) */
static int combine(const nist_hybrid *h, const uint8_t *k, size_t len, uint8_t *ss)
{
    EVP_MD *md = EVP_MD_fetch(NULL, h->md, NULL);
    int ok = md != NULL && EVP_Digest(k, len, ss, NULL, md, NULL) == 1;

    EVP_MD_free(md);
    return ok ? 0 : NSSH_ERR_CRYPTO;
}

static int nh_keypair(const nist_hybrid *h, uint8_t *pk, uint8_t *sk,
                      nssh_rng_fn rng, void *rng_user)
{
    uint8_t seed[64];   /* d || z */
    int e = NSSH_ERR_RNG;

    if (rng(rng_user, seed, sizeof(seed)) < 0)
        goto out;
    if ((e = h->pq->keypair(pk, sk, seed, seed + 32)) < 0)
        goto out;
    e = h->ec->keypair(pk + h->pq->pk, sk + h->pq->sk, rng, rng_user);
out:
    if (e < 0)
        OPENSSL_cleanse(sk, (size_t)h->pq->sk + h->ec->sk_len);
    OPENSSL_cleanse(seed, sizeof(seed));
    return e;
}

/* The server: encapsulate to the client's ML-KEM key (the key check of
 * FIPS 203 section 7.2 refuses a bad one) and answer with an ephemeral
 * ECDH point; the client's point is checked to be on the curve. */
static int nh_encaps(const nist_hybrid *h, uint8_t *ct, uint8_t *ss,
                     const uint8_t *pk, nssh_rng_fn rng, void *rng_user)
{
    uint8_t m[32], k[PQ_SS + EC_SS_MAX];   /* K_PQ || K_CL */
    int e = NSSH_ERR_RNG;

    if (rng(rng_user, m, sizeof(m)) < 0)
        goto out;
    if ((e = h->pq->encaps(ct, k, pk, m)) < 0 ||
        (e = h->ec->encaps(ct + h->pq->ct, k + PQ_SS, pk + h->pq->pk, rng,
                           rng_user)) < 0)
        goto out;
    e = combine(h, k, PQ_SS + h->ec->ss_len, ss);
out:
    OPENSSL_cleanse(m, sizeof(m));
    OPENSSL_cleanse(k, sizeof(k));
    return e;
}

static int nh_decaps(const nist_hybrid *h, uint8_t *ss, const uint8_t *ct,
                     const uint8_t *sk)
{
    uint8_t k[PQ_SS + EC_SS_MAX];
    int e;

    if ((e = h->pq->decaps(k, ct, sk)) < 0 ||
        (e = h->ec->decaps(k + PQ_SS, ct + h->pq->ct, sk + h->pq->sk)) < 0)
        goto out;
    e = combine(h, k, PQ_SS + h->ec->ss_len, ss);
out:
    OPENSSL_cleanse(k, sizeof(k));
    return e;
}

/* The table has no context pointer: one set of entry points per method. */
#define NIST_HYBRID_ENTRIES(h)                                               \
    static int h##_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng,        \
                           void *u)                                          \
    {                                                                        \
        return nh_keypair(&h, pk, sk, rng, u);                               \
    }                                                                        \
    static int h##_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,       \
                          nssh_rng_fn rng, void *u)                          \
    {                                                                        \
        return nh_encaps(&h, ct, ss, pk, rng, u);                            \
    }                                                                        \
    static int h##_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk) \
    {                                                                        \
        return nh_decaps(&h, ss, ct, sk);                                    \
    }

NIST_HYBRID_ENTRIES(h768p256)
NIST_HYBRID_ENTRIES(h1024p384)

#define PT(flen) (1u + 2u * (flen))

const nssh_kem nssh_ossl_mlkem768nistp256_sha256 = {
    .name = "mlkem768nistp256-sha256",
    .hash = &nssh_ossl_sha256,
    .pk_len = MLKEM768_PK_BYTES + PT(32), .ct_len = MLKEM768_CT_BYTES + PT(32),
    .sk_len = MLKEM768_SK_BYTES + 32, .ss_len = 32,
    .flags = 0,   /* K is a string */
    .keypair = h768p256_keypair,
    .encaps = h768p256_encaps,
    .decaps = h768p256_decaps,
};

const nssh_kem nssh_ossl_mlkem1024nistp384_sha384 = {
    .name = "mlkem1024nistp384-sha384",
    .hash = &nssh_ossl_sha384,
    .pk_len = MLKEM1024_PK_BYTES + PT(48), .ct_len = MLKEM1024_CT_BYTES + PT(48),
    .sk_len = MLKEM1024_SK_BYTES + 48, .ss_len = 48,
    .flags = 0,
    .keypair = h1024p384_keypair,
    .encaps = h1024p384_encaps,
    .decaps = h1024p384_decaps,
};

_Static_assert(MLKEM1024_PK_BYTES + PT(48) <= NSSH_KEM_PK_MAX &&
               MLKEM1024_CT_BYTES + PT(48) <= NSSH_KEM_CT_MAX &&
               MLKEM1024_SK_BYTES + 48 <= NSSH_KEM_SK_MAX &&
               48 <= NSSH_KEM_SS_MAX,
               "NSSH_KEM_*_MAX must hold mlkem1024nistp384-sha384");
