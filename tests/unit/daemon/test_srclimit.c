/*
 * PerSourcePenalties: the listener's penalty table with sshd 9.8's
 * defaults (deferred below min, accumulation up to max, expiry, net
 * blocks, the exempt list, both overflow modes) and the exit statuses
 * of connection processes mapped to kinds of penalty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "config.h"
#include "srclimit.h"

static src_addr v4(int a, int b, int c, int d)
{
    src_addr s = { .af = AF_INET, .a = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d } };
    return s;
}

static void defaults(daemon_opts *o)
{
    opts_init(o);
    assert_int_equal(opts_finish(o), 0);
}

static void test_deferred_then_active(void **st)
{
    daemon_opts o;
    srclimit sl;
    src_addr a = v4(192, 0, 2, 7), b = v4(192, 0, 2, 8);
    const char *why = NULL;
    int i;
    (void)st;
    defaults(&o);
    srclimit_init(&sl, &o);
    /* authfail 5 s each: 5, 10, 15 are not above min 15; 20 is. */
    for (i = 0; i < 3; i++) {
        srclimit_penalise(&sl, &a, PENALTY_AUTHFAIL, 100.0);
        assert_int_equal(srclimit_refused(&sl, &a, 100.0, &why), 0);
    }
    srclimit_penalise(&sl, &a, PENALTY_AUTHFAIL, 100.0);
    assert_int_equal(srclimit_refused(&sl, &a, 100.0, &why), 1);
    assert_string_equal(why, "penalty: failed authentication");
    /* /32 blocks: the neighbour is not refused. */
    assert_int_equal(srclimit_refused(&sl, &b, 100.0, &why), 0);
    /* 20 s from 100: gone at 120.5. */
    assert_int_equal(srclimit_refused(&sl, &a, 119.0, &why), 1);
    assert_int_equal(srclimit_refused(&sl, &a, 120.5, &why), 0);
    assert_int_equal(sl.n, 0);
    srclimit_free(&sl);
    opts_free(&o);
}

static void test_crash_max_and_netblock(void **st)
{
    daemon_opts o;
    srclimit sl;
    src_addr a = v4(198, 51, 100, 9), b = v4(198, 51, 100, 200);
    const char *why = NULL;
    int i;
    (void)st;
    defaults(&o);
    o.netblock4 = 24;
    srclimit_init(&sl, &o);
    srclimit_penalise(&sl, &a, PENALTY_CRASH, 0.0);   /* 90 s: active at once */
    assert_int_equal(srclimit_refused(&sl, &b, 1.0, &why), 1);
    assert_string_equal(why, "penalty: caused crash");
    for (i = 0; i < 20; i++)
        srclimit_penalise(&sl, &a, PENALTY_CRASH, 0.0);
    assert_true(sl.p[0].expiry <= 600.0);   /* max 10 minutes */
    assert_int_equal(srclimit_refused(&sl, &a, 599.0, &why), 1);
    assert_int_equal(srclimit_refused(&sl, &a, 600.5, &why), 0);
    srclimit_free(&sl);
    opts_free(&o);
}

