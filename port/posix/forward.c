/*
 * Forwarded TCP connections (RFC 4254 section 7.2), one per channel: the
 * state, opening and closing. The bytes move in fwd_relay.c.
 *
 * "direct-tcpip" (ssh -L): the target is connected without blocking and
 * the channel is confirmed only once the connection is made; a failure is
 * the OPEN_FAILURE "connect failed" with the reason, which ssh prints.
 * "forwarded-tcpip" (ssh -R) channels start in fwd_listen.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"

fwd_state *fwd_get(pconn *s)
{
    size_t i;
    if (s->fwd || !(s->fwd = calloc(1, sizeof(*s->fwd))))
        return s->fwd;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        s->fwd->ch[i].fd = -1;
    return s->fwd;
}

int fwd_is(const pconn *s, uint32_t ch)
{
    return s->fwd && ch < NSSH_MAX_CHANNELS && s->fwd->ch[ch].state != FC_FREE;
}

static void chan_free(fwd_chan *f)
{
    if (f->fd >= 0)
        close(f->fd);
    if (f->ai)
        freeaddrinfo(f->ai);
    pump_free(&f->in);
    pump_free(&f->out);
    memset(f, 0, sizeof(*f));
    f->fd = -1;
}

static fwd_chan *chan_new(pconn *s, uint32_t ch, int state, const char *host,
                          int port)
{
    fwd_state *fs = fwd_get(s);
    fwd_chan *f;
    if (!fs || ch >= NSSH_MAX_CHANNELS)
        return NULL;
    f = &fs->ch[ch];
    chan_free(f);
    f->state = state;
    pconn_chan_used(s, ch);
    snprintf(f->host, sizeof(f->host), "%s", host);
    f->port = port;
    return f;
}

/* ---- direct-tcpip: connecting ------------------------------------------ */

/* Try the addresses left: 1 connected, 0 in progress, or NSSH_ERR_IO
 * with *err the last address's errno. */
static int connect_next(fwd_chan *f, int *err)
{
    *err = ECONNREFUSED;
    while (f->ai_next) {
        struct addrinfo *a = f->ai_next;
        f->ai_next = a->ai_next;
        if (f->fd >= 0)
            close(f->fd);
        f->fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       0);
        if (f->fd < 0) {
            *err = errno;
            continue;
        }
        if (connect(f->fd, a->ai_addr, a->ai_addrlen) == 0)
            return 1;
        if (errno == EINPROGRESS)
            return 0;
        *err = errno;
    }
    return NSSH_ERR_IO;
}

/* The connect finished (err 0) or every address failed: answer the open. */
static void connect_done(pconn *s, uint32_t ch, int err)
{
    fwd_chan *f = &s->fwd->ch[ch];
    if (f->ai) {
        freeaddrinfo(f->ai);
        f->ai = f->ai_next = NULL;
    }
    if (err) {
        log_verbose("channel %u: connect to %s port %d failed: %s",
                    (unsigned)ch, f->host, f->port, strerror(err));
        chan_free(f);
        nssh_channel_open_refuse(s->c, ch, NSSH_OPEN_CONNECT_FAILED,
                                 strerror(err));
        return;
    }
    log_debug("channel %u: connected to %s port %d", (unsigned)ch, f->host,
              f->port);
    f->state = FC_RELAY;
    if (nssh_channel_open_confirm(s->c, ch) < 0)
        chan_free(f);
}

/* poll() says the connecting socket changed. A stale event for an fd
 * number reused this round is told apart by asking the socket. */
void fwd_connect_event(pconn *s, uint32_t ch)
{
    fwd_chan *f = &s->fwd->ch[ch];
    struct sockaddr_storage ss;
    socklen_t len = sizeof(int);
    int soerr = 0, r, err;
    if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (soerr == 0) {
        len = sizeof(ss);
        if (getpeername(f->fd, (struct sockaddr *)&ss, &len) < 0)
            return;   /* still connecting */
        connect_done(s, ch, 0);
        return;
    }
    r = connect_next(f, &err);
    if (r != 0)
        connect_done(s, ch, r > 0 ? 0 : err);
}

