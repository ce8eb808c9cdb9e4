/*
 * Match blocks (sshd_config(5) Match): criteria checked when the file is
 * read, evaluated for a connection once its user is known, and the
 * blocks that apply laid over the global settings.
 *
 * Criteria: All, or any of User, Group, Host, Address, LocalAddress,
 * LocalPort, RDomain, Version (sshd 10's: the server's own release,
 * "nanossh_" NSSH_VERSION_STRING here) and Invalid-User (no pattern:
 * the user has no account), all of which must match. A pattern follows
 * its criterion as the next word or after '=' ("User=alice"), as in
 * sshd 10. Patterns are sshd's (wildcards, comma lists, '!' negation);
 * Address and LocalAddress also take address/length networks. Without
 * name lookups, Host is matched against the client's address, as sshd
 * does with UseDNS no. RDomain is the connection's routing domain: on
 * Linux the VRF device its socket is bound to (sshd's SO_BINDTODEVICE
 * name), the empty string when there is none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "access.h"
#include "pattern.h"
#include "optval.h"

enum { C_ALL, C_USER, C_GROUP, C_HOST, C_ADDRESS, C_LADDRESS, C_LPORT,
       C_VERSION, C_RDOMAIN, C_INVALID_USER };

static const kw_name criteria[] = {
    { "All", C_ALL }, { "User", C_USER }, { "Group", C_GROUP },
    { "Host", C_HOST }, { "Address", C_ADDRESS },
    { "LocalAddress", C_LADDRESS }, { "LocalPort", C_LPORT },
    { "Version", C_VERSION }, { "RDomain", C_RDOMAIN },
    { "Invalid-User", C_INVALID_USER }, { NULL, 0 }
};

static int criterion(const char *name)
{
    const kw_name *c;
    for (c = criteria; c->name; c++)
        if (!strcasecmp(name, c->name))
            return c->value;
    return -1;
}

/* One criterion of a Match line: its kind, name and pattern. */
typedef struct crit {
    int c;
    const char *name, *arg;
} crit;

/* The criterion at av[*i] (advancing *i past it and its pattern): 0, or
 * NSSH_ERR_FORMAT with the reason. Splits "name=pattern" in place. */
static int next_crit(char **av, size_t ac, size_t *i, crit *out, char *err,
                     size_t cap)
{
    char *eq = strchr(av[*i], '=');
    out->name = av[(*i)++];
    out->arg = "";
    if (eq && eq != out->name) {
        *eq = 0;
        out->arg = eq + 1;
    }
    if ((out->c = criterion(out->name)) < 0) {
        snprintf(err, cap, "Match: unsupported criterion \"%.100s\" (All, "
                 "User, Group, Host, Address, LocalAddress, LocalPort, "
                 "RDomain, Version or Invalid-User).", out->name);
        return NSSH_ERR_FORMAT;
    }
    if (out->c == C_ALL || out->c == C_INVALID_USER) {
        if (eq) {
            snprintf(err, cap, "Match %s takes no pattern.", out->name);
            return NSSH_ERR_FORMAT;
        }
        return 0;
    }
    if (!eq && *i < ac)
        out->arg = av[(*i)++];
    if (!*out->arg) {
        snprintf(err, cap, "Match %s: missing pattern.", out->name);
        return NSSH_ERR_FORMAT;
    }
    return 0;
}

static int check_one(int c, const char *name, const char *arg, char *err,
                     size_t cap)
{
    char why[128] = "", *tail;
    int port;
    if (c == C_LPORT && optval_port(arg, &port) < 0) {
        snprintf(err, cap, "Match LocalPort: invalid port \"%.100s\".", arg);
        return NSSH_ERR_FORMAT;
    }
    if ((c == C_ADDRESS || c == C_LADDRESS) &&
        match_addr_list(arg, "127.0.0.1", NULL, why, sizeof(why)) < 0) {
        if ((tail = strstr(why, " in from=")) != NULL)
            *tail = 0;
        snprintf(err, cap, "Match %s: %s.", name, why);
        return NSSH_ERR_FORMAT;
    }
    return 0;
}

