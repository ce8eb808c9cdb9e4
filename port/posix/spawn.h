/*
 * The child of a session: pty or pipes, user identity, environment, exec
 * (spawn.c).
 */
#ifndef NSSH_POSIX_SPAWN_H
#define NSSH_POSIX_SPAWN_H

#include "conn.h"

/* What the program decided for one session (its sshd policy: ForceCommand,
 * the key's command= and environment=, ~/.ssh/environment, SetEnv,
 * PrintMotd); the adapter
 * only carries it out. The pointers need to live only during the call. */
typedef struct spawn_policy {
    const char *forced;      /* run instead of the client's command, or NULL */
    int forced_by;           /* for the log: 2 the configuration, 1 the key */
    char *const *admin_env;  /* SetEnv: "NAME=value" */
    size_t n_admin_env;
    char *const *key_env;    /* authorized_keys environment= */
    size_t n_key_env;
    char *const *user_env;   /* ~/.ssh/environment */
    size_t n_user_env;
    int motd;                /* print the motd before a login shell on a pty */
    const char *last_login;  /* PrintLastLog: "Last login: ..." before the
                                motd, or NULL */
    const char *chroot;      /* ChrootDirectory, expanded and checked
                                (jail_check), or NULL */
} spawn_policy;

/* Start the child of session ch: the forced command, else command, else
 * the user's login shell, inside p->chroot when set (internal-sftp then
 * needs nothing inside it). A pty session gets utmp, wtmp and lastlog
 * records (loginrec.h). 0, or NSSH_ERR_INTERNAL (logged). */
int spawn_session(pconn *s, uint32_t ch, const char *command,
                  const spawn_policy *p);

#endif
