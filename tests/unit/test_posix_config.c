/*
 * nanosshd's options: sshd_config lines (-o and files), the command line,
 * and the defaults.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "posix.h"

static int line(daemon_opts *o, const char *l, char *err, size_t cap)
{
    return config_line(o, l, "test", 3, err, cap);
}

static void test_forms(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "Port 2222", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "port=2223", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "  PORT = 2224  ", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "Port\t2225\r\n", err, sizeof(err)), 0);
    assert_int_equal(o.n_ports, 4);
    assert_int_equal(o.ports[0], 2222);
    assert_int_equal(o.ports[3], 2225);
    assert_int_equal(line(&o, "# a comment", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "   ", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "LogLevel VERBOSE # trailing comment", err, sizeof(err)), 0);
    assert_int_equal(o.log_level, LL_VERBOSE);
    opts_free(&o);
}

static void test_errors(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "Frobnicate yes", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_string_equal(err, "test: line 3: Bad configuration option: Frobnicate");
    assert_int_equal(line(&o, "Port", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "missing argument"));
    assert_int_equal(line(&o, "Port 0", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "test: line 3: Port"));
    assert_int_equal(line(&o, "Port 22 23", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_non_null(strstr(err, "garbage"));
    assert_int_equal(line(&o, "LogLevel LOUD", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "RekeyLimit 1X", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "LoginGraceTime forever", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "MaxAuthTries -1", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "AcceptEnv A=B", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(line(&o, "HostKey \"unterminated", err, sizeof(err)), NSSH_ERR_FORMAT);
    assert_int_equal(o.n_ports, 0);
    opts_free(&o);
}

static void test_first_wins_and_lists(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(line(&o, "LogLevel DEBUG2", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "LogLevel ERROR", err, sizeof(err)), 0);
    assert_int_equal(o.log_level, LL_DEBUG2);
    assert_int_equal(line(&o, "RekeyLimit 1G 1h", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "RekeyLimit 2G", err, sizeof(err)), 0);
    assert_int_equal(o.rekey_bytes, 1ull << 30);
    assert_int_equal(o.rekey_seconds, 3600);
    assert_int_equal(line(&o, "LoginGraceTime 30s", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "LoginGraceTime 1m", err, sizeof(err)), 0);
    assert_int_equal(o.grace_seconds, 30);
    assert_int_equal(line(&o, "MaxAuthTries 3", err, sizeof(err)), 0);
    assert_int_equal(o.max_auth_tries, 3);
    assert_int_equal(line(&o, "AuthorizedKeysFile %h/.ssh/a \"/etc/keys/%u\"", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AuthorizedKeysFile /other", err, sizeof(err)), 0);
    assert_int_equal(o.n_akfiles, 2);
    assert_string_equal(o.akfiles[0], "%h/.ssh/a");
    assert_string_equal(o.akfiles[1], "/etc/keys/%u");
    assert_int_equal(line(&o, "HostKey /a", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "HostKey=/b", err, sizeof(err)), 0);
    assert_int_equal(o.n_hostkeys, 2);
    assert_string_equal(o.hostkeys[1], "/b");
    assert_int_equal(line(&o, "AcceptEnv LANG LC_*", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AcceptEnv TZ", err, sizeof(err)), 0);
    assert_int_equal(o.n_accept_env, 3);
    assert_string_equal(o.accept_env[2], "TZ");
    assert_int_equal(line(&o, "ListenAddress 127.0.0.1", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "ListenAddress [::1]:2200", err, sizeof(err)), 0);
    assert_int_equal(o.n_listen, 2);
    assert_string_equal(o.listen[1].host, "::1");
    assert_int_equal(o.listen[1].port, 2200);
    assert_int_equal(line(&o, "PidFile /run/x.pid", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "PidFile /run/y.pid", err, sizeof(err)), 0);
    assert_string_equal(o.pid_file, "/run/x.pid");
    opts_free(&o);
}

static void test_defaults(void **state)
{
    daemon_opts o;
    char err[256];
    (void)state;
    opts_init(&o);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.n_ports, 1);
    assert_int_equal(o.ports[0], 22);
    assert_int_equal(o.n_listen, 1);
    assert_string_equal(o.listen[0].host, "");
    assert_int_equal(o.log_level, LL_INFO);
    assert_int_equal(o.n_akfiles, 2);
    assert_string_equal(o.akfiles[0], ".ssh/authorized_keys");
    assert_string_equal(o.akfiles[1], ".ssh/authorized_keys2");
    assert_int_equal(o.n_accept_env, 2);
    assert_string_equal(o.accept_env[0], "LANG");
    assert_string_equal(o.accept_env[1], "LC_*");
    assert_int_equal(o.grace_seconds, 120);
    assert_int_equal(o.max_auth_tries, 6);
    assert_int_equal(o.rekey_bytes, 0);
    assert_null(o.pid_file);
    opts_free(&o);
    /* "none" empties the lists. */
    opts_init(&o);
    assert_int_equal(line(&o, "AuthorizedKeysFile none", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "AcceptEnv none", err, sizeof(err)), 0);
    assert_int_equal(line(&o, "PidFile none", err, sizeof(err)), 0);
    assert_int_equal(opts_finish(&o), 0);
    assert_int_equal(o.n_akfiles, 0);
    assert_int_equal(o.n_accept_env, 0);
    assert_null(o.pid_file);
    opts_free(&o);
}

