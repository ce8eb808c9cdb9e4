/*
 * The pair harness (pair_harness.h) on the OpenSSL backend: an ed25519
 * host key and user key, and a side offering every algorithm of the
 * backend with that host key, accepting that user key for "alice".
 * Used by core/test_export.c and core/test_pair_server_hooks.c.
 */
#ifndef NSSH_TEST_PAIR_OSSL_H
#define NSSH_TEST_PAIR_OSSL_H

#include "nanossh_ossl.h"
#include "pair_harness.h"

typedef struct pair_keys {
    nssh_key *host_key, *user_key;
    uint8_t host_blob[128], user_blob[128];
    size_t host_blob_len, user_blob_len;
    nssh_hostkey hostkey;
} pair_keys;

/* Fresh ed25519 keys; 0, or -1 when the backend fails. */
int pair_keys_make(pair_keys *k);
void pair_keys_free(pair_keys *k);
/* After pair_side_init, before pair_side_start: every kex, cipher, MAC
 * and signature algorithm of the backend, k's host key, its rng, and k's
 * user key as the one the server accepts. k must outlive the side. */
void pair_ossl_setup(pair_side *s, const pair_keys *k);
/* The client asks for a publickey login as "alice" with k's user key. */
void pair_ossl_auth(pair_side *cl, const pair_keys *k);

#endif
