/*
 * The listening sockets and the accept loop: one process per connection so
 * a connection's fault cannot reach another; the parent only accepts,
 * forks, reaps, counts unauthenticated connections (MaxStartups) and
 * handles SIGHUP and SIGTERM.
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
#include <unistd.h>

#include "listener.h"
#include "daemon.h"
#include "sd.h"
#include "server.h"
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

static void reap(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* sshd's line for a connection refused by MaxStartups. */
static void log_drop(int fd, size_t pending)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char peer[NI_MAXHOST] = "?", local[NI_MAXHOST] = "?";
    int pport = 0, lport = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        numeric((struct sockaddr *)&ss, len, peer, sizeof(peer), &pport);
    len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        numeric((struct sockaddr *)&ss, len, local, sizeof(local), &lport);
    log_info("drop connection #%zu from [%s]:%d on [%s]:%d past MaxStartups",
             pending, peer, pport, local, lport);
}

/* One accepted connection: its own process (or this one with -d). */
static int serve(listener *l, startups *st, int fd, daemon_opts *o,
                 const hostkey_set *hk)
{
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
    if (startups_drop(st, o)) {
        log_drop(fd, st->n);
        close(fd);
        return 0;
    }
    if (startups_add(st, &child_end) < 0 || (pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        if (child_end >= 0) {
            startups_forget(st, st->fds[st->n - 1]);
            close(child_end);
        }
        close(fd);
        return 0;
    }
    if (pid == 0) {
        listener_close(l);
        startups_free(st);
        startups_child(child_end);
        selfpipe_close();
        log_reopen();
        _exit(server_run(fd, fd, o, hk) < 0 ? 1 : 0);
    }
    close(child_end);
    close(fd);
    return 0;
}

static void accept_all(listener *l, startups *st, int lfd, daemon_opts *o,
                       const hostkey_set *hk, int *done)
{
    int fd;
    while (!*done && (fd = accept4(lfd, NULL, NULL,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
        *done = serve(l, st, fd, o, hk);   /* -d: one connection served */
}

/* Signals: 1 to stop the loop. */
static int on_signals(int sig_fd, const daemon_opts *o)
{
    unsigned mask = selfpipe_drain(sig_fd);
    if (mask & (1u << SIGCHLD))
        reap();
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
    startups st;
    size_t i, np;
    int sig_fd = selfpipe_open(sigs), done = 0, e = 0;
    if (sig_fd < 0)
        return NSSH_ERR_INTERNAL;
    signal(SIGPIPE, SIG_IGN);
    startups_init(&st);
    while (!done) {
        np = l->n + 1 + st.n;
        free(pfd);
        if (!(pfd = calloc(np, sizeof(*pfd)))) {
            e = NSSH_ERR_NOSPACE;
            break;
        }
        for (i = 0; i < l->n; i++)
            pfd[i] = (struct pollfd){ .fd = l->fds[i], .events = POLLIN };
        pfd[l->n] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
        for (i = 0; i < st.n; i++)
            pfd[l->n + 1 + i] = (struct pollfd){ .fd = st.fds[i], .events = POLLIN };
        if (poll(pfd, np, -1) < 0 && errno != EINTR) {
            e = NSSH_ERR_INTERNAL;
            break;
        }
        if (pfd[l->n].revents && on_signals(sig_fd, o))
            break;
        for (i = l->n + 1; i < np; i++)   /* authenticated, or gone */
            if (pfd[i].revents)
                startups_forget(&st, pfd[i].fd);
        for (i = 0; i < l->n && !done; i++)
            if (pfd[i].revents & POLLIN)
                accept_all(l, &st, l->fds[i], o, hk, &done);
    }
    free(pfd);
    startups_free(&st);
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
