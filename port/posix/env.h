/*
 * The environment of a session's process, built the way sshd builds it:
 * account variables, then the authorized_keys environment= values, then
 * the variables the client sent (AcceptEnv), then ~/.ssh/environment's,
 * then SetEnv's, then SSH_CLIENT,
 * SSH_CONNECTION, SSH_TTY, TERM and SSH_ORIGINAL_COMMAND. A later value
 * replaces an earlier one of the same name.
 */
#ifndef NSSH_POSIX_ENV_H
#define NSSH_POSIX_ENV_H

#include <stddef.h>
#include <sys/types.h>

typedef struct envlist {
    char **v;        /* "NAME=value", NULL-terminated */
    size_t n, cap;
} envlist;

int env_set(envlist *e, const char *name, const char *value);
/* "NAME=value"; an entry without '=' is refused. */
int env_put(envlist *e, const char *entry);
/* Value of name, or NULL. */
const char *env_get(const envlist *e, const char *name);
void env_free(envlist *e);

typedef struct env_inputs {
    const char *user, *home, *shell;
    uid_t uid;
    const char *peer_addr, *local_addr;
    int peer_port, local_port;
    const char *tty;                 /* NULL without a pty */
    const char *term;                /* from pty-req, NULL or "" for none */
    char *const *key_env;            /* authorized_keys environment= */
    size_t n_key_env;
    char *const *client_env;         /* accepted env requests */
    size_t n_client_env;
    char *const *user_env;           /* ~/.ssh/environment */
    size_t n_user_env;
    const char *original_command;    /* with a forced command */
    char *const *admin_env;          /* sshd_config SetEnv */
    size_t n_admin_env;
} env_inputs;

int env_build(envlist *e, const env_inputs *in);

#endif
