/*
 * sntrup761 key generation, encapsulation and decapsulation (NTRU Prime
 * third-round specification, "Streamlined NTRU Prime" KEM with implicit
 * rejection). Layouts:
 *   pk = Encode(h), h = g / (3 f) in Rq                       1158 bytes
 *   sk = Small(f) || Small(1/g in R3) || pk || rho
 *        || Hash_prefix(4, pk)                                1763 bytes
 *   ct = Rounded(Round(h r)) || HashConfirm                   1039 bytes
 * Hash_prefix(b, x) is the first 32 bytes of SHA-512(b || x);
 *   HashConfirm = Hash_prefix(2, Hash_prefix(3, Small(r)) || Hash_prefix(4, pk)),
 *   session key = Hash_prefix(1, Hash_prefix(3, Small(r)) || ct),
 * and a rejected ciphertext gives Hash_prefix(0, Hash_prefix(3, rho) || ct).
 */
#include <string.h>

#include "nanossh.h"
#include "sha512.h"
#include "sntrup761.h"
#include "sntrup761_int.h"

#define P SNTRUP_P
#define W SNTRUP_W
#define SMALL SNTRUP_SMALL_BYTES
#define RQ SNTRUP_RQ_BYTES
#define ROUNDED SNTRUP_ROUNDED_BYTES
#define HASH SNTRUP_HASH_BYTES

_Static_assert(2 * SMALL + RQ + SMALL + HASH == SNTRUP761_SK_BYTES, "sk layout");
_Static_assert(ROUNDED + HASH == SNTRUP761_CT_BYTES, "ct layout");
_Static_assert(RQ == SNTRUP761_PK_BYTES, "pk layout");

/* A g is invertible mod 3 except with probability about 3^-19 (the
 * smallest factor of x^p - x - 1 mod 3 has degree 19); this many misses
 * in a row mean the random source is broken. */
#define KEYGEN_TRIES 32

/* Hash_prefix(b, a || c), c optional. */
static void hash_prefix(uint8_t out[HASH], uint8_t b, const uint8_t *a,
                        size_t alen, const uint8_t *c, size_t clen)
{
    pq_sha512_ctx s;
    uint8_t h[PQ_SHA512_BYTES];

    pq_sha512_init(&s);
    pq_sha512_update(&s, &b, 1);
    pq_sha512_update(&s, a, alen);
    if (clen > 0)
        pq_sha512_update(&s, c, clen);
    pq_sha512_final(&s, h);
    memcpy(out, h, HASH);
    nssh_wipe(h, sizeof(h));
}

/* Hash_prefix(b, Hash_prefix(3, r_enc) || tail): HashConfirm (b = 2,
 * tail = the cached hash of pk) and HashSession (b = 1 or 0, tail = ct). */
static void hash_r(uint8_t out[HASH], uint8_t b, const uint8_t *r_enc,
                   const uint8_t *tail, size_t tail_len)
{
    uint8_t x[HASH];

    hash_prefix(x, 3, r_enc, SMALL, NULL, 0);
    hash_prefix(out, b, x, HASH, tail, tail_len);
    nssh_wipe(x, sizeof(x));
}

/* p random 32-bit words, little-endian, converted in place. */
static int random_words(uint32_t *list, nssh_rng_fn rng, void *rng_user)
{
    uint8_t *b = (uint8_t *)list;
    int i;

    if (rng(rng_user, b, 4 * P) < 0)
        return NSSH_ERR_RNG;
    for (i = 0; i < P; i++) {
        uint32_t v = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        list[i] = v;
    }
    return 0;
}

/* KeyGen: g small and invertible in R3 (its inverse v is kept), f short,
 * h = g / (3 f). */
static int keygen(int16_t *h, int8_t *f, int8_t *v, nssh_rng_fn rng,
                  void *rng_user)
{
    uint32_t list[P];
    int8_t g[P];
    int16_t finv[P];
    int e = NSSH_ERR_RNG, tries;

    for (tries = 0; tries < KEYGEN_TRIES; tries++) {
        if ((e = random_words(list, rng, rng_user)) < 0)
            goto out;
        sntrup_small_from_list(g, list);
        /* Only whether a discarded candidate was invertible shows. */
        if (sntrup_r3_recip(v, g) == 0)
            break;
        e = NSSH_ERR_RNG;
    }
    if (e < 0 || (e = random_words(list, rng, rng_user)) < 0)
        goto out;
    sntrup_short_from_list(f, list);
    sntrup_rq_recip3(finv, f);
    sntrup_rq_mult_small(h, finv, g);
out:
    nssh_wipe(list, sizeof(list));
    nssh_wipe(g, sizeof(g));
    nssh_wipe(finv, sizeof(finv));
    return e;
}

