/*
 * Signal names of RFC 4254 section 6.10 ("HUP", without "SIG").
 */
#ifndef NSSH_POSIX_SIGNAMES_H
#define NSSH_POSIX_SIGNAMES_H

#include <stddef.h>

/* Signal number for a name (n bytes, not NUL-terminated), or 0. */
int signame_to_num(const char *name, size_t n);
/* Name for a signal number; signals outside the RFC's list get the system's
 * abbreviation ("BUS") or "UNKNOWN". */
const char *signame_from_num(int sig);

#endif
