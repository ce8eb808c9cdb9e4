/*
 * The pair fuzz target: a client and a server engine back to back in
 * memory on the null tables (null_crypto.h), so that once the first key
 * exchange is done every packet is plain framing around a plaintext
 * payload. The input is a script: the first byte picks the direction
 * whose packets the fuzzer edits (client to server: the server's
 * handlers; server to client: the client's), the rest are operations:
 * API calls on either side (login, channels, data, re-key, global
 * requests, ...), pumping, and edits of the next packet of the chosen
 * direction (replace, inject, XOR, truncate, append, drop, duplicate, raw
 * bytes). Every run must end with both sides healthy or with a clean
 * error code (never NSSH_ERR_INTERNAL), and nothing may crash, leak or
 * loop. fuzz/gen_pair_corpus.py writes the seeds and documents the ops.
 */
#ifndef NSSH_FUZZ_PAIR_TARGET_H
#define NSSH_FUZZ_PAIR_TARGET_H

#include <stddef.h>
#include <stdint.h>

typedef struct pair_stats {
    int kex_done;              /* the first key exchange completed */
    unsigned kex_count[2];     /* server, client */
    int authenticated;         /* the server let the client in */
    int err[2];                /* final errors: server, client */
    unsigned internal;         /* log records with NSSH_ERR_INTERNAL */
    unsigned edits;            /* packets edited, injected or dropped */
    unsigned opened;           /* channels the server accepted */
    size_t data[2];            /* channel bytes received: server, client */
} pair_stats;

/* Run one script; fills *st (may be NULL). Returns 0 when every error
 * was a clean one, -1 otherwise (the fuzzer then aborts). */
int fuzz_pair_run(const uint8_t *data, size_t len, pair_stats *st);

#endif
