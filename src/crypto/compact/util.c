/*
 * Helpers every part of the backend uses: wiping secrets and comparing
 * tags in constant time.
 */
#include "compact.h"

void compact_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;

    while (n--)
        *v++ = 0;
}

int compact_memeq_ct(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint32_t acc = 0;
    size_t i;

    for (i = 0; i < n; i++)
        acc |= (uint32_t)(x[i] ^ y[i]);
    /* acc - 1 has its top bit set only when acc was 0. */
    return (int)(((acc - 1u) >> 31) & 1u) - 1;
}
