/*
 * TCP/IP port forwarding (RFC 4254 section 7) in a connection's process.
 * Mechanism of the POSIX adapter.
 *
 * Map:
 *   forward.c     forwarded channels: state, "direct-tcpip" connects
 *                 (ssh -L), answers to our opens, release
 *   fwd_relay.c   bytes both ways through the pump (pump.h), EOF and
 *                 close; the
 *                 poll() entries of all forwarding sockets
 *   fwd_listen.c  "tcpip-forward" / "cancel-tcpip-forward" (ssh -R):
 *                 listeners, accepting, "forwarded-tcpip" opens
 *   fwd_unix.c    Unix-domain sockets: "direct-streamlocal@openssh.com",
 *                 "streamlocal-forward@openssh.com", agent forwarding
 *   fwd_x11.c     X11 forwarding: "x11-req", the display, xauth
 *   asuser.c      socket work done as the user, in a short-lived child
 * Who may forward what is the program's: conn_policy's fwd_local,
 * fwd_remote, fwd_bind_host, fwd_allowed and fwd_settings (conn.h).
 */
#ifndef NSSH_POSIX_FORWARD_H
#define NSSH_POSIX_FORWARD_H

#include <netdb.h>
#include <poll.h>
#include <stdint.h>

#include "conn.h"

/* -R forwardings at once, and sockets per forwarding (IPv4 and IPv6). */
#define FWD_LISTEN_MAX 16
#define FWD_LISTEN_FDS 4
/* Longest host name or address text kept. */
#define FWD_HOST_MAX 256
/* X11 forwardings at once (one per session at most). */
#define FWD_X11_MAX 8

enum {
    FC_FREE = 0,
    FC_CONNECTING,   /* direct-tcpip: connect() running, open not answered */
    FC_OPENING,      /* forwarded-tcpip: our open not answered yet */
    FC_RELAY         /* the channel is open: bytes flow */
};

/* One forwarded connection on one channel. */
typedef struct fwd_chan {
    int state;                 /* FC_* */
    int fd;                    /* the TCP socket, -1 once closed */
    struct addrinfo *ai, *ai_next;   /* connecting: addresses left to try */
    /* channel to socket: data not yet written (bounded by our window) */
    pump_buf in;
    int in_eof;                /* the peer sent EOF */
    int wr_done;               /* socket write side shut down or dead */
    /* socket to channel: data waiting for channel room */
    pump_buf out;
    int rd_eof;                /* the socket said EOF (or failed) */
    int sent_eof, sent_close;
    char host[FWD_HOST_MAX];   /* target or listen address, for logs */
    int port;
    const char *type;          /* the channel type opened ("x11", ...;
                                  static), NULL for "forwarded-tcpip" */
} fwd_chan;

/* What a listener's connections become. */
enum {
    FL_TCP = 0,      /* "forwarded-tcpip" (ssh -R port) */
    FL_STREAMLOCAL,  /* "forwarded-streamlocal@openssh.com" (ssh -R path) */
    FL_AGENT,        /* "auth-agent@openssh.com" (ssh -A) */
    FL_X11           /* "x11" (ssh -X) */
};

/* One listener: the address as the client asked for it (echoed in
 * forwarded-tcpip opens, where the client looks it up), or the socket
 * path, and the sockets. */
typedef struct fwd_listener {
    int used;
    int kind;                  /* FL_* */
    int fds[FWD_LISTEN_FDS];
    size_t n_fds;
    char host[FWD_HOST_MAX];   /* FL_STREAMLOCAL, FL_AGENT: the path */
    int req_port;              /* as asked (0: allocate) */
    int port;                  /* as bound */
    uint32_t owner;            /* FL_X11: the session channel */
    int single;                /* FL_X11: only one connection */
} fwd_listener;

/* One session's X11 forwarding (x11-req): what DISPLAY and xauth get. */
typedef struct fwd_x11 {
    int used;
    uint32_t ch;               /* the session channel */
    int display;               /* N of localhost:N */
    unsigned screen;
    char proto[64];            /* "MIT-MAGIC-COOKIE-1" */
    char cookie[256];          /* hex, as the client sent it */
} fwd_x11;

typedef struct fwd_state {
    fwd_chan ch[NSSH_MAX_CHANNELS];
    fwd_listener ls[FWD_LISTEN_MAX];
    fwd_x11 x11[FWD_X11_MAX];
    /* Agent forwarding: the directory and the socket in it ("" none). */
    char agent_dir[64];
    char agent_sock[108];
} fwd_state;

