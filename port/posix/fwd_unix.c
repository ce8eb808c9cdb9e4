/*
 * Unix-domain socket forwarding (OpenSSH PROTOCOL section 2.4) and agent
 * forwarding (PROTOCOL.agent). Every socket operation on a path runs as
 * the user (asuser.c), as sshd does it, so the user's own permissions
 * decide what may be connected to, created or replaced.
 *
 *   "direct-streamlocal@openssh.com" (ssh -L port:/path): connect to the
 *       path; bytes then move as for TCP (fwd_relay.c).
 *   "streamlocal-forward@openssh.com" (ssh -R /path:...): listen on the
 *       path (with the bind mask; the old file removed first when the
 *       settings say so); connections open
 *       "forwarded-streamlocal@openssh.com" (fwd_listen.c). The socket
 *       file stays when the forwarding ends, as with sshd.
 *   "auth-agent-req@openssh.com" (ssh -A): a socket in a fresh 0700
 *       directory under /tmp; connections open "auth-agent@openssh.com";
 *       both are removed at the end of the connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "forward.h"

#define UNIX_BACKLOG 128

/* ---- wire ---------------------------------------------------------------- */

static int get_u32(const uint8_t *d, size_t len, size_t *at, uint32_t *v)
{
    if (len - *at < 4)
        return -1;
    *v = (uint32_t)d[*at] << 24 | (uint32_t)d[*at + 1] << 16 |
         (uint32_t)d[*at + 2] << 8 | d[*at + 3];
    *at += 4;
    return 0;
}

/* A string as C text (no NUL inside, shorter than cap). */
static int get_cstr(const uint8_t *d, size_t len, size_t *at, char *out,
                    size_t cap)
{
    uint32_t n;
    if (get_u32(d, len, at, &n) < 0 || n > len - *at || n >= cap ||
        memchr(d + *at, 0, n))
        return -1;
    memcpy(out, d + *at, n);
    out[n] = 0;
    *at += n;
    return 0;
}

/* ---- work done as the user ---------------------------------------------- */

typedef struct unix_job {
    const char *path;
    const char *dir;         /* agent: make this directory (0700) first */
    unsigned mask;           /* listen: umask while binding */
    int unlink_first;
    int listen;              /* 1 listen, 0 connect */
} unix_job;

static int sun_of(const char *path, struct sockaddr_un *sun)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path))
        return -ENAMETOOLONG;
    strcpy(sun->sun_path, path);
    return 0;
}

/* Runs as the user: a listening or connected socket (non-blocking). */
static int unix_job_run(void *arg)
{
    const unix_job *j = arg;
    struct sockaddr_un sun;
    int fd, r;
    if ((r = sun_of(j->path, &sun)) < 0)
        return r;
    if (j->dir && mkdir(j->dir, 0700) < 0)
        return -errno;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (j->listen) {
        mode_t old = umask((mode_t)j->mask);
        if (j->unlink_first && unlink(j->path) < 0 && errno != ENOENT)
            r = -errno;
        else if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
                 listen(fd, UNIX_BACKLOG) < 0)
            r = -errno;
        umask(old);
    } else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        /* A full backlog (EAGAIN) fails too: no waiting for a peer. */
        r = -errno;
    }
    if (r < 0) {
        close(fd);
        if (j->dir)
            rmdir(j->dir);
        return r;
    }
    return fd;
}

typedef struct rm_job {
    const char *path, *dir;
} rm_job;

static int rm_job_run(void *arg)
{
    const rm_job *j = arg;
    if (j->path[0])
        unlink(j->path);
    if (j->dir[0])
        rmdir(j->dir);
    return 0;
}

static int settings_job(pconn *s, unix_job *j)
{
    fwd_settings fs;
    memset(&fs, 0, sizeof(fs));
    s->policy->fwd_settings(s->app, &fs);
    j->mask = fs.bind_mask & 0777u;
    j->unlink_first = fs.bind_unlink;
    return 0;
}

/* ---- direct-streamlocal (ssh -L port:/path) -------------------------------- */

int fwd_open_streamlocal(pconn *s, uint32_t ch, const uint8_t *extra,
                         size_t len)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)], rsv[256];
    size_t at = 0;
    uint32_t rsv32;
    unix_job j;
    int fd;
    /* PROTOCOL 2.4: socket path, reserved string, reserved uint32. */
    if (get_cstr(extra, len, &at, path, sizeof(path)) < 0 ||
        get_cstr(extra, len, &at, rsv, sizeof(rsv)) < 0 ||
        get_u32(extra, len, &at, &rsv32) < 0 || at != len || !path[0]) {
        log_info("refused direct-streamlocal channel: malformed path");
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    }
    log_debug("direct-streamlocal: target %s", path);
    if (!s->policy->fwd_allowed(s->app, FWD_KIND_STREAMLOCAL_LOCAL, path)) {
        nssh_channel_open_refuse(s->c, ch,
                                 NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                                 "streamlocal forwarding is not allowed");
        return NSSH_CB_LATER;
    }
    memset(&j, 0, sizeof(j));
    j.path = path;
    if ((fd = asuser_run(&s->pw, unix_job_run, &j)) < 0) {
        log_verbose("channel %u: connect to %s failed: %s", (unsigned)ch,
                    path, strerror(-fd));
        nssh_channel_open_refuse(s->c, ch, NSSH_OPEN_CONNECT_FAILED,
                                 strerror(-fd));
        return NSSH_CB_LATER;
    }
    if (fwd_attach(s, ch, fd, path, 0) < 0) {
        close(fd);
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_RESOURCE_SHORTAGE);
    }
    s->fwd->ch[ch].state = FC_RELAY;
    s->fwd->ch[ch].type = "direct-streamlocal@openssh.com";
    return NSSH_CB_ACCEPT;
}

