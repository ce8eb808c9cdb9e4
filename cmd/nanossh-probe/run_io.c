/*
 * Driving a run: a TCP connection with a deadline, bytes between the
 * socket and the engine, the client's next step (auth "none", a login),
 * and the stall clock. run_feed() is the same without a socket, for the
 * unit tests and the fuzzer.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "probe.h"

static int start_engine(run *r)
{
    r->t0 = r->t0 ? r->t0 : now_ms();
    r->c = nssh_conn_init(r->mem, nssh_conn_mem_size(), &r->cfg, now_ms());
    return r->c ? 0 : -1;
}

/* What to do next on our side; 1 when the run is over. */
static int step(run *r)
{
    if (nssh_conn_error(r->c))
        return 0;
    if (r->quick && nssh_client_ready(r->c)) {
        r->end = END_OK;
        nssh_conn_disconnect(r->c, NSSH_DISC_BY_APPLICATION, "probe finished");
        return 1;
    }
    if (nssh_client_ready(r->c) && !r->auth_asked) {
        r->auth_asked = 1;
        nssh_client_auth_none(r->c, r->o->user ? r->o->user : "nanossh-probe");
    }
    if (r->auth_done && (!r->auth_ok || r->exit_seen)) {
        r->end = END_OK;
        nssh_conn_disconnect(r->c, NSSH_DISC_BY_APPLICATION, "probe finished");
        return 1;
    }
    return 0;
}

int run_feed(run *r, const uint8_t *p, size_t n)
{
    size_t len;
    if (!r->c && start_engine(r) < 0)
        return -1;
    while (nssh_conn_sendbuf(r->c, &len))
        nssh_conn_sent(r->c, len);
    wire_add(&r->w, p, n, now_ms() - r->t0);
    while (n) {
        long k = nssh_conn_feed(r->c, p, n);
        if (k <= 0)
            break;
        p += k;
        n -= (size_t)k;
        step(r);
        while (nssh_conn_sendbuf(r->c, &len))
            nssh_conn_sent(r->c, len);
    }
    return nssh_conn_error(r->c);
}

int run_feed_end(run *r)
{
    if (!r->c && start_engine(r) < 0)
        return END_ERROR;
    if (!nssh_conn_error(r->c) && r->end != END_OK)
        nssh_conn_recvd(r->c, 0);
    if (!r->end) {
        int e = nssh_conn_error(r->c);
        r->end = e == 0 || e == NSSH_ERR_EOF ? END_EOF : END_ERROR;
    }
    nssh_conn_get_info(r->c, &r->info);
    return r->end;
}

static int tcp_connect(run *r)
{
    struct addrinfo hints, *res = NULL, *a;
    int fd = -1, e;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    e = getaddrinfo(r->o->host, r->o->port, &hints, &res);
    if (e) {
        snprintf(r->err_text, sizeof(r->err_text), "cannot resolve %s: %s",
                 r->o->host, gai_strerror(e));
        return -1;
    }
    snprintf(r->err_text, sizeof(r->err_text), "no address for %s", r->o->host);
    for (a = res; a; a = a->ai_next) {
        struct pollfd pf;
        int one = 1, soerr = 0;
        socklen_t sl = sizeof(soerr);
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
            soerr = errno;
        } else {
            pf.fd = fd;
            pf.events = POLLOUT;
            if (poll(&pf, 1, r->o->timeout_s * 1000) <= 0)
                soerr = ETIMEDOUT;
            else
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        }
        if (!soerr)
            break;
        snprintf(r->err_text, sizeof(r->err_text), "TCP connection to %s port %s "
                 "failed: %s", r->o->host, r->o->port, strerror(soerr));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        r->err_text[0] = 0;
    r->fd = fd;
    return fd < 0 ? -1 : 0;
}

static int flush_out(run *r)
{
    size_t len;
    const uint8_t *q;
    while ((q = nssh_conn_sendbuf(r->c, &len)) != NULL) {
        ssize_t k = send(r->fd, q, len, MSG_NOSIGNAL);
        if (k < 0)
            return errno == EAGAIN ? 0 : -1;
        nssh_conn_sent(r->c, (size_t)k);
    }
    return 0;
}

static uint64_t last_activity(const run *r)
{
    uint64_t t = r->last_rx_ms;
    if (r->n_pkts && r->pkts[r->n_pkts - 1].ms > t)
        t = r->pkts[r->n_pkts - 1].ms;
    return t;
}

int run_connect(run *r)
{
    uint8_t buf[65536];
    r->t0 = now_ms();
    if (tcp_connect(r) < 0) {
        r->end = END_NET;
        return r->end;
    }
    run_event(r, "TCP connected");
    r->last_rx_ms = now_ms() - r->t0;
    if (start_engine(r) < 0) {
        r->end = END_ERROR;
        return r->end;
    }
    for (;;) {
        struct pollfd pf;
        uint64_t t = now_ms() - r->t0, idle = t - last_activity(r);
        uint64_t limit = (uint64_t)r->o->timeout_s * 1000u;
        size_t pending = 0;
        ssize_t k;
        if (flush_out(r) < 0 && !nssh_conn_error(r->c)) {
            nssh_conn_recvd(r->c, 0);
            r->end = END_EOF;
            break;
        }
        if (nssh_conn_error(r->c)) {
            if (!r->end)
                r->end = nssh_conn_error(r->c) == NSSH_ERR_EOF ? END_EOF : END_ERROR;
            break;
        }
        if (step(r)) {
            flush_out(r);
            break;
        }
        if (idle >= limit) {
            r->end = END_STALL;
            r->waited_ms = idle;
            break;
        }
        nssh_conn_sendbuf(r->c, &pending);
        pf.fd = r->fd;
        pf.events = POLLIN | (pending ? POLLOUT : 0);
        if (poll(&pf, 1, (int)(limit - idle > 250 ? 250 : limit - idle)) < 0)
            continue;
        nssh_conn_tick(r->c, now_ms());
        if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        k = recv(r->fd, buf, sizeof(buf), 0);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k <= 0) {
            if (!r->w.version_done && k < 0)
                snprintf(r->err_text, sizeof(r->err_text), "%s", strerror(errno));
            run_event(r, "TCP closed by the server");
            nssh_conn_recvd(r->c, 0);
            r->end = nssh_conn_error(r->c) && nssh_conn_error(r->c) != NSSH_ERR_EOF
                         ? END_ERROR : END_EOF;
            break;
        }
        r->last_rx_ms = now_ms() - r->t0;
        {
            int had = r->w.version_done;
            wire_add(&r->w, buf, (size_t)k, r->last_rx_ms);
            if (!had && r->w.version_done)
                run_event(r, "banner received");
        }
        {
            const uint8_t *p = buf;
            size_t n = (size_t)k;
            while (n && !nssh_conn_error(r->c)) {
                long used = nssh_conn_feed(r->c, p, n);
                if (used < 0)
                    break;
                if (used == 0) {
                    /* The engine's output is full: let it drain. */
                    struct pollfd po = { .fd = r->fd, .events = POLLOUT };
                    if (poll(&po, 1, 1000) <= 0 || flush_out(r) < 0)
                        break;
                    continue;
                }
                p += used;
                n -= (size_t)used;
                step(r);
                flush_out(r);
            }
        }
    }
    nssh_conn_get_info(r->c, &r->info);
    return r->end;
}
