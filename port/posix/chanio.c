/*
 * Bytes between a session's channel and its child, with back-pressure both
 * ways: child output is read only while the channel can take it, client
 * data is consumed (reopening the window) only as the child reads it.
 *
 * The end of a session follows RFC 4254 section 6.10 and sshd: once the
 * child is reaped and its output drained, exit-status (or exit-signal),
 * then EOF, then CLOSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chanio.h"
#include "pty.h"
#include "signames.h"

/* How much to read per wake-up before giving the socket a turn. */
#define READ_BUDGET (4u * CHILD_CHUNK)

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The pty master is both stdin and stdout of a pty session. */
static void close_pty(session *ss)
{
    ss->fd_in = -1;
    ss->out.fd = -1;
    close_fd(&ss->ptm);
}

int chanio_to_child(srv *s, uint32_t ch)
{
    session *ss = &s->sess[ch];
    ssize_t n;
    while (ss->fd_in >= 0 && ss->in_len > ss->in_off) {
        n = write(ss->fd_in, ss->in + ss->in_off, ss->in_len - ss->in_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {   /* the child closed its input: drop the rest */
            nssh_channel_consume(s->c, ch, ss->in_len - ss->in_off);
            ss->in_off = ss->in_len = 0;
            if (ss->want_pty)
                break;
            close_fd(&ss->fd_in);
            break;
        }
        ss->in_off += (size_t)n;
        nssh_channel_consume(s->c, ch, (size_t)n);
    }
    if (ss->in_off == ss->in_len)
        ss->in_off = ss->in_len = 0;
    /* EOF from the client closes a pipe; a pty stays open, as in sshd. */
    if (ss->in_eof && !ss->in_len && !ss->want_pty && ss->started)
        close_fd(&ss->fd_in);
    return 0;
}

/* Hand held-back output to the channel; 1 while some is still held. */
static int push(srv *s, uint32_t ch, ostream *os)
{
    long w;
    if (os->len == os->off)
        return 0;
    w = nssh_channel_write(s->c, ch, os->ext, os->buf + os->off, os->len - os->off);
    if (w < 0) {   /* channel no longer writable: the output is lost */
        os->off = os->len = 0;
        return 0;
    }
    os->off += (size_t)w;
    if (os->off == os->len)
        os->off = os->len = 0;
    return os->len > 0;
}

int chanio_from_child(srv *s, uint32_t ch, ostream *os)
{
    session *ss = &s->sess[ch];
    size_t budget = READ_BUDGET, want;
    ssize_t n;
    if (!os->buf && !(os->buf = malloc(CHILD_CHUNK)))
        return NSSH_ERR_NOSPACE;
    while (os->fd >= 0 && budget > 0 && !push(s, ch, os)) {
        want = nssh_channel_writable(s->c, ch);
        if (want == 0)
            break;
        if (want > CHILD_CHUNK)
            want = CHILD_CHUNK;
        n = read(os->fd, os->buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {   /* EOF; a pty master says EIO once the slave is gone */
            if (ss->want_pty && os == &ss->out)
                close_pty(ss);
            else
                close_fd(&os->fd);
            break;
        }
        if (ss->drain_deadline)
            ss->drain_deadline = s->now + PTY_DRAIN_MS;
        os->off = 0;
        os->len = (size_t)n;
        budget -= (size_t)n > budget ? budget : (size_t)n;
        if ((size_t)n < want)
            break;
    }
    push(s, ch, os);
    return 0;
}

static void send_exit(srv *s, uint32_t ch, int st)
{
    if (WIFSIGNALED(st))
        nssh_channel_exit_signal(s->c, ch, signame_from_num(WTERMSIG(st)),
                                 WCOREDUMP(st) ? 1 : 0, "");
    else
        nssh_channel_exit_status(s->c, ch, (uint32_t)WEXITSTATUS(st));
}

/* Has the child's output all been read? */
static int drained(srv *s, session *ss, uint32_t ch)
{
    if (ss->want_pty && ss->out.fd >= 0) {
        /* EIO comes when every holder of the terminal has closed it; a
         * background process may keep it open, so wait only a little
         * once output stops flowing. */
        if (!ss->drain_deadline || nssh_channel_writable(s->c, ch) == 0)
            ss->drain_deadline = s->now + PTY_DRAIN_MS;
        if (s->now < ss->drain_deadline)
            return 0;
        close_pty(ss);
    }
    if (ss->out.fd >= 0 || ss->err.fd >= 0)
        return 0;
    return ss->out.len == ss->out.off && ss->err.len == ss->err.off;
}

int chanio_progress(srv *s, uint32_t ch)
{
    session *ss = &s->sess[ch];
    if (!ss->used || ss->done)
        return 0;
    push(s, ch, &ss->out);
    push(s, ch, &ss->err);
    if (!ss->started || !ss->reaped || !drained(s, ss, ch))
        return 0;
    ss->done = 1;
    ss->drain_deadline = 0;
    srv_log(s, LL_VERBOSE, "Close session: user %s from %s port %d id %u",
            s->pw.name, s->peer, s->peer_port, (unsigned)ch);
    send_exit(s, ch, ss->wstatus);
    nssh_channel_eof(s->c, ch);
    /* May call sess_closed (and clear *ss) from inside. */
    nssh_channel_close(s->c, ch);
    return 0;
}

void chanio_reap(srv *s)
{
    pid_t pid;
    int st;
    uint32_t ch;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (ch = 0; ch < NSSH_MAX_CHANNELS; ch++) {
            session *ss = &s->sess[ch];
            if (ss->used && ss->pid == pid && !ss->reaped) {
                ss->reaped = 1;
                ss->wstatus = st;
                log_debug("session %u: child %ld exited (status 0x%x)",
                          (unsigned)ch, (long)pid, (unsigned)st);
            }
        }
    }
}
