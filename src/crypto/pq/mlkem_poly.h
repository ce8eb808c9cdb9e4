/*
 * Polynomials of ML-KEM (FIPS 203 sections 4.2 and 4.3): arithmetic mod
 * q = 3329, the number-theoretic transform, sampling, compression and
 * byte encoding. Internal to src/crypto/pq.
 *
 * Every coefficient is kept fully reduced, in [0, q). No function branches
 * on or indexes memory by coefficient values, except rejection sampling,
 * which only ever sees public data.
 */
#ifndef NSSH_PQ_MLKEM_POLY_H
#define NSSH_PQ_MLKEM_POLY_H

#include <stdint.h>

#define MLKEM_N 256
#define MLKEM_Q 3329

typedef struct mlkem_poly {
    uint16_t c[MLKEM_N];
} mlkem_poly;

/* NTT and its inverse (algorithms 9 and 10), in place. */
void mlkem_ntt(mlkem_poly *p);
void mlkem_invntt(mlkem_poly *p);

/* r += a * b in the NTT domain (MultiplyNTTs, algorithm 11). */
void mlkem_basemul_acc(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b);
/* r += a, and r -= a. */
void mlkem_add(mlkem_poly *r, const mlkem_poly *a);
void mlkem_sub(mlkem_poly *r, const mlkem_poly *a);

/* SampleNTT (algorithm 7) on SHAKE128(rho || b0 || b1). */
void mlkem_sample_ntt(mlkem_poly *p, const uint8_t rho[32], uint8_t b0,
                      uint8_t b1);
/* SamplePolyCBD with eta = 2 (algorithm 8) on PRF_2(seed, nonce) =
 * SHAKE256(seed || nonce, 128 bytes). */
void mlkem_sample_cbd2(mlkem_poly *p, const uint8_t seed[32], uint8_t nonce);

/* ByteEncode_d(Compress_d(p)) into 32 * d bytes, d in 1..11;
 * d = 12 writes ByteEncode_12(p) without compression. */
void mlkem_encode(uint8_t *out, const mlkem_poly *p, unsigned d);
/* Decompress_d(ByteDecode_d(in)) for d in 1..11. */
void mlkem_decode(mlkem_poly *p, const uint8_t *in, unsigned d);
/* ByteDecode_12 of 384 bytes. Values at or above q are reduced; the
 * return is nonzero when there was one (the modulus check of FIPS 203
 * section 7.2). */
unsigned mlkem_decode12(mlkem_poly *p, const uint8_t in[384]);

#endif
