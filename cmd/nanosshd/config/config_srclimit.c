/*
 * Per-source limits (sshd_config(5)): PerSourceMaxStartups,
 * PerSourceNetBlockSize, PerSourcePenalties and PerSourcePenaltyExemptList,
 * with sshd 9.8's defaults, and DHGroupExchangeMaxSize (nanosshd's own:
 * the largest group diffie-hellman-group-exchange hands out). As for every
 * keyword, the first value given wins; each PerSourcePenalties item is a
 * value of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "optval.h"
#include "pattern.h"

void kw_reset_srclimit(daemon_opts *o)
{
    penalty_opts *p = &o->penalty;
    o->persource_max = -1;
    o->netblock4 = o->netblock6 = -1;
    p->enabled = -1;
    p->crash = p->authfail = p->invaliduser = p->noauth = p->grace = -1;
    p->refuse = p->kexdh = p->max = p->min = -1;
    p->max_sources4 = p->max_sources6 = -1;
    p->overflow = p->overflow6 = -1;
    o->gex_max_bits = -1;
}

void kw_reset_penalty_exempt(daemon_opts *o)
{
    free(o->penalty_exempt);
    o->penalty_exempt = NULL;
}

static void set_d(double *f, double v) { if (*f < 0) *f = v; }
static void set_l(long *f, long v) { if (*f < 0) *f = v; }
static void set_i(int *f, int v) { if (*f < 0) *f = v; }

void srclimit_opts_finish(daemon_opts *o)
{
    penalty_opts *p = &o->penalty;
    set_l(&o->persource_max, 0);
    set_i(&o->netblock4, 32);
    set_i(&o->netblock6, 128);
    set_i(&p->enabled, 1);
    set_d(&p->crash, 90);
    set_d(&p->authfail, 5);
    set_d(&p->invaliduser, 5);
    set_d(&p->noauth, 1);
    set_d(&p->grace, 10);
    set_d(&p->refuse, 10);
    /* Not in sshd: a finite-field Diffie-Hellman exchange of a connection
     * that never logs in, and each one after the first before login
     * (startups.c; DHGroupExchangeMaxSize in the manual). */
    set_d(&p->kexdh, 2);
    set_d(&p->max, 600);
    set_d(&p->min, 15);
    set_l(&p->max_sources4, 65536);
    set_l(&p->max_sources6, 65536);
    set_i(&p->overflow, PENALTY_PERMISSIVE);
    set_i(&p->overflow6, p->overflow);
    /* 4096 bits: above group16's strength, a quarter of 8192's cost. */
    set_l(&o->gex_max_bits, 4096);
}

/* "none" or a number of connections. */
int kw_persource_startups(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap)
{
    unsigned long v = 0;
    (void)ac;
    if (strcasecmp(av[0], "none") &&
        (optval_uint(av[0], 1000000, &v) < 0 || v == 0))
        return kw_bad_value("PerSourceMaxStartups", av[0], err, cap);
    set_l(&o->persource_max, (long)v);
    return 0;
}

/* "bits4[:bits6]". */
int kw_netblock(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    unsigned long v4, v6 = 128;
    char buf[32], *colon;
    (void)ac;
    if (strlen(av[0]) >= sizeof(buf))
        return kw_bad_value("PerSourceNetBlockSize", av[0], err, cap);
    strcpy(buf, av[0]);
    if ((colon = strchr(buf, ':')))
        *colon++ = 0;
    if (optval_uint(buf, 32, &v4) < 0 ||
        (colon && optval_uint(colon, 128, &v6) < 0))
        return kw_bad_value("PerSourceNetBlockSize", av[0], err, cap);
    set_i(&o->netblock4, (int)v4);
    set_i(&o->netblock6, (int)v6);
    return 0;
}

static int overflow_mode(const char *v)
{
    if (!strcasecmp(v, "deny-all"))
        return PENALTY_DENY_ALL;
    if (!strcasecmp(v, "permissive"))
        return PENALTY_PERMISSIVE;
    return -1;
}

static const struct {
    const char *name;
    size_t off;
} durations[] = {
    { "crash:", offsetof(penalty_opts, crash) },
    { "authfail:", offsetof(penalty_opts, authfail) },
    { "invaliduser:", offsetof(penalty_opts, invaliduser) },
    { "noauth:", offsetof(penalty_opts, noauth) },
    { "grace-exceeded:", offsetof(penalty_opts, grace) },
    { "refuseconnection:", offsetof(penalty_opts, refuse) },
    { "kex-dh:", offsetof(penalty_opts, kexdh) },
    { "max:", offsetof(penalty_opts, max) },
    { "min:", offsetof(penalty_opts, min) },
};

