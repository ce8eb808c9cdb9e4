/*
 * The one pump between a channel and a file descriptor, used by sessions
 * (child pipes, the pty master) and by forwarded TCP connections.
 *
 * Back-pressure both ways: an fd is read only while the channel can take
 * the data (nssh_channel_writable), and the peer's data is consumed
 * (reopening its window, nssh_channel_consume) only as the fd takes it.
 * The callers decide what EOF and errors mean (a pty says EIO, a socket
 * half-closes); the pump only reports them.
 */
#ifndef NSSH_POSIX_PUMP_H
#define NSSH_POSIX_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"

/* Bytes read from an fd at once (and the most held back per direction). */
#define PUMP_CHUNK (64u * 1024u)

/* Bytes held in one direction: buf[off..len) is still to go. */
typedef struct pump_buf {
    uint8_t *buf;              /* malloc'ed on first use; pump_free */
    size_t off, len;
    uint64_t last_io;          /* loop_now_ms() when bytes last moved */
} pump_buf;

enum {
    PUMP_OK = 0,               /* done for now (would block, no room, budget) */
    PUMP_EOF = 1,              /* the fd said end of file (a pty: EIO) */
    PUMP_FAIL = 2              /* the fd failed (errno says why) */
};

/* Anything held back? */
static inline int pump_pending(const pump_buf *b) { return b->len > b->off; }

/* fd -> channel. Hand held-back bytes to channel ch (stream ext); returns
 * 1 while some are still held. A channel that no longer takes data loses
 * them. */
int pump_push(nssh_conn *c, uint32_t ch, uint32_t ext, pump_buf *b);
/* Read fd into the channel while it has room, at most four chunks per
 * call so the socket gets its turn. sock: use recv(). *got (may be NULL)
 * gets the bytes read. PUMP_OK, PUMP_EOF, PUMP_FAIL, or NSSH_ERR_NOSPACE
 * when the buffer cannot be allocated. */
int pump_read(nssh_conn *c, uint32_t ch, uint32_t ext, int fd, pump_buf *b,
              int sock, size_t *got);

/* Packets filled per readv in pump_read_direct. */
#define PUMP_IOV 16
/* fd -> channel without a copy: readv() straight into the engine's
 * packets (nssh_channel_reserve), as many as the window and the send
 * buffer allow, up to the same budget as pump_read. Nothing is held back.
 * *got: bytes read. PUMP_OK, PUMP_EOF or PUMP_FAIL as pump_read. */
int pump_read_direct(nssh_conn *c, uint32_t ch, uint32_t ext, int fd,
                     size_t *got);

/* channel -> fd. Keep len bytes of channel data for the fd, at most our
 * window (NSSH_CHANNEL_WINDOW); bytes beyond it (a peer breaking the
 * window) are consumed and dropped. On NSSH_ERR_NOSPACE all are. */
int pump_queue(nssh_conn *c, uint32_t ch, pump_buf *b, const uint8_t *data,
               size_t len);
/* Write what is queued to fd (sock: send() without SIGPIPE), consuming
 * the window as it goes. PUMP_OK, or PUMP_FAIL when the fd takes no more:
 * the rest is then dropped (pump_drop). */
int pump_write(nssh_conn *c, uint32_t ch, int fd, pump_buf *b, int sock);
/* Drop what is queued, reopening the window for it. */
void pump_drop(nssh_conn *c, uint32_t ch, pump_buf *b);

void pump_free(pump_buf *b);

#endif
