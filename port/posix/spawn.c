/*
 * Starting a session's process: a new session (setsid) with the pty as its
 * controlling terminal or with pipes for stdin, stdout and stderr; the
 * user's identity when the daemon runs as root; the home directory; the
 * login shell, as "-sh" for a shell or "sh -c command" for exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "spawn.h"
#include "pty.h"
#include "env.h"
#include "selfpipe.h"
#include "sftp_posix.h"
#include "forward.h"
#include "jail.h"
#include "loginrec.h"

/* Only stderr is left to report a failure in the child. */
static void child_fail(const char *what)
{
    dprintf(STDERR_FILENO, "nanosshd: %s: %s\r\n", what, strerror(errno));
    _exit(1);
}

static void become_user(const user_info *u)
{
    if (geteuid() != 0)
        return;   /* not root: only our own user gets here */
    if (initgroups(u->name, u->gid) < 0 || setgid(u->gid) < 0 ||
        setuid(u->uid) < 0)
        child_fail("cannot change to the user's identity");
    /* Check it stuck: no way back to root, ids as asked. */
    if (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid ||
        getegid() != u->gid || (u->uid != 0 && setuid(0) == 0)) {
        errno = EPERM;
        child_fail("identity change did not take effect");
    }
}

/* PrintLastLog's line, then PrintMotd's /etc/motd, before an interactive
 * login shell, unless the user has a ~/.hushlogin (as login(1) and sshd
 * do). */
static void print_motd(const user_info *u, int motd, const char *last_login)
{
    char path[1100], buf[4096];
    ssize_t n;
    int fd;
    snprintf(path, sizeof(path), "%s/.hushlogin", u->home);
    if (access(path, F_OK) == 0)
        return;
    if (last_login && *last_login &&
        write(STDOUT_FILENO, last_login, strlen(last_login)) < 0)
        return;
    if (!motd || (fd = open("/etc/motd", O_RDONLY)) < 0)
        return;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (write(STDOUT_FILENO, buf, (size_t)n) != n)
            break;
    close(fd);
}

/* keep: one more descriptor (>= 3) to leave open, or -1. */
static void set_stdio(const session *ss, const int in[2], const int out[2],
                      const int err[2], int keep)
{
    if (ss->want_pty) {
        if (ioctl(ss->pts, TIOCSCTTY, 0) < 0)
            child_fail("cannot set the controlling terminal");
        if (dup2(ss->pts, 0) < 0 || dup2(ss->pts, 1) < 0 || dup2(ss->pts, 2) < 0)
            child_fail("dup2");
    } else if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) {
        child_fail("dup2");
    }
    /* Everything else (sockets, other sessions, the self-pipe) stays here. */
    if (keep >= 3 ? (keep > 3 && close_range(3, (unsigned)keep - 1, 0) < 0) ||
                        close_range((unsigned)keep + 1, ~0u, 0) < 0
                  : close_range(3, ~0u, 0) < 0) {
        int fd;
        for (fd = 3; fd < 4096; fd++)
            if (fd != keep)
                close(fd);
    }
}

/* The user's identity, inside the ChrootDirectory when there is one (the
 * chroot needs root, so it comes first, as in sshd's do_setusercontext),
 * then the home directory, or "/" (inside a jail without a complaint,
 * where a missing home is the usual case). */
static void enter_session(const user_info *u, const char *jail)
{
    if (jail && jail_enter(jail) < 0)
        child_fail("chroot");
    become_user(u);
    if (chdir(u->home) < 0) {
        if (!jail)
            dprintf(STDERR_FILENO, "Could not chdir to home directory %s: "
                    "%s\r\n", u->home, strerror(errno));
        if (chdir("/") < 0)
            child_fail("chdir /");
    }
}

/* sftp: run is internal-sftp, served right here without exec; it keeps
 * the daemon's stderr for its log lines when the daemon logs there, or
 * connects to syslog before the chroot. */
static void run_child(pconn *s, session *ss, const char *run, int sftp,
                      const spawn_policy *p, char **envp, const int in[2],
                      const int out[2], const int err[2])
{
    const fwd_x11 *x11 = fwd_x11_of(s, (uint32_t)(ss - s->sess));
    const user_info *u = &s->pw;
    const char *base = strrchr(u->shell, '/');
    char argv0[300];
    int log_fd = sftp && log_to_stderr() ? fcntl(STDERR_FILENO, F_DUPFD, 3) : -1;
    signals_reset();
    if (setsid() < 0)
        child_fail("setsid");
    set_stdio(ss, in, out, err, log_fd);
    if (sftp && sftp_internal_log(run, log_fd) < 0)
        _exit(1);
    enter_session(u, p->chroot);
    if (sftp)
        _exit(sftp_internal_run(run, STDIN_FILENO, STDOUT_FILENO, u->name,
                                u->home, s->peer));
    if (x11)   /* the cookie for DISPLAY, before the command runs */
        fwd_x11_xauth(s, x11, envp);
    base = base ? base + 1 : u->shell;
    if (!run && ss->want_pty)
        print_motd(u, p->motd, p->last_login);
    if (run) {
        char *argv[] = { (char *)base, "-c", (char *)run, NULL };
        execve(u->shell, argv, envp);
    } else {
        char *argv[] = { argv0, NULL };
        snprintf(argv0, sizeof(argv0), "-%s", base);   /* a login shell */
        execve(u->shell, argv, envp);
    }
    child_fail(u->shell);
}

/* SSH_AUTH_SOCK and DISPLAY when this connection forwards the agent or
 * this session X11 (sshd sets them after the other variables). */
