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

/* The socket takes no more: drop what waits for it (reopening the window)
 * and anything still to come. */
static void write_dead(pconn *s, uint32_t ch, fwd_chan *f)
{
    pump_drop(s->c, ch, &f->in);
    f->wr_done = 1;
}

static void sock_write(pconn *s, uint32_t ch, fwd_chan *f)
{
    if (!f->wr_done && pump_write(s->c, ch, f->fd, &f->in, 1) == PUMP_FAIL)
        f->wr_done = 1;
}

void fwd_data(pconn *s, uint32_t ch, const uint8_t *data, size_t len)
{
    fwd_chan *f = &s->fwd->ch[ch];
    if (f->state != FC_RELAY || f->in_eof || f->wr_done) {
        nssh_channel_consume(s->c, ch, len);   /* nobody will read it */
        return;
    }
    if (pump_queue(s->c, ch, &f->in, data, len) < 0)
        write_dead(s, ch, f);
    else
        sock_write(s, ch, f);   /* try the socket now */
}

void fwd_eof(pconn *s, uint32_t ch)
{
    s->fwd->ch[ch].in_eof = 1;   /* the socket is shut down once drained */
}

static void sock_read(pconn *s, uint32_t ch, fwd_chan *f)
{
    int r;
    if (f->rd_eof) {
        pump_push(s->c, ch, 0, &f->out);
        return;
    }
    r = pump_read(s->c, ch, 0, f->fd, &f->out, 1, NULL);
    if (r == PUMP_EOF || r == PUMP_FAIL) {
        f->rd_eof = 1;
        if (r == PUMP_FAIL)   /* a reset also ends writing */
            write_dead(s, ch, f);
    }
}

/* Send EOF, shut the socket down, close the channel, each when due. */
static void progress(pconn *s, uint32_t ch, fwd_chan *f)
{
    pump_push(s->c, ch, 0, &f->out);
    sock_write(s, ch, f);
    if (f->rd_eof && !pump_pending(&f->out) && !f->sent_eof) {
        f->sent_eof = 1;
        nssh_channel_eof(s->c, ch);
    }
    if (f->in_eof && !pump_pending(&f->in) && !f->wr_done) {
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

size_t fwd_pollfds(pconn *s, struct pollfd *fds, size_t cap)
{
    size_t n = 0, i, k;
    uint32_t ch;
    if (!s->fwd)
        return 0;
    for (ch = 0; ch < s->ch_hi && n < cap; ch++) {
        fwd_chan *f = &s->fwd->ch[ch];
        short ev = 0;
        if (f->fd < 0)
            continue;
        if (f->state == FC_CONNECTING)
            ev = POLLOUT;
        else if (f->state == FC_RELAY)
            ev = (short)((!f->rd_eof && !pump_pending(&f->out) &&
                          nssh_channel_writable(s->c, ch) > 0 ? POLLIN : 0) |
                         (!f->wr_done && pump_pending(&f->in) ? POLLOUT : 0));
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
static void one_event(pconn *s, int fd, short re)
{
    size_t i, k;
    uint32_t ch;
    for (ch = 0; ch < s->ch_hi; ch++) {
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

void fwd_events(pconn *s, const struct pollfd *fds, size_t n)
{
    size_t i;
    uint32_t ch;
    if (!s->fwd)
        return;
    for (i = 0; i < n; i++)
        if (fds[i].revents)
            one_event(s, fds[i].fd, fds[i].revents);
    for (ch = 0; ch < s->ch_hi; ch++)
        if (s->fwd->ch[ch].state == FC_RELAY && !s->fwd->ch[ch].sent_close)
            progress(s, ch, &s->fwd->ch[ch]);
}
