/*
 * Ed25519 (RFC 8032 section 5.1): key generation, signing and
 * verification over the group code of ed25519_ge.c. Signing touches the
 * seed only through SHA-512, constant-time scalar arithmetic and the
 * constant-time scalar multiplication; verification works on public data
 * only.
 */
#include <string.h>

#include "compact.h"
#include "ed25519_int.h"
#include "pq/sha512.h"

/* a (the clamped secret scalar) and the prefix, from the seed
 * (section 5.1.5 steps 1-2). */
static void expand(uint8_t h[64], const uint8_t seed[32])
{
    pq_sha512(h, seed, 32);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
}

void compact_ed25519_public(uint8_t pub[32], const uint8_t seed[32])
{
    uint8_t h[64];
    ge b, a;

    expand(h, seed);
    ge_base(&b);
    ge_scalarmult(&a, h, &b);
    ge_tobytes(pub, &a);
    compact_wipe(h, sizeof(h));
    compact_wipe(&a, sizeof(a));
}

/* k = SHA-512(R || A || M) mod L (section 5.1.6 step 5). */
static void challenge(uint8_t k[32], const uint8_t r[32], const uint8_t pub[32],
                      const uint8_t *msg, size_t len)
{
    pq_sha512_ctx s;
    uint8_t d[64];

    pq_sha512_init(&s);
    pq_sha512_update(&s, r, 32);
    pq_sha512_update(&s, pub, 32);
    pq_sha512_update(&s, msg, len);
    pq_sha512_final(&s, d);
    sc_reduce64(k, d);
}

void compact_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
                  const uint8_t pub[32], const uint8_t *msg, size_t len)
{
    uint8_t h[64], d[64], r[32], k[32];
    pq_sha512_ctx s;
    ge b, rp;

    expand(h, seed);
    /* r = SHA-512(prefix || M) mod L */
    pq_sha512_init(&s);
    pq_sha512_update(&s, h + 32, 32);
    pq_sha512_update(&s, msg, len);
    pq_sha512_final(&s, d);
    sc_reduce64(r, d);
    ge_base(&b);
    ge_scalarmult(&rp, r, &b);
    ge_tobytes(sig, &rp);
    challenge(k, sig, pub, msg, len);
    sc_muladd(sig + 32, k, h, r);   /* S = (r + k a) mod L */
    compact_wipe(h, sizeof(h));
    compact_wipe(d, sizeof(d));
    compact_wipe(r, sizeof(r));
    compact_wipe(&rp, sizeof(rp));
}

int compact_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32],
                   const uint8_t *msg, size_t len)
{
    uint8_t k[32], chk[32];
    ge a, b, sb;

    if (!sc_is_canonical(sig + 32))
        return NSSH_ERR_SIGNATURE;
    if (ge_frombytes(&a, pub) < 0)
        return NSSH_ERR_SIGNATURE;
    challenge(k, sig, pub, msg, len);
    /* [S]B - [k]A must encode to R */
    ge_base(&b);
    ge_neg(&a, &a);
    ge_double_scalarmult_vartime(&sb, sig + 32, &b, k, &a);
    ge_tobytes(chk, &sb);
    return compact_memeq_ct(chk, sig, 32) == 0 ? 0 : NSSH_ERR_SIGNATURE;
}
