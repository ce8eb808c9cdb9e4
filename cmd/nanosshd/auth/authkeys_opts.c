/*
 * The options field of an authorized_keys line (sshd(8) AUTHORIZED_KEYS
 * FILE FORMAT): comma-separated names, some with a value in double quotes
 * in which \" stands for a quote. Names are case-insensitive, as in sshd.
 * Anything not understood fails the whole list: an option the file's
 * author relied on for a restriction must never be silently dropped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authkeys_int.h"

/* Options that set or clear one flag. */
static const struct flag {
    const char *name;
    size_t off;
    int value;
} flags[] = {
    { "no-pty", offsetof(authkey_opts, no_pty), 1 },
    { "pty", offsetof(authkey_opts, no_pty), 0 },
    { "no-port-forwarding", offsetof(authkey_opts, no_port_forwarding), 1 },
    { "port-forwarding", offsetof(authkey_opts, no_port_forwarding), 0 },
    { "no-agent-forwarding", offsetof(authkey_opts, no_agent_forwarding), 1 },
    { "agent-forwarding", offsetof(authkey_opts, no_agent_forwarding), 0 },
    { "no-X11-forwarding", offsetof(authkey_opts, no_x11_forwarding), 1 },
    { "X11-forwarding", offsetof(authkey_opts, no_x11_forwarding), 0 },
    { "no-user-rc", offsetof(authkey_opts, no_user_rc), 1 },
    { "user-rc", offsetof(authkey_opts, no_user_rc), 0 },
    /* Security keys (PROTOCOL.u2f flags): what a signature must attest. */
    { "no-touch-required", offsetof(authkey_opts, no_touch_required), 1 },
    { "verify-required", offsetof(authkey_opts, verify_required), 1 },
};

/* A port: decimal 0..65535 (min_port and up) or "*". */
static int port_ok(const char *s, long min_port)
{
    char *end;
    long v;

    if (strcmp(s, "*") == 0)
        return 1;
    if (!isdigit((unsigned char)*s))
        return 0;
    v = strtol(s, &end, 10);
    return *end == '\0' && v >= min_port && v <= 65535;
}

/* "host:port" (need_host) or "[host:]port"; an IPv6 host in brackets. */
static int hostport_ok(const char *v, int need_host)
{
    const char *colon;

    if (strpbrk(v, " \t"))
        return 0;
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (!close || close == v + 1 || close[1] != ':')
            return 0;
        colon = close + 1;
    } else {
        colon = strrchr(v, ':');
        if (colon && memchr(v, ':', (size_t)(colon - v)))
            return 0;     /* bare IPv6 address: brackets needed */
    }
    if (!colon)
        return !need_host && port_ok(v, 0);
    if (colon == v)
        return 0;
    return port_ok(colon + 1, need_host ? 1 : 0);
}

