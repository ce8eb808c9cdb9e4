/*
 * DenyUsers, AllowUsers, DenyGroups, AllowGroups (access.c).
 */
#ifndef NSSHD_ACCESS_H
#define NSSHD_ACCESS_H

#include "opts.h"

/* Names of the user's groups (primary and supplementary) added to out. */
int user_group_names(const char *user, strlist *out);
/* 1 when the lists let user in from addr; 0 with why set to the end of
 * sshd's line "User U from A not allowed because WHY". */
int access_user_allowed(const daemon_opts *o, const char *user,
                        const char *addr, char *why, size_t cap);

#endif
