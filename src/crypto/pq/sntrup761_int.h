/*
 * Internals of sntrup761, shared by its files. Polynomials are arrays of
 * P coefficients, lowest degree first: elements of Rq = Z/q[x]/(x^p-x-1)
 * as int16_t in [-(q-1)/2, (q-1)/2], small elements (of R3, or short
 * polynomials of weight w) as int8_t in {-1, 0, 1}.
 */
#ifndef NSSH_PQ_SNTRUP761_INT_H
#define NSSH_PQ_SNTRUP761_INT_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_crypto.h"   /* nssh_wipe */

#define SNTRUP_P 761
#define SNTRUP_Q 4591
#define SNTRUP_Q12 ((SNTRUP_Q - 1) / 2)
#define SNTRUP_W 286

#define SNTRUP_SMALL_BYTES 191    /* ceil(p / 4) */
#define SNTRUP_RQ_BYTES 1158      /* Encode of p values below q */
#define SNTRUP_ROUNDED_BYTES 1007 /* Encode of p values below (q + 2) / 3 */
#define SNTRUP_HASH_BYTES 32

/* sntrup761_arith.c: arithmetic in Z/q, Z/3, Rq and R3. */
int16_t sntrup_fq_freeze(int32_t x);  /* |x| < 2^26 */
int8_t sntrup_f3_freeze(int32_t x);   /* |x| < 2^14 */
int16_t sntrup_fq_recip(int16_t a);   /* a^(q-2) */
void sntrup_rq_mult_small(int16_t *h, const int16_t *f, const int8_t *g);
void sntrup_r3_mult(int8_t *h, const int8_t *f, const int8_t *g);
void sntrup_rq_round(int16_t *out, const int16_t *a);

/* sntrup761_recip.c: inverses by constant-time division steps. */
void sntrup_rq_recip3(int16_t *out, const int8_t *s);
int sntrup_r3_recip(int8_t *out, const int8_t *s);

/* sntrup761_encode.c: the byte encodings of the specification. */
void sntrup_rq_encode(uint8_t *out, const int16_t *r);
void sntrup_rq_decode(int16_t *r, const uint8_t *in);
void sntrup_rounded_encode(uint8_t *out, const int16_t *r);
void sntrup_rounded_decode(int16_t *r, const uint8_t *in);
void sntrup_small_encode(uint8_t *out, const int8_t *f);
void sntrup_small_decode(int8_t *f, const uint8_t *in);

/* sntrup761_sample.c: small and short polynomials from random words. */
void sntrup_sort_u32(uint32_t *x, size_t n);
void sntrup_small_from_list(int8_t *out, const uint32_t *list);
void sntrup_short_from_list(int8_t *out, uint32_t *list);

/* All-ones when x is nonzero (x of any sign within int32), else zero. */
static inline int32_t sntrup_nonzero_mask(int32_t x)
{
    return -(int32_t)(((uint32_t)x | (uint32_t)-x) >> 31);
}

/* All-ones when x < 0, else zero. */
static inline int32_t sntrup_negative_mask(int32_t x)
{
    return -(int32_t)((uint32_t)x >> 31);
}

#endif