/* environment="NAME=value": NAME made of letters, digits and '_'. */
static int env_ok(const char *v)
{
    const char *eq = strchr(v, '=');
    const char *c;

    if (!eq || eq == v || isdigit((unsigned char)v[0]))
        return 0;
    for (c = v; c < eq; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return 0;
    return 1;
}

static int add_to(char **list, size_t *n, size_t max, char *v)
{
    if (*n >= max)
        return -1;
    list[(*n)++] = v;
    return 0;
}

/* Apply one option; takes ownership of value (may be NULL). */
static int apply(authkey_opts *o, const char *name, char *value, char *err,
                 size_t cap)
{
    size_t i;
    int r = 0;

    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (strcasecmp(name, flags[i].name) == 0) {
            if (value)
                goto takes_none;
            *(int *)((char *)o + flags[i].off) = flags[i].value;
            return 0;
        }
    if (strcasecmp(name, "restrict") == 0) {
        if (value)
            goto takes_none;
        o->restrict_all = o->no_pty = o->no_port_forwarding = 1;
        o->no_agent_forwarding = o->no_x11_forwarding = o->no_user_rc = 1;
        return 0;
    }
    if (strcasecmp(name, "cert-authority") == 0) {
        if (value)
            goto takes_none;
        o->cert_authority = 1;
        return 0;
    }
    if (strcasecmp(name, "principals") == 0) {
        if (!value || !*value || o->principals) {
            snprintf(err, cap, "option principals: missing, empty or repeated");
            free(value);
            return -1;
        }
        o->principals = value;
        return 0;
    }
    if (strcasecmp(name, "expiry-time") == 0) {
        int64_t t;
        if (!value || authkeys_parse_time(value, &t) < 0) {
            snprintf(err, cap, "option expiry-time: invalid time \"%.40s\"",
                     value ? value : "");
            free(value);
            return -1;
        }
        free(value);
        /* Given twice, the earlier time counts, as in sshd. */
        if (!o->expiry || t < o->expiry)
            o->expiry = t;
        return 0;
    }
    if (strcasecmp(name, "command") && strcasecmp(name, "from") &&
        strcasecmp(name, "environment") && strcasecmp(name, "permitopen") &&
        strcasecmp(name, "permitlisten")) {
        snprintf(err, cap, "unknown option \"%.40s\"", name);
        free(value);
        return -1;
    }
    if (!value) {
        snprintf(err, cap, "option %s needs a quoted value", name);
        return -1;
    }
    if (strcasecmp(name, "command") == 0)
        r = o->command ? -1 : (o->command = value, 0);
    else if (strcasecmp(name, "from") == 0)
        r = o->from || !*value ? -1 : (o->from = value, 0);
    else if (strcasecmp(name, "environment") == 0)
        r = env_ok(value) ? add_to(o->env, &o->n_env, AUTHKEYS_MAX_ENV, value) : -1;
    else if (strcasecmp(name, "permitopen") == 0)
        r = hostport_ok(value, 1) ? add_to(o->permitopen, &o->n_permitopen,
                                           AUTHKEYS_MAX_PERMIT, value) : -1;
    else
        r = hostport_ok(value, 0) ? add_to(o->permitlisten, &o->n_permitlisten,
                                           AUTHKEYS_MAX_PERMIT, value) : -1;
    if (r < 0) {
        snprintf(err, cap, "option %s=\"%.40s\" invalid, repeated or too many",
                 name, value);
        free(value);
    }
    return r;
takes_none:
    snprintf(err, cap, "option %s takes no value", name);
    free(value);
    return -1;
}

/* The quoted value at p[*i] (which is '"'), unescaped, malloc'ed. */
static char *dequote(const char *p, size_t n, size_t *i)
{
    char *v = malloc(n);
    size_t o = 0, k = *i + 1;

    if (!v)
        return NULL;
    for (; k < n && p[k] != '"'; k++) {
        if (p[k] == '\\' && k + 1 < n && p[k + 1] == '"')
            k++;                 /* \" is a quote; other backslashes stay */
        v[o++] = p[k];
    }
    if (k >= n) {
        free(v);
        return NULL;
    }
    v[o] = '\0';
    *i = k + 1;
    return v;
}

int authkeys_parse_opts(const char *p, size_t n, authkey_opts *opts,
                        char *err, size_t err_cap)
{
    size_t i = 0;

    while (i < n) {
        char name[48];
        char *value = NULL;
        size_t len = 0;
        while (i + len < n && (isalnum((unsigned char)p[i + len]) ||
                               p[i + len] == '-' || p[i + len] == '_'))
            len++;
        if (len == 0 || len >= sizeof(name)) {
            snprintf(err, err_cap, "bad option syntax at \"%.*s\"",
                     (int)(n - i > 20 ? 20 : n - i), p + i);
            return -1;
        }
        memcpy(name, p + i, len);
        name[len] = '\0';
        i += len;
        if (i < n && p[i] == '=') {
            i++;
            if (i >= n || p[i] != '"' || !(value = dequote(p, n, &i))) {
                snprintf(err, err_cap, "option %s: value must be in double quotes", name);
                return -1;
            }
        }
        if (i < n && p[i] != ',') {
            snprintf(err, err_cap, "bad option syntax after %s", name);
            free(value);
            return -1;
        }
        if (apply(opts, name, value, err, err_cap) < 0)
            return -1;
        if (i < n && ++i == n) {
            snprintf(err, err_cap, "option list ends with a comma");
            return -1;
        }
    }
    return 0;
}
