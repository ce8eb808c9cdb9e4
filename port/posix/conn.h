/*
 * One connection's process, its mechanism: the engine, the socket, the
 * sessions (one per channel) with their children and pumps, forwarding's
 * sockets and the timers. What to allow, and how to say it in the log, is
 * the program's: it hands a conn_policy to the adapter, which calls it
 * and never reads the program's options (nanosshd's is in
 * cmd/nanosshd/session/dconn.h).
 *
 * Map (port/posix/):
 *   conn.c     a connection's set-up and teardown, pconn_log
 *   loop.c     the poll() loop: socket, session fds, self-pipe, timers
 *   pump.c     the one channel <-> fd pump (pump.h)
 *   chanio.c   a session's pumps and its end
 *   spawn.c    the child: pty or pipes, user identity, exec (spawn.h)
 *   stack.c    the stack's unused pages given back (stack.h)
 *   jail.c     ChrootDirectory's checks and chroot (jail.h)
 *   loginrec.c utmp, wtmp and lastlog records (loginrec.h)
 *   pty.c      pty allocation, modes, window size
 *   forward.c, fwd_relay.c, fwd_listen.c   TCP forwarding (forward.h)
 *   fwd_unix.c, fwd_x11.c, asuser.c   Unix-socket, agent, X11 forwarding
 */
#ifndef NSSH_POSIX_CONN_H
#define NSSH_POSIX_CONN_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "nanossh.h"
#include "user.h"
#include "log.h"
#include "pump.h"
#define SESS_ENV_MAX 64
/* With a pty, after the child is reaped: how long to wait for its last
 * output when other processes still hold the terminal open. */
#define PTY_DRAIN_MS 100u

/* Child output and what of it waits for channel room (pump.h). */
typedef struct ostream {
    int fd;                /* -1 once closed */
    uint32_t ext;          /* 0 stdout, 1 stderr */
    pump_buf b;
} ostream;

typedef struct session {
    int used;              /* the channel is open */
    int started;           /* shell/exec ran */
    int done;              /* exit-status, EOF, CLOSE sent */
    pid_t pid;             /* child, 0 when none */
    int reaped, wstatus;
    /* pty */
    int want_pty;
    int ptm, pts;          /* -1 when none */
    char tty[64];
    char term[64];
    struct winsize ws;
    uint64_t drain_deadline;   /* pty: give up waiting for EIO (0: not set) */
    /* child stdin: client data not yet written (bounded by our window) */
    int fd_in;             /* -1 when closed; the pty master with a pty */
    pump_buf in;
    int in_full;           /* fd_in took less than offered: wait for POLLOUT */
    int in_eof;            /* client sent EOF */
    ostream out, err;      /* with a pty only out is used (the master) */
    char *env[SESS_ENV_MAX];   /* accepted "NAME=value" */
    size_t n_env;
    char subsystem[64];    /* the subsystem that runs, "" for shell/exec */
    int logged_in;         /* utmp/wtmp hold its login (loginrec.h) */
} session;

/* Kinds of forwarding besides TCP, for conn_policy.fwd_allowed. */
enum {
    FWD_KIND_STREAMLOCAL_LOCAL = 1,   /* direct-streamlocal (ssh -L :path) */
    FWD_KIND_STREAMLOCAL_REMOTE,      /* streamlocal-forward (ssh -R path:) */
    FWD_KIND_AGENT,                   /* auth-agent-req (ssh -A) */
    FWD_KIND_X11                      /* x11-req (ssh -X) */
};

/* How to carry out those forwardings (the program's options). */
typedef struct fwd_settings {
    unsigned bind_mask;      /* umask for streamlocal listeners */
    int bind_unlink;         /* remove an existing socket file first */
    int x11_offset;          /* first display number tried */
    int x11_localhost;       /* X11 listener on loopback only */
    const char *xauth;       /* the xauth program; "" none */
} fwd_settings;

/* The program's decisions for a connection. Every member MUST be set;
 * each is called with pconn.app, from the loop or from one of the
 * adapter's functions the program's engine callbacks call. */
