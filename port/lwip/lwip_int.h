/*
 * Internal to the lwIP adapter.
 *
 * Map:
 *   lwip_server.c  listener, accept, slots, the clock, stop
 *   lwip_conn.c    one connection: recv/sent/err/poll callbacks, the pump
 *                  (held pbufs to the engine, engine output to tcp_write),
 *                  closing and releasing
 */
#ifndef NSSH_LWIP_INT_H
#define NSSH_LWIP_INT_H

#include "nanossh_lwip.h"
#include "lwip/tcp.h"

/* tcp_poll interval in TCP coarse-timer ticks (TCP_SLOW_INTERVAL, 500 ms):
 * the engine's timers (login grace, re-key by time) need no finer grain. */
#define NLW_POLL_TICKS 2

/* Internal names carry nlw_ (lwIP itself owns lwip_). */

/* lwip_server.c */
void nlw_log(nssh_lwip_server *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* lwip_conn.c */
/* Start the engine on a freshly accepted pcb in a free slot. Returns
 * ERR_OK, or ERR_ABRT after aborting newpcb (the accept callback MUST
 * return that). */
err_t nlw_conn_attach(nssh_lwip_conn *lc, struct tcp_pcb *newpcb);
/* Abort the pcb (when we still own one) and release the slot. */
void nlw_conn_abort(nssh_lwip_conn *lc);

#endif
