/*
 * PubkeyAuthOptions (sshd_config(5)): "none", "touch-required",
 * "verify-required". They judge the flags a security key signs
 * (OpenSSH PROTOCOL.u2f); auth/authcb.c applies them.
 */
#include <stdio.h>
#include <strings.h>

#include "config.h"

int kw_pkauth_opts(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    int v = 0;
    size_t i;
    for (i = 0; i < ac; i++) {
        if (!strcasecmp(av[i], "none"))
            continue;
        if (!strcasecmp(av[i], "touch-required"))
            v |= PKAUTH_TOUCH_REQUIRED;
        else if (!strcasecmp(av[i], "verify-required"))
            v |= PKAUTH_VERIFY_REQUIRED;
        else {
            snprintf(err, cap, "unsupported PubkeyAuthOptions option %.100s",
                     av[i]);
            return NSSH_ERR_FORMAT;
        }
    }
    if (o->pubkey_auth_options < 0)   /* the first value wins, as in sshd */
        o->pubkey_auth_options = v;
    return 0;
}

void kw_reset_pkauth_opts(daemon_opts *o)
{
    o->pubkey_auth_options = -1;
}

void show_pkauth_opts(const daemon_opts *o, const char *name, FILE *f)
{
    int v = o->pubkey_auth_options;
    fprintf(f, "%s%s%s%s\n", name, v <= 0 ? " none" : "",
            v > 0 && (v & PKAUTH_TOUCH_REQUIRED) ? " touch-required" : "",
            v > 0 && (v & PKAUTH_VERIFY_REQUIRED) ? " verify-required" : "");
}
