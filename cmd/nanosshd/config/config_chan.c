/*
 * sshd_config keywords about what channels may do (sshd_config(5) names
 * and meanings): Subsystem, AllowTcpForwarding, GatewayPorts, PermitOpen
 * and PermitListen. As with the other keywords, the first value given
 * wins, so -o on the command line overrides the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opts.h"
#include "optval.h"
#include "sftp_posix.h"

static int bad_value(const char *kw, const char *v, char *err, size_t cap)
{
    snprintf(err, cap, "%s: invalid value \"%.200s\".", kw, v);
    return NSSH_ERR_FORMAT;
}

/* "Subsystem name command [arguments]": the command line is run by the
 * user's shell, as exec is; "internal-sftp [options]" is served in the
 * session's process instead (sftp_child.c). */
int config_kw_subsystem(daemon_opts *o, char **av, size_t ac, char *err,
                        size_t cap)
{
    size_t i, len = 1;
    char *cmd;
    size_t at = o->n_subsys;
    o->subsys_set = 1;
    /* Defined before: the first definition stays, except that a Match
     * block's (the first one) replaces a global one, as in sshd 10.5. */
    for (i = 0; i < o->n_subsys && at == o->n_subsys; i++)
        if (!strcmp(o->subsys_name[i], av[0]))
            at = i;
    if (at < o->n_subsys && (at >= o->subsys_base || o->subsys_rematched[at]))
        return 0;
    if (o->n_subsys >= OPTS_MAX_SUBSYS) {
        snprintf(err, cap, "Subsystem: too many subsystems (at most %d).",
                 OPTS_MAX_SUBSYS);
        return NSSH_ERR_NOSPACE;
    }
    for (i = 1; i < ac; i++)
        len += strlen(av[i]) + 3;
    if (!(cmd = malloc(len)))
        return NSSH_ERR_NOSPACE;
    cmd[0] = 0;
    for (i = 1; i < ac; i++) {
        /* The command runs through the user's shell, as in sshd: a word
         * that was quoted in the file because it holds blanks
         * (`/bin/sh -c "exit 23"`) is quoted again, so it stays one word. */
        int q = strpbrk(av[i], " \t") && !strpbrk(av[i], "\"'\\");
        if (i > 1)
            strcat(cmd, " ");
        if (q)
            strcat(cmd, "\"");
        strcat(cmd, av[i]);
        if (q)
            strcat(cmd, "\"");
    }
    if (sftp_internal_is(cmd) && sftp_internal_check(cmd, err, cap) < 0) {
        free(cmd);
        return NSSH_ERR_FORMAT;
    }
    if (at < o->n_subsys) {   /* a Match block's replaces the global one */
        free(o->subsys_cmd[at]);
        o->subsys_cmd[at] = cmd;
        o->subsys_rematched[at] = 1;
        return 0;
    }
    if (!(o->subsys_name[o->n_subsys] = strdup(av[0]))) {
        free(cmd);
        return NSSH_ERR_NOSPACE;
    }
    o->subsys_cmd[o->n_subsys++] = cmd;
    return 0;
}

/* Called at start-up and at the first Subsystem line of the Match blocks
 * that apply: what is defined by then may be redefined once by them. */
void reset_subsystem(daemon_opts *o)
{
    o->subsys_base = o->n_subsys;
}

const char *opts_subsystem(const daemon_opts *o, const char *name)
{
    size_t i;
    for (i = 0; i < o->n_subsys; i++)
        if (!strcmp(o->subsys_name[i], name))
            return o->subsys_cmd[i];
    /* Debian's sshd_config defines sftp; without any Subsystem line,
     * nanosshd serves it too, with its built-in server (no program
     * needed, so it works in a ChrootDirectory as well). */
    if (!o->subsys_set && !strcmp(name, "sftp"))
        return NSSHD_SFTP_DEFAULT;
    return NULL;
}

int config_kw_allow_tcp_fwd(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap)
{
    int v;
    if (!strcasecmp(av[0], "yes") || !strcasecmp(av[0], "all"))
        v = FWD_ALLOW_ALL;
    else if (!strcasecmp(av[0], "no"))
        v = FWD_ALLOW_NONE;
    else if (!strcasecmp(av[0], "local"))
        v = FWD_ALLOW_LOCAL;
    else if (!strcasecmp(av[0], "remote"))
        v = FWD_ALLOW_REMOTE;
    else
        return bad_value("AllowTcpForwarding", av[0], err, cap);
    if (!o->allow_tcp_fwd)
        o->allow_tcp_fwd = v;
    return 0;
}