static void test_exempt_and_disabled(void **st)
{
    daemon_opts o;
    srclimit sl;
    src_addr a = v4(10, 1, 2, 3);
    const char *why = NULL;
    char err[128];
    (void)st;
    opts_init(&o);
    assert_int_equal(config_line(&o, "PerSourcePenaltyExemptList 10.0.0.0/8",
                                 "t", 1, err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    srclimit_init(&sl, &o);
    srclimit_penalise(&sl, &a, PENALTY_CRASH, 0.0);
    assert_int_equal(sl.n, 0);
    assert_int_equal(srclimit_refused(&sl, &a, 1.0, &why), 0);
    o.penalty.enabled = 0;
    a = v4(192, 0, 2, 1);
    srclimit_penalise(&sl, &a, PENALTY_CRASH, 0.0);
    assert_int_equal(sl.n, 0);
    srclimit_free(&sl);
    opts_free(&o);
}

static void test_overflow(void **st)
{
    daemon_opts o;
    srclimit sl;
    src_addr a;
    const char *why = NULL;
    int i;
    (void)st;
    defaults(&o);
    o.penalty.max_sources4 = 4;
    srclimit_init(&sl, &o);
    /* Permissive: the table keeps the 4 that expire last. */
    for (i = 0; i < 6; i++) {
        a = v4(192, 0, 2, i);
        srclimit_penalise(&sl, &a, PENALTY_CRASH, (double)i);
    }
    assert_int_equal(sl.n4, 4);
    a = v4(192, 0, 2, 0);
    assert_int_equal(srclimit_refused(&sl, &a, 6.0, &why), 0);
    a = v4(192, 0, 2, 5);
    assert_int_equal(srclimit_refused(&sl, &a, 6.0, &why), 1);
    /* deny-all: a full table refuses everyone not exempt. */
    o.penalty.overflow = PENALTY_DENY_ALL;
    a = v4(203, 0, 113, 1);
    assert_int_equal(srclimit_refused(&sl, &a, 6.0, &why), 1);
    assert_string_equal(why, "too many penalised addresses");
    srclimit_penalise(&sl, &a, PENALTY_CRASH, 6.0);
    assert_int_equal(sl.n4, 4);
    srclimit_free(&sl);
    opts_free(&o);
}

static void test_ipv6_and_mapped(void **st)
{
    daemon_opts o;
    struct sockaddr_in6 s6;
    src_addr a, b;
    char text[64];
    (void)st;
    defaults(&o);
    memset(&s6, 0, sizeof(s6));
    s6.sin6_family = AF_INET6;
    s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
    s6.sin6_addr.s6_addr[12] = 127;
    s6.sin6_addr.s6_addr[15] = 2;
    assert_int_equal(src_addr_of((struct sockaddr *)&s6, &a), 0);
    assert_int_equal(a.af, AF_INET);   /* ::ffff:127.0.0.2 is 127.0.0.2 */
    src_addr_text(&a, -1, text, sizeof(text));
    assert_string_equal(text, "127.0.0.2");
    s6.sin6_addr.s6_addr[0] = 0x20;
    s6.sin6_addr.s6_addr[1] = 0x01;
    s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0;
    assert_int_equal(src_addr_of((struct sockaddr *)&s6, &a), 0);
    assert_int_equal(a.af, AF_INET6);
    o.netblock6 = 64;
    b = a;
    b.a[15] = 99;
    a = src_net(&o, &a);
    b = src_net(&o, &b);
    assert_true(src_addr_eq(&a, &b));
    src_addr_text(&a, 64, text, sizeof(text));
    assert_string_equal(text, "2001::/64");
    opts_free(&o);
}

static void test_exit_statuses(void **st)
{
    (void)st;
    assert_int_equal(srclimit_kind_of_status(0, 0), PENALTY_NONE);
    assert_int_equal(srclimit_kind_of_status(EXIT_LOGIN_GRACE << 8, 0), PENALTY_GRACE);
    assert_int_equal(srclimit_kind_of_status(EXIT_AUTH_ATTEMPTED << 8, 0), PENALTY_AUTHFAIL);
    assert_int_equal(srclimit_kind_of_status(EXIT_INVALID_USER << 8, 0), PENALTY_INVALIDUSER);
    assert_int_equal(srclimit_kind_of_status(255 << 8, 0), PENALTY_NOAUTH);
    assert_int_equal(srclimit_kind_of_status(255 << 8, 1), PENALTY_NONE);
    assert_int_equal(srclimit_kind_of_status(SIGSEGV, 1), PENALTY_CRASH);   /* signalled */
    assert_int_equal(srclimit_kind_of_status(SIGTERM, 0), PENALTY_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deferred_then_active),
        cmocka_unit_test(test_crash_max_and_netblock),
        cmocka_unit_test(test_exempt_and_disabled),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_ipv6_and_mapped),
        cmocka_unit_test(test_exit_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
