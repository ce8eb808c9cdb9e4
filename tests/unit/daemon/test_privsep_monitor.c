/*
 * The privilege-separation monitor's dispatcher (privsep/monitor.c) fed
 * what a hostile pre-auth child could send, through the ipc fuzz
 * target's harness (fuzz/ipc_target.c: a real host key, root's
 * authorized_keys holding fuzz/ipc_user_key.pub, public keys only). Its
 * seed corpus (fuzz/corpus/ipc) is replayed with exact expectations:
 * what the monitor grants, where it ends the conversation as hostile,
 * and that a method the options leave off is refused at once, without
 * asking PAM (which made a hostile child's password guesses run against
 * PAM with PasswordAuthentication no).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "../../../fuzz/ipc_target.c"

static uint8_t input[1 << 16];

static size_t seed(const char *name)
{
    char path[4096];
    const char *src = __FILE__, *slash = strrchr(src, '/');
    FILE *f;
    size_t n;
    snprintf(path, sizeof(path), "%.*s/../../../fuzz/corpus/ipc/%s",
             (int)(slash - src), src, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(input, 1, sizeof(input), f);
    fclose(f);
    assert_true(n > 4);
    return n;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void test_signed_attempt(void **state)
{
    ipc_stats st;
    size_t n = seed("root_signed_attempt");
    (void)state;
    /* sign, request, query, signed query, verify, result: all answered */
    assert_int_equal(fuzz_ipc_run(input, n, &st), 0);
    assert_int_equal(st.decoded, 6);
    assert_int_equal(st.answers, 6);
    assert_true(st.signed_kex);
    if (geteuid() == 0) {
        /* The host key signed; root's key was approved twice; the forged
         * signature was refused, and so is the result. */
        assert_true(st.key_approved);
        assert_int_equal(st.granted, 3);
    }
    assert_int_equal(st.last_verdict, 0);
}

static void test_methods_off(void **state)
{
    ipc_stats st;
    size_t n = seed("methods_off");
    double t0 = now_s();
    (void)state;
    /* Two passwords, "none", a keyboard-interactive start and answers:
     * all refused (only the signature granted), and at once: before the
     * fix the password went to PAM and its failure took 2 s (authpw.c's
     * AUTH_FAIL_MS), so anything under that tells the two apart. */
    assert_int_equal(fuzz_ipc_run(input, n, &st), 0);
    assert_int_equal(st.answers, 6);
    assert_int_equal(st.granted, 1);
    assert_true(now_s() - t0 < 1.9);
}

static void test_no_such_user(void **state)
{
    ipc_stats st;
    size_t n = seed("no_such_user");
    (void)state;
    assert_int_equal(fuzz_ipc_run(input, n, &st), 0);
    assert_int_equal(st.answers, 5);
    assert_int_equal(st.granted, 1);   /* the host key signature only */
    assert_false(st.key_approved);
}

/* Each ends the conversation as hostile, granting nothing after the
 * one signature. */
static void test_hostile(void **state)
{
    static const struct { const char *name; unsigned answers; } cases[] = {
        { "other_user", 2 }, { "success_not_decided", 2 },
        { "result_ok_forged", 2 }, { "export_early", 1 },
        { "auth_before_kex", 0 }, { "second_sign", 1 }, { "bad_index", 0 },
        { "answer_from_child", 0 }, { "verify_unapproved", 2 },
        { "root_wrong_sig_alg", 3 },
    };
    size_t i, n;
    ipc_stats st;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = seed(cases[i].name);
        if (fuzz_ipc_run(input, n, &st) != NSSH_ERR_FORMAT)
            fail_msg("%s: the monitor went on", cases[i].name);
        if (st.answers != cases[i].answers)
            fail_msg("%s: %u answers, not %u", cases[i].name, st.answers,
                     cases[i].answers);
        assert_true(st.granted <= 1 + (geteuid() == 0));
    }
}

/* Every truncation and a thousand byte flips of the signed attempt: the
 * harness aborts on a body the decoder accepts but that does not encode
 * back to itself; the monitor grants no more than with the clean input. */
static void test_mutations(void **state)
{
    size_t n = seed("root_signed_attempt"), i;
    uint8_t copy[sizeof(input)];
    uint32_t x = 12345;
    ipc_stats st;
    (void)state;
    memcpy(copy, input, n);
    for (i = 0; i < n; i++) {
        fuzz_ipc_run(copy, i, &st);
        assert_true(st.granted <= 3);
    }
    for (i = 0; i < 1000; i++) {
        size_t at;
        memcpy(copy, input, n);
        x = x * 1103515245u + 12345u;
        at = (x >> 8) % n;
        copy[at] ^= (uint8_t)(1u << (x & 7));
        fuzz_ipc_run(copy, n, &st);
        assert_true(st.granted <= 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_attempt),
        cmocka_unit_test(test_methods_off),
        cmocka_unit_test(test_no_such_user),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_mutations),
    };
    fuzz_ipc_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
