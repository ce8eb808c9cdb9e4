/*
 * ML-DSA-44 (FIPS 204, August 2024), with the caller's randomness passed
 * in so the functions are deterministic and testable against known
 * answers. Constant time in all secret data (the signing loop's
 * rejections concern candidates that are thrown away); intermediate
 * secrets are wiped before returning. No allocation, no I/O.
 *
 * Stack (x86-64, -O2, measured by tests/unit/crypto/test_mldsa.c on a
 * painted thread stack, the thread's own start included): keygen about
 * 14 KiB, sign about 20 KiB, verify about 16 KiB; on a Cortex-M4 at -Os
 * (tools/cortex-m4-compact.sh's call graph) 9.0, 14.7 and 10.6 KiB, in
 * 4.8 KiB of code. Neither the matrix A nor the secret vectors are ever
 * held whole.
 *
 * Return values: 0 on success or a negative NSSH_ERR_* code.
 */
#ifndef NSSH_PQ_MLDSA44_H
#define NSSH_PQ_MLDSA44_H

#include <stddef.h>
#include <stdint.h>

#define MLDSA44_PK_BYTES 1312u
#define MLDSA44_SK_BYTES 2560u
#define MLDSA44_SIG_BYTES 2420u
#define MLDSA44_SEED_BYTES 32u   /* keygen seed xi, and signing's rnd */
#define MLDSA44_CTX_MAX 255u

/* ML-DSA.KeyGen_internal (algorithm 6) from the 32-byte seed xi. */
int mldsa44_keypair_derand(uint8_t pk[1312], uint8_t sk[2560],
                           const uint8_t seed[32]);

/* ML-DSA.Sign (algorithm 2, pure: M' = 0 || |ctx| || ctx || M) with the
 * 32 bytes rnd: random for hedged signing, all zero for the deterministic
 * variant. NSSH_ERR_STATE when ctx is longer than 255 bytes. */
int mldsa44_sign_derand(uint8_t sig[2420], const uint8_t *msg, size_t len,
                        const uint8_t *ctx, size_t ctx_len,
                        const uint8_t sk[2560], const uint8_t rnd[32]);

/* ML-DSA.Verify (algorithm 3): 0 when sig is a valid signature of msg
 * under ctx and pk, NSSH_ERR_SIGNATURE otherwise (including a malformed
 * hint, a z out of range or a ctx over 255 bytes). */
int mldsa44_verify(const uint8_t sig[2420], const uint8_t *msg, size_t len,
                   const uint8_t *ctx, size_t ctx_len, const uint8_t pk[1312]);

#endif
