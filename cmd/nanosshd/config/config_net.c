/*
 * Keywords with a syntax of their own (sshd_config(5)): Port,
 * ListenAddress, HostKey, AuthorizedKeysFile, LogLevel, RekeyLimit,
 * AcceptEnv, PidFile and MaxStartups. Every value is checked before the
 * first-value-wins rule may drop it, so -t reports a bad later line too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "optval.h"
#include "user.h"

static int add_str(char **list, size_t *n, size_t max, const char *v,
                   const char *kw, char *err, size_t cap)
{
    if (*n >= max) {
        snprintf(err, cap, "%s: too many values (at most %zu).", kw, max);
        return NSSH_ERR_NOSPACE;
    }
    if (!(list[*n] = strdup(v)))
        return NSSH_ERR_NOSPACE;
    (*n)++;
    return 0;
}

int kw_port(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    int port;
    if (optval_port(av[0], &port) < 0)
        return kw_bad_value("Port", av[0], err, cap);
    if (o->ports_from_cmdline)
        return 0;   /* -p replaces every Port line */
    if (o->n_ports >= OPTS_MAX_PORTS) {
        snprintf(err, cap, "Port: too many ports (at most %d).", OPTS_MAX_PORTS);
        return NSSH_ERR_NOSPACE;
    }
    o->ports[o->n_ports++] = port;
    return 0;
}

int kw_listen(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    listen_addr la;
    if (optval_listen(av[0], la.host, sizeof(la.host), &la.port) < 0)
        return kw_bad_value("ListenAddress", av[0], err, cap);
    if (o->n_listen >= OPTS_MAX_LISTEN) {
        snprintf(err, cap, "ListenAddress: too many addresses (at most %d).",
                 OPTS_MAX_LISTEN);
        return NSSH_ERR_NOSPACE;
    }
    o->listen[o->n_listen++] = la;
    return 0;
}

int kw_hostkey(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    return add_str(o->hostkeys, &o->n_hostkeys, OPTS_MAX_HOSTKEYS, av[0],
                   "HostKey", err, cap);
}

/* sshd_config(5) TOKENS: AuthorizedKeysFile takes %h, %u and %%. */
static int tokens_ok(const char *t)
{
    char out[64];
    return path_expand(t, "/", "u", out, sizeof(out)) != NSSH_ERR_FORMAT;
}

int kw_akfile(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    size_t i;
    int e;
    if (ac == 1 && !strcasecmp(av[0], "none")) {
        o->akfiles_set = 1;   /* no file at all (when first) */
        return 0;
    }
    for (i = 0; i < ac; i++)
        if (!tokens_ok(av[i])) {
            snprintf(err, cap, "AuthorizedKeysFile: unknown %% token in "
                     "\"%.200s\" (%%h, %%u and %%%% are known).", av[i]);
            return NSSH_ERR_FORMAT;
        }
    if (o->akfiles_set)
        return 0;
    o->akfiles_set = 1;
    for (i = 0; i < ac; i++)
        if ((e = add_str(o->akfiles, &o->n_akfiles, OPTS_MAX_AKFILES, av[i],
                         "AuthorizedKeysFile", err, cap)) < 0)
            return e;
    return 0;
}

void kw_reset_akfile(daemon_opts *o)
{
    opts_free_strs(o->akfiles, &o->n_akfiles);
    o->akfiles_set = 0;
}

int kw_loglevel(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    int lvl;
    if (log_level_from_name(av[0], &lvl) < 0) {
        snprintf(err, cap, "LogLevel: unknown level \"%.200s\" (QUIET, FATAL, "
                 "ERROR, INFO, VERBOSE, DEBUG, DEBUG1, DEBUG2 or DEBUG3).", av[0]);
        return NSSH_ERR_FORMAT;
    }
    if (o->log_level < 0)
        o->log_level = lvl;
    return 0;
}

void kw_reset_loglevel(daemon_opts *o) { o->log_level = -1; }

int kw_rekey(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    uint64_t bytes;
    uint32_t secs;
    if (optval_rekey(av[0], ac > 1 ? av[1] : NULL, &bytes, &secs) < 0) {
        snprintf(err, cap, "RekeyLimit: invalid value \"%.100s%s%.100s\" (a "
                 "size of at least 16 bytes such as 1G, or default or none; "
                 "then optionally a time such as 1h).", av[0], ac > 1 ? " " : "",
                 ac > 1 ? av[1] : "");
        return NSSH_ERR_FORMAT;
    }
    if (!o->rekey_set) {
        o->rekey_set = 1;
        o->rekey_bytes = bytes;
        o->rekey_seconds = secs;
    }
    return 0;
}

void kw_reset_rekey(daemon_opts *o)
{
    o->rekey_set = 0;
    o->rekey_bytes = 0;
    o->rekey_seconds = 0;
}

