/*
 * sshd_config keywords about how users may log in: PasswordAuthentication,
 * KbdInteractiveAuthentication (ChallengeResponseAuthentication is its
 * older name), UsePAM, PermitRootLogin and PermitUserEnvironment, with
 * sshd's defaults. As for
 * every scalar keyword, the first value given wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opts.h"

static int yesno(const char *kw, const char *v, int *field, char *err,
                 size_t cap)
{
    int val;
    if (!strcasecmp(v, "yes"))
        val = YESNO_YES;
    else if (!strcasecmp(v, "no"))
        val = YESNO_NO;
    else {
        snprintf(err, cap, "%s: invalid value \"%.200s\" (yes or no).", kw, v);
        return NSSH_ERR_FORMAT;
    }
    if (!*field)
        *field = val;
    return 0;
}

int config_kw_password_auth(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap)
{
    return yesno("PasswordAuthentication", av[0], &o->password_auth, err, cap);
}

int config_kw_kbdint_auth(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap)
{
    return yesno("KbdInteractiveAuthentication", av[0], &o->kbdint_auth, err,
                 cap);
}

int config_kw_use_pam(daemon_opts *o, char **av, size_t ac, char *err,
                      size_t cap)
{
    return yesno("UsePAM", av[0], &o->use_pam, err, cap);
}

int config_kw_permit_root(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap)
{
    static const struct { const char *name; int val; } v[] = {
        { "yes", ROOT_YES },
        { "prohibit-password", ROOT_PROHIBIT_PASSWORD },
        { "without-password", ROOT_PROHIBIT_PASSWORD },
        { "forced-commands-only", ROOT_FORCED_ONLY },
        { "no", ROOT_NO },
    };
    size_t i;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (strcasecmp(av[0], v[i].name))
            continue;
        if (!o->permit_root)
            o->permit_root = v[i].val;
        return 0;
    }
    snprintf(err, cap, "PermitRootLogin: invalid value \"%.200s\" (yes, "
             "prohibit-password, forced-commands-only or no).", av[0]);
    return NSSH_ERR_FORMAT;
}

/* sshd compares "yes" and "no" as written; anything else is a pattern
 * list of the names ~/.ssh/environment and environment= may set. */
int config_kw_permit_user_env(daemon_opts *o, char **av, size_t ac,
                              char *err, size_t cap)
{
    (void)ac;
    (void)err;
    (void)cap;
    if (o->permit_user_env)
        return 0;
    return (o->permit_user_env = strdup(av[0])) ? 0 : NSSH_ERR_NOSPACE;
}

int opts_user_env(const daemon_opts *o, const char **allow)
{
    const char *v = o->permit_user_env;
    *allow = NULL;
    if (!v || !strcmp(v, "no"))
        return 0;
    if (strcmp(v, "yes"))
        *allow = v;
    return 1;
}

int opts_use_pam(const daemon_opts *o) { return o->use_pam != YESNO_NO; }

int opts_password_auth(const daemon_opts *o)
{
    return opts_use_pam(o) && o->password_auth != YESNO_NO;
}

int opts_kbdint_auth(const daemon_opts *o)
{
    return opts_use_pam(o) && o->kbdint_auth != YESNO_NO;
}

int opts_permit_root(const daemon_opts *o)
{
    return o->permit_root ? o->permit_root : ROOT_PROHIBIT_PASSWORD;
}