typedef struct conn_policy {
    /* A line about this connection (the program picks its shape). */
    void (*log)(void *app, int level, const char *line);
    /* Milliseconds until tick has work (UINT64_MAX: none). */
    uint64_t (*wait)(void *app);
    /* Each round of the loop, after the engine's timers. */
    void (*tick)(void *app);
    /* May this connection open host:port (ssh -L)? 1 yes; 0 no (the
     * program logged it), with *why set to a text for the client. */
    int (*fwd_local)(void *app, const char *host, int port, const char *orig,
                     int orig_port, const char **why);
    /* May it listen on host:port (ssh -R)? 1 yes; 0 no, logged. */
    int (*fwd_remote)(void *app, const char *host, int port);
    /* Where to listen for a request naming host: NULL for the loopback
     * addresses, "" for every address, else the address. */
    const char *(*fwd_bind_host)(void *app, const char *host);
    /* May it forward this kind (FWD_KIND_*; what: the socket path, or
     * NULL)? 1 yes; 0 no, logged. */
    int (*fwd_allowed)(void *app, int kind, const char *what);
    /* The settings for those kinds. */
    void (*fwd_settings)(void *app, fwd_settings *out);
} conn_policy;

typedef struct pconn {
    nssh_conn *c;
    void *mem;                       /* the engine's memory */
    int fd;                          /* the TCP socket (or stdin with -i) */
    int fd_out;                      /* fd, or stdout with -i */
    int sig_fd;                      /* self-pipe read end */
    char peer[64], local[64];
    int peer_port, local_port;
    uint64_t now;                    /* monotonic ms */
    uint64_t last_rx;                /* when bytes last arrived, ms */
    int conn_reset;                  /* read failed with ECONNRESET */
    int no_quickack;                 /* the socket refused TCP_QUICKACK */
    /* Set by the program when authentication succeeds: the sessions'
     * user. Forwarding requests are refused before. */
    int authenticated;
    int auth_seen;                   /* the loop saw authenticated set */
    int stack_spent;                 /* deep calls ran: loop calls stack_release */
    user_info pw;
    session sess[NSSH_MAX_CHANNELS];
    /* Above the highest channel id given a session or a forwarding: the
     * loop looks at sess[0..ch_hi) only (ids are allocated lowest first,
     * so this stays small); raised by pconn_chan_used, lowered by the loop. */
    uint32_t ch_hi;
    struct fwd_state *fwd;           /* forward.h: port forwarding, or NULL */
    const conn_policy *policy;
    void *app;                       /* the program's, for policy */
} pconn;

/* Channel ch now carries a session or a forwarding. */
static inline void pconn_chan_used(pconn *s, uint32_t ch)
{
    if (ch + 1 > s->ch_hi)
        s->ch_hi = ch + 1;
}

/* ---- conn.c -------------------------------------------------------------- */
/* s comes zeroed (calloc) and stays so in its session table; zero the
 * rest again and take fd (and fd_out) with their peer and local addresses;
 * SIGPIPE is ignored from here on. */
void pconn_init(pconn *s, int fd, int fd_out, const conn_policy *p, void *app);
/* The self-pipe for sigs (NULL: the program's own loop catches signals,
 * as in single-process mode), the engine's memory and the engine on cfg
 * (which MUST outlive the connection). 0, or a negative error (logged). */
int pconn_start(pconn *s, const nssh_config *cfg, const int *sigs);
/* A line about this connection through policy->log. */
void pconn_log(const pconn *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pconn_vlog(const pconn *s, int level, const char *fmt, va_list ap);
/* Free a session's resources; hang up its child when still running. */
void pconn_session_release(pconn *s, session *ss);
/* Release every session (their children hang up) and forwarding. */
void pconn_end_channels(pconn *s);
/* pconn_end_channels, then the self-pipe, the descriptors and the engine
 * (its keys wiped); wipe: also clear the engine's memory before freeing
 * it (0 only where free() returns the pages to the kernel). */
void pconn_release(pconn *s, int wipe);

#endif
