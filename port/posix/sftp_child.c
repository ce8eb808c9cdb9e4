/*
 * internal-sftp (sshd_config(5) Subsystem, ForceCommand): the SFTP module
 * served in the session's child process, which has already become the
 * user, instead of exec'ing sftp-server (options: sftp_opts.c). Log lines
 * have sftp-server's shapes ("open \"/p\" flags READ mode 0666").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "sftp_posix.h"
#include "log.h"

#define IN_CHUNK (256u * 1024u)
#define OUTBUF_LEN (1024u * 1024u)
#define INBUF_LEN (256u * 1024u)

/* ---- log lines --------------------------------------------------------- */

static void flags_text(uint32_t f, char *out, size_t cap)
{
    static const struct { uint32_t bit; const char *name; } t[] = {
        { SSH_FXF_READ, "READ" }, { SSH_FXF_WRITE, "WRITE" },
        { SSH_FXF_APPEND, "APPEND" }, { SSH_FXF_CREAT, "CREATE" },
        { SSH_FXF_TRUNC, "TRUNCATE" }, { SSH_FXF_EXCL, "EXCL" },
    };
    size_t i, n = 0;
    out[0] = 0;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (f & t[i].bit)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "",
                                  t[i].name);
}

static void log_setstat(const nssh_sftp_event *ev)
{
    const nssh_sftp_attrs *a = ev->attrs;
    if (!a)
        return;
    if (a->flags & SSH_FILEXFER_ATTR_SIZE)
        logit(LL_INFO, "set \"%s\" size %llu", ev->path,
              (unsigned long long)a->size);
    if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS)
        logit(LL_INFO, "set \"%s\" mode %04o", ev->path, a->perm & 07777);
    if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME)
        logit(LL_INFO, "set \"%s\" modtime %lu", ev->path,
              (unsigned long)a->mtime);
    if (a->flags & SSH_FILEXFER_ATTR_UIDGID)
        logit(LL_INFO, "set \"%s\" owner %lu group %lu", ev->path,
              (unsigned long)a->uid, (unsigned long)a->gid);
}

static void on_event(void *user, const nssh_sftp_event *ev)
{
    char f[64];
    switch (ev->type) {
    case NSSH_SFTP_EV_REQUEST:
        logit(LL_DEBUG3, "request %u: %s", (unsigned)ev->id, ev->name);
        break;
    case NSSH_SFTP_EV_OPEN:
        flags_text(ev->flags, f, sizeof(f));
        logit(LL_INFO, "open \"%s\" flags %s mode 0%o", ev->path, f, ev->mode);
        break;
    case NSSH_SFTP_EV_CLOSE:
        logit(LL_INFO, "close \"%s\" bytes read %llu written %llu", ev->path,
              (unsigned long long)ev->bytes_read,
              (unsigned long long)ev->bytes_written);
        break;
    case NSSH_SFTP_EV_OPENDIR:
        logit(LL_INFO, "opendir \"%s\"", ev->path);
        break;
    case NSSH_SFTP_EV_CLOSEDIR:
        logit(LL_INFO, "closedir \"%s\"", ev->path);
        break;
    case NSSH_SFTP_EV_SETSTAT:
        log_setstat(ev);
        break;
    case NSSH_SFTP_EV_REMOVE:
        logit(LL_INFO, "remove name \"%s\"", ev->path);
        break;
    case NSSH_SFTP_EV_MKDIR:
        logit(LL_INFO, "mkdir name \"%s\" mode 0%o", ev->path, ev->mode);
        break;
    case NSSH_SFTP_EV_RMDIR:
        logit(LL_INFO, "rmdir name \"%s\"", ev->path);
        break;
    case NSSH_SFTP_EV_RENAME:
        logit(LL_INFO, "%s old \"%s\" new \"%s\"",
              ev->flags ? "posix-rename" : "rename", ev->path, ev->path2);
        break;
    case NSSH_SFTP_EV_SYMLINK:
        logit(LL_INFO, "symlink old \"%s\" new \"%s\"", ev->path, ev->path2);
        break;
    case NSSH_SFTP_EV_HARDLINK:
        logit(LL_INFO, "hardlink old \"%s\" new \"%s\"", ev->path, ev->path2);
        break;
    case NSSH_SFTP_EV_COPY:
        logit(LL_INFO, "copy-data from \"%s\" to \"%s\" bytes %llu", ev->path,
              ev->path2, (unsigned long long)ev->bytes_written);
        break;
    case NSSH_SFTP_EV_DENIED:
        logit(LL_INFO, "Refusing denied request: %s", ev->name);
        break;
    case NSSH_SFTP_EV_UNKNOWN:
        if (ev->name)
            logit(LL_INFO, "Unknown extended request \"%.64s\"", ev->name);
        else
            logit(LL_ERROR, "Unknown message %u", (unsigned)ev->flags);
        break;
    default:
        break;
    }
}

