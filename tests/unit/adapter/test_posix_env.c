/*
 * Session environments (sshd's order and variables) and path tokens
 * (%h, %u, %% in AuthorizedKeysFile).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "env.h"
#include "user.h"

static void test_set_put_get(void **state)
{
    envlist e = { 0 };
    (void)state;
    assert_int_equal(env_set(&e, "A", "1"), 0);
    assert_int_equal(env_set(&e, "AB", "2"), 0);
    assert_int_equal(env_set(&e, "A", "3"), 0);   /* replaces */
    assert_int_equal(e.n, 2);
    assert_string_equal(env_get(&e, "A"), "3");
    assert_string_equal(env_get(&e, "AB"), "2");
    assert_null(env_get(&e, "B"));
    assert_int_equal(env_put(&e, "AB=x=y"), 0);
    assert_string_equal(env_get(&e, "AB"), "x=y");
    assert_int_equal(env_put(&e, "EMPTY="), 0);
    assert_string_equal(env_get(&e, "EMPTY"), "");
    assert_int_equal(env_put(&e, "NOEQUALS"), NSSH_ERR_FORMAT);
    assert_int_equal(env_put(&e, "=v"), NSSH_ERR_FORMAT);
    assert_int_equal(env_set(&e, "", "v"), NSSH_ERR_FORMAT);
    assert_int_equal(env_set(&e, "X=Y", "v"), NSSH_ERR_FORMAT);
    assert_null(e.v[e.n]);   /* execve-ready */
    env_free(&e);
    assert_int_equal(e.n, 0);
}

static void test_many(void **state)
{
    envlist e = { 0 };
    char name[16];
    int i;
    (void)state;
    for (i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "V%d", i);
        assert_int_equal(env_set(&e, name, name), 0);
    }
    assert_int_equal(e.n, 200);
    assert_string_equal(env_get(&e, "V199"), "V199");
    assert_null(e.v[200]);
    env_free(&e);
}

static void test_build(void **state)
{
    char *key_env[] = { "KEYVAR=k", "LANG=from-key" };
    char *client_env[] = { "LANG=C.UTF-8", "SSH_CLIENT=forged" };
    envlist e = { 0 };
    env_inputs in;
    (void)state;
    memset(&in, 0, sizeof(in));
    in.user = "alice";
    in.home = "/home/alice";
    in.shell = "/bin/bash";
    in.uid = 1000;
    in.peer_addr = "192.0.2.7";
    in.peer_port = 50000;
    in.local_addr = "192.0.2.1";
    in.local_port = 22;
    in.key_env = key_env;
    in.n_key_env = 2;
    in.client_env = client_env;
    in.n_client_env = 2;
    assert_int_equal(env_build(&e, &in), 0);
    assert_string_equal(env_get(&e, "USER"), "alice");
    assert_string_equal(env_get(&e, "LOGNAME"), "alice");
    assert_string_equal(env_get(&e, "HOME"), "/home/alice");
    assert_string_equal(env_get(&e, "SHELL"), "/bin/bash");
    assert_string_equal(env_get(&e, "MAIL"), "/var/mail/alice");
    assert_string_equal(env_get(&e, "PATH"), "/usr/local/bin:/usr/bin:/bin:/usr/games");
    assert_string_equal(env_get(&e, "KEYVAR"), "k");
    assert_string_equal(env_get(&e, "LANG"), "C.UTF-8");   /* client after keys */
    /* The daemon's own variables come last and cannot be forged. */
    assert_string_equal(env_get(&e, "SSH_CLIENT"), "192.0.2.7 50000 22");
    assert_string_equal(env_get(&e, "SSH_CONNECTION"), "192.0.2.7 50000 192.0.2.1 22");
    assert_null(env_get(&e, "SSH_TTY"));
    assert_null(env_get(&e, "TERM"));
    assert_null(env_get(&e, "SSH_ORIGINAL_COMMAND"));
    env_free(&e);

    in.uid = 0;
    in.user = "root";
    in.tty = "/dev/pts/3";
    in.term = "xterm-256color";
    in.original_command = "ls -l";
    in.n_key_env = in.n_client_env = 0;
    assert_int_equal(env_build(&e, &in), 0);
    assert_string_equal(env_get(&e, "PATH"),
                        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    assert_string_equal(env_get(&e, "SSH_TTY"), "/dev/pts/3");
    assert_string_equal(env_get(&e, "TERM"), "xterm-256color");
    assert_string_equal(env_get(&e, "SSH_ORIGINAL_COMMAND"), "ls -l");
    env_free(&e);
}

static void expand_ok(const char *tmpl, const char *want)
{
    char out[256];
    assert_int_equal(path_expand(tmpl, "/home/bob", "bob", out, sizeof(out)), 0);
    assert_string_equal(out, want);
}

static void test_path_expand(void **state)
{
    char out[16];
    (void)state;
    expand_ok(".ssh/authorized_keys", "/home/bob/.ssh/authorized_keys");
    expand_ok("%h/.ssh/keys", "/home/bob/.ssh/keys");
    expand_ok("/etc/ssh/keys/%u", "/etc/ssh/keys/bob");
    expand_ok("/etc/%%/%u%%", "/etc/%/bob%");
    expand_ok("%u/keys", "/home/bob/bob/keys");
    assert_int_equal(path_expand("%x", "/h", "u", out, sizeof(out)), NSSH_ERR_FORMAT);
    assert_int_equal(path_expand("/a%", "/h", "u", out, sizeof(out)), NSSH_ERR_FORMAT);
    assert_int_equal(path_expand("/a/very/long/path/indeed", "/h", "u", out, sizeof(out)),
                     NSSH_ERR_NOSPACE);
    assert_int_equal(path_expand("keys", "/", "u", out, sizeof(out)), 0);
    assert_string_equal(out, "/keys");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_put_get),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_path_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
