/*
 * sshd_config value parsers of the POSIX adapter: sizes, times, RekeyLimit,
 * ListenAddress, ports, LogLevel names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "log.h"
#include "optval.h"

static void test_size(void **state)
{
    uint64_t v = 7;
    (void)state;
    assert_int_equal(optval_size("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(optval_size("1024", &v), 0);
    assert_int_equal(v, 1024);
    assert_int_equal(optval_size("64K", &v), 0);
    assert_int_equal(v, 64u * 1024);
    assert_int_equal(optval_size("500M", &v), 0);
    assert_int_equal(v, 500ull << 20);
    assert_int_equal(optval_size("1G", &v), 0);
    assert_int_equal(v, 1ull << 30);
    assert_int_equal(optval_size("2g", &v), 0);
    assert_int_equal(v, 2ull << 30);
    assert_int_equal(optval_size("3T", &v), 0);
    assert_int_equal(v, 3ull << 40);
    v = 7;
    assert_int_equal(optval_size("", &v), NSSH_ERR_FORMAT);
    assert_int_equal(optval_size("1X", &v), NSSH_ERR_FORMAT);
    assert_int_equal(optval_size("1GB", &v), NSSH_ERR_FORMAT);
    assert_int_equal(optval_size("-1", &v), NSSH_ERR_FORMAT);
    assert_int_equal(optval_size(" 1", &v), NSSH_ERR_FORMAT);
    assert_int_equal(optval_size("99999999999999999999", &v), NSSH_ERR_FORMAT);
    assert_int_equal(optval_size("17179869184T", &v), NSSH_ERR_FORMAT);
    assert_int_equal(v, 7);   /* untouched on error */
}

