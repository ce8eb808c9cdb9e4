/*
 * Robustness: a recorded, well-formed client session (on the fuzzing null
 * tables, so every handler is reachable) is replayed into a server, then
 * thousands of deterministic mutations of it. The clean stream must reach
 * every state (key exchange, login, channel, echoed data, EOF); each run
 * must end healthy or with one clean error code, never NSSH_ERR_INTERNAL;
 * the test counts its own runs. Memory errors are caught by the sanitizer
 * build that runs the same test. The coverage-guided fuzzer in fuzz/
 * starts from the same stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "../../../fuzz/null_crypto.c"
#include "../../../fuzz/server_target.c"

static uint8_t stream[65536];
static size_t stream_len;

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint32_t next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

#define MUTATIONS 4000

/* A clean error: a defined code, and never an internal one (which would
 * mean the engine reached a state it believes impossible). */
static int valid_result(int e, const fuzz_stats *st)
{
    return e <= 0 && e >= NSSH_ERR_CONFIG && e != NSSH_ERR_INTERNAL &&
           st->internal == 0;
}

static void test_stream_is_good(void **st)
{
    (void)st;
    fuzz_stats fs;
    stream_len = fuzz_client_stream(stream, sizeof(stream));
    assert_true(stream_len > 500);
    assert_int_equal(fuzz_server_run_stats(stream, stream_len, &fs), 0);
    /* The recording drives the server through every stage. */
    assert_int_equal(fs.kex_count, 2);        /* with the re-key in the data */
    assert_true(fs.authenticated);
    assert_int_equal(fs.opened, 1);
    assert_int_equal(fs.echoed, 2 * sizeof("hello fuzz"));
    assert_int_equal(fs.eofs, 1);
    assert_int_equal(fs.internal, 0);
}

static void test_truncations(void **st)
{
    size_t n, runs = 0, expected = 0;
    int errs = 0, authed = 0;
    fuzz_stats fs;
    (void)st;
    for (n = 0; n < stream_len; n += 1 + n / 64)
        expected++;
    for (n = 0; n < stream_len; n += 1 + n / 64) {
        int e = fuzz_server_run_stats(stream, n, &fs);
        if (!valid_result(e, &fs))
            fail_msg("truncation at %zu gave result %d (%u internal)", n, e,
                     fs.internal);
        errs += e != 0;
        authed += fs.authenticated;
        runs++;
    }
    assert_int_equal(runs, expected);
    assert_true(errs > 0);   /* truncation must be noticed (EOF at least) */
    assert_true(authed > 0); /* and long prefixes get past the login */
}

static void mutate(uint8_t *b, size_t *len, size_t cap)
{
    size_t n = *len, pos = n ? next() % n : 0, k;
    static const uint32_t vals[] = { 0, 1, 0x7fffffffu, 0xffffffffu, 0x80000000u,
                                     255, 256, 35000, 262144, 262145 };
    switch (next() % 6) {
    case 0:
        b[pos] ^= (uint8_t)(1u << (next() % 8));
        break;
    case 1:
        if (pos + 4 <= n) {
            uint32_t v = vals[next() % 10];
            b[pos] = (uint8_t)(v >> 24);
            b[pos + 1] = (uint8_t)(v >> 16);
            b[pos + 2] = (uint8_t)(v >> 8);
            b[pos + 3] = (uint8_t)v;
        }
        break;
    case 2:
        k = next() % 64;
        if (pos + k <= n) {
            memmove(b + pos, b + pos + k, n - pos - k);
            *len = n - k;
        }
        break;
    case 3:
        k = next() % 64;
        if (n + k <= cap) {
            memmove(b + pos + k, b + pos, n - pos);
            *len = n + k;
            while (k--)
                b[pos + k] = (uint8_t)next();
        }
        break;
    case 4:
        b[pos] = (uint8_t)next();
        break;
    default:
        if (pos < n)
            b[pos] = (uint8_t)(b[pos] + 1);
        break;
    }
}

static void test_mutations(void **st)
{
    static uint8_t buf[sizeof(stream) + 4096];
    int i, ok = 0, bad = 0, kexed = 0;
    fuzz_stats fs;
    (void)st;
    for (i = 0; i < MUTATIONS; i++) {
        size_t len = stream_len;
        int j, m = 1 + (int)(next() % 4), e;
        memcpy(buf, stream, stream_len);
        for (j = 0; j < m; j++)
            mutate(buf, &len, sizeof(buf));
        e = fuzz_server_run_stats(buf, len, &fs);
        if (!valid_result(e, &fs))
            fail_msg("mutation %d gave result %d (%u internal)", i, e,
                     fs.internal);
        if (e == 0)
            ok++;
        else
            bad++;
        kexed += fs.kex_count > 0;
    }
    assert_int_equal(ok + bad, MUTATIONS);
    assert_true(bad > 0);
    assert_true(ok > 0);      /* some mutations are harmless (data bytes) */
    assert_true(kexed > 0);   /* and many get past the key exchange */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_is_good),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests_name("fuzz_replay", tests, NULL, NULL);
}
