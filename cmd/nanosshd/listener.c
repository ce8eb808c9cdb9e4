/*
 * The listening sockets and the accept loop: one process per connection so
 * a connection's fault cannot reach another; the parent only accepts,
 * forks, reaps, counts unauthenticated connections (MaxStartups,
 * PerSourceMaxStartups), refuses penalised sources (PerSourcePenalties)
 * before fork, and handles SIGHUP and SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "listener.h"
#include "daemon.h"
#include "sd.h"
#include "server.h"
#include "srclimit.h"
#include "startups.h"
#include "selfpipe.h"

static void numeric(const struct sockaddr *sa, socklen_t len, char *host,
                    size_t cap, int *port)
{
    char serv[16] = "0";
    if (getnameinfo(sa, len, host, (socklen_t)cap, serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(host, cap, "?");
    *port = atoi(serv);
}

static int bind_one(listener *l, const struct addrinfo *ai)
{
    char host[NI_MAXHOST];
    int fd, one = 1, port;
    numeric(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), &port);
    if (l->n >= LISTENER_MAX)
        return NSSH_ERR_NOSPACE;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* 0.0.0.0 and :: are bound separately, so :: must not take IPv4. */
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0)
        goto fail;
    l->fds[l->n++] = fd;
    log_info("Server listening on %s port %d.", host, port);
    return 0;
fail:
    log_error("Bind to port %d on %s failed: %s.", port, host, strerror(errno));
    if (fd >= 0)
        close(fd);
    return NSSH_ERR_INTERNAL;
}

static void bind_addr(listener *l, const daemon_opts *o, const char *host,
                      int port)
{
    struct addrinfo hints, *res = NULL, *ai;
    char serv[16];
    int r;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = o->address_family;   /* AddressFamily */
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(serv, sizeof(serv), "%d", port);
    if ((r = getaddrinfo(host[0] ? host : NULL, serv, &hints, &res)) != 0) {
        log_error("bad addr or host: %s (%s)", host, gai_strerror(r));
        return;
    }
    for (ai = res; ai; ai = ai->ai_next)
        bind_one(l, ai);
    freeaddrinfo(res);
}

/* Sockets from systemd replace ListenAddress and Port. */
static int take_activated(listener *l)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char host[NI_MAXHOST];
    int n = sd_sockets(l->fds, LISTENER_MAX), port, i;
    if (n < 0) {
        log_fatal("LISTEN_FDS: the passed file descriptors are not sockets.");
        return n;
    }
    l->n = (size_t)n;
    l->activated = n > 0;
    for (i = 0; i < n; i++) {
        len = sizeof(ss);
        if (getsockname(l->fds[i], (struct sockaddr *)&ss, &len) == 0) {
            numeric((struct sockaddr *)&ss, len, host, sizeof(host), &port);
            log_info("Server listening on %s port %d (socket activation).",
                     host, port);
        }
    }
    return n;
}

int listener_open(listener *l, const daemon_opts *o)
{
    size_t i, j;
    memset(l, 0, sizeof(*l));
    if (take_activated(l) < 0)
        return NSSH_ERR_INTERNAL;
    for (i = 0; !l->activated && i < o->n_listen; i++) {
        if (o->listen[i].port)
            bind_addr(l, o, o->listen[i].host, o->listen[i].port);
        else
            for (j = 0; j < o->n_ports; j++)
                bind_addr(l, o, o->listen[i].host, o->ports[j]);
    }
    if (l->n == 0) {
        log_fatal("Cannot bind any address.");
        return NSSH_ERR_INTERNAL;
    }
    return 0;
}

void listener_close(listener *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        close(l->fds[i]);
    l->n = 0;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The listener's books: pending connections and the penalty table. */
typedef struct books {
    startups st;
    srclimit sl;
} books;

static void charge(books *b, const src_addr *peer, int kind, unsigned times)
{
    while (times--)
        srclimit_penalise(&b->sl, peer, kind, mono_now());
}

/* Reap connection processes and charge each unauthenticated ending
 * (and any crash) to its source, as sshd does. */
static void reap(books *b)
{
    src_addr peer;
    unsigned kex;
    pid_t pid;
    int status, authed;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (!startups_reaped(&b->st, pid, &peer, &authed, &kex))
            continue;
        charge(b, &peer, PENALTY_KEXDH, kex);
        charge(b, &peer, srclimit_kind_of_status(status, authed), 1);
    }
}

/* sshd's line for a connection refused before fork (MaxStartups,
 * PerSourceMaxStartups or PerSourcePenalties), and its note to the
 * client. */
static void log_drop(int fd, size_t pending, const char *why)
{
    static const char msg[] = "Not allowed at this time\r\n";
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char peer[NI_MAXHOST] = "?", local[NI_MAXHOST] = "?";
    int pport = 0, lport = 0;
    ssize_t w;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        numeric((struct sockaddr *)&ss, len, peer, sizeof(peer), &pport);
    len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        numeric((struct sockaddr *)&ss, len, local, sizeof(local), &lport);
    log_info("drop connection #%zu from [%s]:%d on [%s]:%d %s", pending, peer,
             pport, local, lport, why);
    w = write(fd, msg, sizeof(msg) - 1);   /* best effort */
    (void)w;
}

/* Refused before fork: a penalised source, MaxStartups, or more pending
 * connections from this source's net block than PerSourceMaxStartups. */