static void test_time(void **state)
{
    uint64_t t = 0;
    (void)state;
    assert_int_equal(optval_time("90", &t), 0);
    assert_int_equal(t, 90);
    assert_int_equal(optval_time("10s", &t), 0);
    assert_int_equal(t, 10);
    assert_int_equal(optval_time("5m", &t), 0);
    assert_int_equal(t, 300);
    assert_int_equal(optval_time("1h", &t), 0);
    assert_int_equal(t, 3600);
    assert_int_equal(optval_time("1h30m", &t), 0);
    assert_int_equal(t, 5400);
    assert_int_equal(optval_time("2d", &t), 0);
    assert_int_equal(t, 172800);
    assert_int_equal(optval_time("1W", &t), 0);
    assert_int_equal(t, 604800);
    assert_int_equal(optval_time("1m10", &t), 0);
    assert_int_equal(t, 70);
    assert_int_equal(optval_time("0", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(optval_time("", &t), NSSH_ERR_FORMAT);
    assert_int_equal(optval_time("m", &t), NSSH_ERR_FORMAT);
    assert_int_equal(optval_time("10x", &t), NSSH_ERR_FORMAT);
    assert_int_equal(optval_time("10 s", &t), NSSH_ERR_FORMAT);
    assert_int_equal(optval_time("99999999999999999999w", &t), NSSH_ERR_FORMAT);
}

static void test_rekey(void **state)
{
    uint64_t b = 1;
    uint32_t s = 1;
    (void)state;
    assert_int_equal(optval_rekey("1G", NULL, &b, &s), 0);
    assert_int_equal(b, 1ull << 30);
    assert_int_equal(s, 0);
    assert_int_equal(optval_rekey("500M", "1h", &b, &s), 0);
    assert_int_equal(b, 500ull << 20);
    assert_int_equal(s, 3600);
    assert_int_equal(optval_rekey("default", "none", &b, &s), 0);
    assert_int_equal(b, 0);
    assert_int_equal(s, 0);
    assert_int_equal(optval_rekey("none", "10s", &b, &s), 0);
    assert_int_equal(b, UINT64_MAX);
    assert_int_equal(s, 10);
    assert_int_equal(optval_rekey("64K", "default", &b, &s), 0);
    assert_int_equal(b, 65536);
    assert_int_equal(s, 0);
    assert_int_equal(optval_rekey("8", NULL, &b, &s), NSSH_ERR_FORMAT);  /* < 16 */
    assert_int_equal(optval_rekey("1G", "soon", &b, &s), NSSH_ERR_FORMAT);
    assert_int_equal(optval_rekey("lots", NULL, &b, &s), NSSH_ERR_FORMAT);
    assert_int_equal(optval_rekey("1G", "8000w", &b, &s), NSSH_ERR_FORMAT);
}

static void listen_ok(const char *in, const char *host, int port)
{
    char h[256];
    int p = -1;
    assert_int_equal(optval_listen(in, h, sizeof(h), &p), 0);
    assert_string_equal(h, host);
    assert_int_equal(p, port);
}

static void test_listen(void **state)
{
    char h[256];
    int p;
    (void)state;
    listen_ok("127.0.0.1", "127.0.0.1", 0);
    listen_ok("127.0.0.1:2222", "127.0.0.1", 2222);
    listen_ok("localhost:22", "localhost", 22);
    listen_ok("[::1]:2222", "::1", 2222);
    listen_ok("[::1]", "::1", 0);
    listen_ok("::1", "::1", 0);
    listen_ok("::", "::", 0);
    listen_ok("fe80::1:2", "fe80::1:2", 0);
    listen_ok("0.0.0.0", "0.0.0.0", 0);
    assert_int_equal(optval_listen("", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("host:", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("host:0", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("host:65536", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen(":22", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("[::1", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("[::1]x", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("[]:22", h, sizeof(h), &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_listen("abcdef", h, 4, &p), NSSH_ERR_FORMAT);
}

static void test_port_uint(void **state)
{
    int p = 0;
    unsigned long v = 0;
    (void)state;
    assert_int_equal(optval_port("22", &p), 0);
    assert_int_equal(p, 22);
    assert_int_equal(optval_port("65535", &p), 0);
    assert_int_equal(optval_port("0", &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_port("65536", &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_port("22a", &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_port("", &p), NSSH_ERR_FORMAT);
    assert_int_equal(optval_uint("6", 10, &v), 0);
    assert_int_equal(v, 6);
    assert_int_equal(optval_uint("11", 10, &v), NSSH_ERR_FORMAT);
}

static void test_loglevel(void **state)
{
    int l = -1;
    (void)state;
    assert_int_equal(log_level_from_name("QUIET", &l), 0);
    assert_int_equal(l, LL_QUIET);
    assert_int_equal(log_level_from_name("fatal", &l), 0);
    assert_int_equal(l, LL_FATAL);
    assert_int_equal(log_level_from_name("ERROR", &l), 0);
    assert_int_equal(l, LL_ERROR);
    assert_int_equal(log_level_from_name("INFO", &l), 0);
    assert_int_equal(l, LL_INFO);
    assert_int_equal(log_level_from_name("Verbose", &l), 0);
    assert_int_equal(l, LL_VERBOSE);
    assert_int_equal(log_level_from_name("DEBUG", &l), 0);
    assert_int_equal(l, LL_DEBUG1);
    assert_int_equal(log_level_from_name("DEBUG1", &l), 0);
    assert_int_equal(l, LL_DEBUG1);
    assert_int_equal(log_level_from_name("DEBUG2", &l), 0);
    assert_int_equal(l, LL_DEBUG2);
    assert_int_equal(log_level_from_name("DEBUG3", &l), 0);
    assert_int_equal(l, LL_DEBUG3);
    assert_int_equal(log_level_from_name("DEBUG4", &l), NSSH_ERR_FORMAT);
    assert_int_equal(log_level_from_name("", &l), NSSH_ERR_FORMAT);
    assert_string_equal(log_level_name(LL_VERBOSE), "VERBOSE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_rekey),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_port_uint),
        cmocka_unit_test(test_loglevel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
