/*
 * internal-sftp's command line (sshd_config(5) Subsystem, ForceCommand):
 * sftp-server's options as sshd accepts them for internal-sftp:
 *   -d dir   start directory (%d home, %u user name, %% a percent sign)
 *   -e       log to stderr (the channel's) instead of the daemon's log
 *   -f fac   syslog facility (default AUTH)
 *   -l level log level (default ERROR)
 *   -P list  requests refused (comma-separated sftp-server names)
 *   -p list  requests allowed, all others refused
 *   -R       read-only
 *   -u umask umask for created files (octal)
 * Words are separated by blanks; there is no quoting.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "sftp_posix.h"
#include "log.h"

#define ARGS_MAX 32

static const struct { const char *name; int v; } facilities[] = {
    { "DAEMON", LOG_DAEMON }, { "USER", LOG_USER }, { "AUTH", LOG_AUTH },
    { "AUTHPRIV", LOG_AUTHPRIV }, { "LOCAL0", LOG_LOCAL0 },
    { "LOCAL1", LOG_LOCAL1 }, { "LOCAL2", LOG_LOCAL2 },
    { "LOCAL3", LOG_LOCAL3 }, { "LOCAL4", LOG_LOCAL4 },
    { "LOCAL5", LOG_LOCAL5 }, { "LOCAL6", LOG_LOCAL6 },
    { "LOCAL7", LOG_LOCAL7 },
};

/* Split command (copied into buf) at blanks. */
static int split(const char *command, char *buf, size_t cap, char **av)
{
    int ac = 0;
    char *p, *save = NULL;
    snprintf(buf, cap, "%s", command);
    for (p = strtok_r(buf, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (ac >= ARGS_MAX)
            return -1;
        av[ac++] = p;
    }
    return ac;
}

int sftp_internal_is(const char *command)
{
    size_t n = strlen("internal-sftp");
    if (!command)
        return 0;
    while (*command == ' ' || *command == '\t')
        command++;
    return !strncmp(command, "internal-sftp", n) &&
           (command[n] == 0 || command[n] == ' ' || command[n] == '\t');
}

static int req_list(const char *list, uint32_t *mask, char *err, size_t cap)
{
    char buf[1024], *p, *save = NULL;
    snprintf(buf, sizeof(buf), "%s", list);
    *mask = 0;
    for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        int bit = nssh_sftp_request_bit(p);
        if (bit < 0) {
            snprintf(err, cap, "internal-sftp: unknown request \"%.64s\"", p);
            return -1;
        }
        *mask |= 1u << bit;
    }
    return 0;
}

int sftp_opts_parse(const char *command, sftp_opts *o, char *buf, size_t bcap,
                    char *err, size_t cap)
{
    char *av[ARGS_MAX];
    uint32_t allow = NSSH_SFTP_REQ_ALL, deny = 0;
    int ac = split(command, buf, bcap, av), i;
    memset(o, 0, sizeof(*o));
    o->facility = LOG_AUTH;
    o->level = LL_ERROR;
    if (ac < 1 || !sftp_internal_is(av[0])) {
        snprintf(err, cap, "internal-sftp: bad command line");
        return -1;
    }
    for (i = 1; i < ac; i++) {
        const char *a = av[i], *v = NULL;
        char opt;
        size_t k;
        if (a[0] != '-' || !a[1]) {
            snprintf(err, cap, "internal-sftp: unexpected argument \"%.64s\"", a);
            return -1;
        }
        opt = a[1];
        if (strchr("dflPpu", opt)) {
            v = a[2] ? a + 2 : (i + 1 < ac ? av[++i] : NULL);
            if (!v) {
                snprintf(err, cap, "internal-sftp: option -%c needs a value", opt);
                return -1;
            }
        } else if (a[2]) {
            snprintf(err, cap, "internal-sftp: unknown option \"%.64s\"", a);
            return -1;
        }
        switch (opt) {
        case 'd': o->start_dir = v; break;
        case 'e': o->to_stderr = 1; break;
        case 'R': o->read_only = 1; break;
        case 'c': break;   /* historical, ignored by sftp-server too */
        case 'l':
            if (log_level_from_name(v, &o->level) < 0) {
                snprintf(err, cap, "internal-sftp: bad log level \"%.64s\"", v);
                return -1;
            }
            break;
        case 'f':
            for (k = 0; k < sizeof(facilities) / sizeof(facilities[0]); k++)
                if (!strcasecmp(v, facilities[k].name))
                    break;
            if (k == sizeof(facilities) / sizeof(facilities[0])) {
                snprintf(err, cap, "internal-sftp: bad facility \"%.64s\"", v);
                return -1;
            }
            o->facility = facilities[k].v;
            break;
        case 'P':
            if (req_list(v, &deny, err, cap) < 0)
                return -1;
            break;
        case 'p':
            if (req_list(v, &allow, err, cap) < 0)
                return -1;
            break;
        case 'u': {
            char *end;
            unsigned long m = strtoul(v, &end, 8);
            if (*end || m > 0777) {
                snprintf(err, cap, "internal-sftp: bad umask \"%.64s\"", v);
                return -1;
            }
            o->umask_set = 1;
            o->umask_val = (mode_t)m;
            break;
        }
        default:
            snprintf(err, cap, "internal-sftp: unknown option \"%.64s\"", a);
            return -1;
        }
    }
    o->allowed = allow & ~deny;
    if (!o->allowed)
        o->allowed = 1u << NSSH_SFTP_REQ_COUNT;   /* nothing: a bit no request has */
    return 0;
}

int sftp_internal_check(const char *command, char *err, size_t cap)
{
    sftp_opts o;
    char buf[2048];
    return sftp_opts_parse(command, &o, buf, sizeof(buf), err, cap);
}
