/*
 * sshd_config keywords nanosshd understands (sshd_config(5) names and
 * meanings). A line is "Keyword value...", "Keyword=value" or a comment.
 * Scalar keywords keep their first value, as in sshd, so -o given on the
 * command line (applied before the file) wins over the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "posix.h"
#include "optval.h"

#define CFG_LINE_MAX 4096
#define CFG_ARGS_MAX 32

typedef int (*kw_fn)(daemon_opts *o, char **av, size_t ac, char *err,
                     size_t cap);

static int bad_value(const char *kw, const char *v, char *err, size_t cap)
{
    snprintf(err, cap, "%s: invalid value \"%.200s\".", kw, v);
    return NSSH_ERR_FORMAT;
}

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

static int kw_port(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    int port;
    if (optval_port(av[0], &port) < 0)
        return bad_value("Port", av[0], err, cap);
    if (o->ports_from_cmdline)
        return 0;   /* -p replaces every Port line */
    if (o->n_ports >= OPTS_MAX_PORTS) {
        snprintf(err, cap, "Port: too many ports.");
        return NSSH_ERR_NOSPACE;
    }
    o->ports[o->n_ports++] = port;
    return 0;
}

static int kw_listen(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    listen_addr *la;
    if (o->n_listen >= OPTS_MAX_LISTEN) {
        snprintf(err, cap, "ListenAddress: too many addresses.");
        return NSSH_ERR_NOSPACE;
    }
    la = &o->listen[o->n_listen];
    if (optval_listen(av[0], la->host, sizeof(la->host), &la->port) < 0)
        return bad_value("ListenAddress", av[0], err, cap);
    o->n_listen++;
    return 0;
}

static int kw_hostkey(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    return add_str(o->hostkeys, &o->n_hostkeys, OPTS_MAX_HOSTKEYS, av[0],
                   "HostKey", err, cap);
}

static int kw_akfile(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    size_t i;
    int e;
    if (o->akfiles_set)
        return 0;
    o->akfiles_set = 1;
    if (ac == 1 && !strcasecmp(av[0], "none"))
        return 0;
    for (i = 0; i < ac; i++)
        if ((e = add_str(o->akfiles, &o->n_akfiles, OPTS_MAX_AKFILES, av[i],
                         "AuthorizedKeysFile", err, cap)) < 0)
            return e;
    return 0;
}

static int kw_loglevel(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    int lvl;
    if (optval_loglevel(av[0], &lvl) < 0)
        return bad_value("LogLevel", av[0], err, cap);
    if (o->log_level < 0)
        o->log_level = lvl;
    return 0;
}

static int kw_rekey(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    uint64_t bytes;
    uint32_t secs;
    if (optval_rekey(av[0], ac > 1 ? av[1] : NULL, &bytes, &secs) < 0)
        return bad_value("RekeyLimit", ac > 1 ? av[1] : av[0], err, cap);
    if (!o->rekey_set) {
        o->rekey_set = 1;
        o->rekey_bytes = bytes;
        o->rekey_seconds = secs;
    }
    return 0;
}

static int kw_grace(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    uint64_t t;
    if (optval_time(av[0], &t) < 0 || t > 86400u * 365u)
        return bad_value("LoginGraceTime", av[0], err, cap);
    if (o->grace_seconds < 0)
        o->grace_seconds = (long)t;
    return 0;
}

static int kw_maxauth(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    unsigned long v;
    if (optval_uint(av[0], 1000000, &v) < 0)
        return bad_value("MaxAuthTries", av[0], err, cap);
    if (o->max_auth_tries < 0)
        o->max_auth_tries = (long)v;
    return 0;
}

static int kw_acceptenv(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    size_t i;
    int e;
    o->accept_env_set = 1;
    for (i = 0; i < ac; i++) {
        if (strchr(av[i], '='))
            return bad_value("AcceptEnv", av[i], err, cap);
        if (!strcasecmp(av[i], "none") && ac == 1)
            return 0;
        if ((e = add_str(o->accept_env, &o->n_accept_env, OPTS_MAX_ACCEPTENV,
                         av[i], "AcceptEnv", err, cap)) < 0)
            return e;
    }
    return 0;
}

static int kw_pidfile(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    if (o->pid_file_set)
        return 0;
    o->pid_file_set = 1;
    if (!strcasecmp(av[0], "none"))
        return 0;
    return (o->pid_file = strdup(av[0])) ? 0 : NSSH_ERR_NOSPACE;
}

