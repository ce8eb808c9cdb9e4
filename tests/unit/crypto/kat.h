/*
 * Helpers of the known-answer tests of both crypto backends
 * (test_crypto.c, compact/): hex vectors to bytes and compared, and one
 * SSH AEAD packet sealed and opened. Include after cmocka.h.
 */
#ifndef NSSH_TEST_KAT_H
#define NSSH_TEST_KAT_H

#include <stdio.h>
#include <string.h>

#include "nanossh_crypto.h"

#define ALIGNED __attribute__((aligned(16)))

/* Hex string to bytes; returns the length. */
static inline size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = strlen(h) / 2, i;
    unsigned v;

    assert_int_equal(strlen(h) % 2, 0);
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

/* Seal the packet pt_hex (length field first) with sequence number seq:
 * the result MUST be ct_hex (ciphertext and tag); then the other
 * direction reads the length and opens it back to pt_hex. */
static inline void aead_check(const nssh_cipher *c, uint8_t *enc,
                              uint8_t *dec, uint32_t seq, const char *pt_hex,
                              const char *ct_hex)
{
    uint8_t pt[256], pkt[256 + 16];
    size_t len = unhex(pt_hex, pt, sizeof(pt));
    uint32_t plen = 0;

    memcpy(pkt, pt, len);
    assert_int_equal(c->seal(enc, seq, pkt, len), 0);
    assert_hex(pkt, len + c->tag_len, ct_hex);
    assert_int_equal(c->get_length(dec, seq, pkt, &plen), 0);
    assert_int_equal(plen, len - 4);
    assert_int_equal(c->open(dec, seq, pkt, len), 0);
    assert_memory_equal(pkt + 4, pt + 4, len - 4);
}

#endif
