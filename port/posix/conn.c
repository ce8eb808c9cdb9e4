/*
 * A connection's mechanism from start to end: its addresses, the engine
 * and its memory, the self-pipe; the release of sessions, forwarding and
 * descriptors. The loop is loop.c.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "forward.h"
#include "loop.h"
#include "loginrec.h"
#include "pty.h"
#include "selfpipe.h"

/* Address text as sshd prints it: IPv4-mapped IPv6 shown as IPv4. */
static void addr_text(const struct sockaddr_storage *ss, char *out, size_t cap,
                      int *port)
{
    const struct sockaddr_in6 *s6 = (const void *)ss;
    const struct sockaddr_in *s4 = (const void *)ss;
    struct in_addr v4;
    strncpy(out, "UNKNOWN", cap);
    *port = 0;
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)cap);
        *port = ntohs(s4->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        *port = ntohs(s6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            memcpy(&v4, s6->sin6_addr.s6_addr + 12, 4);
            inet_ntop(AF_INET, &v4, out, (socklen_t)cap);
        } else {
            inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)cap);
        }
    }
}

void pconn_init(pconn *s, int fd, int fd_out, const conn_policy *p, void *app)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    /* The session table (a slot for every channel number, most of the
     * struct) arrives zeroed from calloc: clearing it again would make
     * every page of it the connection's own, about 900 kB that an idle
     * session never uses. */
    memset(s, 0, offsetof(pconn, sess));
    s->ch_hi = 0;
    s->fwd = NULL;
    s->fd = fd;
    s->fd_out = fd_out;
    s->sig_fd = -1;
    s->policy = p;
    s->app = app;
    signal(SIGPIPE, SIG_IGN);
    /* Not a socket (inetd mode on pipes, ssh's ProxyCommand): sshd then
     * names both ends "UNKNOWN" port 65535, and so do SSH_CONNECTION,
     * SSH_CLIENT and the log lines. */
    snprintf(s->peer, sizeof(s->peer), "UNKNOWN");
    snprintf(s->local, sizeof(s->local), "UNKNOWN");
    s->peer_port = s->local_port = 65535;
    memset(&ss, 0, sizeof(ss));
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        addr_text(&ss, s->peer, sizeof(s->peer), &s->peer_port);
    len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        addr_text(&ss, s->local, sizeof(s->local), &s->local_port);
}

int pconn_start(pconn *s, const nssh_config *cfg, const int *sigs)
{
    size_t size = nssh_conn_mem_size();
    if ((sigs && (s->sig_fd = selfpipe_open(sigs)) < 0) ||
        posix_memalign(&s->mem, 16, size) != 0) {
        s->mem = NULL;
        log_error("out of resources for connection from %s port %d", s->peer,
                  s->peer_port);
        return NSSH_ERR_NOSPACE;
    }
    s->now = loop_now_ms();
    if (!(s->c = nssh_conn_init(s->mem, size, cfg, s->now))) {
        log_error("engine refused the configuration");
        return NSSH_ERR_INTERNAL;
    }
    return 0;
}

void pconn_vlog(const pconn *s, int level, const char *fmt, va_list ap)
{
    char msg[2048];
    if (!log_enabled(level))
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    s->policy->log(s->app, level, msg);
}

void pconn_log(const pconn *s, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pconn_vlog(s, level, fmt, ap);
    va_end(ap);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void pconn_session_release(pconn *s, session *ss)
{
    size_t i;
    if (ss->pid > 0 && !ss->reaped)
        killpg(ss->pid, SIGHUP);   /* the child leads its own session */
    fwd_session_end(s, (uint32_t)(ss - s->sess));   /* its X11 listener */
    if (ss->fd_in == ss->ptm)
        ss->fd_in = -1;
    if (ss->out.fd == ss->ptm)
        ss->out.fd = -1;
    if (ss->logged_in)
        loginrec_logout(ss->pid, ss->tty);
    pty_release(ss);
    close_fd(&ss->fd_in);
    close_fd(&ss->out.fd);
    close_fd(&ss->err.fd);
    pump_free(&ss->in);
    pump_free(&ss->out.b);
    pump_free(&ss->err.b);
    for (i = 0; i < ss->n_env; i++)
        free(ss->env[i]);
    memset(ss, 0, sizeof(*ss));
    ss->ptm = ss->pts = ss->fd_in = ss->out.fd = ss->err.fd = -1;
}

void pconn_end_channels(pconn *s)
{
    size_t i;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        if (s->sess[i].used)
            pconn_session_release(s, &s->sess[i]);
    fwd_release_all(s);
}

void pconn_release(pconn *s, int wipe)
{
    pconn_end_channels(s);
    if (s->sig_fd >= 0)
        selfpipe_close();   /* this connection's own loop caught signals */
    close(s->fd);
    if (s->fd_out != s->fd)
        close(s->fd_out);
    nssh_conn_release(s->c);   /* the backend's contexts, keys wiped */
    if (s->mem && wipe)
        explicit_bzero(s->mem, nssh_conn_mem_size());
    free(s->mem);
    s->mem = NULL;
    s->c = NULL;
}
