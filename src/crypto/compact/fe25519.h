/*
 * Arithmetic in GF(2^255 - 19) for X25519 and Ed25519.
 *
 * An element is ten unsigned limbs of alternately 26 and 25 bits
 * (radix 2^25.5): f = sum f[i] * 2^ceil(25.5 i). Products of two limbs fit
 * a 64-bit accumulator, which a 32-bit CPU with a 32x32->64 multiply
 * (Cortex-M4's UMULL/UMLAL) handles well. Every function returns limbs
 * below 2^26 (even) / 2^25 (odd) plus a small excess, accepts such
 * limbs, and runs in time independent of the values.
 */
#ifndef NSSH_COMPACT_FE25519_H
#define NSSH_COMPACT_FE25519_H

#include <stdint.h>

typedef uint32_t fe[10];

void fe_0(fe h);
void fe_1(fe h);
void fe_copy(fe h, const fe f);
/* Reads 255 bits little-endian; bit 255 is ignored. */
void fe_frombytes(fe h, const uint8_t s[32]);
/* Writes the unique representative below p. */
void fe_tobytes(uint8_t s[32], const fe f);
void fe_add(fe h, const fe f, const fe g);
void fe_sub(fe h, const fe f, const fe g);
void fe_neg(fe h, const fe f);
void fe_mul(fe h, const fe f, const fe g);
void fe_sq(fe h, const fe f);
/* h = f * n for a small constant n < 2^17. */
void fe_mul_small(fe h, const fe f, uint32_t n);
/* h = 1/f (f^(p-2)); 0 for 0. */
void fe_invert(fe h, const fe f);
/* h = f^((p-5)/8), for square roots. */
void fe_pow22523(fe h, const fe f);
/* Swap f and g when b is 1, leave them when b is 0, without branching. */
void fe_cswap(fe f, fe g, uint32_t b);
/* f = g when b is 1. */
void fe_cmov(fe f, const fe g, uint32_t b);
/* 1 when f is 0 mod p, else 0. */
uint32_t fe_iszero(const fe f);
/* Low bit of the representative below p ("negative" in RFC 8032). */
uint32_t fe_isodd(const fe f);

#endif
