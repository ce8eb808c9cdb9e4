/*
 * The AuthenticationMethods keyword (sshd_config(5)): its syntax, its -T
 * line and the start-up check that some list can be satisfied. The lists
 * are followed per connection in auth/authmeth.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const known[] = {
    "none", "publickey", "password", "keyboard-interactive", "hostbased",
    "gssapi-with-mic", NULL
};

/* ---- configuration ---------------------------------------------------- */

/* One list: known method names, separated by single commas. */
static int list_valid(const char *list)
{
    const char *p = list, *end;
    size_t i, n;
    if (!*list)
        return 0;
    for (;;) {
        end = p + strcspn(p, ",");
        n = strcspn(p, ",:");
        for (i = 0; known[i]; i++)
            if (strlen(known[i]) == n && !strncmp(p, known[i], n))
                break;
        if (!known[i] || end == p)
            return 0;
        if (!*end)
            return 1;
        p = end + 1;
    }
}

int config_kw_auth_methods(daemon_opts *o, char **av, size_t ac, char *err,
                           size_t cap)
{
    size_t i, len = 0;
    char *v;
    for (i = 0; i < ac; i++) {
        if (!strcmp(av[i], "any") && ac > 1) {
            snprintf(err, cap, "AuthenticationMethods: \"any\" must appear "
                     "alone.");
            return NSSH_ERR_FORMAT;
        }
        if (strcmp(av[i], "any") && !list_valid(av[i])) {
            snprintf(err, cap, "AuthenticationMethods: invalid method list "
                     "\"%.200s\".", av[i]);
            return NSSH_ERR_FORMAT;
        }
        len += strlen(av[i]) + 1;
    }
    if (ac > AUTHMETH_LISTS_MAX) {
        snprintf(err, cap, "AuthenticationMethods: more than %d lists.",
                 AUTHMETH_LISTS_MAX);
        return NSSH_ERR_FORMAT;
    }
    if (o->auth_methods)
        return 0;   /* the first line wins */
    if (!(v = malloc(len)))
        return NSSH_ERR_NOSPACE;
    v[0] = 0;
    for (i = 0; i < ac; i++) {
        if (i)
            strcat(v, " ");
        strcat(v, av[i]);
    }
    o->auth_methods = v;
    return 0;
}

void reset_auth_methods(daemon_opts *o)
{
    free(o->auth_methods);
    o->auth_methods = NULL;
}

void show_auth_methods(const daemon_opts *o, const char *name, FILE *f)
{
    fprintf(f, "%s %s\n", name, o->auth_methods ? o->auth_methods : "any");
}

/* Is this method switched on by its own keyword? */
static int enabled(const daemon_opts *o, const char *m, size_t n)
{
#define IS(s) (n == strlen(s) && !strncmp(m, s, n))
    if (IS("none"))
        return 1;
    if (IS("publickey"))
        return o->pubkey_auth > 0;
    if (IS("password"))
        return opts_password_auth(o);
    if (IS("keyboard-interactive"))
        return opts_kbdint_auth(o);
    return 0;   /* hostbased, gssapi-with-mic: not in nanosshd */
#undef IS
}

int authmeth_list_enabled(const daemon_opts *o, const char *list)
{
    const char *p = list;
    size_t n;
    for (;;) {
        n = strcspn(p, ",:");
        if (!enabled(o, p, n))
            return 0;
        p += strcspn(p, ",");
        if (!*p)
            return 1;
        p++;
    }
}

size_t authmeth_split(char *copy, char **out, size_t max)
{
    char *save = NULL, *w;
    size_t n = 0;
    for (w = strtok_r(copy, " ", &save); w && n < max;
         w = strtok_r(NULL, " ", &save))
        out[n++] = w;
    return n;
}

int authmeth_check(const daemon_opts *o, char *err, size_t cap)
{
    char *copy, *lists[AUTHMETH_LISTS_MAX];
    size_t i, n;
    int ok = 0;
    if (!o->auth_methods || !strcmp(o->auth_methods, "any"))
        return 0;
    if (!(copy = strdup(o->auth_methods)))
        return NSSH_ERR_NOSPACE;
    n = authmeth_split(copy, lists, AUTHMETH_LISTS_MAX);
    for (i = 0; i < n && !ok; i++)
        ok = authmeth_list_enabled(o, lists[i]);
    free(copy);
    if (ok)
        return 0;
    snprintf(err, cap, "AuthenticationMethods cannot be satisfied by enabled "
             "authentication methods");
    return NSSH_ERR_FORMAT;
}