int config_kw_gateway_ports(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap)
{
    int v;
    if (!strcasecmp(av[0], "no"))
        v = GATEWAY_NO;
    else if (!strcasecmp(av[0], "yes"))
        v = GATEWAY_YES;
    else if (!strcasecmp(av[0], "clientspecified"))
        v = GATEWAY_CLIENTSPECIFIED;
    else
        return bad_value("GatewayPorts", av[0], err, cap);
    if (!o->gateway_ports)
        o->gateway_ports = v;
    return 0;
}

int permit_split(const char *spec, char *host, size_t hcap, char *port,
                 size_t pcap)
{
    const char *colon, *h = spec, *hend;
    if (spec[0] == '[') {
        hend = strchr(spec, ']');
        if (!hend || (hend[1] != ':' && hend[1] != 0))
            return NSSH_ERR_FORMAT;
        h = spec + 1;
        colon = hend[1] ? hend + 1 : NULL;
    } else {
        colon = strrchr(spec, ':');
        if (colon && memchr(spec, ':', (size_t)(colon - spec)))
            return NSSH_ERR_FORMAT;   /* a bare IPv6 address needs brackets */
        hend = colon ? colon : spec + strlen(spec);
    }
    if (!colon) {   /* a port alone */
        if (spec[0] == '[' || strlen(spec) >= pcap)
            return NSSH_ERR_FORMAT;
        host[0] = 0;
        strcpy(port, spec);
        return 0;
    }
    if (hend == h || (size_t)(hend - h) >= hcap || strlen(colon + 1) >= pcap ||
        !colon[1])
        return NSSH_ERR_FORMAT;
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = 0;
    strcpy(port, colon + 1);
    return 0;
}

/* A permission entry: [host:]port with port 1..65535 or "*". */
static int entry_ok(const char *v, int need_host)
{
    char host[OPTS_HOST_MAX], port[16];
    int p;
    if (permit_split(v, host, sizeof(host), port, sizeof(port)) < 0)
        return 0;
    if (need_host && !host[0])
        return 0;
    return !strcmp(port, "*") || optval_port(port, &p) == 0;
}

static int permit_list(const char *kw, int need_host, int *mode, char **list,
                       size_t *n, char **av, size_t ac, char *err, size_t cap)
{
    size_t i;
    int m = PERMIT_LIST;
    if (ac == 1 && !strcasecmp(av[0], "any"))
        m = PERMIT_ANY;
    else if (ac == 1 && !strcasecmp(av[0], "none"))
        m = PERMIT_NONE;
    for (i = 0; m == PERMIT_LIST && i < ac; i++)
        if (!entry_ok(av[i], need_host))
            return bad_value(kw, av[i], err, cap);
    if (*mode)
        return 0;
    *mode = m;
    for (i = 0; m == PERMIT_LIST && i < ac; i++) {
        if (*n >= OPTS_MAX_PERMIT) {
            snprintf(err, cap, "%s: too many entries (at most %d).", kw,
                     OPTS_MAX_PERMIT);
            return NSSH_ERR_NOSPACE;
        }
        if (!(list[*n] = strdup(av[i])))
            return NSSH_ERR_NOSPACE;
        (*n)++;
    }
    return 0;
}

int config_kw_permit_open(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap)
{
    return permit_list("PermitOpen", 1, &o->permit_open_mode, o->permit_open,
                       &o->n_permit_open, av, ac, err, cap);
}

int config_kw_permit_listen(daemon_opts *o, char **av, size_t ac, char *err,
                            size_t cap)
{
    return permit_list("PermitListen", 0, &o->permit_listen_mode,
                       o->permit_listen, &o->n_permit_listen, av, ac, err, cap);
}

void opts_chan_free(daemon_opts *o)
{
    size_t n = o->n_subsys;
    opts_free_strs(o->subsys_name, &n);
    opts_free_strs(o->subsys_cmd, &o->n_subsys);
    opts_free_strs(o->permit_open, &o->n_permit_open);
    opts_free_strs(o->permit_listen, &o->n_permit_listen);
}
