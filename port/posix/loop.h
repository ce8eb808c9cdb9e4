/*
 * The connection's poll() loop.
 */
#ifndef NSSH_POSIX_LOOP_H
#define NSSH_POSIX_LOOP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct pconn;

/* Monotonic clock in milliseconds. */
uint64_t loop_now_ms(void);
/* Run until the engine is closed and its output is sent. */
int loop_run(struct pconn *s);
/* Acknowledge what was just read at once (TCP_QUICKACK, before
 * authentication: see loop.c); a socket that refuses it is not asked
 * again. For a loop of the program's own, such as the pre-auth child. */
void pconn_quickack(struct pconn *s);


/*
 * The same loop one round at a time, for a program that serves many
 * connections from one wait (single-process mode): it asks a connection
 * which fds it waits for, waits on all of them itself, copies the revents
 * into the set and hands it back. The set is large (every fd a connection
 * may have); one is enough for all connections.
 */
typedef struct pollset loop_set;
loop_set *loop_set_new(void);
void loop_set_free(loop_set *p);
size_t loop_set_count(const loop_set *p);
struct pollfd *loop_set_fds(loop_set *p);
/* Fill p with what s waits for (revents cleared); returns the timeout in
 * ms, -1 for none. */
int loop_wants(struct pconn *s, loop_set *p);
/* Handle p's revents (all zero on a timeout), advance timers and send the
 * output. 1 when the connection is over. */
int loop_events(struct pconn *s, const loop_set *p);
/* The first round of a new connection: its version line goes out. */
int loop_start(struct pconn *s);

#endif
