/*
 * One connection on lwIP's raw TCP API: bytes between a tcp_pcb and the
 * engine.
 *
 * Every event (data, ACK, poll) runs the pump:
 *   feed   held pbufs to the engine, tcp_recved() for what it took;
 *   hook   the application writes what it held back;
 *   flush  engine output to tcp_write(), at most tcp_sndbuf() at a time;
 * repeated while bytes move, then "settle" closes the pcb once the engine
 * is closed and its output is with lwIP.
 *
 * A raw API callback that aborted its pcb MUST return ERR_ABRT (lwIP then
 * never touches the pcb again); pump() says when that happened.
 */
#include <stdio.h>
#include <string.h>

#include "lwip_int.h"
#include "lwip/sys.h"

/* The engine is closed but lwIP has not taken its last bytes (the peer
 * does not read): give up after this many polls. */
#define DRAIN_POLLS_MAX 20

enum { PUMP_OK = 0, PUMP_ABORTED = 1 };

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

static void detach_pcb(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

/* Acknowledge bytes we will never hand to the engine: tcp_close() on a pcb
 * with unread data sends a RST, which would also discard the DISCONNECT
 * still queued behind it. */
static void drop_held(nssh_lwip_conn *lc)
{
    struct pbuf *q;
    if (!lc->held)
        return;
    if (lc->pcb)
        for (q = lc->held; q; q = q->next)
            tcp_recved(lc->pcb, q->len);
    pbuf_free(lc->held);
    lc->held = NULL;
}

static void release(nssh_lwip_conn *lc)
{
    nssh_lwip_server *s = lc->srv;
    drop_held(lc);
    if (lc->c) {
        if (s->hooks->close)
            s->hooks->close(s->app, lc);    /* releases the engine */
        else
            nssh_conn_release(lc->c);
    }
    wipe(lc->mem, lc->mem_len);
    lc->c = NULL;
    lc->pcb = NULL;
    lc->peer_eof = lc->eof_fed = lc->busy = lc->again = lc->dead = 0;
    lc->drain_polls = 0;
    lc->app_user = NULL;
}

void nlw_conn_abort(nssh_lwip_conn *lc)
{
    struct tcp_pcb *pcb = lc->pcb;
    if (pcb) {
        lc->pcb = NULL;
        detach_pcb(pcb);
        tcp_abort(pcb);
    }
    release(lc);
}

/* Held pbufs to the engine, one pbuf at a time (a chain's 16-bit tot_len
 * is not trusted across pbuf_cat). The engine takes every byte it is
 * handed (nssh_conn_recvd), so those and only those are acknowledged. */
static int feed(nssh_lwip_conn *lc)
{
    int moved = 0;
    while (lc->held && lc->pcb) {
        size_t room;
        uint8_t *dst = nssh_conn_recvbuf(lc->c, &room);
        u16_t n = lc->held->len;
        if (!n) {                     /* an empty pbuf: drop it alone */
            struct pbuf *rest = lc->held->next;
            if (rest)
                pbuf_ref(rest);
            pbuf_free(lc->held);
            lc->held = rest;
            continue;
        }
        if (!dst || !room)
            break;
        if (room < n)
            n = (u16_t)room;
        memcpy(dst, lc->held->payload, n);
        nssh_conn_recvd(lc->c, n);    /* errors stick to the engine */
        tcp_recved(lc->pcb, n);
        /* drops the pbufs it empties, advances the first one otherwise */
        lc->held = pbuf_free_header(lc->held, n);
        moved = 1;
    }
    if (!lc->held && lc->peer_eof && !lc->eof_fed) {
        lc->eof_fed = 1;
        nssh_conn_recvd(lc->c, 0);
        moved = 1;
    }
    return moved;
}

/* Engine output to lwIP. COPY: the engine reuses its buffer as soon as
 * nssh_conn_sent() returns, while lwIP keeps segments until they are
 * acknowledged. */
static int flush(nssh_lwip_conn *lc)
{
    int wrote = 0;
    while (lc->pcb && !lc->dead) {
        size_t len, n;
        const uint8_t *p = nssh_conn_sendbuf(lc->c, &len);
        u8_t flags = TCP_WRITE_FLAG_COPY;
        err_t e;
        if (!p || !len)
            break;
        n = tcp_sndbuf(lc->pcb);
        if (!n)
            break;    /* tcp_sent() continues */
        /* Sender-side silly window avoidance (RFC 1122 4.2.3.4): with
         * Nagle off, room freed by each ACK would otherwise go out as a
         * run of small segments during a bulk transfer, whose per-packet
         * cost can overflow a receiver's buffer before its window does.
         * Room below one MSS means data is in flight: tcp_sent() comes. */
        if (n < len && n < tcp_mss(lc->pcb))
            break;
        if (n > len)
            n = len;
        if (n > 0xFFFFu)
            n = 0xFFFFu;
        if (n < len)
            flags |= TCP_WRITE_FLAG_MORE;
        e = tcp_write(lc->pcb, p, (u16_t)n, flags);
        if (e == ERR_MEM)
            break;    /* segment queue or pbufs exhausted: tcp_sent/poll */
        if (e != ERR_OK) {
            nlw_log(lc->srv, NSSH_LOG_INFO, "Connection from %s: write "
                     "failed (lwIP error %d)", lc->peer, (int)e);
            lc->dead = 2;
            break;
        }
        nssh_conn_sent(lc->c, n);
        wrote = 1;
    }
    if (wrote)
        tcp_output(lc->pcb);
    return wrote;
}

static int settle(nssh_lwip_conn *lc)
{
    struct tcp_pcb *pcb = lc->pcb;
    size_t pending = 0;
    if (lc->dead == 1) {          /* tcp_err: lwIP freed the pcb */
        lc->pcb = NULL;
        release(lc);
        return PUMP_OK;
    }
    if (lc->dead == 2) {
        nlw_conn_abort(lc);
        return PUMP_ABORTED;
    }
    if (!(nssh_conn_state(lc->c) & NSSH_CLOSED))
        return PUMP_OK;
    nssh_conn_sendbuf(lc->c, &pending);
    if (pending && lc->drain_polls <= DRAIN_POLLS_MAX)
        return PUMP_OK;           /* the DISCONNECT is still on its way */
    drop_held(lc);
    lc->pcb = NULL;
    detach_pcb(pcb);
    release(lc);
    if (pending || tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return PUMP_ABORTED;
    }
    return PUMP_OK;
}

static int pump(nssh_lwip_conn *lc)
{
    nssh_lwip_server *s = lc->srv;
    int fed, wrote, fed_any = 0, wrote_any = 0;
    if (lc->busy) {               /* a hook kicked us: one more round */
        lc->again = 1;
        return PUMP_OK;
    }
    lc->busy = 1;
    do {
        lc->again = 0;
        do {
            fed = feed(lc);
            if (s->hooks->pump && !lc->dead)
                s->hooks->pump(s->app, lc, nssh_lwip_now(s));
            wrote = flush(lc);
            fed_any |= fed;
            wrote_any |= wrote;
        } while ((fed || wrote) && !lc->dead);
    } while (lc->again && !lc->dead);
    lc->busy = 0;
    /* Input that produced no answer (NEWKEYS, a key press without echo):
     * acknowledge it now rather than after lwIP's delayed-ACK timer, or a
     * client whose Nagle holds its next packet until that ACK (OpenSSH
     * before a pty, and during the key exchange) waits up to 250 ms. */
    if (fed_any && !wrote_any && lc->pcb && !lc->dead) {
        tcp_set_flags(lc->pcb, TF_ACK_NOW);
        tcp_output(lc->pcb);
    }
    return settle(lc);
}

void nssh_lwip_conn_kick(nssh_lwip_conn *lc)
{
    if (lc->c)
        pump(lc);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                     err_t err)
{
    nssh_lwip_conn *lc = arg;
    if (!lc || !lc->c) {          /* cannot happen: detached before free */
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (!p)
        lc->peer_eof = 1;
    else if (!lc->held)
        lc->held = p;
    else
        pbuf_cat(lc->held, p);
    (void)err;                    /* always ERR_OK in lwIP 2.x */
    return pump(lc) == PUMP_ABORTED ? ERR_ABRT : ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    nssh_lwip_conn *lc = arg;
    (void)pcb;
    (void)len;
    if (!lc || !lc->c)
        return ERR_OK;
    return pump(lc) == PUMP_ABORTED ? ERR_ABRT : ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
    nssh_lwip_conn *lc = arg;
    (void)pcb;
    if (!lc || !lc->c)
        return ERR_OK;
    nssh_conn_tick(lc->c, nssh_lwip_now(lc->srv));
    if ((nssh_conn_state(lc->c) & NSSH_CLOSED) &&
        lc->drain_polls <= DRAIN_POLLS_MAX)
        lc->drain_polls++;
    return pump(lc) == PUMP_ABORTED ? ERR_ABRT : ERR_OK;
}

static const char *tcp_err_text(err_t err)
{
    switch (err) {
    case ERR_RST: return "connection reset by peer";
    case ERR_ABRT: return "connection aborted";
    case ERR_CLSD: return "connection closed";
    case ERR_TIMEOUT: return "connection timed out";
    default: return "connection failed";
    }
}

/* The pcb is already freed when this runs (lwIP's rule): forget it, let
 * the engine see the end of its transport, release the slot. */
static void on_err(void *arg, err_t err)
{
    nssh_lwip_conn *lc = arg;
    if (!lc || !lc->c)
        return;
    lc->pcb = NULL;
    nlw_log(lc->srv, NSSH_LOG_INFO, "Connection from %s: %s", lc->peer,
             tcp_err_text(err));
    if (!lc->eof_fed) {
        lc->eof_fed = 1;
        nssh_conn_recvd(lc->c, 0);
    }
    if (lc->busy) {
        lc->dead = 1;
        return;
    }
    release(lc);
}

err_t nlw_conn_attach(nssh_lwip_conn *lc, struct tcp_pcb *newpcb)
{
    nssh_lwip_server *s = lc->srv;
    char ip[IPADDR_STRLEN_MAX];
    lc->pcb = newpcb;
    lc->held = NULL;
    lc->app_user = NULL;
    if (!ipaddr_ntoa_r(&newpcb->remote_ip, ip, sizeof(ip)))
        strcpy(ip, "?");
    snprintf(lc->peer, sizeof(lc->peer), "%s port %u", ip,
             (unsigned)newpcb->remote_port);
    lc->c = s->hooks->open(s->app, lc, nssh_lwip_now(s));
    if (!lc->c) {
        nlw_log(s, NSSH_LOG_INFO, "Connection from %s refused: the "
                 "application did not start a session", lc->peer);
        nlw_conn_abort(lc);
        return ERR_ABRT;
    }
    tcp_arg(newpcb, lc);
    tcp_recv(newpcb, on_recv);
    tcp_sent(newpcb, on_sent);
    tcp_err(newpcb, on_err);
    tcp_poll(newpcb, on_poll, NLW_POLL_TICKS);
    tcp_nagle_disable(newpcb);    /* keystrokes and prompts go out at once */
    nlw_log(s, NSSH_LOG_VERBOSE, "Connection from %s", lc->peer);
    return pump(lc) == PUMP_ABORTED ? ERR_ABRT : ERR_OK;
}
