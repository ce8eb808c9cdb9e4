/*
 * PubkeyAuthOptions, RequiredRSASize, ChannelTimeout,
 * UnusedConnectionTimeout and LogVerbose lines (sshd_config(5)), and the
 * authorized_keys options no-touch-required and verify-required.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "authkeys_int.h"
#include "opts.h"

static char err[512];

static int line(daemon_opts *o, const char *l)
{
    err[0] = 0;
    return config_line(o, l, "test", 1, err, sizeof(err));
}

static void test_defaults(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.pubkey_auth_options, 0);
    assert_int_equal(o.required_rsa_size, 1024);
    assert_int_equal(o.n_chan_timeouts, 0);
    assert_int_equal(o.unused_timeout, 0);
    assert_int_equal((int)o.log_verbose.n, 0);
    opts_free(&o);
}

static void test_pubkey_auth_options(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "PubkeyAuthOptions touch-required verify-required"), 0);
    assert_int_equal(line(&o, "PubkeyAuthOptions none"), 0);   /* first wins */
    assert_int_equal(o.pubkey_auth_options,
                     PKAUTH_TOUCH_REQUIRED | PKAUTH_VERIFY_REQUIRED);
    assert_true(line(&o, "PubkeyAuthOptions touch") < 0);
    assert_non_null(strstr(err, "unsupported PubkeyAuthOptions option touch"));
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "PubkeyAuthOptions none"), 0);
    assert_int_equal(o.pubkey_auth_options, 0);
    opts_free(&o);
}

static void test_required_rsa_size(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "RequiredRSASize 3072"), 0);
    assert_int_equal(o.required_rsa_size, 3072);
    assert_true(line(&o, "RequiredRSASize big") < 0);
    opts_free(&o);
}

static void test_channel_timeout(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "ChannelTimeout session:*=5m direct-tcpip=30 global=1h"), 0);
    assert_int_equal(line(&o, "ChannelTimeout session=1"), 0);   /* first wins */
    assert_int_equal(o.n_chan_timeouts, 3);
    assert_string_equal(o.chan_timeouts[0].type, "session:*");
    assert_int_equal(o.chan_timeouts[0].seconds, 300);
    assert_string_equal(o.chan_timeouts[1].type, "direct-tcpip");
    assert_int_equal(o.chan_timeouts[1].seconds, 30);
    assert_string_equal(o.chan_timeouts[2].type, "global");
    assert_int_equal(o.chan_timeouts[2].seconds, 3600);
    assert_true(line(&o, "ChannelTimeout session") < 0);
    assert_non_null(strstr(err, "invalid channel timeout session"));
    assert_true(line(&o, "ChannelTimeout =5") < 0);
    assert_true(line(&o, "ChannelTimeout session=5x") < 0);
    assert_true(line(&o, "ChannelTimeout none session=5") < 0);
    assert_non_null(strstr(err, "must appear alone"));
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "ChannelTimeout none"), 0);
    assert_int_equal(line(&o, "ChannelTimeout session=5"), 0);
    assert_int_equal(o.n_chan_timeouts, 0);
    opts_free(&o);
}

static void test_unused_timeout(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "UnusedConnectionTimeout 1h30m"), 0);
    assert_int_equal(o.unused_timeout, 5400);
    opts_free(&o);
    opts_init(&o);
    assert_int_equal(line(&o, "UnusedConnectionTimeout none"), 0);
    assert_int_equal(o.unused_timeout, 0);
    assert_true(line(&o, "UnusedConnectionTimeout soon") < 0);
    opts_free(&o);
}

static void test_log_verbose(void **state)
{
    daemon_opts o;
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "LogVerbose authcb.c:*:* *:chantime_tick():*"), 0);
    assert_int_equal((int)o.log_verbose.n, 2);
    assert_string_equal(o.log_verbose.v[1], "*:chantime_tick():*");
    opts_free(&o);
}

static void test_authkeys_sk_options(void **state)
{
    authkey_opts ko;
    char why[256];
    (void)state;
    memset(&ko, 0, sizeof(ko));
    assert_int_equal(authkeys_parse_opts("no-touch-required,verify-required",
                                         33, &ko, why, sizeof(why)), 0);
    assert_int_equal(ko.no_touch_required, 1);
    assert_int_equal(ko.verify_required, 1);
    authkeys_opts_free(&ko);
    memset(&ko, 0, sizeof(ko));
    assert_int_equal(authkeys_parse_opts("restrict", 8, &ko, why, sizeof(why)), 0);
    assert_int_equal(ko.no_touch_required, 0);   /* restrict leaves them */
    assert_int_equal(ko.verify_required, 0);
    authkeys_opts_free(&ko);
    memset(&ko, 0, sizeof(ko));
    assert_int_equal(authkeys_parse_opts("verify-required=\"x\"", 19, &ko, why,
                                         sizeof(why)), -1);
    authkeys_opts_free(&ko);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_pubkey_auth_options),
        cmocka_unit_test(test_required_rsa_size),
        cmocka_unit_test(test_channel_timeout),
        cmocka_unit_test(test_unused_timeout),
        cmocka_unit_test(test_log_verbose),
        cmocka_unit_test(test_authkeys_sk_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
