/*
 * The listening sockets and the accept loop that forks one process per
 * connection (listener.c).
 */
#ifndef NSSHD_LISTENER_H
#define NSSHD_LISTENER_H

#include <stddef.h>

#include "opts.h"
#include "hostkeys.h"

#define LISTENER_MAX 32

typedef struct listener {
    int fds[LISTENER_MAX];
    size_t n;
    int activated;              /* the sockets came from systemd */
} listener;

/* Bind every ListenAddress x Port (logs "Server listening on ..."), or
 * take the sockets systemd passed (socket activation). */
int listener_open(listener *l, const daemon_opts *o);
/* Accept and fork one process per connection until SIGTERM/SIGINT; with
 * -d serve one connection in this process and return. SIGHUP checks the
 * configuration (the program with -t) and, when it is good, restarts
 * the program in place, keeping the pid; connections keep running in
 * their own processes. o is this process's own copy: a connection's
 * process changes it (Match). */
int listener_run(listener *l, daemon_opts *o, const hostkey_set *hk);
void listener_close(listener *l);
/* Log how to connect ("Connect with: ssh -p 2222 user@127.0.0.1"). */
void listener_hint(const listener *l);

#endif
