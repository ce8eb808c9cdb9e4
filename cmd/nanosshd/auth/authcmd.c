/*
 * Running AuthorizedKeysCommand / AuthorizedPrincipalsCommand: sshd's
 * subprocess() rules (absolute path, root-owned and not group/world
 * writable up to /, a fresh minimal environment, stdin from /dev/null,
 * the configured user's ids) plus two bounds sshd lacks: time and output.
 * The caller is an auth callback: this blocks until the helper is done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authcmd.h"
#include "log.h"
#include "nanossh.h"

#define ARG_MAX_LEN 32768   /* one expanded word (%k of a big key fits) */

/* sshd's safe_path with uid 0: the program and each directory above it
 * belong to root and are not writable by group or others. */
static int safe_program(const char *path, char *why, size_t cap)
{
    char buf[PATH_MAX];
    struct stat st;
    char *slash;
    if (!realpath(path, buf)) {
        snprintf(why, cap, "realpath %s failed: %s", path, strerror(errno));
        return -1;
    }
    if (stat(buf, &st) < 0) {
        snprintf(why, cap, "stat %s: %s", buf, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, cap, "%s is not a regular file", buf);
        return -1;
    }
    if (st.st_uid != 0 || (st.st_mode & 022)) {
        snprintf(why, cap, "bad ownership or modes for file %s", buf);
        return -1;
    }
    for (;;) {
        slash = strrchr(buf, '/');
        if (!slash)
            break;
        if (slash == buf)
            slash[1] = 0;   /* "/x" -> "/" */
        else
            *slash = 0;
        if (stat(buf, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
            snprintf(why, cap, "bad ownership or modes for directory %s", buf);
            return -1;
        }
        if (!strcmp(buf, "/"))
            break;
    }
    return 0;
}

/* In the child: never returns. */
static void child_exec(char **argv, const struct passwd *pw, int out_fd,
                       int err_fd)
{
    char e_user[300], e_logname[300], e_home[PATH_MAX + 8], e_lang[256];
    char *envp[6];
    size_t ne = 0;
    const char *lang = getenv("LANG");
    sigset_t none;
    int fd, i;
    for (i = 1; i < NSIG; i++)
        signal(i, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);   /* so a timeout can end the helper's own children */
    fd = open("/dev/null", O_RDONLY);
    if (fd < 0 || dup2(fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
        _exit(127);
    /* the connection's socket and anything else the daemon holds */
    if (close_range(3, ~0u, 0) < 0)
        for (fd = 3; fd < 65536; fd++)
            close(fd);
    if (geteuid() == 0 && (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
                           setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
                           setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)) {
        dprintf(2, "cannot switch to user %s: %s\n", pw->pw_name,
                strerror(errno));
        _exit(127);
    }
    envp[ne++] = "PATH=/usr/bin:/bin:/usr/sbin:/sbin";
    snprintf(e_user, sizeof(e_user), "USER=%s", pw->pw_name);
    envp[ne++] = e_user;
    snprintf(e_logname, sizeof(e_logname), "LOGNAME=%s", pw->pw_name);
    envp[ne++] = e_logname;
    snprintf(e_home, sizeof(e_home), "HOME=%s", pw->pw_dir);
    envp[ne++] = e_home;
    if (lang) {
        snprintf(e_lang, sizeof(e_lang), "LANG=%s", lang);
        envp[ne++] = e_lang;
    }
    envp[ne] = NULL;
    execve(argv[0], argv, envp);
    dprintf(2, "execve %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The helper's stderr, one log line per line it writes. */
typedef struct errlines {
    char buf[512];
    size_t n;
} errlines;

static void err_flush(const char *tag, errlines *e)
{
    if (e->n) {
        e->buf[e->n] = 0;
        logit(LL_ERROR, "%s: %s", tag, e->buf);
        e->n = 0;
    }
}

static void err_feed(const char *tag, errlines *e, const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] == '\n' || e->n + 1 >= sizeof(e->buf))
            err_flush(tag, e);
        if (p[i] != '\n')
            e->buf[e->n++] = p[i] >= 0x20 && p[i] != 0x7f ? p[i] : '?';
    }
}

typedef struct collect {
    char *out;
    size_t len, cap, max;
    int overflow;
} collect;

/* Read both pipes until EOF on both or the deadline. 0, or -1 on
 * timeout / overflow (o->overflow says which). */
static int pump(const char *tag, int out_fd, int err_fd, long deadline,
                collect *o)
{
    struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
    errlines e = { .n = 0 };
    char tmp[4096];
    int r = 0;
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        long left = deadline - now_ms();
        int k;
        if (left <= 0) {
            r = -1;
            break;
        }
        k = poll(p, 2, (int)(left > 1000000 ? 1000000 : left));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = -1;
            break;
        }
        for (k = 0; k < 2; k++) {
            ssize_t n;
            if (p[k].fd < 0 || !p[k].revents)
                continue;
            n = read(p[k].fd, tmp, sizeof(tmp));
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                p[k].fd = -1;
                continue;
            }
            if (k == 1) {
                err_feed(tag, &e, tmp, (size_t)n);
                continue;
            }
            if (o->len + (size_t)n > o->max) {
                o->overflow = 1;
                r = -1;
                goto out;
            }
            if (o->len + (size_t)n + 1 > o->cap) {
                size_t nc = o->cap ? o->cap * 2 : 8192;
                char *q;
                while (nc < o->len + (size_t)n + 1)
                    nc *= 2;
                if (!(q = realloc(o->out, nc))) {
                    r = -1;
                    goto out;
                }
                o->out = q;
                o->cap = nc;
            }
            memcpy(o->out + o->len, tmp, (size_t)n);
            o->len += (size_t)n;
        }
    }
