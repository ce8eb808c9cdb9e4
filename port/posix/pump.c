/*
 * Bytes between a channel and a file descriptor (pump.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loop.h"
#include "pump.h"

/* How much to read per wake-up before giving the socket a turn. */
#define READ_BUDGET (4u * PUMP_CHUNK)

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

int pump_push(nssh_conn *c, uint32_t ch, uint32_t ext, pump_buf *b)
{
    long w;
    if (!pump_pending(b))
        return 0;
    w = nssh_channel_write(c, ch, ext, b->buf + b->off, b->len - b->off);
    if (w < 0) {   /* channel no longer writable: the data is lost */
        b->off = b->len = 0;
        return 0;
    }
    if (w > 0)
        b->last_io = loop_now_ms();
    b->off += (size_t)w;
    if (b->off == b->len)
        b->off = b->len = 0;
    return b->len > 0;
}

int pump_read(nssh_conn *c, uint32_t ch, uint32_t ext, int fd, pump_buf *b,
              int sock, size_t *got)
{
    size_t budget = READ_BUDGET, want;
    ssize_t n;
    int r = PUMP_OK;
    if (got)
        *got = 0;
    if (!b->buf && !(b->buf = malloc(PUMP_CHUNK)))
        return NSSH_ERR_NOSPACE;
    while (budget > 0 && !pump_push(c, ch, ext, b)) {
        want = nssh_channel_writable(c, ch);
        if (want == 0)
            break;
        if (want > PUMP_CHUNK)
            want = PUMP_CHUNK;
        n = sock ? recv(fd, b->buf, want, 0) : read(fd, b->buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && would_block())
            break;
        if (n <= 0) {
            r = n == 0 ? PUMP_EOF : PUMP_FAIL;
            break;
        }
        if (got)
            *got += (size_t)n;
        b->last_io = loop_now_ms();
        b->off = 0;
        b->len = (size_t)n;
        budget -= (size_t)n > budget ? budget : (size_t)n;
        if ((size_t)n < want)
            break;
    }
    pump_push(c, ch, ext, b);
    return r;
}

int pump_read_direct(nssh_conn *c, uint32_t ch, uint32_t ext, int fd,
                     size_t *got)
{
    nssh_iovec v[PUMP_IOV];
    struct iovec iov[PUMP_IOV];
    size_t budget = READ_BUDGET, k, n_iov, cap;
    ssize_t n;
    *got = 0;
    while (budget > 0) {
        n_iov = nssh_channel_reserve(c, ch, ext, v, PUMP_IOV);
        if (n_iov == 0)
            return PUMP_OK;   /* no window or no room: poll() waits */
        for (k = 0, cap = 0; k < n_iov; k++) {
            iov[k].iov_base = v[k].p;
            iov[k].iov_len = v[k].len;
            cap += v[k].len;
        }
        n = readv(fd, iov, (int)n_iov);
        if (nssh_channel_commit(c, ch, ext, n > 0 ? (size_t)n : 0) < 0)
            return PUMP_OK;   /* the channel is gone: as pump_push, lost */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && would_block())
            return PUMP_OK;
        if (n <= 0)
            return n == 0 ? PUMP_EOF : PUMP_FAIL;
        *got += (size_t)n;
        budget -= (size_t)n > budget ? budget : (size_t)n;
        if ((size_t)n < cap)
            return PUMP_OK;   /* the fd is drained for now */
    }
    return PUMP_OK;
}

int pump_queue(nssh_conn *c, uint32_t ch, pump_buf *b, const uint8_t *data,
               size_t len)
{
    size_t keep = len;
    if (!b->buf && !(b->buf = malloc(NSSH_CHANNEL_WINDOW))) {
        nssh_channel_consume(c, ch, len);
        return NSSH_ERR_NOSPACE;
    }
    if (b->off && b->len + len > NSSH_CHANNEL_WINDOW) {
        memmove(b->buf, b->buf + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (keep > NSSH_CHANNEL_WINDOW - b->len)
        keep = NSSH_CHANNEL_WINDOW - b->len;   /* beyond our window */
    memcpy(b->buf + b->len, data, keep);
    b->len += keep;
    b->last_io = loop_now_ms();
    if (keep < len)
        nssh_channel_consume(c, ch, len - keep);
    return 0;
}

void pump_drop(nssh_conn *c, uint32_t ch, pump_buf *b)
{
    if (pump_pending(b))
        nssh_channel_consume(c, ch, b->len - b->off);
    b->off = b->len = 0;
}

int pump_write(nssh_conn *c, uint32_t ch, int fd, pump_buf *b, int sock)
{
    ssize_t n;
    while (pump_pending(b)) {
        n = sock ? send(fd, b->buf + b->off, b->len - b->off, MSG_NOSIGNAL)
                 : write(fd, b->buf + b->off, b->len - b->off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && would_block())
            break;
        if (n <= 0) {   /* the fd takes no more: drop the rest */
            pump_drop(c, ch, b);
            return PUMP_FAIL;
        }
        b->off += (size_t)n;
        b->last_io = loop_now_ms();
        nssh_channel_consume(c, ch, (size_t)n);
        if (pump_pending(b))
            break;   /* a short write: the fd is full, poll() says when not */
    }
    if (b->off == b->len)
        b->off = b->len = 0;
    return PUMP_OK;
}

void pump_free(pump_buf *b)
{
    free(b->buf);
    b->buf = NULL;
    b->off = b->len = 0;
}
