/*
 * AuthenticationMethods (authmeth.c) per connection: the
 * lists that are left, the methods that may be tried now and the user
 * keys that already succeeded.
 */
#ifndef NSSHD_AUTHMETH_H
#define NSSHD_AUTHMETH_H

#include <stdio.h>

#include "dconn.h"

/* After Match, at the first USERAUTH_REQUEST: the lists for this
 * connection, those with a disabled method dropped (logged). An error
 * when none is left. */
int authmeth_setup(dconn *s);
void authmeth_free(dconn *s);
/* May method (with submethod, or NULL) be tried now? */
int authmeth_allowed(const dconn *s, const char *method, const char *sub);
/* The engine's NSSH_METHOD_* bits: those of enabled that lead a list. */
unsigned authmeth_engine_bits(const dconn *s, unsigned enabled);
/* Did this user key already succeed on this connection? */
int authmeth_key_used(const dconn *s, const uint8_t *blob, size_t len);
/* method succeeded (blob: its user key or NULL): 1 when authentication
 * is complete (s->kopts then holds the merged options of the keys that
 * succeeded), 0 when more must follow (the engine's methods updated), -1
 * when this key's options conflict with an earlier key's (refused). */
int authmeth_success(dconn *s, const char *method, const uint8_t *blob,
                     size_t len);
/* The engine's auth_complete callback. */
int srv_auth_complete(void *user, nssh_str username, const char *method,
                      const uint8_t *blob, size_t blob_len);

#endif