int sntrup761_keypair(uint8_t pk[1158], uint8_t sk[1763], nssh_rng_fn rng,
                      void *rng_user)
{
    int16_t h[P];
    int8_t f[P], v[P];
    int e;

    if ((e = keygen(h, f, v, rng, rng_user)) < 0)
        goto out;
    sntrup_rq_encode(pk, h);
    sntrup_small_encode(sk, f);
    sntrup_small_encode(sk + SMALL, v);
    memcpy(sk + 2 * SMALL, pk, RQ);
    if (rng(rng_user, sk + 2 * SMALL + RQ, SMALL) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    hash_prefix(sk + 3 * SMALL + RQ, 4, pk, RQ, NULL, 0);
out:
    if (e < 0)
        nssh_wipe(sk, SNTRUP761_SK_BYTES);
    nssh_wipe(f, sizeof(f));
    nssh_wipe(v, sizeof(v));
    return e;
}

/* Hide: the ciphertext of r under h (Rounded(Round(h r)) || HashConfirm),
 * and Small(r) for the session key. */
static void hide(uint8_t *ct, uint8_t *r_enc, const int8_t *r,
                 const int16_t *h, const uint8_t *cache)
{
    int16_t hr[P];

    sntrup_small_encode(r_enc, r);
    sntrup_rq_mult_small(hr, h, r);
    sntrup_rq_round(hr, hr);
    sntrup_rounded_encode(ct, hr);
    hash_r(ct + ROUNDED, 2, r_enc, cache, HASH);
    nssh_wipe(hr, sizeof(hr));
}

int sntrup761_encaps(uint8_t ct[1039], uint8_t ss[32], const uint8_t pk[1158],
                     nssh_rng_fn rng, void *rng_user)
{
    uint32_t list[P];
    int16_t h[P];
    int8_t r[P];
    uint8_t r_enc[SMALL], cache[HASH];
    int e;

    if ((e = random_words(list, rng, rng_user)) < 0)
        goto out;
    sntrup_short_from_list(r, list);
    sntrup_rq_decode(h, pk);
    hash_prefix(cache, 4, pk, RQ, NULL, 0);
    hide(ct, r_enc, r, h, cache);
    hash_r(ss, 1, r_enc, ct, SNTRUP761_CT_BYTES);
out:
    nssh_wipe(list, sizeof(list));
    nssh_wipe(r, sizeof(r));
    nssh_wipe(r_enc, sizeof(r_enc));
    return e;
}

/* Decrypt: r = (3 f c mod q, read mod 3) / g; a result of the wrong
 * weight becomes the fixed vector (1, ..., 1, 0, ..., 0) of weight w, which
 * then fails the re-encryption check. */
static void decrypt(int8_t *r, const int16_t *c, const uint8_t *sk)
{
    int8_t f[P], v[P], e[P];
    int16_t cf[P];
    int32_t weight = 0, bad;
    int i;

    sntrup_small_decode(f, sk);
    sntrup_small_decode(v, sk + SMALL);
    sntrup_rq_mult_small(cf, c, f);
    for (i = 0; i < P; i++)
        e[i] = sntrup_f3_freeze(sntrup_fq_freeze(3 * (int32_t)cf[i]));
    sntrup_r3_mult(r, e, v);
    for (i = 0; i < P; i++)
        weight += r[i] & 1;
    bad = sntrup_nonzero_mask(weight - W);
    for (i = 0; i < W; i++)
        r[i] = (int8_t)(((r[i] ^ 1) & ~bad) ^ 1);
    for (i = W; i < P; i++)
        r[i] = (int8_t)(r[i] & ~bad);
    nssh_wipe(f, sizeof(f));
    nssh_wipe(v, sizeof(v));
    nssh_wipe(e, sizeof(e));
    nssh_wipe(cf, sizeof(cf));
}

int sntrup761_decaps(uint8_t ss[32], const uint8_t ct[1039],
                     const uint8_t sk[1763])
{
    const uint8_t *pk = sk + 2 * SMALL, *rho = pk + RQ, *cache = rho + SMALL;
    int16_t c[P], h[P];
    int8_t r[P];
    uint8_t r_enc[SMALL], cnew[SNTRUP761_CT_BYTES];
    int32_t differ = 0;
    size_t i;

    sntrup_rounded_decode(c, ct);
    decrypt(r, c, sk);
    sntrup_rq_decode(h, pk);
    hide(cnew, r_enc, r, h, cache);
    for (i = 0; i < sizeof(cnew); i++)
        differ |= ct[i] ^ cnew[i];
    differ = sntrup_nonzero_mask(differ);
    /* Implicit rejection: rho replaces Small(r), and the hash prefix
     * drops from 1 to 0, without a branch on the outcome. */
    for (i = 0; i < SMALL; i++)
        r_enc[i] ^= (uint8_t)(differ & (r_enc[i] ^ rho[i]));
    hash_r(ss, (uint8_t)(1 + differ), r_enc, ct, SNTRUP761_CT_BYTES);
    nssh_wipe(r, sizeof(r));
    nssh_wipe(r_enc, sizeof(r_enc));
    nssh_wipe(cnew, sizeof(cnew));
    return 0;
}
