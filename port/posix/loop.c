/*
 * The event loop of one connection. Each round: wait in poll() for the
 * socket (read only when the engine has room; write while it has output),
 * the children's fds (read only while the channel can take data; write
 * while client data waits) and the self-pipe; then move bytes, advance the
 * engine's timers and send what it produced in one write.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "chanio.h"
#include "pty.h"
#include "selfpipe.h"
#include "stack.h"
#include "loop.h"
#include "forward.h"

/* The socket, the self-pipe, three fds per session, and forwarding's
 * sockets (one per channel) and listeners. */
#define POLL_MAX (3 + 3 * NSSH_MAX_CHANNELS + NSSH_MAX_CHANNELS + \
                  FWD_LISTEN_MAX * FWD_LISTEN_FDS)

_Static_assert(NSSH_MAX_CHANNELS <= 65535, "pollset.ch holds channel ids");

enum { PF_SOCK, PF_SOCKOUT, PF_SIG, PF_IN, PF_OUT, PF_ERR, PF_PTY, PF_FWD };

struct pollset {
    struct pollfd fds[POLL_MAX];
    uint8_t kind[POLL_MAX];
    uint16_t ch[POLL_MAX];   /* channel ids go up to NSSH_MAX_CHANNELS */
    nfds_t n;
    nfds_t fwd_start;          /* forwarding's entries: [fwd_start, n) */
};
typedef struct pollset pollset;

uint64_t loop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void add(pollset *p, int fd, short ev, int kind, uint32_t ch)
{
    if (fd < 0 || !ev || p->n >= POLL_MAX)
        return;
    p->fds[p->n].fd = fd;
    p->fds[p->n].events = ev;
    p->fds[p->n].revents = 0;
    p->kind[p->n] = (uint8_t)kind;
    p->ch[p->n] = (uint16_t)ch;
    p->n++;
}

/* Send the engine's output; a failed write discards it (the peer is gone). */
static void flush_out(pconn *s)
{
    const uint8_t *p;
    size_t len;
    ssize_t n;
    while ((p = nssh_conn_sendbuf(s->c, &len)) != NULL && len) {
        n = write(s->fd_out, p, len);
        if (n > 0) {
            nssh_conn_sent(s->c, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        nssh_conn_sent(s->c, len);
        nssh_conn_recvd(s->c, 0);
    }
}

/*
 * Acknowledge what was just read at once. Until the session is set up the
 * OpenSSH client writes without TCP_NODELAY, and it sends two packets in a
 * row where nothing of ours answers the first (KEXINIT then the key
 * exchange's init; NEWKEYS then SERVICE_REQUEST): Nagle holds the second
 * until the first is acknowledged, and a delayed ACK costs up to 40 ms,
 * twice per login. The setting is not sticky (tcp(7)), hence once per
 * read; it stops after authentication, where bulk data wants fewer ACKs.
 */
void pconn_quickack(pconn *s)
{
    int one = 1;
    if (setsockopt(s->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one)) < 0)
        s->no_quickack = 1;   /* not TCP (-i with pipes): stop trying */
}

static void read_sock(pconn *s)
{
    size_t room;
    uint8_t *p = nssh_conn_recvbuf(s->c, &room);
    ssize_t n;
    if (!room)
        return;
    do
        n = read(s->fd, p, room);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0 && errno == ECONNRESET)
        s->conn_reset = 1;
    if (n > 0)
        s->last_rx = s->now;   /* ClientAliveInterval counts from here */
    if (n > 0 && !s->authenticated && !s->no_quickack)
        pconn_quickack(s);
    nssh_conn_recvd(s->c, n > 0 ? (size_t)n : 0);
}

static int pending(const ostream *os) { return pump_pending(&os->b); }

static void add_session(pollset *p, pconn *s, uint32_t ch)
{
    session *ss = &s->sess[ch];
    int room;
    short ev;
    if (!ss->used || ss->done || !ss->started)
        return;
    room = nssh_channel_writable(s->c, ch) > 0;
    if (ss->want_pty) {
        ev = (room && !pending(&ss->out) ? POLLIN : 0) |
             (pump_pending(&ss->in) ? POLLOUT : 0);
        add(p, ss->out.fd, ev, PF_PTY, ch);
        return;
    }
    add(p, ss->out.fd, room && !pending(&ss->out) ? POLLIN : 0, PF_OUT, ch);
    add(p, ss->err.fd, room && !pending(&ss->err) ? POLLIN : 0, PF_ERR, ch);
    add(p, ss->fd_in, pump_pending(&ss->in) ? POLLOUT : 0, PF_IN, ch);
}

/* Above the highest channel in use (conn.h): lowered here as channels at
 * the top close, so the scans below stay short. */
static uint32_t chan_bound(pconn *s)
{
    while (s->ch_hi && !s->sess[s->ch_hi - 1].used && !fwd_is(s, s->ch_hi - 1))
        s->ch_hi--;
    return s->ch_hi;
}

