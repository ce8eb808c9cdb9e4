/*
 * Internal to the authorized_keys code:
 *   authkeys.c        lines, fields, key comparison, reading the file
 *   authkeys_opts.c   the option list in front of a key
 *   authkeys_match.c  sshd's patterns and from= address matching
 */
#ifndef NSSH_POSIX_AUTHKEYS_INT_H
#define NSSH_POSIX_AUTHKEYS_INT_H

#include <stddef.h>

#include "authkeys.h"

/*
 * Parse the options field (n bytes at p, as written: comma-separated,
 * values in double quotes) into opts. Returns 0, or -1 with err set when
 * an option is unknown, repeated where it may not be, or malformed; opts
 * may then hold partial results for the caller to free.
 */
int authkeys_parse_opts(const char *p, size_t n, authkey_opts *opts,
                        char *err, size_t err_cap);

/*
 * from="pattern-list" against the client: each entry is a '*' / '?'
 * pattern (matched against the address text and the host name), an
 * address, or an address/prefix-length network; '!' negates. Returns 1
 * when allowed, 0 when not, -1 with err set for an invalid entry.
 */
int authkeys_from_match(const char *list, const char *addr, const char *host,
                        char *err, size_t err_cap);

#endif