int match_check(char **av, size_t ac, char *err, size_t cap)
{
    char copy[4096], *cv[CFG_ARGS_MAX];
    size_t i = 0, j, n = 0;
    crit k;
    if (ac == 0) {
        snprintf(err, cap, "Match: missing criteria.");
        return NSSH_ERR_FORMAT;
    }
    /* Checked on a copy: the caller keeps the words as written. */
    for (j = 0; j < ac && j < CFG_ARGS_MAX; j++) {
        size_t l = strlen(av[j]) + 1;
        if (n + l > sizeof(copy)) {
            snprintf(err, cap, "Match: line too long.");
            return NSSH_ERR_FORMAT;
        }
        cv[j] = memcpy(copy + n, av[j], l);
        n += l;
    }
    while (i < ac) {
        if (next_crit(cv, ac, &i, &k, err, cap) < 0)
            return NSSH_ERR_FORMAT;
        if (k.c == C_ALL) {
            if (ac != 1) {
                snprintf(err, cap, "Match All cannot be combined with other "
                         "criteria.");
                return NSSH_ERR_FORMAT;
            }
            return 0;
        }
        if (check_one(k.c, k.name, k.arg, err, cap) < 0)
            return NSSH_ERR_FORMAT;
    }
    return 0;
}

/* Any of the user's groups in the list, none of them negated. */
static int group_match(const char *user, const char *list)
{
    strlist g = { 0 };
    size_t i;
    int r, found = 0;
    if (!user || user_group_names(user, &g) < 0)
        return 0;
    for (i = 0; i < g.n; i++) {
        r = match_pattern_list(g.v[i], list);
        if (r < 0) {
            found = 0;
            break;
        }
        found |= r == 1;
    }
    strlist_free(&g);
    return found;
}

static int one_matches(int c, const char *arg, const match_ctx *m)
{
    char why[128];
    int port;
    switch (c) {
    case C_USER: return m->user && match_pattern_list(m->user, arg) == 1;
    case C_GROUP: return group_match(m->user, arg);
    case C_HOST: return m->host && match_pattern_list(m->host, arg) == 1;
    case C_ADDRESS:
        return m->addr && match_addr_list(arg, m->addr, NULL, why,
                                              sizeof(why)) == 1;
    case C_LADDRESS:
        return m->laddr && match_addr_list(arg, m->laddr, NULL, why,
                                               sizeof(why)) == 1;
    case C_LPORT:
        return optval_port(arg, &port) == 0 && port == m->lport;
    case C_VERSION:   /* sshd matches its SSH_RELEASE, "OpenSSH_10.5" */
        return match_pattern_list("nanossh_" NSSH_VERSION_STRING, arg) == 1;
    case C_RDOMAIN:
        return m->rdomain && match_pattern_list(m->rdomain, arg) == 1;
    case C_INVALID_USER:   /* sshd: only once the user is known */
        return m->user && m->user_invalid;
    default: return 1;   /* All */
    }
}

static int block_matches(const match_block *mb, const match_ctx *m)
{
    char copy[4096], *av[CFG_ARGS_MAX], err[256];
    size_t ac = 0, i = 0;
    crit k;
    snprintf(copy, sizeof(copy), "%s", mb->criteria);
    if (config_split(copy, av, CFG_ARGS_MAX, &ac) < 0)
        return 0;   /* checked at load: cannot happen */
    while (i < ac)
        if (next_crit(av, ac, &i, &k, err, sizeof(err)) < 0 ||
            !one_matches(k.c, k.arg, m))
            return 0;
    return 1;
}

int config_match_apply(daemon_opts *o, const match_ctx *m)
{
    char err[1024];
    size_t i, j;
    int applied = 0;
    for (i = 0; i < o->n_matches; i++) {
        const match_block *mb = &o->matches[i];
        if (!block_matches(mb, m))
            continue;
        log_debug("%s line %u: Match %s applies", mb->source, mb->lineno,
                  mb->criteria);
        for (j = 0; j < mb->n_lines; j++) {
            err[0] = 0;
            if (config_apply(o, mb->lines[j].text, 1, err, sizeof(err)) < 0) {
                log_error("%s: line %u: %s", mb->lines[j].source,
                          mb->lines[j].lineno, err);
                return NSSH_ERR_FORMAT;
            }
        }
        applied++;
    }
    if (opts_finish(o) < 0)
        return NSSH_ERR_NOSPACE;
    return applied;
}
