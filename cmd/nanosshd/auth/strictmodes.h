/*
 * StrictModes: sshd's owner and mode check of a user's authorized_keys
 * file and the directories above it, before the file is trusted.
 */
#ifndef NSSHD_STRICTMODES_H
#define NSSHD_STRICTMODES_H

#include <stddef.h>
#include <sys/types.h>

/* 0 when path (resolved with realpath) is a regular file owned by root or
 * uid and writable by neither group nor others, and so is every directory
 * above it up to home (or "/" when the file is outside home). Otherwise a
 * negative error and why gets sshd's sentence ("bad ownership or modes for
 * directory /home/u/.ssh"), or empty when a path could not be examined.
 * 1 when the file does not exist: there is nothing to refuse. */
int strict_path_ok(const char *path, uid_t uid, const char *home, char *why,
                   size_t why_cap);

#endif