static const struct keyword {
    const char *name;
    kw_fn fn;
    unsigned min_args, max_args;
} keywords[] = {
    { "Port", kw_port, 1, 1 },
    { "ListenAddress", kw_listen, 1, 1 },
    { "HostKey", kw_hostkey, 1, 1 },
    { "AuthorizedKeysFile", kw_akfile, 1, OPTS_MAX_AKFILES },
    { "LogLevel", kw_loglevel, 1, 1 },
    { "RekeyLimit", kw_rekey, 1, 2 },
    { "LoginGraceTime", kw_grace, 1, 1 },
    { "MaxAuthTries", kw_maxauth, 1, 1 },
    { "AcceptEnv", kw_acceptenv, 1, OPTS_MAX_ACCEPTENV },
    { "PidFile", kw_pidfile, 1, 1 },
};

/* Split in place into words: whitespace separates, "double quotes" group
 * (\" inside them is a quote), an unquoted '#' starting a word ends the
 * line. */
static int split(char *s, char **av, size_t max, size_t *ac)
{
    char *w;
    *ac = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            return 0;
        if (*ac >= max)
            return NSSH_ERR_NOSPACE;
        w = s;
        av[(*ac)++] = w;
        if (*s == '"') {
            for (s++; *s && *s != '"'; s++) {
                if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                    s++;
                *w++ = *s;
            }
            if (*s != '"')
                return NSSH_ERR_FORMAT;
            s++;
            if (*s && *s != ' ' && *s != '\t')
                return NSSH_ERR_FORMAT;
        } else {
            while (*s && *s != ' ' && *s != '\t')
                *w++ = *s++;
        }
        if (*s)
            s++;
        *w = 0;
    }
}

static int apply(daemon_opts *o, char *buf, char *err, size_t cap)
{
    char *kw = buf, *rest, *av[CFG_ARGS_MAX];
    size_t ac, i;
    int e;
    while (*kw == ' ' || *kw == '\t')
        kw++;
    if (!*kw || *kw == '#')
        return 0;
    rest = kw + strcspn(kw, " \t=");
    if (*rest) {
        int eq = *rest == '=';
        *rest++ = 0;
        rest += strspn(rest, " \t");
        if (!eq && *rest == '=')
            rest += 1 + strspn(rest + 1, " \t");
    }
    for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
        if (!strcasecmp(kw, keywords[i].name))
            break;
    if (i == sizeof(keywords) / sizeof(keywords[0])) {
        snprintf(err, cap, "Bad configuration option: %.200s", kw);
        return NSSH_ERR_FORMAT;
    }
    if ((e = split(rest, av, CFG_ARGS_MAX, &ac)) < 0) {
        snprintf(err, cap, "%s: %s.", keywords[i].name,
                 e == NSSH_ERR_FORMAT ? "bad quoting" : "too many arguments");
        return e;
    }
    if (ac < keywords[i].min_args) {
        snprintf(err, cap, "%s: missing argument.", keywords[i].name);
        return NSSH_ERR_FORMAT;
    }
    if (ac > keywords[i].max_args) {
        snprintf(err, cap, "%s: garbage at end of line: \"%.200s\".",
                 keywords[i].name, av[keywords[i].max_args]);
        return NSSH_ERR_FORMAT;
    }
    return keywords[i].fn(o, av, ac, err, cap);
}

int config_line(daemon_opts *o, const char *line, const char *source,
                unsigned lineno, char *err, size_t err_cap)
{
    char buf[CFG_LINE_MAX], why[512] = "";
    size_t n = strlen(line);
    int e;
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (n >= sizeof(buf)) {
        snprintf(err, err_cap, "%s: line %u: line too long", source, lineno);
        return NSSH_ERR_FORMAT;
    }
    memcpy(buf, line, n);
    buf[n] = 0;
    e = apply(o, buf, why, sizeof(why));
    if (e < 0)
        snprintf(err, err_cap, "%s: line %u: %s", source, lineno,
                 why[0] ? why : "out of memory");
    return e;
}

int config_load(daemon_opts *o, const char *path, int must_exist)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, err[1024];
    size_t cap = 0;
    unsigned lineno = 0, bad = 0;
    if (!f) {
        if (!must_exist && errno == ENOENT)
            return 0;
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return NSSH_ERR_FORMAT;
    }
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (config_line(o, line, path, lineno, err, sizeof(err)) < 0) {
            fprintf(stderr, "%s\n", err);
            bad++;
        }
    }
    free(line);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: terminating, %u bad configuration options\n",
                path, bad);
        return NSSH_ERR_FORMAT;
    }
    return 0;
}
