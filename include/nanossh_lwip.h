/*
 * nanossh on lwIP's raw TCP API: a listener that runs one engine per
 * accepted connection in caller-provided memory.
 *
 * Context: every function here, and every hook it calls, runs in lwIP's
 * core context. With NO_SYS=1 that is the main loop that also calls
 * sys_check_timeouts(); with NO_SYS=0 it is the tcpip thread (from a raw
 * API callback or through tcpip_callback()) or any thread holding
 * LOCK_TCPIP_CORE(). The adapter itself never locks, never creates
 * threads and never allocates: it is the same code either way.
 *
 * Flow control (the lwIP raw API's contract):
 *   - received pbufs are held until the engine takes their bytes, and
 *     tcp_recved() acknowledges exactly the bytes the engine took, so the
 *     TCP window closes while the engine is busy instead of growing;
 *   - tcp_write() copies (TCP_WRITE_FLAG_COPY) at most tcp_sndbuf() bytes,
 *     the rest waits for tcp_sent(); Nagle is off, so while data is in
 *     flight less than one MSS of room is left unused (sender-side silly
 *     window avoidance, RFC 1122 section 4.2.3.4), and input that got no
 *     answer is acknowledged at once rather than by the delayed-ACK timer;
 *   - after tcp_err() the pcb is already freed: the adapter only releases
 *     the engine;
 *   - tcp_poll() (every second) drives the engine's timers with sys_now().
 */
#ifndef NANOSSH_LWIP_H
#define NANOSSH_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "lwip/ip_addr.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tcp_pcb;
struct pbuf;
typedef struct nssh_lwip_server nssh_lwip_server;
typedef struct nssh_lwip_conn nssh_lwip_conn;

/* What the application provides. app is nssh_lwip_server.app. */
typedef struct nssh_lwip_hooks {
    /* A TCP connection was accepted into slot lc: start the engine in
     * lc->mem (lc->mem_len bytes, aligned to 16) with nssh_conn_init()
     * and this connection's configuration, which MUST stay valid until
     * close. Return the engine, or NULL to refuse the connection (it is
     * aborted). REQUIRED. */
    nssh_conn *(*open)(void *app, nssh_lwip_conn *lc, uint64_t now_ms);
    /* After the engine took input, output went out, or the timer ran:
     * the place for the application's own progress (output it held back
     * until a channel window opened, timers). May be NULL. */
    void (*pump)(void *app, nssh_lwip_conn *lc, uint64_t now_ms);
    /* The connection is over: release the engine (nssh_conn_release)
     * and whatever open set up; the adapter then wipes lc->mem. Called
     * once for every successful open. NULL: the adapter releases the
     * engine itself. */
    void (*close)(void *app, nssh_lwip_conn *lc);
    /* The adapter's own events (accepted, refused, reset), one sentence
     * each, NSSH_LOG_* levels. May be NULL. */
    void (*log)(void *app, int level, const char *text);
} nssh_lwip_hooks;

/*
 * One connection slot. The caller allocates the array (static on a
 * microcontroller) and gives each slot its engine memory with
 * nssh_lwip_conn_setup(); the fields are the adapter's, except app_user.
 */
struct nssh_lwip_conn {
    nssh_lwip_server *srv;
    void *mem;                 /* engine memory, aligned to 16 */
    size_t mem_len;
    nssh_conn *c;              /* NULL while the slot is free */
    struct tcp_pcb *pcb;       /* NULL once lwIP freed or we closed it */
    struct pbuf *held;         /* received, not yet taken by the engine */
    uint8_t peer_eof;          /* FIN received */
    uint8_t eof_fed;           /* the engine was told */
    uint8_t busy;              /* inside pump: defer re-entry */
    uint8_t again;             /* an event arrived while busy */
    uint8_t dead;              /* 1: lwIP freed the pcb (tcp_err) while
                                  busy; 2: the pcb must be aborted */
    uint8_t drain_polls;       /* polls since the engine closed */
    void *app_user;            /* free for the application */
    char peer[64];             /* "address port N" for log lines: 46 + 11 */
};

struct nssh_lwip_server {
    const nssh_lwip_hooks *hooks;
    void *app;
    nssh_lwip_conn *conns;
    size_t n_conns;
    struct tcp_pcb *listen_pcb;
    uint32_t last_now;         /* sys_now() of the last reading */
    uint64_t now_ms;           /* ms since start, past sys_now()'s wrap */
};

/* Give a slot its engine memory (nssh_conn_mem_size() bytes, aligned to
 * 16). Call once per slot before nssh_lwip_server_start. */
void nssh_lwip_conn_setup(nssh_lwip_conn *lc, void *mem, size_t mem_len);

/* Listen on addr:port (IP_ANY_TYPE for every address) and serve up to
 * n_conns connections at once; more are refused with a RST. The server
 * struct's hooks, app, conns and n_conns MUST be set; the rest is set
 * here. Returns 0 or a negative NSSH_ERR_*. */
int nssh_lwip_server_start(nssh_lwip_server *s, const ip_addr_t *addr,
                           uint16_t port);

/* Stop listening and end every connection: each gets a DISCONNECT
 * (reason "by application") when its output has room, then the pcb is
 * aborted and the engine released. */
void nssh_lwip_server_stop(nssh_lwip_server *s);

/* The application has output to write outside of a hook (for example a
 * job finished): run the pump for this connection now. Core context. */
void nssh_lwip_conn_kick(nssh_lwip_conn *lc);

/* The engine of a slot (NULL when the slot is free). */
static inline nssh_conn *nssh_lwip_conn_engine(const nssh_lwip_conn *lc)
{
    return lc->c;
}

/* Milliseconds since nssh_lwip_server_start, from sys_now() (64 bits
 * wide: no wrap). The engines' clock. */
uint64_t nssh_lwip_now(nssh_lwip_server *s);

#ifdef __cplusplus
}
#endif
#endif
