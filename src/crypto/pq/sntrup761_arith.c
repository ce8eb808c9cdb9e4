/*
 * Arithmetic of sntrup761: reduction into Z/q and Z/3 by multiplication
 * (no division, no branch on the value), products in Rq and R3 by the
 * schoolbook method followed by reduction modulo x^p - x - 1, and the
 * rounding of Rq elements to multiples of 3.
 */
#include "sntrup761_int.h"

#define P SNTRUP_P
#define Q SNTRUP_Q
#define Q12 SNTRUP_Q12

/* x mod q in [-Q12, Q12]. The quotient x/q is rounded with the constant
 * round(2^32 / q); for |x| < 2^26 the estimate is off by at most one near
 * the halfway points, which the two masked corrections repair. */
int16_t sntrup_fq_freeze(int32_t x)
{
    int32_t r = x - Q * (int32_t)(((int64_t)x * 935519 + (1LL << 31)) >> 32);

    r -= Q & sntrup_negative_mask(Q12 - r);
    r += Q & sntrup_negative_mask(r + Q12);
    return (int16_t)r;
}

/* x mod 3 in {-1, 0, 1}: x/3 is never closer than 1/6 to a halfway point,
 * and 21846/65536 differs from 1/3 by less than 1/(6 * 2^14). */
int8_t sntrup_f3_freeze(int32_t x)
{
    return (int8_t)(x - 3 * ((x * 21846 + 32768) >> 16));
}

/* a^(q-2) = 1/a in Z/q (a nonzero); the exponent is public, so the
 * square-and-multiply sequence does not depend on a. */
int16_t sntrup_fq_recip(int16_t a)
{
    int16_t r = 1;
    int bit;

    for (bit = 12; bit >= 0; bit--) {
        r = sntrup_fq_freeze((int32_t)r * r);
        if (((Q - 2) >> bit) & 1)
            r = sntrup_fq_freeze((int32_t)r * a);
    }
    return r;
}

/* Products run over g padded with zeros to PAD entries (a multiple of
 * any vector width): the inner loop then has a fixed length and touches
 * only local arrays, which lets compilers vectorize it at -O2. */
#define PAD 768
#define PRODUCT_LEN (P + PAD - 1)

/* fg = f * g, then x^i for i >= p folded down using x^p = x + 1. Sums
 * stay below 3 * p * Q12 < 2^23. */
static void product(int32_t *fg, const int16_t *f, const int8_t *g)
{
    int16_t gp[PAD];
    int i, j;

    for (j = 0; j < PAD; j++)
        gp[j] = j < P ? g[j] : 0;
    for (i = 0; i < PRODUCT_LEN; i++)
        fg[i] = 0;
    for (i = 0; i < P; i++) {
        int32_t fi = f[i], *row = fg + i;

        for (j = 0; j < PAD; j++)
            row[j] += fi * gp[j];
    }
    for (i = 2 * P - 2; i >= P; i--) {
        fg[i - P] += fg[i];
        fg[i - P + 1] += fg[i];
    }
    nssh_wipe(gp, sizeof(gp));
}

/* h = f * g in Rq, g small. */
void sntrup_rq_mult_small(int16_t *h, const int16_t *f, const int8_t *g)
{
    int32_t fg[PRODUCT_LEN];
    int i;

    product(fg, f, g);
    for (i = 0; i < P; i++)
        h[i] = sntrup_fq_freeze(fg[i]);
    nssh_wipe(fg, sizeof(fg));
}

/* h = f * g in R3. */
void sntrup_r3_mult(int8_t *h, const int8_t *f, const int8_t *g)
{
    int32_t fg[PRODUCT_LEN];
    int16_t f16[P];
    int i;

    for (i = 0; i < P; i++)
        f16[i] = f[i];
    product(fg, f16, g);
    for (i = 0; i < P; i++)
        h[i] = sntrup_f3_freeze(fg[i]);
    nssh_wipe(fg, sizeof(fg));
    nssh_wipe(f16, sizeof(f16));
}

/* Each coefficient to the nearest multiple of 3; Q12 is one, so the
 * result stays in [-Q12, Q12]. */
void sntrup_rq_round(int16_t *out, const int16_t *a)
{
    int i;

    for (i = 0; i < P; i++)
        out[i] = (int16_t)(a[i] - sntrup_f3_freeze(a[i]));
}