/* One "name:value" item of PerSourcePenalties. */
static int penalty_item(penalty_opts *p, const char *a)
{
    unsigned long n;
    uint64_t secs;
    size_t i, len;
    int m;
    for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
        len = strlen(durations[i].name);
        if (strncasecmp(a, durations[i].name, len))
            continue;
        if (optval_time(a + len, &secs) < 0 || secs > 86400 * 365)
            return NSSH_ERR_FORMAT;
        set_d((double *)((char *)p + durations[i].off), (double)secs);
        return 0;
    }
    if (!strncasecmp(a, "max-sources4:", 13) || !strncasecmp(a, "max-sources6:", 13)) {
        if (optval_uint(a + 13, 1u << 24, &n) < 0 || n == 0)
            return NSSH_ERR_FORMAT;
        set_l(a[11] == '4' ? &p->max_sources4 : &p->max_sources6, (long)n);
        return 0;
    }
    if (!strncasecmp(a, "overflow:", 9) && (m = overflow_mode(a + 9)) >= 0) {
        set_i(&p->overflow, m);
        return 0;
    }
    if (!strncasecmp(a, "overflow6:", 10) && (m = overflow_mode(a + 10)) >= 0) {
        set_i(&p->overflow6, m);
        return 0;
    }
    return NSSH_ERR_FORMAT;
}

/* "yes", "no" (alone), or items that override the defaults. */
int kw_penalties(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    size_t i;
    int yes;
    for (i = 0; i < ac; i++) {
        if ((yes = !strcasecmp(av[i], "yes")) || !strcasecmp(av[i], "no")) {
            if (ac > 1) {
                snprintf(err, cap, "PerSourcePenalties: \"%s\" must appear "
                         "alone.", av[i]);
                return NSSH_ERR_FORMAT;
            }
            set_i(&o->penalty.enabled, yes);
        } else if (penalty_item(&o->penalty, av[i]) < 0) {
            return kw_bad_value("PerSourcePenalties", av[i], err, cap);
        }
    }
    return 0;
}

/* Addresses and address/bits networks, as in Match Address. */
int kw_penalty_exempt(daemon_opts *o, char **av, size_t ac, char *err,
                      size_t cap)
{
    char why[160];
    (void)ac;
    why[0] = 0;
    if (strcasecmp(av[0], "none") &&
        match_addr_list(av[0], "127.0.0.1", NULL, why, sizeof(why)) < 0) {
        snprintf(err, cap, "PerSourcePenaltyExemptList: invalid list "
                 "\"%.100s\": %s", av[0], why);
        return NSSH_ERR_FORMAT;
    }
    if (o->penalty_exempt)
        return 0;
    o->penalty_exempt = strdup(strcasecmp(av[0], "none") ? av[0] : "");
    return o->penalty_exempt ? 0 : NSSH_ERR_NOSPACE;
}

/* 2048 (RFC 8270's minimum) to 8192 (RFC 4419's largest). */
int kw_gex_max(daemon_opts *o, char **av, size_t ac, char *err, size_t cap)
{
    unsigned long v;
    (void)ac;
    if (optval_uint(av[0], 8192, &v) < 0 || v < 2048) {
        snprintf(err, cap, "DHGroupExchangeMaxSize: invalid value \"%.100s\" "
                 "(2048 to 8192 bits).", av[0]);
        return NSSH_ERR_FORMAT;
    }
    set_l(&o->gex_max_bits, (long)v);
    return 0;
}

void show_persource_startups(const daemon_opts *o, const char *name, FILE *f)
{
    if (o->persource_max > 0)
        fprintf(f, "%s %ld\n", name, o->persource_max);
    else
        fprintf(f, "%s none\n", name);
}

void show_netblock(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %d:%d\n", name, o->netblock4, o->netblock6);
}

void show_penalties(const daemon_opts *o, const char *name, FILE *f)
{
    const penalty_opts *p = &o->penalty;
    if (!p->enabled) {
        fprintf(f, "%s no\n", name);
        return;
    }
    /* Whole seconds with sshd -T's "s", so the listing loads again
     * (the values come from optval_time, whole seconds). */
    fprintf(f, "%s crash:%.0fs authfail:%.0fs noauth:%.0fs invaliduser:%.0fs "
            "grace-exceeded:%.0fs refuseconnection:%.0fs kex-dh:%.0fs "
            "max:%.0fs min:%.0fs "
            "max-sources4:%ld max-sources6:%ld overflow:%s overflow6:%s\n",
            name, p->crash, p->authfail, p->noauth, p->invaliduser, p->grace,
            p->refuse, p->kexdh, p->max, p->min, p->max_sources4,
            p->max_sources6,
            p->overflow == PENALTY_DENY_ALL ? "deny-all" : "permissive",
            p->overflow6 == PENALTY_DENY_ALL ? "deny-all" : "permissive");
}

void show_penalty_exempt(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %s\n", name,
            o->penalty_exempt && o->penalty_exempt[0] ? o->penalty_exempt : "none");
}

void show_gex_max(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %ld\n", name, o->gex_max_bits);
}
