/*
 * Environment lists for child processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nanossh.h"
#include "env.h"

#define USER_PATH "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define ROOT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static ssize_t find(const envlist *e, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < e->n; i++)
        if (!strncmp(e->v[i], name, len) && e->v[i][len] == '=')
            return (ssize_t)i;
    return -1;
}

static int store(envlist *e, char *entry, size_t name_len)
{
    ssize_t at = find(e, entry, name_len);
    char **nv;
    if (at >= 0) {
        free(e->v[at]);
        e->v[at] = entry;
        return 0;
    }
    if (e->n + 1 >= e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 32;
        if (!(nv = realloc(e->v, cap * sizeof(*nv)))) {
            free(entry);
            return NSSH_ERR_NOSPACE;
        }
        e->v = nv;
        e->cap = cap;
    }
    e->v[e->n++] = entry;
    e->v[e->n] = NULL;
    return 0;
}

int env_set(envlist *e, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    char *entry;
    if (!nl || strchr(name, '='))
        return NSSH_ERR_FORMAT;
    if (!(entry = malloc(nl + vl + 2)))
        return NSSH_ERR_NOSPACE;
    memcpy(entry, name, nl);
    entry[nl] = '=';
    memcpy(entry + nl + 1, value, vl + 1);
    return store(e, entry, nl);
}

int env_put(envlist *e, const char *entry)
{
    const char *eq = strchr(entry, '=');
    char *copy;
    if (!eq || eq == entry)
        return NSSH_ERR_FORMAT;
    if (!(copy = strdup(entry)))
        return NSSH_ERR_NOSPACE;
    return store(e, copy, (size_t)(eq - entry));
}

const char *env_get(const envlist *e, const char *name)
{
    ssize_t at = find(e, name, strlen(name));
    return at >= 0 ? e->v[at] + strlen(name) + 1 : NULL;
}

void env_free(envlist *e)
{
    size_t i;
    for (i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
    memset(e, 0, sizeof(*e));
}

static int connection_vars(envlist *e, const env_inputs *in)
{
    char buf[512];
    int r = 0;
    snprintf(buf, sizeof(buf), "%s %d %d", in->peer_addr, in->peer_port,
             in->local_port);
    r |= env_set(e, "SSH_CLIENT", buf);
    snprintf(buf, sizeof(buf), "%s %d %s %d", in->peer_addr, in->peer_port,
             in->local_addr, in->local_port);
    r |= env_set(e, "SSH_CONNECTION", buf);
    if (in->tty)
        r |= env_set(e, "SSH_TTY", in->tty);
    if (in->term && in->term[0])
        r |= env_set(e, "TERM", in->term);
    if (in->original_command)
        r |= env_set(e, "SSH_ORIGINAL_COMMAND", in->original_command);
    return r;
}

int env_build(envlist *e, const env_inputs *in)
{
    char mail[512];
    size_t i;
    int r = 0;
    r |= env_set(e, "USER", in->user);
    r |= env_set(e, "LOGNAME", in->user);
    r |= env_set(e, "HOME", in->home);
    r |= env_set(e, "PATH", in->uid == 0 ? ROOT_PATH : USER_PATH);
    snprintf(mail, sizeof(mail), "/var/mail/%s", in->user);
    r |= env_set(e, "MAIL", mail);
    r |= env_set(e, "SHELL", in->shell);
    for (i = 0; i < in->n_key_env; i++)
        r |= env_put(e, in->key_env[i]);
    for (i = 0; i < in->n_client_env; i++)
        r |= env_put(e, in->client_env[i]);
    for (i = 0; i < in->n_user_env; i++)
        r |= env_put(e, in->user_env[i]);
    /* SetEnv overrides what the keys file and the client set. */
    for (i = 0; i < in->n_admin_env; i++)
        r |= env_put(e, in->admin_env[i]);
    r |= connection_vars(e, in);
    return r ? NSSH_ERR_NOSPACE : 0;
}
