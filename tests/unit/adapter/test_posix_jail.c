/* ChrootDirectory's checks (jail.c): sshd's sentences for each refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "jail.h"

static void expect_refusal(const char *path, const char *why)
{
    char got[4200];
    got[0] = 0;
    assert_int_equal(jail_check(path, got, sizeof(got)), -1);
    assert_string_equal(got, why);
}

static void test_good_paths(void **st)
{
    char why[256];
    (void)st;
    assert_int_equal(jail_check("/", why, sizeof(why)), 0);
    assert_int_equal(jail_check("/usr/", why, sizeof(why)), 0);
    assert_int_equal(jail_check("/usr/bin", why, sizeof(why)), 0);
}

static void test_refusals(void **st)
{
    char dir[] = "/tmp/nssh-jail-XXXXXX", want[200];
    char *longp = malloc(5000);
    (void)st;
    expect_refusal("srv/jail", "chroot path does not begin at root");
    memset(longp, 'a', 4999);
    longp[0] = '/';
    longp[4999] = 0;
    expect_refusal(longp, "chroot path too long");
    free(longp);
    expect_refusal("/nonexistent-nssh-jail",
                   "stat(\"/nonexistent-nssh-jail\"): No such file or directory");
    expect_refusal("/etc/passwd", "chroot path \"/etc/passwd\" is not a directory");
    /* /tmp is writable by everyone: the component is named with its
     * trailing slash, as sshd names it. */
    assert_non_null(mkdtemp(dir));
    snprintf(want, sizeof(want), "bad ownership or modes for chroot directory "
             "component \"/tmp/\"");
    expect_refusal(dir, want);
    rmdir(dir);
}

/* As root: a directory of root's that its group may write to. */
static void test_group_writable(void **st)
{
    char dir[] = "/run/nssh-jail-XXXXXX", want[200], why[200];
    (void)st;
    if (geteuid() != 0 || !mkdtemp(dir))
        return;   /* needs root (as ChrootDirectory does) */
    chmod(dir, 0755);
    assert_int_equal(jail_check(dir, why, sizeof(why)), 0);
    chmod(dir, 0775);
    snprintf(want, sizeof(want),
             "bad ownership or modes for chroot directory \"%s\"", dir);
    expect_refusal(dir, want);
    if (chown(dir, 1, 0) == 0) {
        chmod(dir, 0755);
        expect_refusal(dir, want);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_paths),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_group_writable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
