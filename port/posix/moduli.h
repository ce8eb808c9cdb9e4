/* Groups for diffie-hellman-group-exchange from a moduli file. */
#ifndef NSSH_POSIX_MODULI_H
#define NSSH_POSIX_MODULI_H

#include <stddef.h>

#include "nanossh.h"

#define MODULI_DEFAULT_PATH "/etc/ssh/moduli"

/* Parse text in /etc/ssh/moduli format (moduli(5): time type tests trials
 * size generator modulus; only safe primes that passed Miller-Rabin are
 * kept). Returns how many groups were parsed into a malloc'ed array (*out,
 * free with moduli_free), or a negative error. Malformed lines are
 * skipped and counted in *bad when bad is not NULL. */
long moduli_parse(const char *text, size_t len, nssh_modulus **out, size_t *bad);
void moduli_free(nssh_modulus *m, size_t n);

/* The groups of path (ModuliFile; MODULI_DEFAULT_PATH when NULL), loaded
 * once per process; none (and the backend's built-in groups are used)
 * when the file is missing. */
const nssh_modulus *moduli_get(const char *path, size_t *n);

#endif