static int build(pollset *p, pconn *s)
{
    uint64_t wait = nssh_conn_next_timeout(s->c, s->now);
    uint64_t alive = s->policy->wait(s->app);   /* the program's timers */
    unsigned st = nssh_conn_state(s->c);
    size_t room, len;
    uint32_t ch, hi = chan_bound(s);
    nfds_t i;
    short in_ev, out_ev;
    p->n = 0;
    nssh_conn_recvbuf(s->c, &room);
    nssh_conn_sendbuf(s->c, &len);
    in_ev = (st & NSSH_WANT_READ) && room ? POLLIN : 0;
    out_ev = len ? POLLOUT : 0;
    if (s->fd_out == s->fd) {
        add(p, s->fd, in_ev | out_ev, PF_SOCK, 0);
    } else {   /* -i with two pipes */
        add(p, s->fd, in_ev, PF_SOCK, 0);
        add(p, s->fd_out, out_ev, PF_SOCKOUT, 0);
    }
    if (alive < wait)
        wait = alive;
    add(p, s->sig_fd, POLLIN, PF_SIG, 0);
    for (ch = 0; ch < hi; ch++) {
        session *ss = &s->sess[ch];
        add_session(p, s, ch);
        if (ss->used && ss->drain_deadline) {
            uint64_t d = ss->drain_deadline > s->now ? ss->drain_deadline - s->now : 0;
            if (d < wait)
                wait = d;
        }
    }
    /* Forwarding's entries come last, in one run, handled by forward.c. */
    p->fwd_start = p->n;
    p->n += fwd_pollfds(s, p->fds + p->n, POLL_MAX - p->n);
    for (i = p->fwd_start; i < p->n; i++) {
        p->kind[i] = PF_FWD;
        p->ch[i] = 0;
    }
    return wait > INT_MAX ? -1 : (int)wait;
}

/* The fd may have been closed by a callback since poll() was called. */
static void child_event(pconn *s, const pollset *p, nfds_t i)
{
    session *ss = &s->sess[p->ch[i]];
    short re = p->fds[i].revents;
    int fd = p->fds[i].fd;
    if (!ss->used || !re)
        return;
    switch (p->kind[i]) {
    case PF_OUT:
    case PF_PTY:
        if (ss->out.fd == fd && (re & (POLLIN | POLLHUP | POLLERR)))
            chanio_from_child(s, p->ch[i], &ss->out);
        if (p->kind[i] == PF_PTY && ss->fd_in == fd && (re & POLLOUT)) {
            ss->in_full = 0;
            chanio_to_child(s, p->ch[i]);
        }
        break;
    case PF_ERR:
        if (ss->err.fd == fd)
            chanio_from_child(s, p->ch[i], &ss->err);
        break;
    case PF_IN:
        if (ss->fd_in == fd) {
            ss->in_full = 0;
            chanio_to_child(s, p->ch[i]);
        }
        break;
    }
}

static void dispatch(pconn *s, const pollset *p)
{
    nfds_t i;
    uint32_t ch;
    for (i = 0; i < p->n; i++) {
        short re = p->fds[i].revents;
        if (p->kind[i] == PF_SIG && re) {
            if (selfpipe_drain(s->sig_fd) & (1u << SIGCHLD))
                chanio_reap(s);
        } else if (p->kind[i] == PF_SOCK && (re & (POLLIN | POLLHUP | POLLERR))) {
            read_sock(s);
        }
    }
    for (i = 0; i < p->fwd_start; i++)
        if (p->kind[i] != PF_SOCK && p->kind[i] != PF_SOCKOUT &&
            p->kind[i] != PF_SIG)
            child_event(s, p, i);
    fwd_events(s, p->fds + p->fwd_start, p->n - p->fwd_start);
    for (ch = 0; ch < s->ch_hi; ch++) {
        if (!s->sess[ch].used)
            continue;
        chanio_to_child(s, ch);
        chanio_progress(s, ch);
    }
}

int loop_run(pconn *s)
{
    /* Static, not on the stack: the set has room for every fd of 1,024
     * channels (about 45 kB) while a connection uses a few entries, and
     * only the pages it touches become its own. One loop per process. */
    static pollset p;
    int timeout, r;
    for (;;) {
        s->now = loop_now_ms();
        nssh_conn_tick(s->c, s->now);
        s->policy->tick(s->app);
        flush_out(s);
        if (nssh_conn_state(s->c) & NSSH_CLOSED)
            break;
        /* Authentication and a session's start are the deepest calls a
         * connection makes; once they are done, their stack goes back. */
        if (s->authenticated && !s->auth_seen)
            s->auth_seen = s->stack_spent = 1;
        if (s->stack_spent) {
            s->stack_spent = 0;
            stack_release();
            heap_release();
        }
        timeout = build(&p, s);
        r = poll(p.fds, p.n, timeout);
        if (r < 0 && errno != EINTR) {
            log_error("poll: %s", strerror(errno));
            return NSSH_ERR_INTERNAL;
        }
        s->now = loop_now_ms();
        dispatch(s, &p);   /* also on timeouts: a pty may be due to finish */
    }
    return nssh_conn_error(s->c);
}

/* ---- One round at a time, for a loop that serves many connections ------ */

loop_set *loop_set_new(void) { return calloc(1, sizeof(loop_set)); }
void loop_set_free(loop_set *p) { free(p); }
size_t loop_set_count(const loop_set *p) { return p->n; }
struct pollfd *loop_set_fds(loop_set *p) { return p->fds; }

int loop_wants(pconn *s, loop_set *p) { return build(p, s); }

int loop_events(pconn *s, const loop_set *p)
{
    dispatch(s, p);
    s->now = loop_now_ms();
    nssh_conn_tick(s->c, s->now);
    s->policy->tick(s->app);
    flush_out(s);
    return (nssh_conn_state(s->c) & NSSH_CLOSED) ? 1 : 0;
}

int loop_start(pconn *s)
{
    s->now = loop_now_ms();
    nssh_conn_tick(s->c, s->now);
    s->policy->tick(s->app);
    flush_out(s);
    return (nssh_conn_state(s->c) & NSSH_CLOSED) ? 1 : 0;
}