/* ---- streamlocal-forward (ssh -R /path:...) -------------------------------- */

static fwd_listener *find_path(fwd_state *fs, int kind, const char *path)
{
    size_t i;
    for (i = 0; i < FWD_LISTEN_MAX; i++)
        if (fs->ls[i].used && fs->ls[i].kind == kind &&
            !strcmp(fs->ls[i].host, path))
            return &fs->ls[i];
    return NULL;
}

int fwd_streamlocal_request(pconn *s, int cancel, const uint8_t *data,
                            size_t len)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    fwd_state *fs = fwd_get(s);
    fwd_listener *l;
    unix_job j;
    size_t at = 0;
    int fd;
    if (!fs || get_cstr(data, len, &at, path, sizeof(path)) < 0 ||
        at != len || !path[0]) {
        log_info("malformed %sstreamlocal-forward request",
                 cancel ? "cancel-" : "");
        return NSSH_CB_REFUSE;
    }
    if (cancel) {
        if (!(l = find_path(fs, FL_STREAMLOCAL, path)))
            return NSSH_CB_REFUSE;
        fwd_listen_close(l);
        return NSSH_CB_ACCEPT;
    }
    if (!s->policy->fwd_allowed(s->app, FWD_KIND_STREAMLOCAL_REMOTE, path))
        return NSSH_CB_REFUSE;
    if (!(l = fwd_listen_slot(fs))) {
        log_info("remote streamlocal forwarding for %s by user %s failed: "
                 "too many forwardings", path, s->pw.name);
        return NSSH_CB_REFUSE;
    }
    memset(&j, 0, sizeof(j));
    j.path = path;
    j.listen = 1;
    settings_job(s, &j);
    if ((fd = asuser_run(&s->pw, unix_job_run, &j)) < 0) {
        log_info("remote streamlocal forwarding for %s by user %s failed: %s",
                 path, s->pw.name, strerror(-fd));
        return NSSH_CB_REFUSE;
    }
    l->used = 1;
    l->kind = FL_STREAMLOCAL;
    l->fds[0] = fd;
    l->n_fds = 1;
    snprintf(l->host, sizeof(l->host), "%s", path);
    log_debug("remote forwarding: listening on %s", path);
    return NSSH_CB_ACCEPT;
}

/* ---- agent forwarding (ssh -A) ------------------------------------------- */

/* "/tmp/ssh-" and ten random letters, as sshd names it. */
static int agent_dir_name(char *out, size_t cap)
{
    static const char set[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char rnd[10];
    size_t i;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd) || cap < 20)
        return -1;
    memcpy(out, "/tmp/ssh-", 9);
    for (i = 0; i < sizeof(rnd); i++)
        out[9 + i] = set[rnd[i] % (sizeof(set) - 1)];
    out[19] = 0;
    return 0;
}

int fwd_agent_start(pconn *s, uint32_t ch)
{
    fwd_state *fs = fwd_get(s);
    fwd_listener *l;
    unix_job j;
    int fd = -EEXIST, tries;
    if (!fs || !s->policy->fwd_allowed(s->app, FWD_KIND_AGENT, NULL))
        return -1;
    if (fs->agent_sock[0]) {
        /* One socket per connection, as in sshd: a later session (ssh
         * multiplexing) finds it in SSH_AUTH_SOCK already. */
        log_debug("agent forwarding already active");
        return -1;
    }
    if (!(l = fwd_listen_slot(fs)))
        return -1;
    memset(&j, 0, sizeof(j));
    j.listen = 1;
    j.mask = 0077;
    for (tries = 0; tries < 8 && fd == -EEXIST; tries++) {
        if (agent_dir_name(fs->agent_dir, sizeof(fs->agent_dir)) < 0)
            break;
        snprintf(fs->agent_sock, sizeof(fs->agent_sock), "%s/agent.%ld",
                 fs->agent_dir, (long)getpid());
        j.dir = fs->agent_dir;
        j.path = fs->agent_sock;
        fd = asuser_run(&s->pw, unix_job_run, &j);
    }
    if (fd < 0) {
        log_error("agent forwarding for %s: cannot make the listening "
                  "socket: %s", s->pw.name, strerror(-fd));
        fs->agent_dir[0] = fs->agent_sock[0] = 0;
        return -1;
    }
    l->used = 1;
    l->kind = FL_AGENT;
    l->fds[0] = fd;
    l->n_fds = 1;
    l->owner = ch;
    snprintf(l->host, sizeof(l->host), "%s", fs->agent_sock);
    log_debug("agent forwarding: listening on %s", fs->agent_sock);
    return 0;
}

const char *fwd_agent_path(const pconn *s)
{
    return s->fwd && s->fwd->agent_sock[0] ? s->fwd->agent_sock : NULL;
}

void fwd_agent_end(pconn *s)
{
    fwd_listener *l;
    rm_job j;
    if (!s->fwd || !s->fwd->agent_sock[0])
        return;
    if ((l = find_path(s->fwd, FL_AGENT, s->fwd->agent_sock)))
        fwd_listen_close(l);
    j.path = s->fwd->agent_sock;
    j.dir = s->fwd->agent_dir;
    asuser_run(&s->pw, rm_job_run, &j);
    log_debug("agent forwarding: removed %s", s->fwd->agent_sock);
    s->fwd->agent_sock[0] = s->fwd->agent_dir[0] = 0;
}
