/*
 * Remote forwarding (ssh -R, RFC 4254 section 7.1): "tcpip-forward" makes
 * a listener, "cancel-tcpip-forward" ends it, and every connection it
 * accepts is opened towards the client as a "forwarded-tcpip" channel
 * (section 7.2) naming the address and port as the client asked for them,
 * which is how the client finds its forwarding. Listeners of the other
 * kinds (Unix sockets, the agent, X11: fwd_unix.c, fwd_x11.c) are
 * accepted here too, each opening its own channel type.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"

#define LISTEN_BACKLOG 128

static int name_is(nssh_str n, const char *lit)
{
    return n.n == strlen(lit) && !memcmp(n.p, lit, n.n);
}

void fwd_listen_close(fwd_listener *l)
{
    size_t i;
    for (i = 0; l->used && i < l->n_fds; i++)
        close(l->fds[i]);
    memset(l, 0, sizeof(*l));
}

static int sock_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void set_port(struct sockaddr *sa, int port)
{
    if (sa->sa_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
    else if (sa->sa_family == AF_INET6)
        ((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

/* 0, or NSSH_ERR_IO with *err the errno. */
static int listen_one(fwd_listener *l, struct addrinfo *a, int *err)
{
    int fd, on = 1;
    if (l->port)   /* a port allocated on the first address: the same here */
        set_port(a->ai_addr, l->port);
    fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return NSSH_ERR_IO;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (a->ai_family == AF_INET6)   /* IPv4 gets its own socket */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0) {
        *err = errno;
        close(fd);
        return NSSH_ERR_IO;
    }
    if (!l->port)
        l->port = sock_port(fd);
    l->fds[l->n_fds++] = fd;
    return 0;
}

/* Listen on every address of bind_host (NULL loopback, "" all), IPv4
 * first so that an allocated port is IPv4's. Returns 0, or NSSH_ERR_IO
 * with *why saying why. */
static int listen_on(fwd_listener *l, const char *bind_host, int port,
                     const char **why)
{
    struct addrinfo hints, *res = NULL, *a;
    char portstr[16];
    int pass, err = EADDRNOTAVAIL, r;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = bind_host && !bind_host[0] ? AI_PASSIVE : 0;
    snprintf(portstr, sizeof(portstr), "%d", port);
    if ((r = getaddrinfo(bind_host && bind_host[0] ? bind_host : NULL, portstr,
                         &hints, &res)) != 0) {
        *why = gai_strerror(r);
        return NSSH_ERR_IO;
    }
    for (pass = 0; pass < 2; pass++)
        for (a = res; a && l->n_fds < FWD_LISTEN_FDS; a = a->ai_next) {
            if ((a->ai_family == AF_INET) != (pass == 0))
                continue;
            listen_one(l, a, &err);
        }
    freeaddrinfo(res);
    if (l->n_fds)
        return 0;
    *why = strerror(err);
    return NSSH_ERR_IO;
}

fwd_listener *fwd_listen_slot(fwd_state *fs)
{
    size_t i;
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        if (!fs->ls[i].used) {
            memset(&fs->ls[i], 0, sizeof(fs->ls[i]));
            return &fs->ls[i];
        }
    return NULL;
}

static fwd_listener *find(fwd_state *fs, const char *host, int port)
{
    size_t i;
    for (i = 0; i < FWD_LISTEN_MAX; i++) {
        fwd_listener *l = &fs->ls[i];
        if (l->used && l->kind == FL_TCP && !strcmp(l->host, host) &&
            (l->port == port || (port && l->req_port == port)))
            return l;
    }
    return NULL;
}

static int tcpip_forward(pconn *s, const char *host, int port, uint8_t *reply,
                         size_t cap, size_t *reply_len)
{
    fwd_state *fs = fwd_get(s);
    fwd_listener *l = NULL;
    const char *why = "too many forwardings";
    if (!s->policy->fwd_remote(s->app, host, port) || !fs)
        return -1;
    l = fwd_listen_slot(fs);
    if (!l ||
        listen_on(l, s->policy->fwd_bind_host(s->app, host), port, &why) < 0) {
        log_info("remote port forwarding for %s port %d by user %s failed: %s",
                 host, port, s->pw.name, why);
        if (l)
            fwd_listen_close(l);
        return -1;
    }
    l->used = 1;
    l->req_port = port;
    snprintf(l->host, sizeof(l->host), "%s", host);
    log_debug("remote forwarding: listening on %s port %d (%zu sockets)",
              host, l->port, l->n_fds);
    /* RFC 4254 section 7.1: the port allocated for a request of port 0. */
    if (port == 0 && cap >= 4) {
        reply[0] = (uint8_t)(l->port >> 24);
        reply[1] = (uint8_t)(l->port >> 16);
        reply[2] = (uint8_t)(l->port >> 8);
        reply[3] = (uint8_t)l->port;
        *reply_len = 4;
        log_debug("Allocated listen port %d", l->port);
    }
    return 0;
}

