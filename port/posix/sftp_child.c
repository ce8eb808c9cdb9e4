/*
 * internal-sftp (sshd_config(5) Subsystem, ForceCommand): the SFTP module
 * served in the session's child process, which has already become the
 * user, instead of exec'ing sftp-server. Options are sftp-server's as
 * sshd accepts them for internal-sftp:
 *   -d dir   start directory (%d home, %u user name, %% a percent sign)
 *   -e       log to stderr (the channel's) instead of the daemon's log
 *   -f fac   syslog facility (default AUTH)
 *   -l level log level (default ERROR)
 *   -P list  requests refused (comma-separated sftp-server names)
 *   -p list  requests allowed, all others refused
 *   -R       read-only
 *   -u umask umask for created files (octal)
 * Log lines have sftp-server's shapes ("open \"/p\" flags READ mode 0666").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "sftp_posix.h"
#include "log.h"
#include "optval.h"

#define ARGS_MAX 32
#define IN_CHUNK (256u * 1024u)
#define OUTBUF_LEN (256u * 1024u)
#define INBUF_LEN (16u * 1024u)

typedef struct sopts {
    const char *start_dir;
    int to_stderr;
    int facility;
    int level;
    uint32_t allowed;
    int read_only;
    int umask_set;
    mode_t umask_val;
} sopts;

static const struct { const char *name; int v; } facilities[] = {
    { "DAEMON", LOG_DAEMON }, { "USER", LOG_USER }, { "AUTH", LOG_AUTH },
    { "AUTHPRIV", LOG_AUTHPRIV }, { "LOCAL0", LOG_LOCAL0 },
    { "LOCAL1", LOG_LOCAL1 }, { "LOCAL2", LOG_LOCAL2 },
    { "LOCAL3", LOG_LOCAL3 }, { "LOCAL4", LOG_LOCAL4 },
    { "LOCAL5", LOG_LOCAL5 }, { "LOCAL6", LOG_LOCAL6 },
    { "LOCAL7", LOG_LOCAL7 },
};

/* Split command (copied into buf) at blanks. */
static int split(const char *command, char *buf, size_t cap, char **av)
{
    int ac = 0;
    char *p, *save = NULL;
    snprintf(buf, cap, "%s", command);
    for (p = strtok_r(buf, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
        if (ac >= ARGS_MAX)
            return -1;
        av[ac++] = p;
    }
    return ac;
}

int sftp_internal_is(const char *command)
{
    size_t n = strlen("internal-sftp");
    if (!command)
        return 0;
    while (*command == ' ' || *command == '\t')
        command++;
    return !strncmp(command, "internal-sftp", n) &&
           (command[n] == 0 || command[n] == ' ' || command[n] == '\t');
}

static int req_list(const char *list, uint32_t *mask, char *err, size_t cap)
{
    char buf[1024], *p, *save = NULL;
    snprintf(buf, sizeof(buf), "%s", list);
    *mask = 0;
    for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        int bit = nssh_sftp_request_bit(p);
        if (bit < 0) {
            snprintf(err, cap, "internal-sftp: unknown request \"%.64s\"", p);
            return -1;
        }
        *mask |= 1u << bit;
    }
    return 0;
}

