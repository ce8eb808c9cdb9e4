/*
 * One connection's process: the engine, the peer, the authenticated user
 * and the sessions (one per channel), and the POSIX mechanism that moves
 * their bytes. The policy (which user, which command, which forwarding)
 * is nanosshd's, in cmd/nanosshd/.
 *
 * Map (port/posix/):
 *   loop.c     the poll() loop: socket, session fds, self-pipe, timers
 *   pump.c     the one channel <-> fd pump (pump.h)
 *   chanio.c   a session's pumps and its end
 *   spawn.c    the child: pty or pipes, user identity, exec
 *   pty.c      pty allocation, modes, window size
 *   forward.c, fwd_relay.c, fwd_listen.c   TCP forwarding (forward.h)
 * Provided by the program (cmd/nanosshd/session/, declared below):
 *   srvlog.c   srv_log: sshd-shaped connection log lines
 *   alive.c    alive_wait / alive_tick: ClientAlive and MaxStartups timers
 *
 * No adapter file reads the program's options: spawn.c gets ForceCommand,
 * the key's command= and environment=, SetEnv and PrintMotd as a
 * spawn_policy (spawn.h) from cmd/nanosshd/session. Known seam: srv still
 * holds the program's option structs (o, kopts) as fields.
 */
#ifndef NSSH_POSIX_CONN_H
#define NSSH_POSIX_CONN_H

#include <stdint.h>
#include <sys/types.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "nanossh.h"
#include "opts.h"
#include "hostkeys.h"
#include "authkeys.h"
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
} session;

typedef struct srv {
    daemon_opts *o;                  /* this connection's copy (Match) */
    const hostkey_set *hk;
    nssh_conn *c;
    void *mem;
    nssh_config cfg;
    int fd;                          /* the TCP socket (or stdin with -i) */
    int fd_out;                      /* fd, or stdout with -i */
    int sig_fd;                      /* self-pipe read end */
    char peer[64], local[64];
    int peer_port, local_port;
    uint64_t now;                    /* monotonic ms */
    /* authentication */
    int authenticated;
    char user[NSSH_USER_MAX + 1];    /* last user name tried, or the user */
    char invalid_logged[NSSH_USER_MAX + 1];
    user_info pw;
    authkey_opts kopts;
    int have_kopts;
    long failures;                   /* refused attempts, queries included */
    int auth_limit_logged;
    int conn_reset;                  /* read failed with ECONNRESET */
    int no_quickack;                 /* the socket refused TCP_QUICKACK */
    int peer_disconnected;
    session sess[NSSH_MAX_CHANNELS];
    /* Above the highest channel id given a session or a forwarding: the
     * loop looks at sess[0..ch_hi) only (ids are allocated lowest first,
     * so this stays small); raised by srv_chan_used, lowered by the loop. */
    uint32_t ch_hi;
    struct pamauth *pam;             /* PAM handle and phases, or NULL */
    struct fwd_state *fwd;           /* forward.h: port forwarding, or NULL */
    /* engine tables from the options (server.c, srvmatch.c) */
    const nssh_kem *kems[OPTS_MAX_ALGS];
    const nssh_cipher *ciphers[OPTS_MAX_ALGS];
    const nssh_mac *macs[OPTS_MAX_ALGS];
    const nssh_sig_alg *sigs[OPTS_MAX_ALGS];
    nssh_hostkey hostkeys[HOSTKEYS_MAX * 2];
    /* per-user settings at the first USERAUTH_REQUEST (srvmatch.c) */
    int user_fixed;                  /* Match applied for match_user */
    char match_user[NSSH_USER_MAX + 1];
    int access_denied;               /* DenyUsers, AllowUsers & co. refused */
    char *banner;                    /* Banner text (malloc'ed) or NULL */
    int end_logged;                  /* our disconnect's line is logged */
    /* ClientAlive (alive.c) */
    uint64_t last_rx;                /* when bytes last arrived, ms */
    uint64_t alive_sent;             /* when the last probe went, ms */
    long alive_missed;               /* probes without an answer */
} srv;

/* Channel ch now carries a session or a forwarding. */
static inline void srv_chan_used(srv *s, uint32_t ch)
{
    if (ch + 1 > s->ch_hi)
        s->ch_hi = ch + 1;
}

/* ---- provided by the program (cmd/nanosshd/session/) ------------------- */
/* A line about this connection; adds " [preauth]" before authentication. */
void srv_log(const srv *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Milliseconds until alive_tick has work (UINT64_MAX: none). */
uint64_t alive_wait(const srv *s);
/* Each round of the loop: MaxStartups release, ClientAlive probes and
 * timeout. */
void alive_tick(srv *s);

#endif
