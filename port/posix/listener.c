/*
 * The listening sockets and the accept loop: one process per connection so
 * a connection's fault cannot reach another; the parent only accepts,
 * forks and reaps.
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

#include "posix.h"
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

static void bind_addr(listener *l, const char *host, int port)
{
    struct addrinfo hints, *res = NULL, *ai;
    char serv[16];
    int r;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
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

int listener_open(listener *l, const daemon_opts *o)
{
    size_t i, j;
    memset(l, 0, sizeof(*l));
    for (i = 0; i < o->n_listen; i++) {
        if (o->listen[i].port)
            bind_addr(l, o->listen[i].host, o->listen[i].port);
        else
            for (j = 0; j < o->n_ports; j++)
                bind_addr(l, o->listen[i].host, o->ports[j]);
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

/* One accepted connection: its own process (or this one with -d). */
static int serve(listener *l, int fd, const daemon_opts *o,
                 const hostkey_set *hk)
{
    int one = 1;
    pid_t pid;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (o->debug) {
        listener_close(l);
        server_run(fd, o, hk);
        return 1;
    }
    if ((pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        close(fd);
        return 0;
    }
    if (pid == 0) {
        listener_close(l);
        selfpipe_close();
        log_reopen();
        _exit(server_run(fd, o, hk) < 0 ? 1 : 0);
    }
    close(fd);
    return 0;
}

static void restart(const daemon_opts *o)
{
    log_info("Received SIGHUP; restarting.");
    if (o->argv && o->argv[0]) {
        /* Handlers reset and close-on-exec fds close by themselves, so
         * on failure everything is still in place. The path it was
         * started by picks up an upgraded binary. */
        execv(o->argv[0][0] == '/' ? o->argv[0] : "/proc/self/exe", o->argv);
        log_error("restart failed: %s", strerror(errno));
    }
}

int listener_run(listener *l, const daemon_opts *o, const hostkey_set *hk)
{
    static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, 0 };
    struct pollfd pfd[LISTENER_MAX + 1];
    size_t i;
    int sig_fd = selfpipe_open(sigs), fd;
    unsigned mask;
    if (sig_fd < 0)
        return NSSH_ERR_INTERNAL;
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        for (i = 0; i < l->n; i++) {
            pfd[i].fd = l->fds[i];
            pfd[i].events = POLLIN;
        }
        pfd[l->n].fd = sig_fd;
        pfd[l->n].events = POLLIN;
        if (poll(pfd, l->n + 1, -1) < 0 && errno != EINTR)
            return NSSH_ERR_INTERNAL;
        if (pfd[l->n].revents) {
            mask = selfpipe_drain(sig_fd);
            if (mask & (1u << SIGCHLD))
                reap();
            if (mask & ((1u << SIGTERM) | (1u << SIGINT))) {
                log_info("Received signal %d; terminating.",
                         mask & (1u << SIGTERM) ? SIGTERM : SIGINT);
                break;
            }
            if (mask & (1u << SIGHUP))
                restart(o);
        }
        for (i = 0; i < l->n; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            while ((fd = accept4(l->fds[i], NULL, NULL,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
                if (serve(l, fd, o, hk))
                    goto out;   /* -d: one connection served */
        }
    }
out:
    selfpipe_close();
    return 0;
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
