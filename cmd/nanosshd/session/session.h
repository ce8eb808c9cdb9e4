/*
 * nanosshd's per-connection policy around the POSIX mechanism (conn.h);
 * the state is a dconn (dconn.h). The functions taking void *app are the
 * conn_policy that server.c hands to the adapter.
 *
 * Map (cmd/nanosshd/session/):
 *   session.c    channel callbacks: open, requests, data, EOF, close
 *   srvmatch.c   per-user settings: Match, AllowUsers & co., Banner
 *   alive.c      ClientAliveInterval probes, MaxStartups release
 *   srvlog.c     engine log records and sshd-shaped connection lines
 *   userenv.c    PermitUserEnvironment: ~/.ssh/environment, environment=
 *   fwd_policy.c AllowTcpForwarding, PermitOpen, PermitListen,
 *                GatewayPorts; AllowStreamLocalForwarding,
 *                AllowAgentForwarding, X11Forwarding and their settings
 *   chrootdir.c  ChrootDirectory: tokens and sshd's ownership checks
 */
#ifndef NSSHD_SESSION_H
#define NSSHD_SESSION_H

#include "dconn.h"

/* srvmatch.c */
/* The engine settings that follow the options (again after Match). */
void srv_engine_opts(dconn *s);
/* IPQoS: the interactive or the bulk TOS byte on the connection's socket
 * (sshd marks a connection interactive once a session has a pty). */
void srv_set_qos(const dconn *s, int interactive);
void srv_auth_request(void *user, nssh_str username, nssh_str method);
/* alive.c */
/* Milliseconds until alive_tick has work (UINT64_MAX: none). */
uint64_t alive_wait(void *app);
/* Each round of the loop: MaxStartups release, ClientAlive probes and
 * timeout. */
void alive_tick(void *app);
void alive_answer(void *user, int ok, const uint8_t *data, size_t len);

/* chantime.c: ChannelTimeout, UnusedConnectionTimeout */
/* Channel ch opened (or started running something) as kind (CHK_*). */
void chantime_open(dconn *s, uint32_t ch, int kind);
void chantime_closed(dconn *s, uint32_t ch);
/* Milliseconds until chantime_tick has work (UINT64_MAX: none). */
uint64_t chantime_wait(dconn *s);
/* Close idle channels; end a connection unused for too long. */
void chantime_tick(dconn *s);

/* srvlog.c */
/* A line about this connection; adds " [preauth]" before authentication. */
void srv_log(const dconn *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for the adapter's lines (pconn_log). */
void srv_log_line(void *app, int level, const char *line);
void srv_engine_log(void *user, const nssh_log *rec);
void srv_log_end(const dconn *s);
/* "maximum authentication attempts exceeded ..." and "Disconnecting ...",
 * once. */
void srv_log_auth_limit(dconn *s);

/* session.c */
int sess_open(void *user, uint32_t ch, nssh_str type, const uint8_t *extra,
              size_t extra_len);
int sess_request(void *user, uint32_t ch, const nssh_chan_req *req);
void sess_data(void *user, uint32_t ch, uint32_t ext, const uint8_t *data,
               size_t len);
void sess_eof(void *user, uint32_t ch);
void sess_closed(void *user, uint32_t ch);

/* chrootdir.c */
/* This user's ChrootDirectory into out: 1 with the path, 0 for none, -1
 * when it may not be used (logged at FATAL as sshd words it, e.g. "bad
 * ownership or modes for chroot directory component ..."): the session
 * is refused. */
int sess_chroot_path(const dconn *s, char *out, size_t cap);

/* fwd_policy.c */
/* May this connection open host:port (ssh -L)? 1 yes; 0 no, logged,
 * with *why set to a text for the client. */
int fwd_policy_local(void *app, const char *host, int port, const char *orig,
                     int orig_port, const char **why);
/* May it listen on host:port (ssh -R)? 1 yes; 0 no, logged. */
int fwd_policy_remote(void *app, const char *host, int port);
/* Where to listen for a request naming host (GatewayPorts): NULL for
 * the loopback addresses, "" for every address, else the address. */
const char *fwd_bind_host(void *app, const char *host);
/* May it forward this kind (FWD_KIND_*, conn.h)? The one check of each
 * kind: the keyword, DisableForwarding and the key's options. 1 yes; 0
 * no, logged. */
int fwd_policy_allowed(void *app, int kind, const char *what);
/* StreamLocalBind*, X11DisplayOffset, X11UseLocalhost, XAuthLocation. */
void fwd_policy_settings(void *app, fwd_settings *out);
#endif
