/*
 * One connection's process: the engine, the peer, the authenticated user
 * and the sessions (one per channel). Internal to the adapter.
 *
 * Map:
 *   server.c   set-up, engine config, teardown
 *   loop.c     the poll() loop: socket, session fds, self-pipe, timers
 *   srvlog.c   engine log records and sshd-shaped connection lines
 *   srvmatch.c per-user settings: Match, AllowUsers & co., Banner
 *   alive.c    ClientAliveInterval probes, MaxStartups release
 *   authcb.c   auth_pubkey / auth_result callbacks, authorized_keys
 *   authpw.c   password and keyboard-interactive callbacks
 *   pamauth.c  PAM: auth, account and session phases
 *   session.c  channel callbacks: open, requests, data, EOF, close
 *   chanio.c   bytes between channels and child fds; session end
 *   spawn.c    the child: pty or pipes, user identity, exec
 *   forward.c, fwd_listen.c, fwd_policy.c   TCP forwarding (forward.h)
 *   pty.c      pty allocation, modes, window size
 */
#ifndef NSSH_POSIX_SERVER_H
#define NSSH_POSIX_SERVER_H

#include <stdint.h>
#include <sys/types.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "posix.h"
#include "authkeys.h"
#include "user.h"

#define SESS_ENV_MAX 64
/* Bytes read from a child at once (and the most held back per stream). */
#define CHILD_CHUNK (64u * 1024u)
/* With a pty, after the child is reaped: how long to wait for its last
 * output when other processes still hold the terminal open. */
#define PTY_DRAIN_MS 100u

/* Child output waiting for channel room. */
typedef struct ostream {
    int fd;                /* -1 once closed */
    uint32_t ext;          /* 0 stdout, 1 stderr */
    uint8_t *buf;
    size_t off, len;
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
    uint8_t *in;
    size_t in_off, in_len;
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
    int peer_disconnected;
    session sess[NSSH_MAX_CHANNELS];
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

/* srvmatch.c */
/* The engine settings that follow the options (again after Match). */
void srv_engine_opts(srv *s);
void srv_auth_request(void *user, nssh_str username, nssh_str method);

/* alive.c */
/* Milliseconds until alive_tick has work (UINT64_MAX: none). */
uint64_t alive_wait(const srv *s);
/* Each round: MaxStartups release, ClientAlive probes and timeout. */
void alive_tick(srv *s);
void alive_answer(void *user, int ok, const uint8_t *data, size_t len);

/* srvlog.c */
void srv_engine_log(void *user, const nssh_log *rec);
/* A line about this connection; adds " [preauth]" before authentication. */
void srv_log(const srv *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void srv_log_end(const srv *s);
/* "maximum authentication attempts exceeded ..." and "Disconnecting ...",
 * once. */
void srv_log_auth_limit(srv *s);

/* authcb.c */
int srv_auth_pubkey(void *user, nssh_str username, const char *alg_name,
                    const uint8_t *blob, size_t blob_len, int has_sig);
void srv_auth_result(void *user, nssh_str username, const char *method,
                     const char *alg_name, const uint8_t *blob,
                     size_t blob_len, int ok, int partial);

/* authcb.c, for authpw.c */
/* Does the account exist (logs "Invalid user" once) and may this daemon
 * serve it? Sets s->pw. */
int srv_user_ok(srv *s, const char *name);
/* PermitRootLogin for s->pw with method ("publickey", "password",
 * "keyboard-interactive"); logs a refusal. */
int srv_root_ok(srv *s, const char *method);

/* authpw.c */
int srv_auth_password(void *user, nssh_str username, nssh_str password);
int srv_kbdint_start(void *user, nssh_str username, nssh_str submethods,
                     nssh_kbdint *q);
int srv_kbdint_respond(void *user, nssh_str username,
                       const nssh_str *responses, size_t n, nssh_kbdint *q);

/* pamauth.c (PAM service "nanossh") */
/* The auth phase: is password right for name? 0 when it is. The handle
 * is kept for the account phase. */
int pamauth_password(srv *s, const char *name, const char *password);
/* After any successful method: the account phase, then (as root) the
 * credentials and the session. 0, or a negative error with why set to a
 * sentence for the log and the client. */
int pamauth_login(srv *s, const char *name, char *why, size_t cap);
/* Close the session and end the handle (connection teardown). */
void pamauth_end(srv *s);

/* session.c */
int sess_open(void *user, uint32_t ch, nssh_str type, const uint8_t *extra,
              size_t extra_len);
int sess_request(void *user, uint32_t ch, const nssh_chan_req *req);
void sess_data(void *user, uint32_t ch, uint32_t ext, const uint8_t *data,
               size_t len);
void sess_eof(void *user, uint32_t ch);
void sess_closed(void *user, uint32_t ch);
/* Free a session's resources; hang up its child when still running. */
void sess_release(srv *s, session *ss);

/* chanio.c */
/* Write pending client data to the child. */
int chanio_to_child(srv *s, uint32_t ch);
/* Read child output (fd ready) into the channel while it has room. */
int chanio_from_child(srv *s, uint32_t ch, ostream *os);
/* Send what is held back; finish the session when the child is done. */
int chanio_progress(srv *s, uint32_t ch);
/* SIGCHLD: reap children and note their status. */
void chanio_reap(srv *s);

/* spawn.c */
int spawn_session(srv *s, uint32_t ch, const char *command);

/* pty.c */
int pty_open(session *ss, const uint8_t *modes, size_t modes_len);
int pty_resize(session *ss);
/* Give the terminal to the user (root only), as login does. */
void pty_own(const session *ss, const user_info *u);
void pty_release(session *ss);

#endif
