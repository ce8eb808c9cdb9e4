/*
 * Diffie-Hellman over the fixed MODP groups as KEMs (RFC 4253 section 8,
 * RFC 8268): diffie-hellman-group14-sha256 (2048-bit group 14),
 * diffie-hellman-group16-sha512 (4096-bit group 16),
 * diffie-hellman-group18-sha512 (8192-bit group 18) and the legacy
 * diffie-hellman-group14-sha1. The groups are RFC 3526's, generator 2;
 * the primes come from OpenSSL's own copies of that RFC.
 * diffie-hellman-group1-sha1 (RFC 4253 section 8.1) uses the 1024-bit
 * Oakley group 2 of RFC 2409 section 6.2; it is for old peers only and
 * never offered unless a configuration names it.
 *
 * keypair() is the client's x and e = g^x, encaps() the server's y,
 * f = g^y and K = e^y, decaps() K = f^x. e, f and K travel and are hashed
 * as mpints; the buffers hold them big-endian at the modulus length.
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>

#include "ossl.h"
#include "dh.h"

/*
 * Private exponent sizes. RFC 3526 section 8 estimates the strength of
 * groups 14, 16 and 18 at 110-160, 150-240 and 190-310 bits and asks for
 * an exponent of at least twice that. The exponents below also reach
 * twice the exchange hash's output, so they are never the weakest part
 * of a key derived from K.
 */
typedef struct modp {
    BIGNUM *(*prime)(BIGNUM *);   /* BN_get_rfc3526_prime_* */
    uint16_t plen;                /* modulus bytes */
    uint16_t xlen;                /* private exponent bytes */
} modp;

#define G1_P 128u
#define G14_P 256u
#define G16_P 512u
#define G18_P 1024u
#define G1_X 64u
#define G14_X 64u
#define G16_X 128u
#define G18_X 128u

static const modp group1 = { BN_get_rfc2409_prime_1024, G1_P, G1_X };
static const modp group14 = { BN_get_rfc3526_prime_2048, G14_P, G14_X };
static const modp group16 = { BN_get_rfc3526_prime_4096, G16_P, G16_X };
static const modp group18 = { BN_get_rfc3526_prime_8192, G18_P, G18_X };

static const uint8_t generator[1] = { 2 };

_Static_assert(G18_P <= NSSH_DH_MAX, "NSSH_DH_MAX must hold the 8192-bit group");

/* The group's prime as plen big-endian bytes. */
static int modp_prime(const modp *g, uint8_t *p)
{
    BIGNUM *bp = g->prime(NULL);
    int e = NSSH_ERR_CRYPTO;

    if (bp != NULL && BN_bn2binpad(bp, p, g->plen) == g->plen)
        e = 0;
    BN_free(bp);
    return e;
}

static int modp_keypair(const modp *g, uint8_t *pk, uint8_t *sk,
                        nssh_rng_fn rng, void *rng_user)
{
    uint8_t p[G18_P];
    int e;

    if ((e = modp_prime(g, p)) < 0)
        return e;
    return dh_keypair(p, g->plen, generator, sizeof(generator), sk, g->xlen,
                      pk, rng, rng_user);
}

static int modp_encaps(const modp *g, uint8_t *ct, uint8_t *ss,
                       const uint8_t *pk, nssh_rng_fn rng, void *rng_user)
{
    uint8_t p[G18_P], y[G18_X];
    int e;

    if ((e = modp_prime(g, p)) < 0)
        return e;
    e = dh_keypair(p, g->plen, generator, sizeof(generator), y, g->xlen, ct,
                   rng, rng_user);
    if (e == 0)
        e = dh_shared(p, g->plen, y, g->xlen, pk, ss);
    OPENSSL_cleanse(y, sizeof(y));
    return e;
}

static int modp_decaps(const modp *g, uint8_t *ss, const uint8_t *ct,
                       const uint8_t *sk)
{
    uint8_t p[G18_P];
    int e;

    if ((e = modp_prime(g, p)) < 0)
        return e;
    return dh_shared(p, g->plen, sk, g->xlen, ct, ss);
}

/* The table has no context pointer: one set of entry points per group. */
#define MODP_ENTRIES(g)                                                      \
    static int g##_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng,        \
                           void *u)                                          \
    {                                                                        \
        return modp_keypair(&g, pk, sk, rng, u);                             \
    }                                                                        \
    static int g##_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,       \
                          nssh_rng_fn rng, void *u)                          \
    {                                                                        \
        return modp_encaps(&g, ct, ss, pk, rng, u);                          \
    }                                                                        \
    static int g##_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk) \
    {                                                                        \
        return modp_decaps(&g, ss, ct, sk);                                  \
    }

MODP_ENTRIES(group1)
MODP_ENTRIES(group14)
MODP_ENTRIES(group16)
MODP_ENTRIES(group18)

#define MODP_KEM(g, sshname, h, plen, xlen)                                  \
    {                                                                        \
        .name = sshname, .hash = &h, .pk_len = plen, .ct_len = plen,         \
        .sk_len = xlen, .ss_len = plen,                                      \
        .flags = NSSH_KEM_PK_MPINT | NSSH_KEM_SS_MPINT,                      \
        .keypair = g##_keypair, .encaps = g##_encaps, .decaps = g##_decaps,  \
    }

const nssh_kem nssh_ossl_dh_group14_sha256 =
    MODP_KEM(group14, "diffie-hellman-group14-sha256", nssh_ossl_sha256, G14_P, G14_X);
const nssh_kem nssh_ossl_dh_group16_sha512 =
    MODP_KEM(group16, "diffie-hellman-group16-sha512", nssh_ossl_sha512, G16_P, G16_X);
const nssh_kem nssh_ossl_dh_group18_sha512 =
    MODP_KEM(group18, "diffie-hellman-group18-sha512", nssh_ossl_sha512, G18_P, G18_X);
/* RFC 4253 section 8.2; SHA-1 exchange hash, for old peers only. */
const nssh_kem nssh_ossl_dh_group14_sha1 =
    MODP_KEM(group14, "diffie-hellman-group14-sha1", nssh_ossl_sha1, G14_P, G14_X);
/* RFC 4253 section 8.1; 1024-bit group, SHA-1: for old peers only. */
const nssh_kem nssh_ossl_dh_group1_sha1 =
    MODP_KEM(group1, "diffie-hellman-group1-sha1", nssh_ossl_sha1, G1_P, G1_X);
