/*
 * The pair fuzz target (fuzz/pair_target.h) replayed on its seed corpus
 * (fuzz/corpus/pair, written by fuzz/gen_pair_corpus.py), with what each
 * seed must reach past the key exchange: the edited packets arrive and
 * are judged by the handler they were aimed at (userauth, channels,
 * re-key) in both roles, and every run ends healthy or with the exact
 * clean error expected. Then deterministic byte flips of every seed: each
 * run must still end with a defined error code, never an internal one.
 * Memory errors are the sanitizer build's to catch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "nanossh.h"
#include "../../../fuzz/null_crypto.c"
#include "../../../fuzz/pair_target.c"

static uint8_t input[1 << 16];

static size_t seed(const char *name)
{
    char path[4096];
    const char *src = __FILE__, *slash = strrchr(src, '/');
    FILE *f;
    size_t n;
    snprintf(path, sizeof(path), "%.*s/../../../fuzz/corpus/pair/%s",
             (int)(slash - src), src, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(input, 1, sizeof(input), f);
    fclose(f);
    assert_true(n > 1);
    return n;
}

static const struct {
    const char *name;
    int srv_err, cli_err;   /* final errors */
    int authenticated;
    unsigned min_edits;
} seeds[] = {
    /* unedited: two key exchanges, data and EOF both ways */
    { "c2s_session", 0, 0, 1, 0 },
    /* the client's publickey request replaced by a password one */
    { "c2s_password", 0, 0, 1, 1 },
    /* keyboard-interactive injected and answered: the server lets the
     * client in, the client never asked and disconnects */
    { "c2s_kbdint", NSSH_ERR_PEER_DISCONNECT, NSSH_ERR_UNEXPECTED, 1, 2 },
    /* data for a channel that does not exist ends it */
    { "c2s_channel", NSSH_ERR_CHANNEL, NSSH_ERR_PEER_DISCONNECT, 1, 7 },
    /* a re-key KEXINIT with a flipped name: nothing in common */
    { "c2s_rekey", NSSH_ERR_NEGOTIATE, NSSH_ERR_PEER_DISCONNECT, 1, 1 },
    { "c2s_tcpip", 0, 0, 1, 1 },
    { "c2s_window", 0, 0, 1, 1 },
    /* USERAUTH_FAILURE in place of the success, then a banner */
    { "s2c_authfail", NSSH_ERR_PEER_DISCONNECT, NSSH_ERR_UNEXPECTED, 1, 2 },
    { "s2c_session", 0, 0, 1, 1 },
    /* a forwarded-tcpip open the server never sent: the client's
     * refusal is for a channel the server does not know, and a
     * confirmation for one the client never opened: both end on it */
    { "s2c_inject", NSSH_ERR_CHANNEL, NSSH_ERR_CHANNEL, 1, 5 },
    /* a truncated KEXINIT */
    { "s2c_rekey", NSSH_ERR_PEER_DISCONNECT, NSSH_ERR_FORMAT, 1, 1 },
    /* the server's DISCONNECT with a flipped byte still ends it */
    { "s2c_disconnect", NSSH_ERR_APP, NSSH_ERR_PEER_DISCONNECT, 1, 1 },
};

static void test_seeds(void **state)
{
    size_t i, n;
    pair_stats st;
    (void)state;
    for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        n = seed(seeds[i].name);
        if (fuzz_pair_run(input, n, &st) != 0)
            fail_msg("%s: unclean end", seeds[i].name);
        if (!st.kex_done || st.err[0] != seeds[i].srv_err ||
            st.err[1] != seeds[i].cli_err ||
            st.authenticated != seeds[i].authenticated ||
            st.edits < seeds[i].min_edits)
            fail_msg("%s: kex %d, errors %d/%d, authenticated %d, %u edits",
                     seeds[i].name, st.kex_done, st.err[0], st.err[1],
                     st.authenticated, st.edits);
    }
    /* The one seed without edits carries data both ways and re-keys. */
    n = seed("c2s_session");
    assert_int_equal(fuzz_pair_run(input, n, &st), 0);
    assert_int_equal(st.kex_count[0], 2);
    assert_int_equal(st.data[0], 5);
}

static void test_flips(void **state)
{
    size_t i, k, n, runs = 0;
    uint32_t x = 99;
    uint8_t copy[sizeof(input)];
    pair_stats st;
    (void)state;
    for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        n = seed(seeds[i].name);
        for (k = 0; k < 150; k++) {
            memcpy(copy, input, n);
            x = x * 1103515245u + 12345u;
            copy[1 + (x >> 8) % (n - 1)] ^= (uint8_t)(1u << (x & 7));
            if (fuzz_pair_run(copy, n, &st) != 0)
                fail_msg("%s flip %zu: errors %d/%d, %u internal", seeds[i].name,
                         k, st.err[0], st.err[1], st.internal);
            runs++;
        }
    }
    assert_int_equal(runs, 150 * (sizeof(seeds) / sizeof(seeds[0])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_flips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
