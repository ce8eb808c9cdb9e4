/*
 * The "password" method, server role (RFC 4252 section 8):
 *
 *     boolean FALSE, string password                 a login
 *     boolean TRUE, string old, string new           a change request
 *
 * The application judges the password through auth_password. A change
 * request is refused (FAILURE, counted), as RFC 4252 lets a server do when
 * it does not support changes. Whatever the outcome, the received
 * passwords are wiped from the packet buffer before returning.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#if NSSH_ENABLE_SERVER

#define REQ "SSH_MSG_USERAUTH_REQUEST"

/* Wipe the packet from the first password field to its end: the fields
 * themselves and anything a malformed request left after them. The
 * packet lives in the connection's own (writable) input buffer. */
static void wipe_rest(rd *r, size_t from)
{
    if (from < r->len)
        nssh_wipe((uint8_t *)(uintptr_t)(r->p + from), r->len - from);
}

static int parse(nssh_conn *c, rd *r, int *change, nssh_str *pw)
{
    nssh_str newpw;
    if (rd_bool(r, change) < 0)
        return auth_bad(c, REQ, "password change flag", "missing boolean");
    if (rd_str(r, pw) < 0)
        return auth_bad(c, REQ, "password", "truncated string");
    if (*change && rd_str(r, &newpw) < 0)
        return auth_bad(c, REQ, "new password", "truncated string");
    if (rd_end(r) < 0)
        return auth_bad(c, REQ, *change ? "new password" : "password",
                        "trailing bytes after the field");
    return 0;
}

int auth_password(nssh_conn *c, rd *r, nssh_str user, int user_ok)
{
    nssh_str pw = { NULL, 0 };
    size_t from = r->pos;
    const char *why = NULL;
    int change = 0, ok = 0, e;
    if ((e = parse(c, r, &change, &pw)) < 0) {
        wipe_rest(r, from);
        return e;
    }
    if (!(c->cfg->auth_methods & NSSH_METHOD_PASSWORD) || !c->cb->auth_password)
        why = "method not allowed";
    else if (!user_ok)
        why = "invalid user name";
    else if (change)
        why = "password change not supported";
    else if (!(ok = c->cb->auth_password(c->cfg->user, user, pw) ==
                    NSSH_CB_ACCEPT))
        why = "refused";
    wipe_rest(r, from);
    if (why)
        conn_log(c, NSSH_LOG_VERBOSE, "auth", REQ, NULL, "password for %.*s: %s",
                 str_clip(user), user.p, why);
    if (ok)
        return auth_succeed(c, user, "password", NULL, NULL, 0);
    if (user_ok)
        auth_report(c, user, "password", NULL, NULL, 0, 0);
    return auth_failed(c, user);
}

#endif /* NSSH_ENABLE_SERVER */
