/*
 * ChannelTimeout and UnusedConnectionTimeout (sshd_config(5)).
 *
 * ChannelTimeout is a list of type=interval: type is a channel type
 * pattern (session, direct-tcpip, forwarded-tcpip, x11-connection,
 * auth-agent-connection, direct-streamlocal@openssh.com, ...) or the word
 * "global", which covers all channels together and is not matched by
 * wildcards; "none" alone clears the list. The first line wins, in a
 * Match block too. UnusedConnectionTimeout is a time or "none".
 * session/chantime.c applies both.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "optval.h"

int kw_chan_timeout(daemon_opts *o, char **av, size_t ac, char *err,
                    size_t cap)
{
    struct chan_timeout t[OPTS_MAX_CHAN_TIMEOUTS];
    size_t i, n = 0;
    for (i = 0; i < ac; i++) {
        const char *eq = strchr(av[i], '=');
        uint64_t secs;
        size_t tl;
        if (!strcasecmp(av[i], "none")) {
            if (ac > 1) {
                snprintf(err, cap, "keyword ChannelTimeout \"none\" argument "
                         "must appear alone.");
                return NSSH_ERR_FORMAT;
            }
            continue;
        }
        tl = eq ? (size_t)(eq - av[i]) : 0;
        if (!eq || tl == 0 || tl >= sizeof(t[0].type) ||
            optval_time(eq + 1, &secs) < 0 || secs > 0x7fffffffu) {
            snprintf(err, cap, "invalid channel timeout %.100s", av[i]);
            return NSSH_ERR_FORMAT;
        }
        memcpy(t[n].type, av[i], tl);
        t[n].type[tl] = 0;
        t[n].seconds = (long)secs;
        n++;
    }
    if (o->n_chan_timeouts < 0) {
        memcpy(o->chan_timeouts, t, n * sizeof(t[0]));
        o->n_chan_timeouts = (int)n;
    }
    return 0;
}

void kw_reset_chan_timeout(daemon_opts *o)
{
    o->n_chan_timeouts = -1;
}

void show_chan_timeout(const daemon_opts *o, const char *name, FILE *f)
{
    int i;
    fputs(name, f);
    if (o->n_chan_timeouts <= 0)
        fputs(" none", f);
    for (i = 0; i < o->n_chan_timeouts; i++)
        fprintf(f, " %s=%ld", o->chan_timeouts[i].type,
                o->chan_timeouts[i].seconds);
    fputc('\n', f);
}

int kw_unused_timeout(daemon_opts *o, char **av, size_t ac, char *err,
                      size_t cap)
{
    uint64_t secs = 0;
    (void)ac;
    if (strcasecmp(av[0], "none") &&
        (optval_time(av[0], &secs) < 0 || secs > 0x7fffffffu)) {
        snprintf(err, cap, "UnusedConnectionTimeout: invalid time value "
                 "\"%.100s\".", av[0]);
        return NSSH_ERR_FORMAT;
    }
    if (o->unused_timeout < 0)
        o->unused_timeout = (long)secs;
    return 0;
}

void kw_reset_unused_timeout(daemon_opts *o)
{
    o->unused_timeout = -1;
}

void show_unused_timeout(const daemon_opts *o, const char *name, FILE *f)
{
    if (o->unused_timeout > 0)
        fprintf(f, "%s %ld\n", name, o->unused_timeout);
    else
        fprintf(f, "%s none\n", name);
}