out:
    err_flush(tag, &e);
    return r;
}

/* Wait for pid until the deadline; kill it (and its group) past it. */
static int reap(pid_t pid, long deadline, int kill_now, int *status)
{
    pid_t w;
    if (!kill_now) {
        while ((w = waitpid(pid, status, WNOHANG)) == 0 && now_ms() < deadline) {
            struct timespec ts = { 0, 10 * 1000000 };
            nanosleep(&ts, NULL);
        }
        if (w == pid)
            return 0;
    }
    kill(pid, SIGKILL);
    kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return -1;
}

/* argv from the configured line: split, tokens expanded in every word
 * but the program (as sshd), the default argument added. Words live in
 * words[] (malloc'ed, freed by the caller). */
static int build_argv(const authcmd_req *rq, char **argv, char **words,
                      size_t *n_words)
{
    char *store, why[128];
    long ac;
    size_t i;
    *n_words = 0;
    if (!(store = malloc(strlen(rq->command) + 1)))
        return NSSH_ERR_INTERNAL;
    words[(*n_words)++] = store;
    ac = authcmd_split(rq->command, store, strlen(rq->command) + 1, argv,
                       AUTHCMD_MAX_ARGS - 1);
    if (ac < 0) {
        logit(LL_ERROR, "%s \"%s\" contains invalid quotes", rq->tag,
              rq->command);
        return NSSH_ERR_CONFIG;
    }
    if (ac == 0) {
        logit(LL_ERROR, "%s \"%s\" yielded no arguments", rq->tag, rq->command);
        return NSSH_ERR_CONFIG;
    }
    for (i = 1; i < (size_t)ac; i++) {
        char *w = malloc(ARG_MAX_LEN);
        if (!w)
            return NSSH_ERR_INTERNAL;
        words[(*n_words)++] = w;
        if (authcmd_expand(argv[i], rq->toks, rq->n_toks, w, ARG_MAX_LEN, why,
                           sizeof(why)) < 0) {
            logit(LL_ERROR, "%s \"%s\": %s", rq->tag, rq->command, why);
            return NSSH_ERR_CONFIG;
        }
        argv[i] = w;
    }
    if (ac == 1 && rq->default_arg)
        argv[ac++] = (char *)rq->default_arg;
    argv[ac] = NULL;
    return (int)ac;
}