/* ---- forward.c / fwd_relay.c -------------------------------------------- */
/* The forwarding state, made on first use; NULL when out of memory. */
fwd_state *fwd_get(pconn *s);
/* Is channel ch a forwarded connection? */
int fwd_is(const pconn *s, uint32_t ch);
/* channel_open for "direct-tcpip": never NSSH_CB_ACCEPT (the answer comes
 * once the connection is made: NSSH_CB_LATER) or NSSH_CB_REFUSE_REASON. */
int fwd_open_direct(pconn *s, uint32_t ch, const uint8_t *extra, size_t len);
/* A socket accepted by a listener on channel ch, opened towards the peer
 * (state FC_OPENING). */
int fwd_attach(pconn *s, uint32_t ch, int fd, const char *host, int port);
void fwd_data(pconn *s, uint32_t ch, const uint8_t *data, size_t len);
void fwd_eof(pconn *s, uint32_t ch);
void fwd_closed(pconn *s, uint32_t ch);
/* poll() reports the socket of a connecting direct-tcpip channel. */
void fwd_connect_event(pconn *s, uint32_t ch);
/* The engine's channel_open_reply callback, for the connection s. */
void fwd_open_reply(pconn *s, uint32_t ch, int ok, uint32_t reason,
                    nssh_str desc);
/* Poll entries for every socket, listeners included; returns how many
 * were written (at most cap). */
size_t fwd_pollfds(pconn *s, struct pollfd *fds, size_t cap);
/* Handle the results of poll() for those entries, then move what can. */
void fwd_events(pconn *s, const struct pollfd *fds, size_t n);
/* Close everything (end of the connection). */
void fwd_release_all(pconn *s);

/* ---- fwd_listen.c -------------------------------------------------------- */
/* The engine's global_request callback, for the connection s. */
int fwd_global_request(pconn *s, nssh_str name, const uint8_t *data,
                       size_t len, int want_reply, uint8_t *reply,
                       size_t reply_cap, size_t *reply_len);
/* A listening socket is readable: accept and open forwarded-tcpip. */
void fwd_listen_accept(pconn *s, fwd_listener *l, int fd);
void fwd_listen_close(fwd_listener *l);
/* A free listener, or NULL. */
fwd_listener *fwd_listen_slot(fwd_state *fs);

/* ---- fwd_unix.c ---------------------------------------------------------- */
/* channel_open for "direct-streamlocal@openssh.com" (ssh -L port:path). */
int fwd_open_streamlocal(pconn *s, uint32_t ch, const uint8_t *extra,
                         size_t len);
/* "streamlocal-forward@openssh.com" and the cancel: NSSH_CB_*; other
 * names NSSH_CB_REFUSE. */
int fwd_streamlocal_request(pconn *s, int cancel, const uint8_t *data,
                            size_t len);
/* "auth-agent-req@openssh.com" on session channel ch: the listening
 * socket, made as the user in a private directory. 0 or -1 (logged). */
int fwd_agent_start(pconn *s, uint32_t ch);
/* The socket path for SSH_AUTH_SOCK, or NULL. */
const char *fwd_agent_path(const pconn *s);
/* Remove the agent socket and its directory (as the user). */
void fwd_agent_end(pconn *s);

/* ---- fwd_x11.c ----------------------------------------------------------- */
/* "x11-req" on session channel ch (raw: the request's data). 0 or -1. */
int fwd_x11_start(pconn *s, uint32_t ch, const uint8_t *raw, size_t len);
/* Session ch's X11 forwarding, or NULL. */
const fwd_x11 *fwd_x11_of(const pconn *s, uint32_t ch);
/* DISPLAY for session ch into out ("" when none). */
void fwd_x11_display(const pconn *s, const fwd_x11 *x, char *out, size_t cap);
/* In the session's child, as the user, before the command: xauth adds
 * the cookie (sshd's do_xauth). */
void fwd_x11_xauth(const pconn *s, const fwd_x11 *x, char *const *envp);
/* Session ch ended: its X11 listener and forwarding go. */
void fwd_session_end(pconn *s, uint32_t ch);

/* ---- asuser.c ------------------------------------------------------------ */
/* Run fn(arg) with the user's identity (uid, gid, groups) when the
 * daemon is root, in a child so that the connection's process keeps
 * its own; fn returns a descriptor (> 0), 0 (done, no descriptor) or
 * a negative errno. Returns the same: the descriptor as one of this
 * process. */
int asuser_run(const user_info *u, int (*fn)(void *arg), void *arg);

#endif
