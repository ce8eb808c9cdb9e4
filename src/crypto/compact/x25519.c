/*
 * X25519 (RFC 7748 section 5) with the Montgomery ladder, and
 * curve25519-sha256 / curve25519-sha256@libssh.org (RFC 8731) as KEMs:
 * keypair() is the client's ephemeral key (Q_C), encaps() the server's
 * ephemeral key (Q_S) with X25519(eph, Q_C), decaps() X25519(sk, Q_S).
 * The ladder does the same operations for every scalar bit and swaps with
 * masks, so neither time nor memory access depends on the scalar.
 */
#include <string.h>

#include "compact.h"
#include "fe25519.h"

#define A24 121665u   /* (486662 - 2) / 4 */

void compact_x25519(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
    uint8_t e[32];
    fe x1, x2, z2, x3, z3, a, aa, b, bb, c, d, da, cb, t;
    uint32_t swap = 0, bit;
    int pos;

    /* Clamp (section 5, decodeScalar25519). */
    memcpy(e, k, 32);
    e[0] &= 248;
    e[31] &= 127;
    e[31] |= 64;
    fe_frombytes(x1, u);   /* decodeUCoordinate: the top bit is masked */
    fe_1(x2);
    fe_0(z2);
    fe_copy(x3, x1);
    fe_1(z3);
    for (pos = 254; pos >= 0; pos--) {
        bit = (e[pos >> 3] >> (pos & 7)) & 1u;
        swap ^= bit;
        fe_cswap(x2, x3, swap);
        fe_cswap(z2, z3, swap);
        swap = bit;
        fe_add(a, x2, z2);
        fe_sq(aa, a);
        fe_sub(b, x2, z2);
        fe_sq(bb, b);
        fe_sub(t, aa, bb);       /* E */
        fe_add(c, x3, z3);
        fe_sub(d, x3, z3);
        fe_mul(da, d, a);
        fe_mul(cb, c, b);
        fe_add(x3, da, cb);
        fe_sq(x3, x3);
        fe_sub(z3, da, cb);
        fe_sq(z3, z3);
        fe_mul(z3, z3, x1);
        fe_mul(x2, aa, bb);
        fe_mul_small(z2, t, A24);
        fe_add(z2, z2, aa);
        fe_mul(z2, z2, t);
    }
    fe_cswap(x2, x3, swap);
    fe_cswap(z2, z3, swap);
    fe_invert(z2, z2);
    fe_mul(x2, x2, z2);
    fe_tobytes(out, x2);
    compact_wipe(e, sizeof(e));
    compact_wipe(x2, sizeof(x2));
    compact_wipe(z2, sizeof(z2));
    compact_wipe(x3, sizeof(x3));
    compact_wipe(z3, sizeof(z3));
    compact_wipe(a, sizeof(a));
    compact_wipe(aa, sizeof(aa));
    compact_wipe(b, sizeof(b));
    compact_wipe(bb, sizeof(bb));
    compact_wipe(da, sizeof(da));
    compact_wipe(cb, sizeof(cb));
    compact_wipe(t, sizeof(t));
}

int compact_x25519_public(const uint8_t *sk, uint8_t *pk)
{
    static const uint8_t base[32] = { 9 };

    compact_x25519(pk, sk, base);
    return 0;
}

int compact_x25519_shared(uint8_t *ss, const uint8_t *sk, const uint8_t *peer)
{
    uint32_t acc = 0;
    unsigned i;

    compact_x25519(ss, sk, peer);
    for (i = 0; i < 32; i++)
        acc |= ss[i];
    if (acc == 0)   /* public: the peer chose a low-order point */
        return NSSH_ERR_KEX_VALUE;
    return 0;
}

static int x_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    if (rng(rng_user, sk, X25519_LEN) < 0) {
        compact_wipe(sk, X25519_LEN);
        return NSSH_ERR_RNG;
    }
    return compact_x25519_public(sk, pk);
}

static int x_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                    nssh_rng_fn rng, void *rng_user)
{
    uint8_t eph[X25519_LEN];
    int e;

    if (rng(rng_user, eph, sizeof(eph)) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    compact_x25519_public(eph, ct);
    e = compact_x25519_shared(ss, eph, pk);
out:
    compact_wipe(eph, sizeof(eph));
    return e;
}

static int x_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return compact_x25519_shared(ss, sk, ct);
}

const nssh_kem nssh_compact_curve25519_sha256 = {
    .name = "curve25519-sha256",
    .hash = &nssh_compact_sha256,
    .pk_len = X25519_LEN, .ct_len = X25519_LEN, .sk_len = X25519_LEN,
    .ss_len = X25519_LEN,
    .flags = NSSH_KEM_SS_MPINT,
    .keypair = x_keypair,
    .encaps = x_encaps,
    .decaps = x_decaps,
};

/* The name libssh used before RFC 8731; the same algorithm. */
const nssh_kem nssh_compact_curve25519_sha256_libssh = {
    .name = "curve25519-sha256@libssh.org",
    .hash = &nssh_compact_sha256,
    .pk_len = X25519_LEN, .ct_len = X25519_LEN, .sk_len = X25519_LEN,
    .ss_len = X25519_LEN,
    .flags = NSSH_KEM_SS_MPINT,
    .keypair = x_keypair,
    .encaps = x_encaps,
    .decaps = x_decaps,
};
