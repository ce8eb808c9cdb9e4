/*
 * UMAC (RFC 4418) and the SSH MACs built on it: the RFC's test vectors
 * (appendix, key "abcdefghijklmnop", nonce "bcdefghi"), the full 16-byte
 * tags from an independent implementation (vectors/gen_umac.py, GNU
 * Nettle), the sequence number as nonce, and refusal of messages beyond
 * the supported length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "nanossh_ossl.h"
#include "umac.h"
#include "vectors/umac_vectors.h"

static const uint8_t key[16] = "abcdefghijklmnop";
static const uint8_t nonce[8] = "bcdefghi";

static uint8_t *message(const char *unit, size_t reps, size_t *len)
{
    size_t n = strlen(unit), i;
    uint8_t *m = malloc(n * reps + 1);

    assert_non_null(m);
    for (i = 0; i < reps; i++)
        memcpy(m + i * n, unit, n);
    *len = n * reps;
    return m;
}

static void hex(const char *s, uint8_t *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* Each RFC row: the 64-bit tag exactly; the 128-bit tag's first 12 bytes
 * equal the RFC's 96-bit column (same streams, same pad block) and all 16
 * match Nettle's. */
static void test_rfc4418(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(umac_kats) / sizeof(umac_kats[0]); i++) {
        const umac_kat *k = &umac_kats[i];
        uint8_t want64[8], want96[12], want128[16], tag[16];
        size_t len;
        uint8_t *m = message(k->unit, k->reps, &len);
        umac_ctx u;

        hex(k->tag64, want64, 8);
        hex(k->tag96, want96, 12);
        hex(k->tag128, want128, 16);
        assert_int_equal(umac_init(&u, key, 8), 0);
        assert_int_equal(umac_tag(&u, m, len, nonce, tag), 0);
        assert_memory_equal(tag, want64, 8);
        umac_cleanup(&u);
        assert_int_equal(umac_init(&u, key, 16), 0);
        assert_int_equal(umac_tag(&u, m, len, nonce, tag), 0);
        assert_memory_equal(tag, want96, 12);
        assert_memory_equal(tag, want128, 16);
        umac_cleanup(&u);
        free(m);
    }
}

/* The SSH table: nonce = sequence number as a 64-bit big-endian number,
 * the message alone (no sequence number prefix); the tag changes with
 * the sequence number, including its low bit (the other half of the pad
 * block for UMAC-64). */
static void test_ssh_nonce(void **state)
{
    const nssh_mac *macs[] = { &nssh_ossl_umac64, &nssh_ossl_umac128,
                               &nssh_ossl_umac64_etm, &nssh_ossl_umac128_etm };
    uint8_t ctx[NSSH_MAC_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t n8[8] = { 0, 0, 0, 0, 0x01, 0x02, 0x03, 0x05 };
    uint8_t got[16], want[16], other[16];
    const uint8_t msg[] = "\0\0\0\x1c\x0a payload of an SSH packet.....";
    size_t i;
    umac_ctx u;
    (void)state;
    for (i = 0; i < 4; i++) {
        const nssh_mac *m = macs[i];
        memset(ctx, 0, sizeof(ctx));
        assert_int_equal(m->key_len, 16);
        assert_int_equal(m->init(ctx, key), 0);
        assert_int_equal(m->compute(ctx, 0x01020305u, msg, sizeof(msg), got), 0);
        assert_int_equal(umac_init(&u, key, m->out_len), 0);
        assert_int_equal(umac_tag(&u, msg, sizeof(msg), n8, want), 0);
        umac_cleanup(&u);
        assert_memory_equal(got, want, m->out_len);
        assert_int_equal(m->compute(ctx, 0x01020304u, msg, sizeof(msg), other), 0);
        assert_memory_not_equal(got, other, m->out_len);
        m->cleanup(ctx);
        m->cleanup(ctx);   /* twice is harmless */
    }
}

static void test_too_long(void **state)
{
    uint8_t *m = calloc(1, UMAC_MAX_MSG + 1), tag[16];
    umac_ctx u;
    (void)state;
    assert_non_null(m);
    assert_int_equal(umac_init(&u, key, 8), 0);
    assert_int_equal(umac_tag(&u, m, UMAC_MAX_MSG, nonce, tag), 0);
    assert_int_equal(umac_tag(&u, m, UMAC_MAX_MSG + 1, nonce, tag), NSSH_ERR_INTERNAL);
    umac_cleanup(&u);
    assert_int_equal(umac_init(&u, key, 12), NSSH_ERR_INTERNAL);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4418),
        cmocka_unit_test(test_ssh_nonce),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
