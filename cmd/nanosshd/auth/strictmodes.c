/*
 * StrictModes (sshd_config(5)): a file another user can change could add
 * a key, so sshd refuses authorized_keys unless the file and each
 * directory above it belong to root or the user and are not group or
 * world writable. The walk stops at the user's home directory, or at "/"
 * for a file outside it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nanossh.h"
#include "strictmodes.h"

static int bad(const struct stat *st, uid_t uid)
{
    return (st->st_uid != 0 && st->st_uid != uid) ||
           (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

int strict_path_ok(const char *path, uid_t uid, const char *home, char *why,
                   size_t why_cap)
{
    char buf[PATH_MAX], homebuf[PATH_MAX], *slash;
    struct stat st;
    why[0] = 0;
    if (!realpath(path, buf))
        return errno == ENOENT ? 1 : NSSH_ERR_FORMAT;
    if (stat(buf, &st) < 0)
        return NSSH_ERR_FORMAT;
    if (!S_ISREG(st.st_mode) || bad(&st, uid)) {
        snprintf(why, why_cap, "bad ownership or modes for file %s", buf);
        return NSSH_ERR_FORMAT;
    }
    if (!home || !realpath(home, homebuf))
        homebuf[0] = 0;
    for (;;) {
        if (!(slash = strrchr(buf, '/')))
            return NSSH_ERR_FORMAT;
        if (slash == buf)
            slash[1] = 0;   /* the root directory */
        else
            *slash = 0;
        if (stat(buf, &st) < 0)
            return NSSH_ERR_FORMAT;
        if (bad(&st, uid)) {
            snprintf(why, why_cap, "bad ownership or modes for directory %s", buf);
            return NSSH_ERR_FORMAT;
        }
        if ((homebuf[0] && !strcmp(buf, homebuf)) || !strcmp(buf, "/"))
            return 0;
    }
}