static int cstr(nssh_str v, char *out, size_t cap)
{
    if (v.n >= cap || memchr(v.p, 0, v.n))
        return -1;
    memcpy(out, v.p, v.n);
    out[v.n] = 0;
    return 0;
}

int fwd_open_direct(pconn *s, uint32_t ch, const uint8_t *extra, size_t len)
{
    char host[FWD_HOST_MAX], orig[64], port[16];
    struct addrinfo hints, *res = NULL;
    const char *why = NULL;
    nssh_tcpip t;
    fwd_chan *f;
    int r, err;
    if (nssh_tcpip_parse(extra, len, 1, &t) < 0 ||
        cstr(t.host, host, sizeof(host)) < 0 ||
        cstr(t.orig_host, orig, sizeof(orig)) < 0) {
        log_info("refused direct-tcpip channel: malformed target");
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    }
    log_debug("direct-tcpip: originator %s port %u, target %s port %u", orig,
              (unsigned)t.orig_port, host, (unsigned)t.port);
    if (!s->policy->fwd_local(s->app, host, (int)t.port, orig,
                              (int)t.orig_port, &why)) {
        /* Answered here to give the client the reason (RFC 4254 5.1). */
        nssh_channel_open_refuse(s->c, ch, NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                                 why);
        return NSSH_CB_LATER;
    }
    if (!(f = chan_new(s, ch, FC_CONNECTING, host, (int)t.port)))
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_RESOURCE_SHORTAGE);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof(port), "%u", (unsigned)t.port);
    /* Name lookup blocks, as in sshd; the connect does not. */
    if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
        log_info("connect_to %s port %s: unknown host (%s)", host, port,
                 gai_strerror(r));
        chan_free(f);
        nssh_channel_open_refuse(s->c, ch, NSSH_OPEN_CONNECT_FAILED,
                                 gai_strerror(r));
        return NSSH_CB_LATER;
    }
    f->ai = f->ai_next = res;
    r = connect_next(f, &err);
    if (r != 0)
        connect_done(s, ch, r > 0 ? 0 : err);
    return NSSH_CB_LATER;
}

int fwd_attach(pconn *s, uint32_t ch, int fd, const char *host, int port)
{
    fwd_chan *f = chan_new(s, ch, FC_OPENING, host, port);
    if (!f)
        return NSSH_ERR_NOSPACE;
    f->fd = fd;
    return 0;
}

void fwd_open_reply(pconn *s, uint32_t ch, int ok, uint32_t reason,
                    nssh_str desc)
{
    fwd_chan *f;
    if (!fwd_is(s, ch) || s->fwd->ch[ch].state != FC_OPENING)
        return;
    f = &s->fwd->ch[ch];
    if (ok) {
        f->state = FC_RELAY;
        return;
    }
    log_verbose("forwarded connection to %s port %d refused by the client: "
                "%.*s (%u)", f->host, f->port, (int)(desc.n > 200 ? 200 : desc.n),
                desc.p, (unsigned)reason);
    chan_free(f);
}

void fwd_closed(pconn *s, uint32_t ch)
{
    log_debug("channel %u: forwarded connection to %s port %d closed",
              (unsigned)ch, s->fwd->ch[ch].host, s->fwd->ch[ch].port);
    chan_free(&s->fwd->ch[ch]);
}

void fwd_release_all(pconn *s)
{
    size_t i;
    if (!s->fwd)
        return;
    fwd_agent_end(s);   /* the socket and its directory go too */
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        if (s->fwd->ch[i].state != FC_FREE)
            chan_free(&s->fwd->ch[i]);
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        fwd_listen_close(&s->fwd->ls[i]);
    free(s->fwd);
    s->fwd = NULL;
}