static int start(const authcmd_req *rq, char **argv, const struct passwd *pw,
                 int *out_fd, int *err_fd, pid_t *pid)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) < 0)
        return NSSH_ERR_IO;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return NSSH_ERR_IO;
    }
    if ((*pid = fork()) < 0) {
        logit(LL_ERROR, "%s: fork: %s", rq->tag, strerror(errno));
        close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
        return NSSH_ERR_IO;
    }
    if (*pid == 0)
        child_exec(argv, pw, po[1], pe[1]);
    setpgid(*pid, *pid);   /* also here: no race with a kill at a timeout */
    close(po[1]);
    close(pe[1]);
    *out_fd = po[0];
    *err_fd = pe[0];
    return 0;
}

int authcmd_run(const authcmd_req *rq, char **out, size_t *out_len)
{
    char *argv[AUTHCMD_MAX_ARGS + 1], *words[AUTHCMD_MAX_ARGS + 1], why[PATH_MAX + 64];
    size_t n_words = 0, i;
    struct passwd *pw;
    collect c = { NULL, 0, 0, 0, 0 };
    int r, of = -1, ef = -1, status = 0, late;
    long deadline;
    pid_t pid;
    *out = NULL;
    *out_len = 0;
    c.max = rq->max_output ? rq->max_output : AUTHCMD_DEFAULT_MAX_OUTPUT;
    if ((r = build_argv(rq, argv, words, &n_words)) < 0)
        goto done;
    if (argv[0][0] != '/') {
        logit(LL_ERROR, "%s path is not absolute", rq->tag);
        r = NSSH_ERR_CONFIG;
        goto done;
    }
    if (!(pw = getpwnam(rq->run_as))) {
        logit(LL_ERROR, "%sUser \"%s\" not found", rq->tag, rq->run_as);
        r = NSSH_ERR_CONFIG;
        goto done;
    }
    if (geteuid() != 0 && pw->pw_uid != geteuid()) {
        logit(LL_ERROR, "%s: cannot run as %s without root", rq->tag,
              rq->run_as);
        r = NSSH_ERR_CONFIG;
        goto done;
    }
    if (safe_program(argv[0], why, sizeof(why)) < 0) {
        logit(LL_ERROR, "Unsafe %s \"%s\": %s", rq->tag, argv[0], why);
        r = NSSH_ERR_CONFIG;
        goto done;
    }
    log_debug("%s \"%s\" running as %s", rq->tag, rq->command, pw->pw_name);
    if ((r = start(rq, argv, pw, &of, &ef, &pid)) < 0)
        goto done;
    deadline = now_ms() + (long)(rq->timeout_ms ? rq->timeout_ms
                                                : AUTHCMD_DEFAULT_TIMEOUT_MS);
    late = pump(rq->tag, of, ef, deadline, &c) < 0;
    close(of);
    close(ef);
    if (reap(pid, deadline, late, &status) < 0 || late) {
        if (c.overflow)
            logit(LL_ERROR, "%s %s printed more than %zu bytes, killed", rq->tag,
                  argv[0], c.max);
        else
            logit(LL_ERROR, "%s %s did not finish in %u ms, killed", rq->tag,
                  argv[0], rq->timeout_ms ? rq->timeout_ms
                                          : AUTHCMD_DEFAULT_TIMEOUT_MS);
        r = NSSH_ERR_TIMEOUT;
    } else if (WIFSIGNALED(status)) {
        logit(LL_ERROR, "%s %s exited on signal %d", rq->tag, argv[0],
              WTERMSIG(status));
        r = NSSH_ERR_APP;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        logit(LL_ERROR, "%s %s failed, status %d", rq->tag, argv[0],
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        r = NSSH_ERR_APP;
    } else {
        r = 0;
    }
done:
    for (i = 0; i < n_words; i++)
        free(words[i]);
    if (r == 0) {
        if (!c.out && !(c.out = malloc(1)))
            return NSSH_ERR_INTERNAL;
        c.out[c.len] = 0;
        *out = c.out;
        *out_len = c.len;
        return 0;
    }
    free(c.out);
    return r;
}