static int refused(books *b, int fd, const daemon_opts *o, const src_addr *peer)
{
    const char *reason = NULL;
    size_t from;
    if (srclimit_refused(&b->sl, peer, mono_now(), &reason)) {
        log_drop(fd, b->st.pending, reason);
        return 1;
    }
    if (startups_drop(&b->st, o)) {
        log_drop(fd, b->st.pending, "past MaxStartups");
        return 1;
    }
    if (o->persource_max > 0 && peer->af &&
        (from = startups_from(&b->st, o, peer)) >= (size_t)o->persource_max) {
        log_debug("srclimit_check_allow: %zu of %ld unauthenticated "
                  "connections from this source", from, o->persource_max);
        log_drop(fd, b->st.pending, "past PerSourceMaxStartups");
        return 1;
    }
    return 0;
}

/* One accepted connection: its own process (or this one with -d). */
static int serve(listener *l, books *b, int fd, daemon_opts *o,
                 const hostkey_set *hk)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    src_addr peer;
    int one = 1, child_end = -1;
    pid_t pid;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (o->tcp_keepalive > 0)
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    if (o->debug) {
        listener_close(l);
        server_run(fd, fd, o, hk);
        return 1;
    }
    memset(&peer, 0, sizeof(peer));
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        src_addr_of((struct sockaddr *)&ss, &peer);
    if (refused(b, fd, o, &peer)) {
        close(fd);
        return 0;
    }
    if (startups_add(&b->st, &peer, &child_end) < 0 || (pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        if (child_end >= 0) {
            startups_undo(&b->st);
            close(child_end);
        }
        close(fd);
        return 0;
    }
    if (pid == 0) {
        listener_close(l);
        startups_free(&b->st);
        srclimit_free(&b->sl);
        startups_child(child_end);
        selfpipe_close();
        log_reopen();
        server_run(fd, fd, o, hk);
        _exit(server_exit_status());
    }
    startups_set_pid(&b->st, pid);
    close(child_end);
    close(fd);
    return 0;
}

static void accept_all(listener *l, books *b, int lfd, daemon_opts *o,
                       const hostkey_set *hk, int *done)
{
    int fd;
    while (!*done && (fd = accept4(lfd, NULL, NULL,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
        *done = serve(l, b, fd, o, hk);   /* -d: one connection served */
}

/* Signals: 1 to stop the loop. */
static int on_signals(int sig_fd, const daemon_opts *o, books *b)
{
    unsigned mask = selfpipe_drain(sig_fd);
    if (mask & (1u << SIGCHLD))
        reap(b);
    if (mask & ((1u << SIGTERM) | (1u << SIGINT))) {
        log_info("Received signal %d; terminating.",
                 mask & (1u << SIGTERM) ? SIGTERM : SIGINT);
        sd_notify_state("STOPPING=1");
        return 1;
    }
    if (mask & (1u << SIGHUP))
        daemon_restart(o);
    return 0;
}

int listener_run(listener *l, daemon_opts *o, const hostkey_set *hk)
{
    static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, 0 };
    struct pollfd *pfd = NULL;
    books b;
    src_addr peer;
    size_t i, np;
    int sig_fd = selfpipe_open(sigs), done = 0, e = 0;
    if (sig_fd < 0)
        return NSSH_ERR_INTERNAL;
    signal(SIGPIPE, SIG_IGN);
    startups_init(&b.st);
    srclimit_init(&b.sl, o);
    while (!done) {
        np = l->n + 1 + b.st.pending;
        free(pfd);
        if (!(pfd = calloc(np, sizeof(*pfd)))) {
            e = NSSH_ERR_NOSPACE;
            break;
        }
        for (i = 0; i < l->n; i++)
            pfd[i] = (struct pollfd){ .fd = l->fds[i], .events = POLLIN };
        pfd[l->n] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
        np = l->n + 1;
        for (i = 0; i < b.st.n; i++)
            if (b.st.c[i].fd >= 0)
                pfd[np++] = (struct pollfd){ .fd = b.st.c[i].fd, .events = POLLIN };
        if (poll(pfd, np, -1) < 0 && errno != EINTR) {
            e = NSSH_ERR_INTERNAL;
            break;
        }
        if (pfd[l->n].revents && on_signals(sig_fd, o, &b))
            break;
        for (i = l->n + 1; i < np; i++)   /* DH exchanges, login, or gone */
            if (pfd[i].revents)
                charge(&b, &peer, PENALTY_KEXDH,
                       startups_read(&b.st, pfd[i].fd, &peer));
        for (i = 0; i < l->n && !done; i++)
            if (pfd[i].revents & POLLIN)
                accept_all(l, &b, l->fds[i], o, hk, &done);
    }
    free(pfd);
    startups_free(&b.st);
    srclimit_free(&b.sl);
    selfpipe_close();
    return e;
}

void listener_hint(const listener *l)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    struct passwd *pw = getpwuid(geteuid());
    char host[NI_MAXHOST];
    int port;
    if (!l->n || getsockname(l->fds[0], (struct sockaddr *)&ss, &len) < 0)
        return;
    numeric((struct sockaddr *)&ss, len, host, sizeof(host), &port);
    if (!strcmp(host, "0.0.0.0"))
        strcpy(host, "127.0.0.1");
    else if (!strcmp(host, "::"))
        strcpy(host, "::1");
    log_info("Connect with: ssh -p %d %s@%s", port, pw ? pw->pw_name : "USER",
             host);
}
