/*
 * The connection's poll() loop.
 */
#ifndef NSSH_POSIX_LOOP_H
#define NSSH_POSIX_LOOP_H

#include <stdint.h>

struct pconn;

/* Monotonic clock in milliseconds. */
uint64_t loop_now_ms(void);
/* Run until the engine is closed and its output is sent. */
int loop_run(struct pconn *s);

#endif
