/*
 * ML-KEM-1024 (FIPS 203, August 2024), with the caller's randomness passed
 * in so the functions are deterministic and testable against known
 * answers. Constant time in all secret data; intermediate secrets are
 * wiped before returning. No allocation, no I/O.
 *
 * Return values: 0 on success or a negative NSSH_ERR_* code.
 */
#ifndef NSSH_PQ_MLKEM1024_H
#define NSSH_PQ_MLKEM1024_H

#include <stdint.h>

#define MLKEM1024_PK_BYTES 1568u  /* encapsulation key ek */
#define MLKEM1024_SK_BYTES 3168u  /* decapsulation key dk */
#define MLKEM1024_CT_BYTES 1568u
#define MLKEM1024_SS_BYTES 32u
#define MLKEM1024_SEED_BYTES 32u  /* each of d, z and m */

/* ML-KEM.KeyGen_internal (FIPS 203 algorithm 16) from the 32-byte seeds d
 * and z. */
int mlkem1024_keypair_derand(uint8_t pk[1568], uint8_t sk[3168],
                             const uint8_t d[32], const uint8_t z[32]);

/* ML-KEM.Encaps_internal (algorithm 17) with the 32-byte message m, after
 * the encapsulation key check of section 7.2 (every coefficient of ek
 * below q). Returns NSSH_ERR_KEX_VALUE when pk fails the check. */
int mlkem1024_encaps_derand(uint8_t ct[1568], uint8_t ss[32],
                            const uint8_t pk[1568], const uint8_t m[32]);

/* ML-KEM.Decaps_internal (algorithm 18). A ciphertext that does not
 * re-encrypt to itself yields the implicit-rejection secret
 * J(z || ct), chosen in constant time; that is not an error. Returns
 * NSSH_ERR_KEY when sk fails the hash check of section 7.3. */
int mlkem1024_decaps(uint8_t ss[32], const uint8_t ct[1568],
                     const uint8_t sk[3168]);

#endif
