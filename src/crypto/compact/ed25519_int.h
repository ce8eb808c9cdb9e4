/*
 * Internal to Ed25519 (RFC 8032): points of edwards25519 in extended
 * coordinates (Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves
 * Revisited", 2008): x = X/Z, y = Y/Z, x*y = T/Z. Scalars modulo the group
 * order L are 32 bytes, little-endian.
 */
#ifndef NSSH_COMPACT_ED25519_INT_H
#define NSSH_COMPACT_ED25519_INT_H

#include "fe25519.h"

typedef struct ge {
    fe X, Y, Z, T;
} ge;

void ge_identity(ge *p);
void ge_base(ge *p);
/* r = p + q (complete formula: any two points, equal ones included). */
void ge_add(ge *r, const ge *p, const ge *q);
void ge_dbl(ge *r, const ge *p);
void ge_neg(ge *r, const ge *p);
void ge_tobytes(uint8_t s[32], const ge *p);
/* Decode (RFC 8032 section 5.1.3): 0, or -1 for a string that is not a
 * point (y >= p, no square root, x = 0 with the sign bit set). Not
 * constant time: only public keys are decoded. */
int ge_frombytes(ge *p, const uint8_t s[32]);
/* r = [k]p for k < 2^255, constant time in k. */
void ge_scalarmult(ge *r, const uint8_t k[32], const ge *p);

/* r = [a]P + [b]Q by Shamir's trick, one bit at a time. Variable time:
 * for verification, where everything is public. */
void ge_double_scalarmult_vartime(ge *r, const uint8_t a[32], const ge *p,
                                  const uint8_t b[32], const ge *q);

/* out = in mod L, in being 64 bytes little-endian. Constant time. */
void sc_reduce64(uint8_t out[32], const uint8_t in[64]);
/* s = (a * b + c) mod L. Constant time. */
void sc_muladd(uint8_t s[32], const uint8_t a[32], const uint8_t b[32],
               const uint8_t c[32]);
/* 1 when s < L. */
int sc_is_canonical(const uint8_t s[32]);

#endif
