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
 * Who may forward what is the program's: conn_policy's fwd_local,
 * fwd_remote and fwd_bind_host (conn.h).
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
} fwd_chan;

/* One -R forwarding: the address as the client asked for it (echoed in
 * forwarded-tcpip opens, where the client looks it up) and the sockets. */
typedef struct fwd_listener {
    int used;
    int fds[FWD_LISTEN_FDS];
    size_t n_fds;
    char host[FWD_HOST_MAX];
    int req_port;              /* as asked (0: allocate) */
    int port;                  /* as bound */
} fwd_listener;

typedef struct fwd_state {
    fwd_chan ch[NSSH_MAX_CHANNELS];
    fwd_listener ls[FWD_LISTEN_MAX];
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

#endif
