/*
 * X11 forwarding (RFC 4254 section 6.3): "x11-req" on a session makes a
 * TCP listener on the first free display port 6000+N from the offset
 * up, on loopback (or every address); the session gets DISPLAY
 * "localhost:N.screen", and xauth(1), run as the user before the
 * session's command, records the client's cookie for that display, as
 * sshd's do_xauth does. Each connection to the port opens an "x11"
 * channel to the client naming the originator (section 6.3.2). The
 * listener goes with its session.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forward.h"

#define X11_BASE_PORT 6000
#define X11_MAX_DISPLAYS 1000

/* x11-req's auth protocol and cookie reach a command line of xauth:
 * only the characters sshd lets through (no shell metacharacters). */
static int xauth_text_ok(const char *v)
{
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && !strchr(".:/-_", *v))
            return 0;
    return 1;
}

static int get_str(const uint8_t *d, size_t len, size_t *at, char *out,
                   size_t cap)
{
    uint32_t n;
    if (len - *at < 4)
        return -1;
    n = (uint32_t)d[*at] << 24 | (uint32_t)d[*at + 1] << 16 |
        (uint32_t)d[*at + 2] << 8 | d[*at + 3];
    *at += 4;
    if (n > len - *at || n >= cap || memchr(d + *at, 0, n))
        return -1;
    memcpy(out, d + *at, n);
    out[n] = 0;
    *at += n;
    return 0;
}

/* Listen on every address of display port (loopback unless any): 0,
 * 1 when the port is taken, -1 on another failure. */
