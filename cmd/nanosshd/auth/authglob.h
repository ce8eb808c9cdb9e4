/*
 * AuthorizedKeysFile and AuthorizedPrincipalsFile name glob(7) patterns
 * once their %-tokens are expanded (sshd 10.5 passes each path through
 * glob(3)): every match is read, in glob's sorted order, and a pattern
 * that matches nothing names no file.
 */
#ifndef NSSHD_AUTHGLOB_H
#define NSSHD_AUTHGLOB_H

#include <glob.h>
#include <stddef.h>

/* The files pattern names, in *gl (globfree it when the return is > 0):
 * the number of matches, or 0 for none or when glob failed otherwise
 * (logged as sshd does; nothing to free). Call it with the user's
 * rights, as the files are then read. */
size_t authglob(const char *pattern, glob_t *gl);

#endif
