/*
 * asuser_run (asuser.c): socket work done with the user's identity. Run
 * as root, the work happens in a child with the user's uid and gid (here
 * "nobody") and a descriptor comes back; run as anyone else, in process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "forward.h"

static char dir[64];

/* Make a listening socket in dir and report who we ran as. */
static int make_listener(void *arg)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
    *(pid_t *)arg = getpid();   /* seen by the caller only in process */
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 4) < 0)
        return -errno;
    return fd;
}

static int fail_eacces(void *arg)
{
    (void)arg;
    return -EACCES;
}

static int done_no_fd(void *arg)
{
    (void)arg;
    return 0;
}

static void user_of(user_info *u)
{
    struct passwd *pw = getpwnam(geteuid() == 0 ? "nobody" : "root");
    memset(u, 0, sizeof(*u));
    if (geteuid() != 0 || !pw) {
        pw = getpwuid(geteuid());
        assert_non_null(pw);
    }
    snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
}

static void test_descriptor_and_identity(void **state)
{
    user_info u;
    struct stat st;
    char path[128];
    pid_t ran = 0;
    int fd, c;
    struct sockaddr_un sun;
    (void)state;
    user_of(&u);
    strcpy(dir, "/tmp/nssh-asuser-XXXXXX");
    assert_non_null(mkdtemp(dir));
    chmod(dir, 0777);   /* the user may create the socket */
    fd = asuser_run(&u, make_listener, &ran);
    assert_true(fd > 2);
    /* The descriptor is a listening socket of this process. */
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
    close(c);
    snprintf(path, sizeof(path), "%s/s", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, u.uid);   /* made with the user's identity */
    assert_int_equal(st.st_gid, u.gid);
    if (geteuid() == 0)
        assert_int_equal(ran, 0);          /* in a child: our copy untouched */
    else
        assert_int_equal(ran, getpid());   /* not root: in process */
    close(fd);
    unlink(path);
    rmdir(dir);
}

static void test_errors_and_plain_success(void **state)
{
    user_info u;
    (void)state;
    user_of(&u);
    assert_int_equal(asuser_run(&u, fail_eacces, NULL), -EACCES);
    assert_int_equal(asuser_run(&u, done_no_fd, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor_and_identity),
        cmocka_unit_test(test_errors_and_plain_success),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
