/*
 * Bytes between a session's channel and its child, through the pump
 * (pump.h): child output is read only while the channel can take it,
 * client data is consumed (reopening the window) only as the child reads
 * it.
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

int chanio_to_child(pconn *s, uint32_t ch)
{
    session *ss = &s->sess[ch];
    /* The child closed its input: the rest is dropped; a pty stays. A
     * full fd is written again once poll() says it has room (loop.c
     * clears in_full), not after every read from the socket. */
    if (ss->fd_in >= 0 && !ss->in_full &&
        pump_write(s->c, ch, ss->fd_in, &ss->in, 0) == PUMP_FAIL &&
        !ss->want_pty)
        close_fd(&ss->fd_in);
    ss->in_full = ss->fd_in >= 0 && pump_pending(&ss->in);
    /* EOF from the client closes a pipe; a pty stays open, as in sshd. */
    if (ss->in_eof && !pump_pending(&ss->in) && !ss->want_pty && ss->started)
        close_fd(&ss->fd_in);
    return 0;
}

int chanio_from_child(pconn *s, uint32_t ch, ostream *os)
{
    session *ss = &s->sess[ch];
    size_t got;
    int r;
    if (os->fd < 0) {
        pump_push(s->c, ch, os->ext, &os->b);
        return 0;
    }
    r = pump_read_direct(s->c, ch, os->ext, os->fd, &got);
    if (r < 0)
        return r;
    if (got)
        os->b.last_io = s->now;   /* ChannelTimeout: the channel is in use */
    if (got && ss->drain_deadline)
        ss->drain_deadline = s->now + PTY_DRAIN_MS;
    if (r != PUMP_OK) {   /* EOF; a pty master says EIO once the slave is gone */
        if (ss->want_pty && os == &ss->out)
            close_pty(ss);
        else
            close_fd(&os->fd);
    }
    return 0;
}

static void send_exit(pconn *s, uint32_t ch, int st)
{
    if (WIFSIGNALED(st))
        nssh_channel_exit_signal(s->c, ch, signame_from_num(WTERMSIG(st)),
                                 WCOREDUMP(st) ? 1 : 0, "");
    else
        nssh_channel_exit_status(s->c, ch, (uint32_t)WEXITSTATUS(st));
}

/* Has the child's output all been read? */
static int drained(pconn *s, session *ss, uint32_t ch)
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
    return !pump_pending(&ss->out.b) && !pump_pending(&ss->err.b);
}

int chanio_progress(pconn *s, uint32_t ch)
{
    session *ss = &s->sess[ch];
    if (!ss->used || ss->done)
        return 0;
    pump_push(s->c, ch, ss->out.ext, &ss->out.b);
    pump_push(s->c, ch, ss->err.ext, &ss->err.b);
    if (!ss->started || !ss->reaped || !drained(s, ss, ch))
        return 0;
    ss->done = 1;
    ss->drain_deadline = 0;
    pconn_log(s, LL_VERBOSE, "Close session: user %s from %s port %d id %u",
              s->pw.name, s->peer, s->peer_port, (unsigned)ch);
    send_exit(s, ch, ss->wstatus);
    nssh_channel_eof(s->c, ch);
    /* May call sess_closed (and clear *ss) from inside. */
    nssh_channel_close(s->c, ch);
    return 0;
}

void chanio_reap(pconn *s)
{
    pid_t pid;
    int st;
    uint32_t ch;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (ch = 0; ch < s->ch_hi; ch++) {
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