int fwd_global_request(pconn *s, nssh_str name, const uint8_t *data,
                       size_t len, int want_reply, uint8_t *reply,
                       size_t reply_cap, size_t *reply_len)
{
    char host[FWD_HOST_MAX];
    fwd_listener *l;
    nssh_tcpip t;
    int cancel = name_is(name, "cancel-tcpip-forward");
    if (!s->authenticated)
        return NSSH_CB_REFUSE;
    if (name_is(name, "streamlocal-forward@openssh.com") ||
        name_is(name, "cancel-streamlocal-forward@openssh.com"))
        return fwd_streamlocal_request(s, name.p[0] == 'c', data, len);
    if (!cancel && !name_is(name, "tcpip-forward"))
        return NSSH_CB_REFUSE;
    if (nssh_tcpip_parse(data, len, 0, &t) < 0 || t.host.n >= sizeof(host) ||
        memchr(t.host.p, 0, t.host.n)) {
        log_info("malformed %.*s request", (int)name.n, name.p);
        return NSSH_CB_REFUSE;
    }
    memcpy(host, t.host.p, t.host.n);
    host[t.host.n] = 0;
    log_debug("global request %.*s: listen %s port %u", (int)name.n, name.p,
              host, (unsigned)t.port);
    if (!cancel)
        return tcpip_forward(s, host, (int)t.port, reply, reply_cap, reply_len) == 0
                   ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
    if (!s->fwd || !(l = find(s->fwd, host, (int)t.port)))
        return NSSH_CB_REFUSE;
    fwd_listen_close(l);
    return NSSH_CB_ACCEPT;
}

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t cap,
                      int *port)
{
    const struct sockaddr_in *s4 = (const void *)ss;
    const struct sockaddr_in6 *s6 = (const void *)ss;
    snprintf(out, cap, "UNKNOWN");
    *port = 0;
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &s4->sin_addr, out, (socklen_t)cap);
        *port = ntohs(s4->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)cap);
        *port = ntohs(s6->sin6_port);
    }
}

static void put_str(uint8_t *out, size_t *at, const char *v)
{
    size_t n = strlen(v);
    out[(*at)++] = (uint8_t)(n >> 24);
    out[(*at)++] = (uint8_t)(n >> 16);
    out[(*at)++] = (uint8_t)(n >> 8);
    out[(*at)++] = (uint8_t)n;
    memcpy(out + *at, v, n);
    *at += n;
}

/* The channel-open data of the listener's kind into extra (at least
 * FWD_HOST_MAX + 128 bytes); its length, or a negative error. */
static long open_data(const fwd_listener *l, const char *orig, int orig_port,
                      uint8_t *extra, size_t cap)
{
    nssh_tcpip t;
    size_t at = 0;
    switch (l->kind) {
    case FL_STREAMLOCAL:
        /* OpenSSH PROTOCOL 2.4: socket path, reserved string. */
        put_str(extra, &at, l->host);
        put_str(extra, &at, "");
        return (long)at;
    case FL_AGENT:
        return 0;   /* PROTOCOL.agent: no data */
    case FL_X11:
        /* RFC 4254 section 6.3.2: originator address and port. */
        put_str(extra, &at, orig);
        extra[at++] = (uint8_t)(orig_port >> 24);
        extra[at++] = (uint8_t)(orig_port >> 16);
        extra[at++] = (uint8_t)(orig_port >> 8);
        extra[at++] = (uint8_t)orig_port;
        return (long)at;
    default:
        break;
    }
    t.host.p = l->host;
    t.host.n = strlen(l->host);
    t.port = (uint32_t)l->port;
    t.orig_host.p = orig;
    t.orig_host.n = strlen(orig);
    t.orig_port = (uint32_t)orig_port;
    return nssh_tcpip_build(extra, cap, &t, 1);
}

static const char *const open_type[] = {
    "forwarded-tcpip", "forwarded-streamlocal@openssh.com",
    "auth-agent@openssh.com", "x11"
};

void fwd_listen_accept(pconn *s, fwd_listener *l, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    uint8_t extra[FWD_HOST_MAX + 128];
    char orig[64];
    long n, ch;
    int cfd = accept4(fd, (struct sockaddr *)&ss, &len,
                      SOCK_NONBLOCK | SOCK_CLOEXEC), orig_port;
    if (cfd < 0)
        return;
    addr_text(&ss, orig, sizeof(orig), &orig_port);
    if ((n = open_data(l, orig, orig_port, extra, sizeof(extra))) < 0 ||
        (ch = nssh_channel_open(s->c, open_type[l->kind], extra,
                                (size_t)n)) < 0) {
        log_info("forwarded connection from %s port %d to %s port %d dropped: "
                 "no channel free", orig, orig_port, l->host, l->port);
        close(cfd);
        return;
    }
    log_debug("channel %ld: %s connection from %s port %d to %s port %d",
              ch, open_type[l->kind], orig, orig_port, l->host, l->port);
    if (fwd_attach(s, (uint32_t)ch, cfd, l->host, l->port) < 0) {
        close(cfd);
        nssh_channel_close(s->c, (uint32_t)ch);
    } else {
        s->fwd->ch[ch].type = open_type[l->kind];   /* for ChannelTimeout */
    }
    /* x11-req's single_connection: the listener serves only this one
     * (RFC 4254 section 6.3.1). */
    if (l->kind == FL_X11 && l->single)
        fwd_listen_close(l);
}
