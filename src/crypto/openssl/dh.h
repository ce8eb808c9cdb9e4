/*
 * Finite-field Diffie-Hellman over any group (p, g), internal to the
 * OpenSSL backend: the fixed MODP groups of RFC 3526 / RFC 8268
 * (kem_dh.c) and the server-chosen groups of RFC 4419 group exchange.
 *
 * Numbers are unsigned big-endian. p is plen bytes with a nonzero first
 * byte; e, a peer's value and k are plen bytes, left-padded with zeros.
 */
#ifndef NSSH_OSSL_DH_H
#define NSSH_OSSL_DH_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_crypto.h"

/* Draw a private exponent x of xlen bytes from rng (top bit set, so the
 * exponent has a fixed length; xlen < plen) and compute e = g^x mod p.
 * NSSH_ERR_KEX_VALUE when the group is unusable (even p, g outside
 * (1, p-1)). x is wiped on failure. */
int dh_keypair(const uint8_t *p, size_t plen, const uint8_t *g, size_t glen,
               uint8_t *x, size_t xlen, uint8_t *e, nssh_rng_fn rng,
               void *rng_user);

/* k = peer^x mod p. The peer's value must satisfy 1 < peer < p-1
 * (RFC 4253 section 8, as corrected by RFC 8268 section 4), otherwise
 * NSSH_ERR_KEX_VALUE. k is wiped on failure. */
int dh_shared(const uint8_t *p, size_t plen, const uint8_t *x, size_t xlen,
              const uint8_t *peer, uint8_t *k);

#endif
