/*
 * Bytes of forwarded connections, as in sessions: the socket is read only
 * while the channel can take the data, and the peer's data is consumed
 * (reopening its window) only as the socket takes it. EOF goes both ways
 * as TCP half-closes; the channel is closed once both directions are done
 * (RFC 4254 sections 5.3 and 7.2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"

/* How much to read from one socket per wake-up. */
#define READ_BUDGET (4u * FWD_CHUNK)

/* The socket takes no more: drop what waits for it (reopening the window)
 * and anything still to come. */
static void write_dead(srv *s, uint32_t ch, fwd_chan *f)
{
    if (f->in_len > f->in_off)
        nssh_channel_consume(s->c, ch, f->in_len - f->in_off);
    f->in_off = f->in_len = 0;
    f->wr_done = 1;
}

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

static void sock_write(srv *s, uint32_t ch, fwd_chan *f)
{
    ssize_t n;
    while (!f->wr_done && f->in_len > f->in_off) {
        n = send(f->fd, f->in + f->in_off, f->in_len - f->in_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && would_block())
            break;
        if (n <= 0) {
            write_dead(s, ch, f);
            break;
        }
        f->in_off += (size_t)n;
        nssh_channel_consume(s->c, ch, (size_t)n);
    }
    if (f->in_off == f->in_len)
        f->in_off = f->in_len = 0;
}

void fwd_data(srv *s, uint32_t ch, const uint8_t *data, size_t len)
{
    fwd_chan *f = &s->fwd->ch[ch];
    size_t keep;
    ssize_t n = 0;
    if (f->state != FC_RELAY || f->in_eof || f->wr_done) {
        nssh_channel_consume(s->c, ch, len);   /* nobody will read it */
        return;
    }
    if (f->in_len == f->in_off) {   /* nothing queued: try the socket now */
        do
            n = send(f->fd, data, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0 && !would_block()) {
            write_dead(s, ch, f);
            nssh_channel_consume(s->c, ch, len);
            return;
        }
        if (n > 0) {
            nssh_channel_consume(s->c, ch, (size_t)n);
            data += n;
            len -= (size_t)n;
        }
    }
    if (!len)
        return;
    if (!f->in && !(f->in = malloc(NSSH_CHANNEL_WINDOW))) {
        write_dead(s, ch, f);
        nssh_channel_consume(s->c, ch, len);
        return;
    }
    if (f->in_off && f->in_len + len > NSSH_CHANNEL_WINDOW) {
        memmove(f->in, f->in + f->in_off, f->in_len - f->in_off);
        f->in_len -= f->in_off;
        f->in_off = 0;
    }
    keep = len < NSSH_CHANNEL_WINDOW - f->in_len ? len
                                                 : NSSH_CHANNEL_WINDOW - f->in_len;
    memcpy(f->in + f->in_len, data, keep);
    f->in_len += keep;
    if (keep < len)   /* beyond our window: the peer broke the rules */
        nssh_channel_consume(s->c, ch, len - keep);
}

void fwd_eof(srv *s, uint32_t ch)
{
    s->fwd->ch[ch].in_eof = 1;   /* the socket is shut down once drained */
}

/* Hand held-back socket data to the channel; 1 while some is still held. */
static int push(srv *s, uint32_t ch, fwd_chan *f)
{
    long w;
    if (f->out_len == f->out_off)
        return 0;
    w = nssh_channel_write(s->c, ch, 0, f->out + f->out_off,
                           f->out_len - f->out_off);
    if (w < 0) {   /* the channel is gone: the data with it */
        f->out_off = f->out_len = 0;
        return 0;
    }
    f->out_off += (size_t)w;
    if (f->out_off == f->out_len)
        f->out_off = f->out_len = 0;
    return f->out_len > 0;
}