static int parse(daemon_opts *o, int argc, char **argv, int *code)
{
    optind = 0;   /* glibc: full reset between calls */
    opterr = 0;
    return args_parse(o, argc, argv, code);
}

static void test_args(void **state)
{
    char *argv[] = { "nanosshd", "-D", "-e", "-p", "2222", "-h", "/k1",
                     "-h", "/k2", "-o", "Port=2223", "-o", "LogLevel VERBOSE",
                     "-o", "ListenAddress=127.0.0.1", "-f", "/cfg", NULL };
    daemon_opts o;
    char err[256];
    int code = 0;
    (void)state;
    opts_init(&o);
    assert_int_equal(parse(&o, 17, argv, &code), 0);
    assert_true(o.foreground);
    assert_true(o.log_stderr);
    assert_false(o.debug);
    assert_int_equal(o.n_ports, 1);   /* -p makes Port lines ignored */
    assert_int_equal(o.ports[0], 2222);
    assert_int_equal(o.n_hostkeys, 2);
    assert_string_equal(o.hostkeys[1], "/k2");
    assert_int_equal(o.log_level, LL_VERBOSE);
    assert_string_equal(o.config_file, "/cfg");
    assert_int_equal(o.n_listen, 1);
    /* A file read later does not override -o. */
    assert_int_equal(config_line(&o, "LogLevel ERROR", "/cfg", 1, err, sizeof(err)), 0);
    assert_int_equal(o.log_level, LL_VERBOSE);
    opts_free(&o);
}

static void test_args_debug_and_errors(void **state)
{
    char *dbg[] = { "nanosshd", "-dd", NULL };
    char *bad_o[] = { "nanosshd", "-o", "Nope=1", NULL };
    char *bad_p[] = { "nanosshd", "-p", "http", NULL };
    char *extra[] = { "nanosshd", "stray", NULL };
    daemon_opts o;
    int code = 0;
    FILE *saved = stderr;
    (void)state;
    opts_init(&o);
    assert_int_equal(parse(&o, 2, dbg, &code), 0);
    assert_true(o.foreground && o.log_stderr);
    assert_int_equal(o.log_level, LL_DEBUG2);
    opts_free(&o);
    stderr = fopen("/dev/null", "w");   /* the parser prints its complaints */
    opts_init(&o);
    assert_true(parse(&o, 3, bad_o, &code) < 0);
    assert_int_equal(code, 255);
    opts_free(&o);
    opts_init(&o);
    assert_true(parse(&o, 3, bad_p, &code) < 0);
    assert_int_equal(code, 1);
    opts_free(&o);
    opts_init(&o);
    assert_true(parse(&o, 2, extra, &code) < 0);
    assert_int_equal(code, 1);
    opts_free(&o);
    fclose(stderr);
    stderr = saved;
}

static void test_file(void **state)
{
    char path[] = "/tmp/nanosshd-config-XXXXXX";
    const char *text = "# test\nPort 2201\n\nListenAddress 127.0.0.1:2300\n"
                       "AcceptEnv FOO_*\nRekeyLimit 64K 10s\n";
    daemon_opts o;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    opts_init(&o);
    assert_int_equal(config_load(&o, path, 1), 0);
    assert_int_equal(o.ports[0], 2201);
    assert_int_equal(o.listen[0].port, 2300);
    assert_string_equal(o.accept_env[0], "FOO_*");
    assert_int_equal(o.rekey_bytes, 65536);
    assert_int_equal(o.rekey_seconds, 10);
    opts_free(&o);
    unlink(path);
    opts_init(&o);
    assert_int_equal(config_load(&o, "/nonexistent/nanosshd_config", 0), 0);
    opts_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_first_wins_and_lists),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_args_debug_and_errors),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
