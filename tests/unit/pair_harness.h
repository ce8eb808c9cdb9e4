/*
 * A client and a server engine wired back to back in memory, for the
 * tests that run whole exchanges on either crypto backend
 * (core/test_pair.c, core/test_export.c, core/test_pair_server_hooks.c,
 * crypto/compact/test_compact_pair.c). Public API only. The harness's callbacks record what happened in the pair_side;
 * the server accepts user "alice" with allowed_blob, session channels
 * and exec / shell / pty requests, and takes every byte it is sent.
 */
#ifndef NSSH_TEST_PAIR_HARNESS_H
#define NSSH_TEST_PAIR_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"

typedef struct pair_side {
    nssh_conn *c;
    void *mem;
    nssh_config cfg;
    nssh_callbacks cb;
    /* what happened */
    int auth_ok, auth_done, open_ok, reply_ok, replies;
    unsigned kex_at_auth;      /* key exchanges done when auth ended */
    int opened_ch, closed, eof, exit_seen, hostkey_ok;
    uint32_t exit_status;
    char last_req[32];
    char exec_cmd[128];
    uint8_t *rx;               /* channel data received */
    size_t rx_len, rx_cap;
    int last_err_level;        /* the last error record */
    char last_log[2048];
    const char *last_field;
    /* server: the one user key accepted for "alice" */
    const uint8_t *allowed_blob;
    size_t allowed_len;
    /* client: the host key expected (NULL: any); alg too unless NULL */
    const uint8_t *want_hostkey;
    size_t want_hostkey_len;
    const char *want_hostkey_alg;
    /* one-entry lists for a side offering one algorithm */
    const nssh_kem *kem1[1];
    const nssh_cipher *ci1[1];
    const nssh_mac *mac1[1];
} pair_side;

/* Entries of a NULL-terminated table. */
size_t pair_count(const void *const *list);
/* Zero s and set its role and the harness's callbacks (publickey auth);
 * the caller adds algorithms, host keys and rng to s->cfg, then calls
 * pair_side_start. */
void pair_side_init(pair_side *s, int role);
/* The engine on s->cfg. */
void pair_side_start(pair_side *s);
void pair_side_free(pair_side *s);
/* Move up to 7000 bytes from a to b (odd chunks exercise partial
 * packets); when *corrupt > 0, flip a bit of that byte (1-based) of the
 * stream from here. Bytes to a closed peer are dropped. */
size_t pair_move(pair_side *a, pair_side *b, long *corrupt);
/* Move both ways until nothing moves; fails if it never settles. */
void pair_pump(pair_side *cl, pair_side *sv);
/* Key exchange, then a publickey login as "alice" that MUST succeed. */
void pair_login(pair_side *cl, pair_side *sv, const nssh_sig_alg *alg,
                const nssh_key *key, const uint8_t *blob, size_t len);
/* Open a session and exec cmd; returns the client's channel. */
int pair_open_exec(pair_side *cl, pair_side *sv, const char *cmd);
/* Send n pattern bytes from a to b on a's channel ch, pumping as the
 * windows allow, with a re-key by a after rekey_at bytes (0: none); b
 * MUST receive exactly them. */
void pair_send_bulk(pair_side *a, pair_side *b, pair_side *cl, pair_side *sv,
                    uint32_t ch, size_t n, size_t rekey_at);

#endif