/* ---- serving ----------------------------------------------------------- */

/*
 * The child keeps reading requests and preparing replies while earlier
 * replies drain to the daemon, as OpenSSH's sftp-server does: both pipe
 * ends are non-blocking and one poll() waits for whichever side can move.
 * The output buffer holds several 255 KiB READ replies, so the file is
 * read ahead of the channel instead of in turn with it.
 */

/* Below this many pending output bytes, letting the module compact its
 * output buffer (a memmove of what is pending) is cheap. */
#define COMPACT_CHEAP (64u * 1024u)

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* The start directory with its %d, %u and %% tokens expanded. */
static int start_dir(const char *tmpl, const char *user, const char *home,
                     char *out, size_t cap)
{
    size_t n = 0;
    for (; *tmpl; tmpl++) {
        const char *add = NULL;
        char one[2] = { *tmpl, 0 };
        if (*tmpl == '%') {
            tmpl++;
            if (*tmpl == 'd')
                add = home;
            else if (*tmpl == 'u')
                add = user;
            else if (*tmpl == '%')
                add = "%";
            else
                return -1;
        } else {
            add = one;
        }
        if (n + strlen(add) >= cap)
            return -1;
        memcpy(out + n, add, strlen(add) + 1);
        n += strlen(add);
    }
    return 0;
}

/* The state is large (handles keep their paths): static, one per child. */
static nssh_sftp state;
static uint8_t inbuf[INBUF_LEN], outbuf[OUTBUF_LEN], rbuf[IN_CHUNK];

/* Can the module take input now? Only when any reply fits behind what is
 * pending, or what is pending is little: otherwise it would move the
 * pending bytes to the front of the buffer to make room. */
static int may_feed(nssh_sftp *s)
{
    const uint8_t *p;
    size_t n = nssh_sftp_output(s, &p);
    size_t tail = OUTBUF_LEN - (size_t)(p - outbuf) - n;
    return n <= COMPACT_CHEAP || tail >= NSSH_SFTP_MAX_MSG + 64u;
}

static int serve(nssh_sftp *s, int in_fd, int out_fd)
{
    size_t off = 0, have = 0;   /* rbuf[off..have) not yet taken */
    int in_eof = 0, held = 0;   /* held: a request may wait for room */
#ifdef F_SETPIPE_SZ
    /* A READ reply is up to 255 KiB: with the default 64 KiB pipe to the
     * daemon each one takes several wake-ups of both sides. Best effort. */
    (void)fcntl(out_fd, F_SETPIPE_SZ, (int)(1024 * 1024));
    (void)fcntl(in_fd, F_SETPIPE_SZ, (int)(1024 * 1024));
#endif
    if (fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK) < 0 ||
        fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    for (;;) {
        struct pollfd pf[2];
        const uint8_t *p;
        size_t pending;
        int moved = 0, nf = 0;
        ssize_t k;
        /* Requests in, replies prepared. */
        if ((have > off || held) && may_feed(s)) {
            size_t before = nssh_sftp_output(s, &p);
            long used = nssh_sftp_input(s, rbuf + off, have - off);
            if (used < 0)
                return (int)used;
            off += (size_t)used;
            if (off == have)
                off = have = 0;
            held = 0;
            moved = used > 0 || nssh_sftp_output(s, &p) != before;
        }
        /* Replies out. */
        pending = nssh_sftp_output(s, &p);
        if (pending) {
            k = write(out_fd, p, pending);
            if (k > 0) {
                nssh_sftp_consume(s, (size_t)k);
                held = 1;   /* room made: a held request may run */
                moved = 1;
            } else if (k < 0 && errno != EINTR && !would_block()) {
                return -1;
            }
        }
        /* More requests, once the last read is used up. */
        if (have == off && !in_eof) {
            k = read(in_fd, rbuf, sizeof(rbuf));
            if (k > 0) {
                off = 0;
                have = (size_t)k;
                moved = 1;
            } else if (k == 0) {
                in_eof = 1;
            } else if (errno != EINTR && !would_block()) {
                return -1;
            }
        }
        pending = nssh_sftp_output(s, &p);
        if (in_eof && have == off && !held && !pending)
            return 0;   /* the client is gone and everything is answered */
        if (moved)
            continue;
        if (pending) {
            pf[nf].fd = out_fd;
            pf[nf++].events = POLLOUT;
        }
        if (have == off && !in_eof) {
            pf[nf].fd = in_fd;
            pf[nf++].events = POLLIN;
        }
        if (nf == 0)
            return -1;   /* input the module cannot take: not expected */
        if (poll(pf, (nfds_t)nf, -1) < 0 && errno != EINTR)
            return -1;
    }
}