static int forward_env(pconn *s, session *ss, envlist *e)
{
    const fwd_x11 *x = fwd_x11_of(s, (uint32_t)(ss - s->sess));
    const char *agent = fwd_agent_path(s);
    char disp[300];
    int r = 0;
    if (x) {
        fwd_x11_display(s, x, disp, sizeof(disp));
        r |= env_set(e, "DISPLAY", disp);
    }
    if (agent)
        r |= env_set(e, "SSH_AUTH_SOCK", agent);
    return r;
}

static int make_env(pconn *s, session *ss, const spawn_policy *p,
                    const char *original, envlist *e)
{
    env_inputs in;
    memset(&in, 0, sizeof(in));
    in.user = s->pw.name;
    in.home = s->pw.home;
    in.shell = s->pw.shell;
    in.uid = s->pw.uid;
    in.peer_addr = s->peer;
    in.peer_port = s->peer_port;
    in.local_addr = s->local;
    in.local_port = s->local_port;
    in.tty = ss->want_pty ? ss->tty : NULL;
    in.term = ss->want_pty ? ss->term : NULL;
    in.key_env = p->key_env;
    in.n_key_env = p->n_key_env;
    in.client_env = ss->env;
    in.n_client_env = ss->n_env;
    in.original_command = original;
    in.user_env = p->user_env;
    in.n_user_env = p->n_user_env;
    in.admin_env = p->admin_env;
    in.n_admin_env = p->n_admin_env;
    return env_build(e, &in) < 0 || forward_env(s, ss, e) < 0 ? -1 : 0;
}

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    p[0] = p[1] = -1;
}

/* Capacity of the stdin and stdout pipes. With Linux's default 64 KiB a
 * bulk transfer wakes the daemon and the child for every 64 KiB or less,
 * each side waiting on the other; a larger pipe lets both run ahead and
 * the daemon read in large pieces. The kernel allocates the pages only as
 * data waits in them. */
#define SESSION_PIPE_SIZE (1024 * 1024)

static void pipe_size(int fd)
{
#ifdef F_SETPIPE_SZ
    (void)fcntl(fd, F_SETPIPE_SZ, SESSION_PIPE_SIZE);   /* best effort */
#else
    (void)fd;
#endif
}

static int open_pipes(int in[2], int out[2], int err[2])
{
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(err, O_CLOEXEC) < 0)
        return NSSH_ERR_INTERNAL;
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    pipe_size(in[1]);
    pipe_size(out[0]);
    return 0;
}

/* The parent keeps its ends; the pty slave is the child's alone. */
static void keep_parent_ends(session *ss, int in[2], int out[2], int err[2])
{
    if (ss->want_pty) {
        close(ss->pts);
        ss->pts = -1;
        ss->fd_in = ss->out.fd = ss->ptm;
        return;
    }
    ss->fd_in = in[1];
    ss->out.fd = out[0];
    ss->err.fd = err[0];
    in[1] = out[0] = err[0] = -1;
}

static void log_start(pconn *s, session *ss, uint32_t ch, const char *command,
                      int forced)
{
    char what[96];
    if (forced)
        snprintf(what, sizeof(what), "forced-command (%s)",
                 forced == 2 ? "config" : "key-option");
    else if (ss->subsystem[0])
        snprintf(what, sizeof(what), "subsystem '%s'", ss->subsystem);
    else
        snprintf(what, sizeof(what), "%s", command ? "command" : "shell");
    pconn_log(s, LL_VERBOSE,
              "Starting session: %s%s%s for %s from %s port %d id %u",
              what, ss->want_pty ? " on " : "",
              ss->want_pty ? ss->tty + 5 : "", s->pw.name, s->peer,
              s->peer_port, (unsigned)ch);
}

int spawn_session(pconn *s, uint32_t ch, const char *command,
                  const spawn_policy *p)
{
    session *ss = &s->sess[ch];
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
    const char *forced = p->forced;
    /* internal-sftp only where the configuration put it (Subsystem,
     * ForceCommand, a key's command=), as sshd: a client's own command
     * "internal-sftp" goes to the shell like any other. */
    const char *run = forced ? forced : command;
    int sftp = run && sftp_internal_is(run) && (forced || ss->subsystem[0]);
    envlist env = { 0 };
    pid_t pid;
    int e = NSSH_ERR_INTERNAL;
    if (make_env(s, ss, p, forced ? command : NULL, &env) < 0)
        goto out;
    if (!ss->want_pty && open_pipes(in, out, err) < 0)
        goto out;
    if (ss->want_pty)
        pty_own(ss, &s->pw);
    if ((pid = fork()) < 0)
        goto out;
    if (pid == 0)
        run_child(s, ss, run, sftp, p, env.v, in, out, err);
    ss->pid = pid;
    ss->started = 1;
    if (ss->want_pty) {
        /* sshd records pty sessions only (record_login in do_login). */
        loginrec_login(s->pw.name, s->pw.uid, pid, ss->tty, s->peer);
        ss->logged_in = 1;
    }
    keep_parent_ends(ss, in, out, err);
    log_start(s, ss, ch, command, forced ? p->forced_by : 0);
    log_debug("session %u: child is pid %ld", (unsigned)ch, (long)pid);
    s->stack_spent = 1;
    e = 0;
out:
    if (e < 0)
        logit(LL_ERROR, "could not start a session for %s: %s", s->pw.name,
              strerror(errno));
    close_pair(in);
    close_pair(out);
    close_pair(err);
    env_free(&env);
    return e;
}
