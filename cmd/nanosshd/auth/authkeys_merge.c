/*
 * The options of two keys that both succeeded on one connection
 * (AuthenticationMethods publickey,publickey), combined as sshd's
 * sshauthopt_merge combines them: restrictions accumulate (a permission
 * needs both keys), the earliest expiry wins, lists come from the first
 * key that has any, and two different forced commands refuse the login.
 */
#include <stdlib.h>
#include <string.h>

#include "authkeys.h"

static int dup_to(char **dst, const char *a, const char *b)
{
    const char *src = a ? a : b;
    *dst = NULL;
    return src && !(*dst = strdup(src)) ? -1 : 0;
}

static int dup_list(char **dst, size_t *n_dst, char *const *a, size_t n_a,
                    char *const *b, size_t n_b, size_t max)
{
    char *const *src = n_a ? a : b;
    size_t n = n_a ? n_a : n_b, i;
    *n_dst = 0;
    for (i = 0; i < n && i < max; i++) {
        if (!(dst[i] = strdup(src[i])))
            return -1;
        *n_dst = i + 1;
    }
    return 0;
}

int authkeys_opts_merge(const authkey_opts *a, const authkey_opts *b,
                        authkey_opts *out, const char **err)
{
    authkey_opts none;

    memset(out, 0, sizeof(*out));
    *err = "out of memory";
    if (!a) {   /* the first key: its options as they are */
        memset(&none, 0, sizeof(none));
        none.no_touch_required = b->no_touch_required;
        a = &none;
    }
    if (a->command && b->command && strcmp(a->command, b->command)) {
        *err = "forced command options do not match";
        return -1;
    }
    out->restrict_all = a->restrict_all | b->restrict_all;
    out->no_pty = a->no_pty | b->no_pty;
    out->no_port_forwarding = a->no_port_forwarding | b->no_port_forwarding;
    out->no_agent_forwarding = a->no_agent_forwarding | b->no_agent_forwarding;
    out->no_x11_forwarding = a->no_x11_forwarding | b->no_x11_forwarding;
    out->no_user_rc = a->no_user_rc | b->no_user_rc;
    out->no_touch_required = a->no_touch_required && b->no_touch_required;
    out->verify_required = a->verify_required | b->verify_required;
    out->expiry = a->expiry;
    if (b->expiry && (!out->expiry || b->expiry < out->expiry))
        out->expiry = b->expiry;
    /* cert_authority and principals are the search's, not the session's */
    if (dup_to(&out->command, a->command, b->command) < 0 ||
        dup_to(&out->from, a->from, b->from) < 0 ||
        dup_to(&out->comment, b->comment, a->comment) < 0 ||
        dup_list(out->env, &out->n_env, a->env, a->n_env, b->env, b->n_env,
                 AUTHKEYS_MAX_ENV) < 0 ||
        dup_list(out->permitopen, &out->n_permitopen, a->permitopen,
                 a->n_permitopen, b->permitopen, b->n_permitopen,
                 AUTHKEYS_MAX_PERMIT) < 0 ||
        dup_list(out->permitlisten, &out->n_permitlisten, a->permitlisten,
                 a->n_permitlisten, b->permitlisten, b->n_permitlisten,
                 AUTHKEYS_MAX_PERMIT) < 0) {
        authkeys_opts_free(out);
        return -1;
    }
    return 0;
}
