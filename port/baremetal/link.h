/*
 * A nanossh session over a raw byte stream with no notion of connection
 * (a UART). What marks a connection is the client's identification line:
 *
 *   - until "SSH-2.0-" arrives, input is dropped and nothing is sent
 *     (QEMU's serial socket drops output while no client is connected, and
 *     OpenSSH sends its line first without waiting for ours);
 *   - "SSH-2.0-" while a session runs means a new client took over the
 *     line: the old session is released without a word and a new one
 *     starts (8 bytes matching by chance in ciphertext: about 2^-64 per
 *     byte). Bytes that may begin that line are held back (at most
 *     LINK_HOLD_MS when nothing follows) so the old session never sees
 *     them;
 *   - silence past the idle timeout, or the engine closing, ends the
 *     session.
 *
 * One session in caller-owned memory; nothing allocates.
 */
#ifndef NSSH_LINK_H
#define NSSH_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"

#ifndef LINK_PENDING
#define LINK_PENDING 512u
#endif

/* How long bytes that may begin a new client's "SSH-2.0-" are held back
 * when nothing follows them. */
#ifndef LINK_HOLD_MS
#define LINK_HOLD_MS 20u
#endif

enum { LINK_EV_START = 1, LINK_EV_END };

typedef struct serial_link {
    dev_session *sess;
    const dev_params *params;
    void *mem;                 /* engine memory, nssh_conn_mem_size() */
    size_t mem_len;
    uint32_t idle_ms;          /* 0: no idle limit */
    int running;
    unsigned match;            /* bytes of "SSH-2.0-" matched */
    uint64_t last_rx;
    uint32_t sessions;
    size_t pending_len;        /* received, not yet taken by the engine */
    uint8_t pending[LINK_PENDING];
    /* Start and end of each session (logs, measurements); may be NULL.
     * err is the engine's sticky error at the end. */
    void (*event)(void *user, int ev, int err);
    void *user;
} serial_link;

void serial_link_init(serial_link *l, dev_session *sess, const dev_params *p, void *mem,
               size_t mem_len, uint32_t idle_ms);
/* How many received bytes serial_link_input can take now. */
size_t serial_link_room(const serial_link *l);
/* Received bytes (at most serial_link_room). */
void serial_link_input(serial_link *l, const uint8_t *p, size_t n, uint64_t now_ms);
/* Bytes to transmit (NULL when none) and how many were transmitted. */
const uint8_t *serial_link_output(serial_link *l, size_t *n);
void serial_link_sent(serial_link *l, size_t n);
/* Timers, idle limit, closed sessions. */
void serial_link_tick(serial_link *l, uint64_t now_ms);

#endif
