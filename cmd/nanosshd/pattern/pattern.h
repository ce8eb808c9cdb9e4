/*
 * sshd's patterns (ssh_config(5) PATTERNS), used by sshd_config (Match,
 * AllowUsers & co., AcceptEnv, the algorithm lists, PermitOpen) and by
 * authorized_keys (from=). No policy here: only matching.
 */
#ifndef NSSHD_PATTERN_H
#define NSSHD_PATTERN_H

#include <stddef.h>

/* '*', '?', '!' negation, comma lists. Returns 1 match, 0 no match, -1
 * negated match. */
int match_pattern_list(const char *s, const char *list);

/*
 * An address pattern list (from=, Match Address, AllowUsers user@addr)
 * against the client: each entry is a '*' / '?' pattern (matched against
 * the address text and the host name), an address, or an
 * address/prefix-length network; '!' negates. Returns 1 when allowed, 0
 * when not, -1 with err set for an invalid entry.
 */
int match_addr_list(const char *list, const char *addr, const char *host,
                    char *err, size_t err_cap);

/* May a client set this variable (AcceptEnv)? name is valid (no '=', not
 * empty) and matches one of the patterns. */
int env_accepted(const char *name, char *const *patterns, size_t n_patterns);

#endif
