/*
 * ChrootDirectory's mechanism (jail.c): sshd's safety check of the path
 * and the chroot itself, done in a session's child before it drops root.
 */
#ifndef NSSH_POSIX_JAIL_H
#define NSSH_POSIX_JAIL_H

#include <stddef.h>

/* sshd's rule: an absolute path whose every component, "/" included, is
 * a directory owned by root and writable by no one else. 0, or -1 with
 * sshd's sentence in why ("bad ownership or modes for chroot directory
 * component \"/srv/\""). */
int jail_check(const char *path, char *why, size_t cap);

/* chdir into path, chroot there, chdir("/"). 0, or -1 with errno set. */
int jail_enter(const char *path);

#endif
