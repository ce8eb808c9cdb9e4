/*
 * Polynomials of ML-DSA (FIPS 204, August 2024): arithmetic mod
 * q = 8380417, the number-theoretic transform, the sampling functions of
 * section 7.3, the rounding functions of section 7.4 and bit packing.
 * Internal to src/crypto/pq.
 *
 * Coefficients are signed 32-bit values; each function says which range
 * it takes and gives. No function branches on or indexes memory by a
 * coefficient. The samplers reject on values that are then thrown away:
 * which positions were rejected says nothing about the values kept, so
 * those decisions are declassified (MLDSA_PUBLIC) for the constant-time
 * check.
 */
#ifndef NSSH_PQ_MLDSA_POLY_H
#define NSSH_PQ_MLDSA_POLY_H

#include <stddef.h>
#include <stdint.h>

#define MLDSA_N 256
#define MLDSA_Q 8380417
#define MLDSA_D 13                      /* dropped bits of t (Power2Round) */
#define MLDSA_GAMMA1 (1 << 17)          /* ML-DSA-44, table 1 */
#define MLDSA_GAMMA2 ((MLDSA_Q - 1) / 88)
#define MLDSA_ETA 2
#define MLDSA_TAU 39
#define MLDSA_BETA (MLDSA_TAU * MLDSA_ETA)
#define MLDSA_OMEGA 80

/* The constant-time check (tests/unit/crypto/ct_mldsa.c) compiles these
 * sources with MLDSA_PUBLIC defined to tell valgrind a value is public. */
#ifndef MLDSA_PUBLIC
#define MLDSA_PUBLIC(p, n) ((void)(p), (void)(n))
#endif

typedef struct mldsa_poly {
    int32_t c[MLDSA_N];
} mldsa_poly;

/* NTT (algorithm 41): input |c| < q, output |c| < 9q. */
void mldsa_ntt(mldsa_poly *p);
/* NTT^-1 (algorithm 42) of a product of pointwise_mont: any |c| < 2^31
 * in, |c| < q out; the Montgomery factor of the products is removed. */
void mldsa_invntt(mldsa_poly *p);
/* r = a o b (pointwise, times 2^-32), or r += a o b. */
void mldsa_pointwise(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b);
void mldsa_pointwise_acc(mldsa_poly *r, const mldsa_poly *a,
                         const mldsa_poly *b);
void mldsa_add(mldsa_poly *r, const mldsa_poly *a);
void mldsa_sub(mldsa_poly *r, const mldsa_poly *a);
/* Every coefficient to [0, q) (from any int32 above -2^31 + 2^22). */
void mldsa_freeze(mldsa_poly *p);

/* RejNTTPoly(rho || s || r) (algorithm 30): entry A[r][s] of ExpandA. */
void mldsa_sample_a(mldsa_poly *p, const uint8_t rho[32], uint8_t r,
                    uint8_t s);
/* RejBoundedPoly(rho' || nonce) with eta = 2 (algorithm 31). */
void mldsa_sample_eta(mldsa_poly *p, const uint8_t rhop[64], uint16_t nonce);
/* One polynomial of ExpandMask (algorithm 34): BitUnpack of
 * SHAKE256(rho'' || nonce) with gamma1 = 2^17. */
void mldsa_sample_mask(mldsa_poly *p, const uint8_t rhopp[64], uint16_t nonce);
/* SampleInBall (algorithm 29) from the 32-byte commitment hash c~, which
 * is public (it is part of the signature). */
void mldsa_sample_ball(mldsa_poly *p, const uint8_t ctilde[32]);

/* Power2Round (algorithm 35) of a in [0, q): t1 and t0 in (-2^12, 2^12]. */
void mldsa_power2round(mldsa_poly *t1, mldsa_poly *t0, const mldsa_poly *a);
/* Decompose (algorithm 36) of a in [0, q) with gamma2 = (q - 1) / 88:
 * r1 in [0, 44), r0 in [-gamma2, gamma2]. */
void mldsa_decompose(int32_t *r1, int32_t *r0, int32_t a);
/* HighBits of every coefficient (input in [0, q)). */
void mldsa_highbits(mldsa_poly *r1, const mldsa_poly *a);
/* UseHint (algorithm 40) on every coefficient (a in [0, q), h[i] 0 or 1). */
void mldsa_use_hint(mldsa_poly *r1, const mldsa_poly *a, const uint8_t h[256]);

/* Is some |c mod+- q| at least bound? 1 or 0. Input in (-q/2, q). */
unsigned mldsa_norm_exceeds(const mldsa_poly *p, int32_t bound);

/* Bit packing into 32 * bits bytes, little-endian bit order: BitPack
 * (algorithm 17) writes b - c for each coefficient (negate = 1);
 * SimpleBitPack (algorithm 16) writes c itself (negate = 0, b unused). */
void mldsa_pack(uint8_t *out, const mldsa_poly *p, unsigned bits, int32_t b,
                int negate);
/* The inverse: c = b - value (negate) or c = value. */
void mldsa_unpack(mldsa_poly *p, const uint8_t *in, unsigned bits, int32_t b,
                  int negate);

#endif
