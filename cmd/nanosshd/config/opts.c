/*
 * Option defaults, as sshd's where nanossh has the same keyword.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"

void opts_init(daemon_opts *o)
{
    size_t i;
    memset(o, 0, sizeof(*o));
    o->log_level = -1;
    o->startups_begin = -1;
    kw_reset_ipqos(o);
    /* The typed keywords: -1 is "not set". */
    for (i = 0; i < config_n_keywords; i++)
        kw_reset_typed(&config_keywords[i], o);
}

static int add_default(char **list, size_t *n, size_t max, const char *v)
{
    if (*n >= max || !(list[*n] = strdup(v)))
        return NSSH_ERR_NOSPACE;
    (*n)++;
    return 0;
}

/* Fills only what is unset, so it may run again after Match blocks. */
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
    if (o->startups_begin < 0) {   /* sshd: 10:30:100 */
        o->startups_begin = 10;
        o->startups_rate = 30;
        o->startups_full = 100;
    }
    if (o->ipqos_interactive == IPQOS_UNSET) {   /* sshd: af21 cs1 */
        o->ipqos_interactive = 0x48;
        o->ipqos_bulk = 0x20;
    }
    if (o->pubkey_auth_options < 0)
        o->pubkey_auth_options = 0;
    if (o->n_chan_timeouts < 0)
        o->n_chan_timeouts = 0;
    if (o->unused_timeout < 0)
        o->unused_timeout = 0;
    config_defaults(o);
    srclimit_opts_finish(o);
    algs_defaults(o);
    return e ? NSSH_ERR_NOSPACE : 0;
}

void opts_free_strs(char **list, size_t *n)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        free(list[i]);
        list[i] = NULL;
    }
    *n = 0;
}

static void free_matches(daemon_opts *o)
{
    size_t i, j;
    for (i = 0; i < o->n_matches; i++) {
        match_block *mb = &o->matches[i];
        for (j = 0; j < mb->n_lines; j++) {
            free(mb->lines[j].text);
            free(mb->lines[j].source);
        }
        free(mb->lines);
        free(mb->criteria);
        free(mb->source);
    }
    free(o->matches);
    o->matches = NULL;
    o->n_matches = 0;
}

void opts_free(daemon_opts *o)
{
    size_t i;
    opts_free_strs(o->hostkeys, &o->n_hostkeys);
    opts_free_strs(o->akfiles, &o->n_akfiles);
    opts_free_strs(o->accept_env, &o->n_accept_env);
    free(o->pid_file);
    o->pid_file = NULL;
    free(o->permit_user_env);
    o->permit_user_env = NULL;
    free(o->auth_methods);
    o->auth_methods = NULL;
    kw_reset_penalty_exempt(o);
    opts_chan_free(o);
    for (i = 0; i < config_n_keywords; i++)   /* strings and lists */
        if (config_keywords[i].type == KT_STR || config_keywords[i].type == KT_LIST)
            kw_reset_typed(&config_keywords[i], o);
    free_matches(o);
    free(o->start_dir);
    o->start_dir = NULL;
    free(o->spec_user);
    free(o->spec_host);
    free(o->spec_addr);
    free(o->spec_laddr);
    free(o->spec_rdomain);
    o->spec_user = o->spec_host = o->spec_addr = o->spec_laddr = NULL;
    o->spec_rdomain = NULL;
}
