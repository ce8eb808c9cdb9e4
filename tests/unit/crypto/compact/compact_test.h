/* Helpers shared by the compact backend's tests. */
#ifndef NSSH_TEST_COMPACT_H
#define NSSH_TEST_COMPACT_H

#include <stdio.h>
#include <string.h>

#define ALIGNED __attribute__((aligned(16)))

/* Hex string to bytes; returns the length. */
static inline size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = strlen(h) / 2, i;
    unsigned v;

    assert_true(n <= cap);
    for (i = 0; i < n; i++) {
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static inline void assert_hex(const uint8_t *got, size_t len, const char *want)
{
    uint8_t w[2048];
    size_t n = unhex(want, w, sizeof(w));

    assert_int_equal(n, len);
    assert_memory_equal(got, w, len);
}

#endif
