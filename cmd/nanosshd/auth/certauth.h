/*
 * User certificates (certauth.c; PROTOCOL.certkeys): is this certificate
 * accepted for the user of s? The CA signature, CASignatureAlgorithms,
 * TrustedUserCAKeys with AuthorizedPrincipalsFile/Command, cert-authority
 * lines, validity, principals, critical options and extensions. On
 * acceptance s->kopts holds the merged options the session obeys.
 */
#ifndef NSSHD_CERTAUTH_H
#define NSSHD_CERTAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "dconn.h"
#include "nanossh_cert.h"

/* 1 accepted (s->kopts set), 0 refused (logged as sshd logs it). */
int certauth_check(dconn *s, const uint8_t *blob, size_t len);
/* " ID key-id (serial N) CA ED25519 SHA256:..." for the login lines. */
void certauth_describe(const uint8_t *blob, size_t len, char *out, size_t cap);

/* Lines "[options] principal" (an AuthorizedPrincipalsFile's or
 * AuthorizedPrincipalsCommand's output, NUL-terminated after len bytes,
 * modified in place): 1 when one names a principal of c (*o gets its
 * options, to free), else 0. */
int certauth_principals_text(char *data, size_t len, const nssh_cert *c,
                             authkey_opts *o);

/* The cert-authority lines of an authorized_keys text (a file's, or
 * AuthorizedKeysCommand's output; where names it in the logs): each line
 * for c's CA is tried in order until one accepts c (1, s->kopts set). */
int certauth_ca_text(dconn *s, const nssh_cert *c, const char *data,
                     size_t len, const char *where);

/* certauth_cmd.c */
/* AuthorizedPrincipalsCommand (run as AuthorizedPrincipalsCommandUser,
 * with sshd's tokens): 1 when its output names a principal of c (*o that
 * line's options), 0 otherwise or when not configured. */
int certauth_principals_command(dconn *s, const nssh_cert *c,
                                const uint8_t *blob, size_t len,
                                authkey_opts *o);
/* RevokedKeys for a certificate: its CA's serials and key ids, the
 * certified key, the CA key. 1 when revoked or the list is unusable
 * (logged with sshd's line, keys named by label / ca_label), else 0. */
int certauth_revoked(dconn *s, const nssh_cert *c, const uint8_t *blob,
                     size_t len, const char *label, const char *ca_label);
#endif
