/*
 * diffie-hellman-group-exchange-sha256 and the legacy -sha1 (RFC 4419):
 * the engine drives the extra messages; this file does the arithmetic in
 * whatever group was chosen, and supplies RFC 3526's groups when the
 * server has no moduli list.
 */
#include <string.h>

#include <openssl/bn.h>

#include "ossl.h"
#include "dh.h"

/* Private exponent: 512 bits up to 4096-bit groups, 1024 above
 * (at least twice the group's strength estimate, as for kem_dh.c). */
static size_t xlen_for(size_t plen) { return plen > 512 ? 128 : 64; }

static int gex_keypair(const uint8_t *p, size_t plen, const uint8_t *g,
                       size_t glen, uint8_t *pub, uint8_t *priv,
                       nssh_rng_fn rng, void *rng_user)
{
    return dh_keypair(p, plen, g, glen, priv, xlen_for(plen), pub, rng, rng_user);
}

static int gex_shared(const uint8_t *p, size_t plen, const uint8_t *peer,
                      const uint8_t *priv, uint8_t *ss)
{
    return dh_shared(p, plen, priv, xlen_for(plen), peer, ss);
}

/* The RFC 3526 group closest to bits, generator 2. */
static int gex_default_group(uint32_t bits, uint8_t *p, size_t *plen,
                             uint8_t *g, size_t *glen)
{
    static const struct { uint32_t bits; BIGNUM *(*prime)(BIGNUM *); } groups[] = {
        { 2048, BN_get_rfc3526_prime_2048 }, { 3072, BN_get_rfc3526_prime_3072 },
        { 4096, BN_get_rfc3526_prime_4096 }, { 6144, BN_get_rfc3526_prime_6144 },
        { 8192, BN_get_rfc3526_prime_8192 },
    };
    size_t i, best = 0;
    uint32_t dist = 0xffffffffu;
    BIGNUM *bn;
    int n;
    for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        uint32_t d = groups[i].bits > bits ? groups[i].bits - bits : bits - groups[i].bits;
        if (d < dist) {
            dist = d;
            best = i;
        }
    }
    if (*plen < groups[best].bits / 8 || *glen < 1)
        return NSSH_ERR_NOSPACE;
    bn = groups[best].prime(NULL);
    if (!bn)
        return NSSH_ERR_CRYPTO;
    n = BN_bn2binpad(bn, p, (int)(groups[best].bits / 8));
    BN_free(bn);
    if (n < 0)
        return NSSH_ERR_CRYPTO;
    *plen = (size_t)n;
    g[0] = 2;
    *glen = 1;
    return 0;
}

static const nssh_gex gex_ops = { gex_keypair, gex_shared, gex_default_group };

const nssh_kem nssh_ossl_dh_gex_sha256 = {
    "diffie-hellman-group-exchange-sha256", &nssh_ossl_sha256, 0, 0, 0, 0,
    NSSH_KEM_SS_MPINT, NULL, NULL, NULL, &gex_ops
};

const nssh_kem nssh_ossl_dh_gex_sha1 = {
    "diffie-hellman-group-exchange-sha1", &nssh_ossl_sha1, 0, 0, 0, 0,
    NSSH_KEM_SS_MPINT, NULL, NULL, NULL, &gex_ops
};
