/*
 * Users: the password database entry of an account, and the tokens of
 * AuthorizedKeysFile paths.
 */
#ifndef NSSH_POSIX_USER_H
#define NSSH_POSIX_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "nanossh.h"

typedef struct user_info {
    char name[NSSH_USER_MAX + 1];
    uid_t uid;
    gid_t gid;
    char home[1024];
    char shell[256];
} user_info;

/* getpwnam; 0 when found, NSSH_ERR_FORMAT when not (or a field too long). */
int user_lookup(const char *name, user_info *u);

/* sshd_config TOKENS for AuthorizedKeysFile: %h home, %u user, %% a
 * percent sign; a relative result is taken from the home directory. */
int path_expand(const char *tmpl, const char *home, const char *user,
                char *out, size_t cap);

#endif
