/*
 * Small and short polynomials from random 32-bit words, as the NTRU Prime
 * specification draws them: a small coefficient from the top bits of a
 * 30-bit value, and a short polynomial (exactly w nonzero coefficients,
 * each +1 or -1, at uniformly random places) by sorting the words with the
 * coefficient kept in their low two bits. The sort is a fixed sorting
 * network, so neither branches nor memory accesses depend on the words.
 */
#include "sntrup761_int.h"

#define P SNTRUP_P
#define W SNTRUP_W

/* Put the smaller of *a, *b first, without branching on them. */
static void minmax(uint32_t *a, uint32_t *b)
{
    uint32_t x = *a, y = *b;
    uint32_t mask = (uint32_t)0 - (uint32_t)(((uint64_t)y - x) >> 63);
    uint32_t t = (x ^ y) & mask;

    *a = x ^ t;
    *b = y ^ t;
}

/* Batcher's merge exchange (Knuth, TAOCP vol. 3, 5.2.2, algorithm M): a
 * sorting network for any n, whose comparisons depend on n alone. */
void sntrup_sort_u32(uint32_t *x, size_t n)
{
    size_t t = 1, p, q, r, d, i;

    if (n < 2)
        return;
    while (((size_t)1 << t) < n)
        t++;
    for (p = (size_t)1 << (t - 1); p > 0; p >>= 1) {
        q = (size_t)1 << (t - 1);
        r = 0;
        d = p;
        for (;;) {
            for (i = 0; i + d < n; i++)
                if ((i & p) == r)
                    minmax(&x[i], &x[i + d]);
            if (q == p)
                break;
            d = q - p;
            q >>= 1;
            r = p;
        }
    }
}

/* Small_random: ((L & (2^30 - 1)) * 3 >> 30) - 1 for each word. */
void sntrup_small_from_list(int8_t *out, const uint32_t *list)
{
    int i;

    for (i = 0; i < P; i++)
        out[i] = (int8_t)((((list[i] & 0x3fffffffu) * 3) >> 30) - 1);
}

/* Short_fromlist: the first w words get low bits 00 or 10 (coefficient -1
 * or +1), the others 01 (coefficient 0); sorting scatters them. list is
 * overwritten. */
void sntrup_short_from_list(int8_t *out, uint32_t *list)
{
    int i;

    for (i = 0; i < W; i++)
        list[i] &= ~(uint32_t)1;
    for (i = W; i < P; i++)
        list[i] = (list[i] & ~(uint32_t)2) | 1;
    sntrup_sort_u32(list, P);
    for (i = 0; i < P; i++)
        out[i] = (int8_t)((list[i] & 3) - 1);
}