static int parse(const char *command, sopts *o, char *buf, size_t bcap,
                 char *err, size_t cap)
{
    char *av[ARGS_MAX];
    uint32_t allow = NSSH_SFTP_REQ_ALL, deny = 0;
    int ac = split(command, buf, bcap, av), i;
    memset(o, 0, sizeof(*o));
    o->facility = LOG_AUTH;
    o->level = LL_ERROR;
    if (ac < 1 || !sftp_internal_is(av[0])) {
        snprintf(err, cap, "internal-sftp: bad command line");
        return -1;
    }
    for (i = 1; i < ac; i++) {
        const char *a = av[i], *v = NULL;
        char opt;
        size_t k;
        if (a[0] != '-' || !a[1]) {
            snprintf(err, cap, "internal-sftp: unexpected argument \"%.64s\"", a);
            return -1;
        }
        opt = a[1];
        if (strchr("dflPpu", opt)) {
            v = a[2] ? a + 2 : (i + 1 < ac ? av[++i] : NULL);
            if (!v) {
                snprintf(err, cap, "internal-sftp: option -%c needs a value", opt);
                return -1;
            }
        } else if (a[2]) {
            snprintf(err, cap, "internal-sftp: unknown option \"%.64s\"", a);
            return -1;
        }
        switch (opt) {
        case 'd': o->start_dir = v; break;
        case 'e': o->to_stderr = 1; break;
        case 'R': o->read_only = 1; break;
        case 'c': break;   /* historical, ignored by sftp-server too */
        case 'l':
            if (optval_loglevel(v, &o->level) < 0) {
                snprintf(err, cap, "internal-sftp: bad log level \"%.64s\"", v);
                return -1;
            }
            break;
        case 'f':
            for (k = 0; k < sizeof(facilities) / sizeof(facilities[0]); k++)
                if (!strcasecmp(v, facilities[k].name))
                    break;
            if (k == sizeof(facilities) / sizeof(facilities[0])) {
                snprintf(err, cap, "internal-sftp: bad facility \"%.64s\"", v);
                return -1;
            }
            o->facility = facilities[k].v;
            break;
        case 'P':
            if (req_list(v, &deny, err, cap) < 0)
                return -1;
            break;
        case 'p':
            if (req_list(v, &allow, err, cap) < 0)
                return -1;
            break;
        case 'u': {
            char *end;
            unsigned long m = strtoul(v, &end, 8);
            if (*end || m > 0777) {
                snprintf(err, cap, "internal-sftp: bad umask \"%.64s\"", v);
                return -1;
            }
            o->umask_set = 1;
            o->umask_val = (mode_t)m;
            break;
        }
        default:
            snprintf(err, cap, "internal-sftp: unknown option \"%.64s\"", a);
            return -1;
        }
    }
    o->allowed = allow & ~deny;
    if (!o->allowed)
        o->allowed = 1u << NSSH_SFTP_REQ_COUNT;   /* nothing: a bit no request has */
    return 0;
}

int sftp_internal_check(const char *command, char *err, size_t cap)
{
    sopts o;
    char buf[2048];
    return parse(command, &o, buf, sizeof(buf), err, cap);
}

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

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int flush(nssh_sftp *s, int out_fd)
{
    const uint8_t *p;
    size_t n = nssh_sftp_output(s, &p);
    if (n && write_all(out_fd, p, n) < 0)
        return -1;
    nssh_sftp_consume(s, n);
    return 0;
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

static int serve(nssh_sftp *s, int in_fd, int out_fd)
{
    for (;;) {
        ssize_t n = read(in_fd, rbuf, sizeof(rbuf));
        size_t off = 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : 0;
        while (off < (size_t)n) {
            long used = nssh_sftp_input(s, rbuf + off, (size_t)n - off);
            if (used < 0)
                return (int)used;
            off += (size_t)used;
            if (flush(s, out_fd) < 0)
                return -1;
        }
        /* A request held for output room runs now. */
        if (nssh_sftp_input(s, NULL, 0) < 0 || flush(s, out_fd) < 0)
            return -1;
    }
}

int sftp_internal_run(const char *command, int in_fd, int out_fd, int log_fd,
                      const char *user, const char *home, const char *peer)
{
    sopts o;
    char buf[2048], err[256], dir[4096];
    sftp_posix px = { user, home };
    nssh_sftp_config cfg;
    uint32_t seed = 0;
    int e;
    if (parse(command, &o, buf, sizeof(buf), err, sizeof(err)) < 0) {
        dprintf(STDERR_FILENO, "%s\r\n", err);
        return 1;
    }
    if (o.to_stderr || log_fd < 0) {
        log_set_fd(STDERR_FILENO);
        log_setup("internal-sftp", o.level, o.to_stderr, o.facility);
        log_reopen();   /* the daemon's syslog socket was closed with the
                         * other descriptors */
    } else {
        log_set_fd(log_fd);
        log_setup("internal-sftp", o.level, 1, o.facility);
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