static int listen_display(fwd_listener *l, int port, int any)
{
    struct addrinfo hints, *res = NULL, *a;
    char portstr[16];
    int on = 1, taken = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = any ? AI_PASSIVE : 0;
    snprintf(portstr, sizeof(portstr), "%d", port);
    if (getaddrinfo(NULL, portstr, &hints, &res) != 0)
        return -1;
    for (a = res; a && l->n_fds < FWD_LISTEN_FDS; a = a->ai_next) {
        int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
                        SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;   /* no IPv6 here, say */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (a->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
        if (bind(fd, a->ai_addr, a->ai_addrlen) < 0) {
            taken |= errno == EADDRINUSE;
            close(fd);
            if (taken)
                break;
            continue;   /* that family's address is not configured */
        }
        if (listen(fd, 128) < 0) {
            close(fd);
            continue;
        }
        l->fds[l->n_fds++] = fd;
    }
    freeaddrinfo(res);
    if (taken || !l->n_fds) {
        size_t i;
        for (i = 0; i < l->n_fds; i++)
            close(l->fds[i]);
        l->n_fds = 0;
        return taken ? 1 : -1;
    }
    return 0;
}

static fwd_x11 *x11_slot(fwd_state *fs, uint32_t ch)
{
    size_t i;
    for (i = 0; i < FWD_X11_MAX; i++)
        if (fs->x11[i].used && fs->x11[i].ch == ch)
            return NULL;   /* already forwarding for this session */
    for (i = 0; i < FWD_X11_MAX; i++)
        if (!fs->x11[i].used)
            return &fs->x11[i];
    return NULL;
}

int fwd_x11_start(pconn *s, uint32_t ch, const uint8_t *raw, size_t len)
{
    fwd_state *fs = fwd_get(s);
    fwd_settings set;
    fwd_listener *l;
    fwd_x11 *x;
    struct stat st;
    size_t at = 1;
    int single, d, r = 1;
    if (!fs || !(x = x11_slot(fs, ch))) {
        log_error("X11 forwarding already active on session %u", (unsigned)ch);
        return -1;
    }
    /* RFC 4254 section 6.3.1: single connection, auth protocol, auth
     * cookie, screen number. */
    if (len < 1 || get_str(raw, len, &at, x->proto, sizeof(x->proto)) < 0 ||
        get_str(raw, len, &at, x->cookie, sizeof(x->cookie)) < 0 ||
        len - at != 4) {
        log_error("malformed x11-req on session %u", (unsigned)ch);
        return -1;
    }
    single = raw[0] != 0;
    x->screen = (unsigned)raw[at] << 24 | (unsigned)raw[at + 1] << 16 |
                (unsigned)raw[at + 2] << 8 | raw[at + 3];
    if (!xauth_text_ok(x->proto) || !xauth_text_ok(x->cookie)) {
        log_error("Invalid X11 forwarding data");
        return -1;
    }
    if (!s->policy->fwd_allowed(s->app, FWD_KIND_X11, NULL))
        return -1;
    memset(&set, 0, sizeof(set));
    s->policy->fwd_settings(s->app, &set);
    if (!set.xauth || !set.xauth[0] || stat(set.xauth, &st) < 0) {
        log_info("No xauth program; cannot forward X11.");
        return -1;
    }
    if (set.x11_offset < 0 ||
        set.x11_offset > 65535 - X11_BASE_PORT - X11_MAX_DISPLAYS ||
        !(l = fwd_listen_slot(fs)))
        return -1;
    for (d = set.x11_offset; d < set.x11_offset + X11_MAX_DISPLAYS && r == 1;
         d++)
        r = listen_display(l, X11_BASE_PORT + d, !set.x11_localhost);
    if (r != 0) {
        log_error("Failed to allocate internet-domain X11 display socket.");
        return -1;
    }
    l->used = 1;
    l->kind = FL_X11;
    l->owner = ch;
    l->single = single;
    l->port = X11_BASE_PORT + d - 1;
    snprintf(l->host, sizeof(l->host), "%s",
             set.x11_localhost ? "localhost" : "");
    x->used = 1;
    x->ch = ch;
    x->display = d - 1;
    log_debug("X11 forwarding for session %u: display %d, screen %u%s",
              (unsigned)ch, x->display, x->screen,
              single ? ", single connection" : "");
    return 0;
}

const fwd_x11 *fwd_x11_of(const pconn *s, uint32_t ch)
{
    size_t i;
    for (i = 0; s->fwd && i < FWD_X11_MAX; i++)
        if (s->fwd->x11[i].used && s->fwd->x11[i].ch == ch)
            return &s->fwd->x11[i];
    return NULL;
}

/* The listener is on loopback: DISPLAY says localhost; otherwise the
 * host's name, as sshd does. auth: xauth's name for the display
 * (loopback: the "unix:N" form X clients look up for localhost). */
static void display_name(const pconn *s, const fwd_x11 *x, int auth,
                         char *out, size_t cap)
{
    char host[256];
    size_t i;
    int local = 1;
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        if (s->fwd->ls[i].used && s->fwd->ls[i].kind == FL_X11 &&
            s->fwd->ls[i].owner == x->ch)
            local = s->fwd->ls[i].host[0] != 0;
    if (local) {
        snprintf(out, cap, "%s:%d.%u", auth ? "unix" : "localhost",
                 x->display, x->screen);
        return;
    }
    if (gethostname(host, sizeof(host)) < 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = 0;
    snprintf(out, cap, "%.200s:%d.%u", host, x->display, x->screen);
}

void fwd_x11_display(const pconn *s, const fwd_x11 *x, char *out, size_t cap)
{
    display_name(s, x, 0, out, cap);
}

/* In the session's child (the user already): "xauth -q -" through
 * /bin/sh with the session's environment, as sshd's popen, fed the
 * remove and add lines. Failures are xauth's to report on stderr. */
void fwd_x11_xauth(const pconn *s, const fwd_x11 *x, char *const *envp)
{
    char cmd[1200], disp[300];
    fwd_settings set;
    int p[2], st;
    pid_t pid;
    FILE *f;
    memset(&set, 0, sizeof(set));
    s->policy->fwd_settings(s->app, &set);
    if (!set.xauth || !set.xauth[0])
        return;
    display_name(s, x, 1, disp, sizeof(disp));
    snprintf(cmd, sizeof(cmd), "%s -q -", set.xauth);
    if (pipe(p) < 0 || (pid = fork()) < 0) {
        dprintf(STDERR_FILENO, "Could not run %s\r\n", cmd);
        return;
    }
    if (pid == 0) {
        char *argv[] = { "sh", "-c", cmd, NULL };
        close(p[1]);
        if (dup2(p[0], STDIN_FILENO) < 0)
            _exit(127);
        close(p[0]);
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    close(p[0]);
    if ((f = fdopen(p[1], "w"))) {
        fprintf(f, "remove %s\n", disp);
        fprintf(f, "add %s %s %s\n", disp, x->proto, x->cookie);
        fclose(f);
    } else {
        close(p[1]);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}

void fwd_session_end(pconn *s, uint32_t ch)
{
    size_t i;
    if (!s->fwd)
        return;
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        if (s->fwd->ls[i].used && s->fwd->ls[i].kind == FL_X11 &&
            s->fwd->ls[i].owner == ch)
            fwd_listen_close(&s->fwd->ls[i]);
    for (i = 0; i < FWD_X11_MAX; i++)
        if (s->fwd->x11[i].used && s->fwd->x11[i].ch == ch)
            memset(&s->fwd->x11[i], 0, sizeof(s->fwd->x11[i]));
}
