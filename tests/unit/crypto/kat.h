/*
 * Helpers of the known-answer tests of both crypto backends
 * (test_crypto.c, compact/): hex vectors to bytes and compared, one SSH
 * AEAD packet sealed and opened, and chacha20-poly1305@openssh.com on
 * the vectors of aead_vectors.h. Include after cmocka.h.
 */
#ifndef NSSH_TEST_KAT_H
#define NSSH_TEST_KAT_H

#include <stdio.h>
#include <string.h>

#include "nanossh_crypto.h"
#include "vectors/aead_vectors.h"

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

/* chacha20-poly1305@openssh.com (c is a backend's table): the worked
 * example of draft-ietf-sshm-chacha20-poly1305 (Appendix A), packets at
 * sequence numbers 0, 7 and 2^32-1, then any flipped bit (length, body,
 * tag) and the right packet under another sequence number refused. */
static inline void chachapoly_kat(const nssh_cipher *c)
{
    uint8_t enc[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t dec[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t key[64], pkt[64 + 16];
    size_t len;

    assert_int_equal(c->key_len, 64);
    assert_int_equal(c->block_len, 8);
    assert_int_equal(c->tag_len, 16);
    assert_int_equal(c->flags, NSSH_CIPHER_AEAD);
    unhex(cp_draft_key, key, sizeof(key));
    assert_int_equal(c->init(enc, key, NULL, 1), 0);
    assert_int_equal(c->init(dec, key, NULL, 0), 0);
    aead_check(c, enc, dec, 7, cp_draft_pt, cp_draft_ct);
    c->cleanup(enc);
    c->cleanup(dec);

    unhex(cp_key, key, sizeof(key));
    assert_int_equal(c->init(enc, key, NULL, 1), 0);
    assert_int_equal(c->init(dec, key, NULL, 0), 0);
    aead_check(c, enc, dec, 0, cp_0_pt, cp_0_ct);
    aead_check(c, enc, dec, 7, cp_7_pt, cp_7_ct);
    aead_check(c, enc, dec, 0xffffffffu, cp_ffffffff_pt, cp_ffffffff_ct);

    len = unhex(cp_7_ct, pkt, sizeof(pkt)) - 16;
    pkt[1] ^= 0x80;
    assert_int_equal(c->open(dec, 7, pkt, len), NSSH_ERR_MAC);
    pkt[1] ^= 0x80;
    pkt[20] ^= 0x01;
    assert_int_equal(c->open(dec, 7, pkt, len), NSSH_ERR_MAC);
    pkt[20] ^= 0x01;
    pkt[len + 15] ^= 0x40;
    assert_int_equal(c->open(dec, 7, pkt, len), NSSH_ERR_MAC);
    pkt[len + 15] ^= 0x40;
    assert_int_equal(c->open(dec, 8, pkt, len), NSSH_ERR_MAC);
    assert_int_equal(c->open(dec, 7, pkt, len), 0);
    c->cleanup(enc);
    c->cleanup(dec);
    c->cleanup(dec);   /* twice is safe */
}

#endif
