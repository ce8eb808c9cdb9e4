/*
 * Streamlined NTRU Prime sntrup761 (p = 761, q = 4591, w = 286), the KEM of
 * the NTRU Prime submission to NIST's post-quantum project, third round
 * (Bernstein, Chuengsatiansup, Lange, van Vredendaal; also described in
 * draft-josefsson-ntruprime-streamlined). Constant time in all secret
 * data; intermediate secrets are wiped before returning. No allocation,
 * no I/O.
 *
 * Randomness comes from the caller's source, in the order the reference
 * description draws it, each 32-bit value little-endian:
 *   keypair: 4 * 761 bytes for each candidate g (drawn again while g is
 *            not invertible mod 3), then 4 * 761 bytes for f, then the
 *            191 bytes of rho;
 *   encaps:  4 * 761 bytes for r.
 * A fixed source therefore gives fixed results.
 *
 * Return values: 0 on success or a negative NSSH_ERR_* code.
 */
#ifndef NSSH_PQ_SNTRUP761_H
#define NSSH_PQ_SNTRUP761_H

#include <stdint.h>

#include "nanossh_crypto.h"

#define SNTRUP761_PK_BYTES 1158u
#define SNTRUP761_SK_BYTES 1763u
#define SNTRUP761_CT_BYTES 1039u
#define SNTRUP761_SS_BYTES 32u

/* KEM key generation. NSSH_ERR_RNG if the source fails (or keeps giving
 * values no key can be made from). */
int sntrup761_keypair(uint8_t pk[1158], uint8_t sk[1763], nssh_rng_fn rng,
                      void *rng_user);

/* Encapsulation to the public key pk: ciphertext and 32-byte session key.
 * Every 1158-byte string decodes to some public key, so pk is not
 * rejected. */
int sntrup761_encaps(uint8_t ct[1039], uint8_t ss[32], const uint8_t pk[1158],
                     nssh_rng_fn rng, void *rng_user);

/* Decapsulation. A ciphertext that does not re-encrypt to itself gives
 * the implicit-rejection key derived from rho (chosen in constant time);
 * that is not an error. */
int sntrup761_decaps(uint8_t ss[32], const uint8_t ct[1039],
                     const uint8_t sk[1763]);

#endif