static void sock_read(srv *s, uint32_t ch, fwd_chan *f)
{
    size_t budget = READ_BUDGET, want;
    ssize_t n;
    if (!f->out && !(f->out = malloc(FWD_CHUNK)))
        return;
    while (!f->rd_eof && budget > 0 && !push(s, ch, f)) {
        want = nssh_channel_writable(s->c, ch);
        if (want == 0)
            break;
        if (want > FWD_CHUNK)
            want = FWD_CHUNK;
        n = recv(f->fd, f->out, want, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && would_block())
            break;
        if (n <= 0) {   /* EOF, or a reset that also ends writing */
            f->rd_eof = 1;
            if (n < 0)
                write_dead(s, ch, f);
            break;
        }
        f->out_off = 0;
        f->out_len = (size_t)n;
        budget -= (size_t)n > budget ? budget : (size_t)n;
        if ((size_t)n < want)
            break;
    }
    push(s, ch, f);
}

/* Send EOF, shut the socket down, close the channel, each when due. */
static void progress(srv *s, uint32_t ch, fwd_chan *f)
{
    push(s, ch, f);
    sock_write(s, ch, f);
    if (f->rd_eof && f->out_len == f->out_off && !f->sent_eof) {
        f->sent_eof = 1;
        nssh_channel_eof(s->c, ch);
    }
    if (f->in_eof && f->in_len == f->in_off && !f->wr_done) {
        f->wr_done = 1;
        shutdown(f->fd, SHUT_WR);
    }
    if (f->sent_eof && f->wr_done && !f->sent_close) {
        f->sent_close = 1;
        close(f->fd);
        f->fd = -1;
        nssh_channel_close(s->c, ch);   /* may call fwd_closed inside */
    }
}

size_t fwd_pollfds(srv *s, struct pollfd *fds, size_t cap)
{
    size_t n = 0, i, k;
    uint32_t ch;
    if (!s->fwd)
        return 0;
    for (ch = 0; ch < NSSH_MAX_CHANNELS && n < cap; ch++) {
        fwd_chan *f = &s->fwd->ch[ch];
        short ev = 0;
        if (f->fd < 0)
            continue;
        if (f->state == FC_CONNECTING)
            ev = POLLOUT;
        else if (f->state == FC_RELAY)
            ev = (short)((!f->rd_eof && f->out_len == f->out_off &&
                          nssh_channel_writable(s->c, ch) > 0 ? POLLIN : 0) |
                         (!f->wr_done && f->in_len > f->in_off ? POLLOUT : 0));
        if (!ev)
            continue;
        fds[n].fd = f->fd;
        fds[n].events = ev;
        fds[n++].revents = 0;
    }
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        for (k = 0; s->fwd->ls[i].used && k < s->fwd->ls[i].n_fds && n < cap; k++) {
            fds[n].fd = s->fwd->ls[i].fds[k];
            fds[n].events = POLLIN;
            fds[n++].revents = 0;
        }
    return n;
}

/* Which channel or listener fd belongs to, if any still does. */
static void one_event(srv *s, int fd, short re)
{
    size_t i, k;
    uint32_t ch;
    for (ch = 0; ch < NSSH_MAX_CHANNELS; ch++) {
        fwd_chan *f = &s->fwd->ch[ch];
        if (f->state == FC_FREE || f->fd != fd)
            continue;
        if (f->state == FC_CONNECTING)
            fwd_connect_event(s, ch);
        else if (f->state == FC_RELAY) {
            if (re & (POLLOUT | POLLERR | POLLHUP))
                sock_write(s, ch, f);
            if (re & (POLLIN | POLLERR | POLLHUP))
                sock_read(s, ch, f);
        }
        return;
    }
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        for (k = 0; s->fwd->ls[i].used && k < s->fwd->ls[i].n_fds; k++)
            if (s->fwd->ls[i].fds[k] == fd) {
                fwd_listen_accept(s, &s->fwd->ls[i], fd);
                return;
            }
}

void fwd_events(srv *s, const struct pollfd *fds, size_t n)
{
    size_t i;
    uint32_t ch;
    if (!s->fwd)
        return;
    for (i = 0; i < n; i++)
        if (fds[i].revents)
            one_event(s, fds[i].fd, fds[i].revents);
    for (ch = 0; ch < NSSH_MAX_CHANNELS; ch++)
        if (s->fwd->ch[ch].state == FC_RELAY && !s->fwd->ch[ch].sent_close)
            progress(s, ch, &s->fwd->ch[ch]);
}
