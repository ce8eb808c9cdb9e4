/*
 * One connection's process from start to end (server.c): engine
 * configuration from the options, the poll loop, teardown.
 */
#ifndef NSSHD_SERVER_H
#define NSSHD_SERVER_H

#include "opts.h"
#include "hostkeys.h"

/* Serve one connection to its end, in this process: bytes arrive on fd_in
 * and leave on fd_out (the same socket, or stdin and stdout with -i).
 * o is this connection's own copy of the options: Match changes it. */
int server_run(int fd_in, int fd_out, daemon_opts *o, const hostkey_set *hk);
/* After server_run: the process's exit status for the listener: 0 once
 * the user was authenticated, else EXIT_LOGIN_GRACE, EXIT_AUTH_ATTEMPTED,
 * EXIT_INVALID_USER (srclimit.h) or 255, as sshd's session process. */
int server_exit_status(void);
/* Single-process mode: a connection on socket fd, its version line
 * queued, for the caller's loop (loop_wants / loop_events); NULL when
 * it cannot start (fd closed, logged). o is shared by all connections. */
struct dconn *server_new(int fd, daemon_opts *o, const hostkey_set *hk);
/* Log its end, close and free it; returns the engine's error. */
int server_end(struct dconn *s);
/* -i: the connection on stdin and stdout. */
int server_run_inetd(daemon_opts *o, const hostkey_set *hk);

#endif
