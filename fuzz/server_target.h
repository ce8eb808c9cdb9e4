/* The server-side fuzz target, shared by libFuzzer and the replay test. */
#ifndef NSSH_FUZZ_SERVER_TARGET_H
#define NSSH_FUZZ_SERVER_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Feed data (the client's bytes) to a server on the null tables, echo
 * channel data, answer everything. Returns the connection's final error
 * (0 if it is still healthy). Never crashes on any input. */
int fuzz_server_run(const uint8_t *data, size_t len);

/* How far one run got, for the replay test's assertions. */
typedef struct fuzz_stats {
    unsigned kex_count;        /* completed key exchanges */
    int authenticated;
    unsigned opened;           /* channels the server accepted */
    size_t echoed;             /* channel bytes echoed back */
    unsigned eofs;             /* channel EOFs received */
    unsigned internal;         /* log records with NSSH_ERR_INTERNAL */
} fuzz_stats;

/* fuzz_server_run, filling *st (zeroed first; may be NULL). */
int fuzz_server_run_stats(const uint8_t *data, size_t len, fuzz_stats *st);

/* Record a well-formed client byte stream (version, kex, auth, a session
 * with data, EOF) into buf; returns its length. */
size_t fuzz_client_stream(uint8_t *buf, size_t cap);

#endif
