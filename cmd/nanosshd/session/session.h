/*
 * nanosshd's per-connection policy around the POSIX mechanism (conn.h):
 *
 * Map (cmd/nanosshd/session/):
 *   session.c    channel callbacks: open, requests, data, EOF, close
 *   srvmatch.c   per-user settings: Match, AllowUsers & co., Banner
 *   alive.c      ClientAliveInterval probes, MaxStartups release
 *   srvlog.c     engine log records and sshd-shaped connection lines
 *   fwd_policy.c AllowTcpForwarding, PermitOpen, PermitListen,
 *                GatewayPorts (declared in forward.h)
 */
#ifndef NSSHD_SESSION_H
#define NSSHD_SESSION_H

#include "conn.h"

/* srvmatch.c */
/* The engine settings that follow the options (again after Match). */
void srv_engine_opts(srv *s);
/* IPQoS: the interactive or the bulk TOS byte on the connection's socket
 * (sshd marks a connection interactive once a session has a pty). */
void srv_set_qos(const srv *s, int interactive);
void srv_auth_request(void *user, nssh_str username, nssh_str method);
/* alive.c (alive_wait and alive_tick: conn.h) */
void alive_answer(void *user, int ok, const uint8_t *data, size_t len);

/* srvlog.c (srv_log: conn.h) */
void srv_engine_log(void *user, const nssh_log *rec);
void srv_log_end(const srv *s);
/* "maximum authentication attempts exceeded ..." and "Disconnecting ...",
 * once. */
void srv_log_auth_limit(srv *s);

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
#endif
