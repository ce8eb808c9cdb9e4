/*
 * PermitUserEnvironment (sshd_config(5)): the variables users may set for
 * their own sessions, from ~/.ssh/environment and the authorized_keys
 * environment= option, honoured only when the configuration allows it
 * (sshd's default is no) and, with a pattern list, only for the names it
 * matches.
 */
#ifndef NSSHD_USERENV_H
#define NSSHD_USERENV_H

#include <stddef.h>

#include "dconn.h"

typedef struct userenv {
    char **key;        /* the key's environment= entries allowed */
    size_t n_key;
    char **file;       /* ~/.ssh/environment's entries allowed */
    size_t n_file;
} userenv;

/* Both lists for a session of s, "NAME=value" each (empty when not
 * permitted). 0, or NSSH_ERR_NOSPACE; free with userenv_free either way. */
int userenv_load(const dconn *s, userenv *u);
void userenv_free(userenv *u);

#endif
