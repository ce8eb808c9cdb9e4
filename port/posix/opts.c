/*
 * Option defaults, as sshd's where nanossh has the same keyword.
 */
#include <stdlib.h>
#include <string.h>

#include "posix.h"

void opts_init(daemon_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->log_level = -1;
    o->grace_seconds = -1;
    o->max_auth_tries = -1;
}

static int add_default(char **list, size_t *n, size_t max, const char *v)
{
    if (*n >= max || !(list[*n] = strdup(v)))
        return NSSH_ERR_NOSPACE;
    (*n)++;
    return 0;
}

int opts_finish(daemon_opts *o)
{
    int e = 0;
    if (o->n_ports == 0)
        o->ports[o->n_ports++] = 22;
    if (o->n_listen == 0) {
        o->listen[0].host[0] = 0;   /* 0.0.0.0 and :: */
        o->listen[0].port = 0;
        o->n_listen = 1;
    }
    if (o->log_level < 0)
        o->log_level = LL_INFO;
    if (!o->akfiles_set) {
        e |= add_default(o->akfiles, &o->n_akfiles, OPTS_MAX_AKFILES,
                         ".ssh/authorized_keys");
        e |= add_default(o->akfiles, &o->n_akfiles, OPTS_MAX_AKFILES,
                         ".ssh/authorized_keys2");
        o->akfiles_set = 1;
    }
    if (!o->accept_env_set) {   /* what Debian's sshd_config ships */
        e |= add_default(o->accept_env, &o->n_accept_env, OPTS_MAX_ACCEPTENV, "LANG");
        e |= add_default(o->accept_env, &o->n_accept_env, OPTS_MAX_ACCEPTENV, "LC_*");
        o->accept_env_set = 1;
    }
    if (o->grace_seconds < 0)
        o->grace_seconds = 120;
    if (o->max_auth_tries < 0)
        o->max_auth_tries = 6;
    return e ? NSSH_ERR_NOSPACE : 0;
}

static void free_list(char **list, size_t *n)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        free(list[i]);
        list[i] = NULL;
    }
    *n = 0;
}

void opts_free(daemon_opts *o)
{
    free_list(o->hostkeys, &o->n_hostkeys);
    free_list(o->akfiles, &o->n_akfiles);
    free_list(o->accept_env, &o->n_accept_env);
    free(o->pid_file);
    o->pid_file = NULL;
}