/* Multiple AcceptEnv lines add up, as in sshd. */
int kw_acceptenv(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    size_t i;
    int e;
    for (i = 0; i < ac; i++)
        if (strchr(av[i], '='))
            return kw_bad_value("AcceptEnv", av[i], err, cap);
    o->accept_env_set = 1;
    if (ac == 1 && !strcasecmp(av[0], "none"))
        return 0;
    for (i = 0; i < ac; i++)
        if ((e = add_str(o->accept_env, &o->n_accept_env, OPTS_MAX_ACCEPTENV,
                         av[i], "AcceptEnv", err, cap)) < 0)
            return e;
    return 0;
}

void kw_reset_acceptenv(daemon_opts *o)
{
    opts_free_strs(o->accept_env, &o->n_accept_env);
    o->accept_env_set = 0;
}

int kw_pidfile(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    if (o->pid_file_set)
        return 0;
    o->pid_file_set = 1;
    if (!strcasecmp(av[0], "none"))
        return 0;
    return (o->pid_file = strdup(av[0])) ? 0 : NSSH_ERR_NOSPACE;
}

/* "start[:rate:full]": refuse new unauthenticated connections from start
 * on with probability rate%, rising linearly to 100% at full. A single
 * number is start and full at once. */
int kw_startups(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    unsigned long v[3];
    char buf[64], *p = buf, *part;
    size_t n = 0;
    if (strlen(av[0]) >= sizeof(buf))
        return kw_bad_value("MaxStartups", av[0], err, cap);
    strcpy(buf, av[0]);
    while (n < 3 && (part = strsep(&p, ":")) != NULL)
        if (optval_uint(part, 1000000, &v[n++]) < 0)
            return kw_bad_value("MaxStartups", av[0], err, cap);
    if (p || (n != 1 && n != 3) || v[0] == 0 ||
        (n == 3 && (v[1] < 1 || v[1] > 100 || v[2] < v[0]))) {
        snprintf(err, cap, "MaxStartups: invalid value \"%.100s\" (start, or "
                 "start:rate:full with rate 1 to 100 and full at least "
                 "start).", av[0]);
        return NSSH_ERR_FORMAT;
    }
    if (o->startups_begin >= 0)
        return 0;
    o->startups_begin = (int)v[0];
    o->startups_rate = n == 3 ? (int)v[1] : 100;
    o->startups_full = n == 3 ? (int)v[2] : (int)v[0];
    return 0;
}

/* IPQoS names (sshd_config(5)): the byte for IP_TOS / IPV6_TCLASS, the
 * DSCP shifted left by 2 (RFC 2474 section 3); lowdelay, throughput and
 * reliability are the old RFC 1349 TOS bits. "none" leaves the system's. */
static const struct { const char *name; int tos; } qos_names[] = {
    { "af11", 0x28 }, { "af12", 0x30 }, { "af13", 0x38 }, { "af21", 0x48 },
    { "af22", 0x50 }, { "af23", 0x58 }, { "af31", 0x68 }, { "af32", 0x70 },
    { "af33", 0x78 }, { "af41", 0x88 }, { "af42", 0x90 }, { "af43", 0x98 },
    { "cs0", 0x00 }, { "cs1", 0x20 }, { "cs2", 0x40 }, { "cs3", 0x60 },
    { "cs4", 0x80 }, { "cs5", 0xa0 }, { "cs6", 0xc0 }, { "cs7", 0xe0 },
    { "ef", 0xb8 }, { "le", 0x04 }, { "lowdelay", 0x10 },
    { "throughput", 0x08 }, { "reliability", 0x04 }, { "none", IPQOS_NONE },
};

static int qos_value(const char *v)
{
    size_t i;
    char *end;
    long n;
    for (i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++)
        if (!strcasecmp(v, qos_names[i].name))
            return qos_names[i].tos;
    n = strtol(v, &end, 0);
    return *v && !*end && n >= 0 && n <= 255 ? (int)n : -1;
}

const char *config_qos_name(int tos)
{
    size_t i;
    for (i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++)
        if (qos_names[i].tos == tos)
            return qos_names[i].name;
    return NULL;
}

/* IPQoS interactive [bulk]: one value sets both, as in sshd. */
int kw_ipqos(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    int a = qos_value(av[0]), b = ac > 1 ? qos_value(av[1]) : a;
    if (a < 0 && a != IPQOS_NONE) {
        snprintf(err, cap, "IPQoS: unknown value \"%.100s\".", av[0]);
        return NSSH_ERR_FORMAT;
    }
    if (b < 0 && b != IPQOS_NONE) {
        snprintf(err, cap, "IPQoS: unknown value \"%.100s\".", av[1]);
        return NSSH_ERR_FORMAT;
    }
    if (o->ipqos_interactive == IPQOS_UNSET) {
        o->ipqos_interactive = a;
        o->ipqos_bulk = b;
    }
    return 0;
}

void kw_reset_ipqos(daemon_opts *o)
{
    o->ipqos_interactive = IPQOS_UNSET;
    o->ipqos_bulk = IPQOS_UNSET;
}
