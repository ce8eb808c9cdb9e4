/*
 * The hybrid key exchanges of hybrid.h, for any backend: the PQ half from
 * src/crypto/pq, X25519 and the hash from the backend's tables.
 */
#include <string.h>

#include "nanossh.h"
#include "hybrid.h"
#include "pq/keccak.h"
#include "pq/mlkem768.h"
#include "pq/sntrup761.h"

#define X_LEN HYBRID_X25519_LEN

/* out = hash(k[0..len)) through the backend's table; the context block
 * lives on the stack, aligned as the engine aligns its own. */
static int digest(const nssh_hash *h, const uint8_t *k, size_t len, uint8_t *out)
{
    union {
        uint8_t b[NSSH_HASH_CTX_SIZE];
        uint64_t align64;
        void *align_ptr;
    } ctx;
    int e;

    memset(&ctx, 0, sizeof(ctx));
    if ((e = h->init(ctx.b)) < 0)
        return e;
    if ((e = h->update(ctx.b, k, len)) < 0) {
        h->cleanup(ctx.b);
        return e;
    }
    return h->final(ctx.b, out);
}

int hybrid_mlkem_keypair(const hybrid_x25519 *x, uint8_t *pk, uint8_t *sk,
                         nssh_rng_fn rng, void *rng_user)
{
    uint8_t seed[2 * MLKEM768_SEED_BYTES];   /* d || z */
    uint8_t *x_sk = sk + MLKEM768_SK_BYTES;
    int e;

    if (rng(rng_user, seed, sizeof(seed)) < 0 ||
        rng(rng_user, x_sk, X_LEN) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    e = mlkem768_keypair_derand(pk, sk, seed, seed + MLKEM768_SEED_BYTES);
    if (e == 0)
        e = x->pub(x_sk, pk + MLKEM768_PK_BYTES);
out:
    if (e < 0)
        nssh_wipe(sk, HYBRID_MLKEM_SK_LEN);
    nssh_wipe(seed, sizeof(seed));
    return e;
}

/* The server's side: encapsulate to the client's ML-KEM key (with the
 * encapsulation key check of FIPS 203 section 7.2 the draft requires) and
 * answer with an ephemeral X25519 key. */
int hybrid_mlkem_encaps(const hybrid_x25519 *x, const nssh_hash *sha256,
                        uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                        nssh_rng_fn rng, void *rng_user)
{
    uint8_t m[MLKEM768_SEED_BYTES], eph[X_LEN];
    uint8_t k[MLKEM768_SS_BYTES + X_LEN];    /* K_PQ || K_CL */
    int e;

    if (rng(rng_user, m, sizeof(m)) < 0 ||
        rng(rng_user, eph, sizeof(eph)) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    if ((e = mlkem768_encaps_derand(ct, k, pk, m)) < 0 ||
        (e = x->pub(eph, ct + MLKEM768_CT_BYTES)) < 0 ||
        (e = x->shared(k + MLKEM768_SS_BYTES, eph, pk + MLKEM768_PK_BYTES)) < 0)
        goto out;
    e = digest(sha256, k, sizeof(k), ss);
out:
    if (e < 0)
        nssh_wipe(ss, HYBRID_MLKEM_SS_LEN);
    nssh_wipe(m, sizeof(m));
    nssh_wipe(eph, sizeof(eph));
    nssh_wipe(k, sizeof(k));
    return e;
}

int hybrid_mlkem_decaps(const hybrid_x25519 *x, const nssh_hash *sha256,
                        uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    uint8_t k[MLKEM768_SS_BYTES + X_LEN];
    int e;

    if ((e = mlkem768_decaps(k, ct, sk)) < 0 ||
        (e = x->shared(k + MLKEM768_SS_BYTES, sk + MLKEM768_SK_BYTES,
                       ct + MLKEM768_CT_BYTES)) < 0)
        goto out;
    e = digest(sha256, k, sizeof(k), ss);
out:
    if (e < 0)
        nssh_wipe(ss, HYBRID_MLKEM_SS_LEN);
    nssh_wipe(k, sizeof(k));
    return e;
}

int hybrid_sntrup_keypair(const hybrid_x25519 *x, uint8_t *pk, uint8_t *sk,
                          nssh_rng_fn rng, void *rng_user)
{
    uint8_t *x_sk = sk + SNTRUP761_SK_BYTES;
    int e;

    if ((e = sntrup761_keypair(pk, sk, rng, rng_user)) < 0)
        goto out;
    if (rng(rng_user, x_sk, X_LEN) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    e = x->pub(x_sk, pk + SNTRUP761_PK_BYTES);
out:
    if (e < 0)
        nssh_wipe(sk, HYBRID_SNTRUP_SK_LEN);
    return e;
}

int hybrid_sntrup_encaps(const hybrid_x25519 *x, const nssh_hash *sha512,
                         uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                         nssh_rng_fn rng, void *rng_user)
{
    uint8_t k[SNTRUP761_SS_BYTES + X_LEN], eph[X_LEN];
    int e;

    if ((e = sntrup761_encaps(ct, k, pk, rng, rng_user)) < 0)
        goto out;
    if (rng(rng_user, eph, sizeof(eph)) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    if ((e = x->pub(eph, ct + SNTRUP761_CT_BYTES)) < 0 ||
        (e = x->shared(k + SNTRUP761_SS_BYTES, eph, pk + SNTRUP761_PK_BYTES)) < 0)
        goto out;
    e = digest(sha512, k, sizeof(k), ss);
out:
    if (e < 0)
        nssh_wipe(ss, HYBRID_SNTRUP_SS_LEN);
    nssh_wipe(k, sizeof(k));
    nssh_wipe(eph, sizeof(eph));
    return e;
}

int hybrid_sntrup_decaps(const hybrid_x25519 *x, const nssh_hash *sha512,
                         uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    uint8_t k[SNTRUP761_SS_BYTES + X_LEN];
    int e;

    if ((e = sntrup761_decaps(k, ct, sk)) < 0 ||
        (e = x->shared(k + SNTRUP761_SS_BYTES, sk + SNTRUP761_SK_BYTES,
                       ct + SNTRUP761_CT_BYTES)) < 0)
        goto out;
    e = digest(sha512, k, sizeof(k), ss);
out:
    if (e < 0)
        nssh_wipe(ss, HYBRID_SNTRUP_SS_LEN);
    nssh_wipe(k, sizeof(k));
    return e;
}