int sftp_internal_log(const char *command, int log_fd)
{
    sftp_opts o;
    char buf[2048], err[256];
    if (sftp_opts_parse(command, &o, buf, sizeof(buf), err, sizeof(err)) < 0) {
        dprintf(STDERR_FILENO, "%s\r\n", err);
        return -1;
    }
    if (o.to_stderr || log_fd < 0) {
        log_set_fd(STDERR_FILENO);
        log_setup("internal-sftp", o.level, o.to_stderr, o.facility);
        /* The daemon's syslog socket was closed with the other
         * descriptors; connect now, while /dev/log is still reachable
         * (a ChrootDirectory follows). */
        log_connect_now();
    } else {
        log_set_fd(log_fd);
        log_setup("internal-sftp", o.level, 1, o.facility);
    }
    return 0;
}

int sftp_internal_run(const char *command, int in_fd, int out_fd,
                      const char *user, const char *home, const char *peer)
{
    sftp_opts o;
    char buf[2048], err[256], dir[4096];
    sftp_posix px = { user, home };
    nssh_sftp_config cfg;
    uint32_t seed = 0;
    int e;
    if (sftp_opts_parse(command, &o, buf, sizeof(buf), err, sizeof(err)) < 0) {
        dprintf(STDERR_FILENO, "%s\r\n", err);
        return 1;
    }
    if (o.umask_set)
        umask(o.umask_val);
    if (o.start_dir) {
        if (start_dir(o.start_dir, user, home, dir, sizeof(dir)) < 0) {
            logit(LL_ERROR, "bad start directory \"%s\"", o.start_dir);
            return 1;
        }
        if (chdir(dir) < 0)
            logit(LL_ERROR, "chdir to \"%s\" failed: %s", dir, strerror(errno));
    }
    if (getentropy(&seed, sizeof(seed)) < 0)
        seed = (uint32_t)getpid() * 2654435761u;
    memset(&cfg, 0, sizeof(cfg));
    cfg.fs = sftp_posix_fs();
    cfg.fs_user = &px;
    cfg.event = on_event;
    cfg.inbuf = inbuf;
    cfg.inbuf_len = sizeof(inbuf);
    cfg.outbuf = outbuf;
    cfg.outbuf_len = sizeof(outbuf);
    cfg.allowed = o.allowed;
    cfg.read_only = o.read_only;
    cfg.handle_seed = seed;
    if (nssh_sftp_init(&state, &cfg) < 0)
        return 1;
    logit(LL_INFO, "session opened for local user %s from [%s]", user, peer);
    e = serve(&state, in_fd, out_fd);
    if (e == NSSH_SFTP_ERR_TOO_LONG)
        logit(LL_ERROR, "message too long");
    else if (e == NSSH_SFTP_ERR_PROTOCOL)
        logit(LL_ERROR, "protocol error (a request before INIT, or a "
              "malformed message length)");
    nssh_sftp_end(&state);
    logit(LL_INFO, "session closed for local user %s from [%s]", user, peer);
    return e < 0 ? 1 : 0;
}
