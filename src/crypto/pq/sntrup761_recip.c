/*
 * Inverses in Rq and R3 by division steps (Bernstein and Yang, "Fast
 * constant-time gcd computation and modular inversion", 2019): a fixed
 * number of steps, each the same sequence of operations whatever the
 * values, so the time does not depend on the secret being inverted.
 *
 * State: polynomials f, g (p + 1 coefficients) and u, v in Rq (or R3),
 * with f = u * s and g = v * s modulo x^p - x - 1. Start: f = x^p - x - 1,
 * u = 0, g = s, v = 1. A step, with delta as in the paper:
 *   if delta > 0 and g(0) != 0: swap (f, u) with (g, v), delta = -delta;
 *   delta += 1;
 *   g = (f(0) g - g(0) f) / x        (the constant term cancels)
 *   v = (f(0) v - g(0) u) * x^-1     (keeps g = v * s; x^-1 = x^(p-1) - 1)
 * Both f and g are, read backwards, the operands of the paper's divstep,
 * so after 2p - 1 steps g = 0 and f is their gcd: a nonzero constant
 * exactly when s is invertible, and then 1/s = u / f(0).
 */
#include "sntrup761_int.h"

#define P SNTRUP_P
#define STEPS (2 * P - 1)

/* Swap a and b (n entries) when mask is all-ones; mask is 0 or -1. */
static void cswap16(int16_t *a, int16_t *b, int n, int32_t mask)
{
    int i;

    for (i = 0; i < n; i++) {
        int16_t t = (int16_t)(mask & (a[i] ^ b[i]));
        a[i] ^= t;
        b[i] ^= t;
    }
}

/* The swap condition of a step, as a mask. */
static int32_t swap_mask(int32_t delta, int32_t g0)
{
    return sntrup_negative_mask(-delta) & sntrup_nonzero_mask(g0);
}

static int32_t next_delta(int32_t delta, int32_t mask)
{
    return (delta ^ (mask & (delta ^ -delta))) + 1;
}

/* v * x^-1 with x^-1 = x^(p-1) - 1, before reduction of entry 0. */
static int32_t shift_down(int16_t *v)
{
    int16_t v0 = v[0];
    int i;

    for (i = 0; i < P - 1; i++)
        v[i] = v[i + 1];
    v[P - 1] = v0;
    return (int32_t)v[0] - v0;
}

/* One division step in Rq. */
static int32_t step_q(int16_t *f, int16_t *g, int16_t *u, int16_t *v,
                      int32_t delta)
{
    int32_t mask = swap_mask(delta, g[0]), f0, g0;
    int i;

    cswap16(f, g, P + 1, mask);
    cswap16(u, v, P, mask);
    delta = next_delta(delta, mask);
    f0 = f[0];
    g0 = g[0];
    for (i = 0; i < P; i++)
        g[i] = sntrup_fq_freeze(f0 * g[i + 1] - g0 * f[i + 1]);
    g[P] = 0;
    for (i = 0; i < P; i++)
        v[i] = sntrup_fq_freeze(f0 * v[i] - g0 * u[i]);
    v[0] = sntrup_fq_freeze(shift_down(v));
    return delta;
}

/* out = 1 / (3 s) in Rq. s is nonzero (a short polynomial), and
 * x^p - x - 1 is irreducible mod q, so s is always invertible. */
void sntrup_rq_recip3(int16_t *out, const int8_t *s)
{
    int16_t f[P + 1], g[P + 1], u[P], v[P], scale;
    int32_t delta = 1;
    int i;

    for (i = 0; i <= P; i++)
        f[i] = g[i] = 0;
    for (i = 0; i < P; i++) {
        u[i] = v[i] = 0;
        g[i] = s[i];
    }
    f[0] = f[1] = -1;
    f[P] = 1;
    v[0] = 1;
    for (i = 0; i < STEPS; i++)
        delta = step_q(f, g, u, v, delta);
    scale = sntrup_fq_recip(sntrup_fq_freeze(3 * (int32_t)f[0]));
    for (i = 0; i < P; i++)
        out[i] = sntrup_fq_freeze((int32_t)scale * u[i]);
    nssh_wipe(f, sizeof(f));
    nssh_wipe(g, sizeof(g));
    nssh_wipe(u, sizeof(u));
    nssh_wipe(v, sizeof(v));
}

/* One division step in R3. */
static int32_t step_3(int16_t *f, int16_t *g, int16_t *u, int16_t *v,
                      int32_t delta)
{
    int32_t mask = swap_mask(delta, g[0]), f0, g0;
    int i;

    cswap16(f, g, P + 1, mask);
    cswap16(u, v, P, mask);
    delta = next_delta(delta, mask);
    f0 = f[0];
    g0 = g[0];
    for (i = 0; i < P; i++)
        g[i] = sntrup_f3_freeze(f0 * g[i + 1] - g0 * f[i + 1]);
    g[P] = 0;
    for (i = 0; i < P; i++)
        v[i] = sntrup_f3_freeze(f0 * v[i] - g0 * u[i]);
    v[0] = sntrup_f3_freeze(shift_down(v));
    return delta;
}

/* out = 1 / s in R3. Returns 0 when s is invertible, -1 when not (out is
 * then meaningless). f(0) is never 0 (a swap only brings in a nonzero
 * g(0)), so invertibility is "f has no term above the constant". */
int sntrup_r3_recip(int8_t *out, const int8_t *s)
{
    int16_t f[P + 1], g[P + 1], u[P], v[P];
    int32_t delta = 1, high = 0;
    int i;

    for (i = 0; i <= P; i++)
        f[i] = g[i] = 0;
    for (i = 0; i < P; i++) {
        u[i] = v[i] = 0;
        g[i] = s[i];
    }
    f[0] = f[1] = -1;
    f[P] = 1;
    v[0] = 1;
    for (i = 0; i < STEPS; i++)
        delta = step_3(f, g, u, v, delta);
    for (i = 0; i < P; i++)  /* 1/f(0) = f(0) in Z/3 */
        out[i] = sntrup_f3_freeze((int32_t)f[0] * u[i]);
    for (i = 1; i <= P; i++)
        high |= f[i];
    nssh_wipe(f, sizeof(f));
    nssh_wipe(g, sizeof(g));
    nssh_wipe(u, sizeof(u));
    nssh_wipe(v, sizeof(v));
    return (int)sntrup_nonzero_mask(high);
}
