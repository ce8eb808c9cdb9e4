/*
 * Password, keyboard-interactive and empty-password ("none") logins, all
 * checked by PAM (pamauth.c); keyboard-interactive asks PAM's own
 * questions (pamconv.c).
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

#include <security/pam_appl.h>

#include "auth.h"
#include "authmeth.h"
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
    if (!password.n && s->o->permit_empty_passwd <= 0)
        serve = 0;   /* PermitEmptyPasswords no, as sshd: before PAM */
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

/* Method "none" with PermitEmptyPasswords and PasswordAuthentication,
 * as sshd: once per connection, the empty password through PAM (which
 * accepts it only for an account whose password is empty, pam_unix's
 * nullok). Not a counted attempt, so not padded. */
int srv_auth_none(void *user, nssh_str username)
{
    dconn *s = user;
    char name[NSSH_USER_MAX + 1];
    if (s->none_tried || s->o->permit_empty_passwd <= 0 ||
        !opts_password_auth(s->o) || !authmeth_allowed(s, "none", NULL))
        return NSSH_CB_REFUSE;
    s->none_tried = 1;
    copy_str(name, sizeof(name), srv_user_part(username));
    snprintf(s->user, sizeof(s->user), "%s", name);
    if (!name[0] || !srv_user_ok(s, name) || !srv_root_ok(s, "password"))
        return NSSH_CB_REFUSE;
    if (pamauth_password(s, name, "") == 0)
        return NSSH_CB_ACCEPT;
    pamauth_end(s);
    return NSSH_CB_REFUSE;
}

/* The end of a conversation: PAM's verdict, for a name we serve only. */
static int kbd_verdict(dconn *s, int r, int status)
{
    int ok;
    if (r == NSSH_CB_MORE)
        return r;
    ok = r == NSSH_CB_REFUSE && status == PAM_SUCCESS && s->kbd_name[0];
    if (r == NSSH_CB_REFUSE)
        pamauth_finish(s, ok ? PAM_SUCCESS
                             : status == PAM_SUCCESS ? PAM_AUTH_ERR : status);
    if (ok)
        return NSSH_CB_ACCEPT;
    if (!s->kbd_name[0])
        pamauth_end(s);   /* nothing of a placeholder run is kept */
    wait_until(s->kbd_start + AUTH_FAIL_MS);
    return NSSH_CB_REFUSE;
}

/* PAM asks its own questions (pamconv.c). Every name gets them: one we
 * do not serve runs PAM under a placeholder name and is refused at the
 * end, so the questions asked tell nothing. */
int srv_kbdint_start(void *user, nssh_str username, nssh_str submethods,
                     nssh_kbdint *q)
{
    dconn *s = user;
    char name[NSSH_USER_MAX + 1];
    int serve, status = PAM_AUTH_ERR, r;
    (void)submethods;   /* the one device is PAM */
    s->kbd_start = loop_now_ms();
    copy_str(name, sizeof(name), srv_user_part(username));
    snprintf(s->user, sizeof(s->user), "%s", name);
    serve = name[0] && srv_user_ok(s, name) &&
            srv_root_ok(s, "keyboard-interactive") &&
            authmeth_allowed(s, "keyboard-interactive", "pam");
    snprintf(s->kbd_name, sizeof(s->kbd_name), "%s", serve ? name : "");
    r = pamconv_start(s, serve ? name : PLACEHOLDER_USER, q, &status);
    return kbd_verdict(s, r, status);
}

int srv_kbdint_respond(void *user, nssh_str username,
                       const nssh_str *responses, size_t n, nssh_kbdint *q)
{
    dconn *s = user;
    int status = PAM_AUTH_ERR, r;
    (void)username;   /* the engine keeps the exchange's own */
    s->kbd_start = loop_now_ms();
    r = pamconv_answer(s, responses, n, q, &status);
    if (r < 0)
        r = NSSH_CB_REFUSE;
    return kbd_verdict(s, r, status);
}
