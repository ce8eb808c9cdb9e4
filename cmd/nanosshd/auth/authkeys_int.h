/*
 * Internal to the authorized_keys code:
 *   authkeys.c        lines, fields, key comparison, reading the file
 *   authkeys_opts.c   the option list in front of a key
 * sshd's patterns and from= address matching are in ../pattern/pattern.h.
 */
#ifndef NSSHD_AUTHKEYS_INT_H
#define NSSHD_AUTHKEYS_INT_H

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

#endif
