/*
 * The listener: a listening tcp_pcb whose accept callback gives each new
 * connection a free slot, the adapter's clock, and stopping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lwip_int.h"
#include "lwip/sys.h"

void nlw_log(nssh_lwip_server *s, int level, const char *fmt, ...)
{
    char text[160];
    va_list ap;
    if (!s->hooks->log)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    s->hooks->log(s->app, level, text);
}

/* sys_now() is 32 bits of milliseconds and wraps after 49 days; the
 * engine's timers want a clock that does not. */
uint64_t nssh_lwip_now(nssh_lwip_server *s)
{
    uint32_t t = sys_now();
    s->now_ms += (uint32_t)(t - s->last_now);
    s->last_now = t;
    return s->now_ms;
}

void nssh_lwip_conn_setup(nssh_lwip_conn *lc, void *mem, size_t mem_len)
{
    memset(lc, 0, sizeof(*lc));
    lc->mem = mem;
    lc->mem_len = mem_len;
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    nssh_lwip_server *s = arg;
    size_t i;
    if (err != ERR_OK || !newpcb || !s)
        return ERR_VAL;
    for (i = 0; i < s->n_conns; i++)
        if (!s->conns[i].c && !s->conns[i].busy)
            return nlw_conn_attach(&s->conns[i], newpcb);
    {
        char ip[IPADDR_STRLEN_MAX];
        if (!ipaddr_ntoa_r(&newpcb->remote_ip, ip, sizeof(ip)))
            strcpy(ip, "?");
        nlw_log(s, NSSH_LOG_INFO, "Refused connection from %s port %u: "
                 "all %u connection slots are busy", ip,
                 (unsigned)newpcb->remote_port, (unsigned)s->n_conns);
    }
    tcp_abort(newpcb);
    return ERR_ABRT;
}

int nssh_lwip_server_start(nssh_lwip_server *s, const ip_addr_t *addr,
                           uint16_t port)
{
    struct tcp_pcb *pcb, *lpcb;
    size_t i;
    if (!s->hooks || !s->hooks->open || !s->conns ||
        !s->n_conns || !addr)
        return NSSH_ERR_STATE;
    s->listen_pcb = NULL;
    s->last_now = sys_now();
    s->now_ms = 0;
    for (i = 0; i < s->n_conns; i++) {
        nssh_lwip_conn *lc = &s->conns[i];
        if (!lc->mem || lc->mem_len < nssh_conn_mem_size() ||
            ((uintptr_t)lc->mem & 15u))
            return NSSH_ERR_NOSPACE;
        lc->srv = s;
    }
    pcb = tcp_new_ip_type(IP_GET_TYPE(addr));
    if (!pcb)
        return NSSH_ERR_NOSPACE;
    if (tcp_bind(pcb, addr, port) != ERR_OK) {
        nlw_log(s, NSSH_LOG_ERROR, "cannot bind port %u", (unsigned)port);
        tcp_close(pcb);
        return NSSH_ERR_STATE;
    }
    lpcb = tcp_listen(pcb);   /* frees pcb on success only */
    if (!lpcb) {
        tcp_close(pcb);
        return NSSH_ERR_NOSPACE;
    }
    tcp_arg(lpcb, s);
    tcp_accept(lpcb, on_accept);
    s->listen_pcb = lpcb;
    return 0;
}

void nssh_lwip_server_stop(nssh_lwip_server *s)
{
    size_t i;
    if (s->listen_pcb) {
        tcp_arg(s->listen_pcb, NULL);
        tcp_accept(s->listen_pcb, NULL);
        tcp_close(s->listen_pcb);   /* a listening pcb closes at once */
        s->listen_pcb = NULL;
    }
    for (i = 0; i < s->n_conns; i++) {
        nssh_lwip_conn *lc = &s->conns[i];
        if (!lc->c)
            continue;
        nssh_conn_disconnect(lc->c, NSSH_DISC_BY_APPLICATION,
                             "server shutting down");
        nssh_lwip_conn_kick(lc);    /* DISCONNECT to lwIP, close if done */
        if (lc->c)
            nlw_conn_abort(lc);
    }
}
