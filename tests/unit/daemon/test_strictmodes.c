/*
 * StrictModes: the owner and mode check of an authorized_keys file and
 * the directories above it, on real files in a private directory that
 * plays the home directory.
 */
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

#include "strictmodes.h"

static char home[64], sshdir[128], ak[160];

static int setup(void **st)
{
    FILE *f;
    (void)st;
    strcpy(home, "/tmp/nssh_strictXXXXXX");
    if (!mkdtemp(home))
        return -1;
    snprintf(sshdir, sizeof(sshdir), "%s/.ssh", home);
    snprintf(ak, sizeof(ak), "%s/authorized_keys", sshdir);
    if (mkdir(sshdir, 0700) < 0 || !(f = fopen(ak, "w")))
        return -1;
    fputs("ssh-ed25519 AAAA\n", f);
    fclose(f);
    return chmod(ak, 0600);
}

static int teardown(void **st)
{
    (void)st;
    unlink(ak);
    rmdir(sshdir);
    rmdir(home);
    return 0;
}

static void test_good_modes(void **st)
{
    char why[256];
    (void)st;
    assert_int_equal(strict_path_ok(ak, getuid(), home, why, sizeof(why)), 0);
    assert_string_equal(why, "");
}

static void test_writable_dir_refused(void **st)
{
    char why[256], want[200];
    (void)st;
    assert_int_equal(chmod(sshdir, 0770), 0);
    assert_true(strict_path_ok(ak, getuid(), home, why, sizeof(why)) < 0);
    snprintf(want, sizeof(want), "bad ownership or modes for directory %s", sshdir);
    assert_string_equal(why, want);
    assert_int_equal(chmod(sshdir, 0700), 0);
    /* the home directory itself is checked too */
    assert_int_equal(chmod(home, 0777), 0);
    assert_true(strict_path_ok(ak, getuid(), home, why, sizeof(why)) < 0);
    snprintf(want, sizeof(want), "bad ownership or modes for directory %s", home);
    assert_string_equal(why, want);
    assert_int_equal(chmod(home, 0700), 0);
}

static void test_writable_file_refused(void **st)
{
    char why[256], want[200];
    (void)st;
    assert_int_equal(chmod(ak, 0602), 0);
    assert_true(strict_path_ok(ak, getuid(), home, why, sizeof(why)) < 0);
    snprintf(want, sizeof(want), "bad ownership or modes for file %s", ak);
    assert_string_equal(why, want);
    assert_int_equal(chmod(ak, 0600), 0);
}

static void test_other_owner_refused(void **st)
{
    char why[256];
    (void)st;
    if (getuid() != 0)   /* chown needs root; root-owned files always pass */
        return;
    assert_int_equal(chown(ak, 12345, 12345), 0);
    assert_true(strict_path_ok(ak, 54321, home, why, sizeof(why)) < 0);
    assert_non_null(strstr(why, "for file"));
    assert_int_equal(strict_path_ok(ak, 12345, home, why, sizeof(why)), 0);
    assert_int_equal(chown(ak, 0, 0), 0);
}

static void test_outside_home_walks_to_root(void **st)
{
    struct stat sb;
    char why[256];
    (void)st;
    /* with another home, the walk goes on past our directory to "/" and
     * meets /tmp, world-writable where it is the usual sticky one */
    assert_int_equal(stat("/tmp", &sb), 0);
    if (sb.st_mode & S_IWOTH) {
        assert_true(strict_path_ok(ak, getuid(), "/nonexistent", why,
                                   sizeof(why)) < 0);
        assert_string_equal(why, "bad ownership or modes for directory /tmp");
    }
}

static void test_missing_file(void **st)
{
    char why[256], path[200];
    (void)st;
    snprintf(path, sizeof(path), "%s/none", sshdir);
    assert_int_equal(strict_path_ok(path, getuid(), home, why, sizeof(why)), 1);
    assert_string_equal(why, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_modes),
        cmocka_unit_test(test_writable_dir_refused),
        cmocka_unit_test(test_writable_file_refused),
        cmocka_unit_test(test_other_owner_refused),
        cmocka_unit_test(test_outside_home_walks_to_root),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
