/*
 * Password and keyboard-interactive logins, both checked by PAM
 * (pamauth.c). keyboard-interactive asks one hidden "Password: " prompt
 * and checks the answer the same way.
 *
 * A failed attempt takes the same time whoever it names: an unknown user,
 * one this daemon may not serve, root refused by PermitRootLogin and a
 * wrong password all run PAM (unknown names with a placeholder name) and
 * then wait until AUTH_FAIL_MS have passed since the attempt began, so
 * the time of the answer does not tell which accounts exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "session.h"
#include "loop.h"

/* Length of every failed attempt, as pam_unix's own default delay. */
#define AUTH_FAIL_MS 2000u
/* What PAM checks the password against when the name is not one to
 * serve: the result is ignored, only the work and the time count. */
#define PLACEHOLDER_USER "nanossh-no-such-user"

static void wait_until(uint64_t deadline)
{
    uint64_t now;
    struct timespec ts;
    while ((now = loop_now_ms()) < deadline) {
        ts.tv_sec = (time_t)((deadline - now) / 1000u);
        ts.tv_nsec = (long)((deadline - now) % 1000u) * 1000000L;
        if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
            break;
    }
}

/* The name as a C string, or "" when it is too long or holds a NUL. */
static void copy_str(char *dst, size_t cap, nssh_str v)
{
    dst[0] = 0;
    if (v.n < cap && !memchr(v.p, 0, v.n)) {
        memcpy(dst, v.p, v.n);
        dst[v.n] = 0;
    }
}

/* One attempt with method "password" or "keyboard-interactive". */
static int check(dconn *s, nssh_str username, nssh_str password,
                 const char *method)
{
    uint64_t start = loop_now_ms();
    char name[NSSH_USER_MAX + 1], *pw;
    int ok = 0, serve;
    copy_str(name, sizeof(name), srv_user_part(username));
    snprintf(s->user, sizeof(s->user), "%s", name);
    serve = name[0] && srv_user_ok(s, name) && srv_root_ok(s, method);
    if (!(pw = malloc(password.n + 1)))
        return NSSH_CB_REFUSE;
    memcpy(pw, password.p, password.n);
    pw[password.n] = 0;
    if (memchr(password.p, 0, password.n))
        serve = 0;   /* a password with a NUL cannot be right */
    ok = pamauth_password(s, serve ? name : PLACEHOLDER_USER, pw) == 0 && serve;
    explicit_bzero(pw, password.n + 1);
    free(pw);
    if (!ok) {
        if (!serve)
            pamauth_end(s);   /* nothing of the placeholder run is kept */
        wait_until(start + AUTH_FAIL_MS);
    }
    return ok ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

int srv_auth_password(void *user, nssh_str username, nssh_str password)
{
    return check(user, username, password, "password");
}

/* Every name gets the prompt, so the question asked tells nothing. */
int srv_kbdint_start(void *user, nssh_str username, nssh_str submethods,
                     nssh_kbdint *q)
{
    (void)user;
    (void)username;
    (void)submethods;
    q->n_prompts = 1;
    q->prompt[0].text = "Password: ";
    q->prompt[0].echo = 0;
    return NSSH_CB_MORE;
}

int srv_kbdint_respond(void *user, nssh_str username,
                       const nssh_str *responses, size_t n, nssh_kbdint *q)
{
    (void)q;
    if (n != 1)
        return NSSH_CB_REFUSE;
    return check(user, username, responses[0], "keyboard-interactive");
}
