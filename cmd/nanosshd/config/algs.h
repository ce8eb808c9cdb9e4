/*
 * The algorithm keywords (KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms,
 * PubkeyAcceptedAlgorithms) as engine tables (config_algs.c).
 */
#ifndef NSSHD_ALGS_H
#define NSSHD_ALGS_H

#include <stdio.h>

#include "opts.h"
#include "hostkeys.h"

size_t algs_kems(const alglist *l, const nssh_kem **out, size_t max);
size_t algs_ciphers(const alglist *l, const nssh_cipher **out, size_t max);
size_t algs_macs(const alglist *l, const nssh_mac **out, size_t max);
size_t algs_sigs(const alglist *l, const nssh_sig_alg **out, size_t max);
/* Host keys for HostKeyAlgorithms: one entry per algorithm of the list
 * and key that can sign with it, in the list's order. Returns how many
 * were written. */
size_t algs_hostkeys(const alglist *l, const hostkey_set *hs,
                     nssh_hostkey *out, size_t max);

/* -Q: the names the backend supports for kex, cipher, mac or key (sig),
 * one a line; a negative error for an unknown query. */
int algs_query(const char *what, FILE *f);

#endif
