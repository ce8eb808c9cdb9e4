/*
 * The AuthorizedKeysCommand runner: sshd's word splitting and %-tokens,
 * and real helper runs (as the test's own user): output collected,
 * non-zero exits, relative and unsafe paths, the time bound (a sleeping
 * helper is killed by its PID) and the output bound.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "authcmd.h"
#include "nanossh.h"

static char me[64];

static int setup(void **st)
{
    struct passwd *pw = getpwuid(geteuid());
    (void)st;
    if (!pw)
        return -1;
    snprintf(me, sizeof(me), "%s", pw->pw_name);
    return 0;
}

static void test_split(void **st)
{
    char store[256], *av[8];
    (void)st;
    assert_int_equal(authcmd_split("  /bin/x  a\tb ", store, sizeof(store), av, 8), 3);
    assert_string_equal(av[0], "/bin/x");
    assert_string_equal(av[1], "a");
    assert_string_equal(av[2], "b");
    assert_int_equal(authcmd_split("/p \"a b\" 'c \"d' e\\ f g\\h \\\"", store,
                                   sizeof(store), av, 8), 6);
    assert_string_equal(av[1], "a b");
    assert_string_equal(av[2], "c \"d");
    assert_string_equal(av[3], "e f");
    assert_string_equal(av[4], "g\\h");   /* unknown escape kept */
    assert_string_equal(av[5], "\"");
    assert_int_equal(authcmd_split("x\"y z\"w", store, sizeof(store), av, 8), 1);
    assert_string_equal(av[0], "xy zw");
    assert_int_equal(authcmd_split("", store, sizeof(store), av, 8), 0);
    assert_int_equal(authcmd_split("a 'b", store, sizeof(store), av, 8), -1);
    assert_int_equal(authcmd_split("a b c", store, sizeof(store), av, 2), -1);
    assert_int_equal(authcmd_split("abcdef", store, 4, av, 8), -1);
}

static void test_expand(void **st)
{
    const authcmd_token t[] = { { 'u', "alice" }, { 'h', "/home/alice" },
                                { 'i', NULL } };
    char out[32], why[64];
    (void)st;
    assert_int_equal(authcmd_expand("%u:%h:%%:x", t, 3, out, sizeof(out), why,
                                    sizeof(why)), 21);
    assert_string_equal(out, "alice:/home/alice:%:x");
    assert_int_equal(authcmd_expand("%k", t, 3, out, sizeof(out), why, sizeof(why)), -1);
    assert_non_null(strstr(why, "%k"));
    assert_int_equal(authcmd_expand("%i", t, 3, out, sizeof(out), why, sizeof(why)), -1);
    assert_int_equal(authcmd_expand("50%", t, 3, out, sizeof(out), why, sizeof(why)), -1);
    assert_int_equal(authcmd_expand("%h%h", t, 3, out, 16, why, sizeof(why)), -1);
    assert_int_equal(authcmd_expand("", t, 3, out, sizeof(out), why, sizeof(why)), 0);
}

static int run(const char *cmd, unsigned timeout_ms, size_t max, char **out,
               size_t *len)
{
    const authcmd_token t[] = { { 'u', me } };
    authcmd_req rq = { .tag = "AuthorizedKeysCommand", .command = cmd,
                       .run_as = me, .toks = t, .n_toks = 1,
                       .default_arg = "dflt", .timeout_ms = timeout_ms,
                       .max_output = max };
    return authcmd_run(&rq, out, len);
}

static void test_run_output(void **st)
{
    char *out = NULL, want[128];
    size_t len = 0;
    (void)st;
    assert_int_equal(run("/bin/echo %u 'two words' %%", 0, 0, &out, &len), 0);
    snprintf(want, sizeof(want), "%s two words %%\n", me);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
    assert_int_equal(run("/bin/echo", 0, 0, &out, &len), 0);   /* default arg */
    assert_string_equal(out, "dflt\n");
    free(out);
    /* nothing printed is an empty buffer, not a failure */
    assert_int_equal(run("/bin/true", 0, 0, &out, &len), 0);
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    free(out);
    /* stderr goes to the log, stdout is kept apart */
    assert_int_equal(run("/bin/sh -c 'echo to-log >&2; echo kept'", 0, 0, &out,
                         &len), 0);
    assert_string_equal(out, "kept\n");
    free(out);
    /* the minimal environment: the daemon's own variables stay out */
    setenv("NSSH_AKC_MARK", "1", 1);
    assert_int_equal(run("/bin/sh -c env", 0, 0, &out, &len), 0);
    assert_non_null(strstr(out, "PATH="));
    assert_null(strstr(out, "NSSH_AKC_MARK"));
    unsetenv("NSSH_AKC_MARK");
    free(out);
}

static void test_run_refusals(void **st)
{
    char *out = (char *)1, path[] = "/tmp/nssh_akcXXXXXX";
    size_t len = 7;
    FILE *f;
    int fd;
    (void)st;
    assert_true(run("/bin/false", 0, 0, &out, &len) < 0);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_true(run("/bin/sh -c 'kill -9 $$'", 0, 0, &out, &len) < 0);
    assert_true(run("bin/echo x", 0, 0, &out, &len) < 0);       /* relative */
    assert_true(run("/nonexistent/prog", 0, 0, &out, &len) < 0);
    assert_true(run("/bin/echo 'unbalanced", 0, 0, &out, &len) < 0);
    assert_true(run("/bin/echo %z", 0, 0, &out, &len) < 0);     /* bad token */
    assert_true(run("   ", 0, 0, &out, &len) < 0);
    /* a program in a world-writable directory (/tmp) is not run */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("#!/bin/sh\necho unsafe\n", f);
    fclose(f);
    chmod(path, 0755);
    assert_true(run(path, 0, 0, &out, &len) < 0);
    unlink(path);
    /* an unknown user */
    {
        authcmd_req rq = { .tag = "AuthorizedKeysCommand",
                           .command = "/bin/echo", .run_as = "no-such-user-x" };
        assert_true(authcmd_run(&rq, &out, &len) < 0);
    }
}

static long elapsed_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void test_run_bounds(void **st)
{
    struct timespec t0;
    char *out = NULL;
    size_t len;
    (void)st;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* the helper's own child keeps the pipe open: killed with it */
    assert_int_equal(run("/bin/sh -c 'echo x; sleep 20; echo y'", 300, 0, &out,
                         &len), NSSH_ERR_TIMEOUT);
    assert_true(elapsed_ms(&t0) < 5000);
    assert_null(out);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(run("/usr/bin/yes", 5000, 4096, &out, &len), NSSH_ERR_TIMEOUT);
    assert_true(elapsed_ms(&t0) < 5000);
    /* exactly at the bound is fine */
    assert_int_equal(run("/usr/bin/head -c 4096 /dev/zero", 5000, 4096, &out,
                         &len), 0);
    assert_int_equal(len, 4096);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_run_output),
        cmocka_unit_test(test_run_refusals),
        cmocka_unit_test(test_run_bounds),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
