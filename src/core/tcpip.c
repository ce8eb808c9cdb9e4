/*
 * The fields of TCP/IP port forwarding (RFC 4254 section 7), for the
 * application: the data of "tcpip-forward" and "cancel-tcpip-forward"
 * requests (section 7.1: address, port) and of "direct-tcpip" and
 * "forwarded-tcpip" channel opens (section 7.2: address, port, originator
 * address, originator port).
 */
#include "internal.h"

int nssh_tcpip_parse(const uint8_t *data, size_t len, int with_originator,
                     nssh_tcpip *t)
{
    rd r;
    rd_init(&r, data, len);
    t->orig_host.p = "";
    t->orig_host.n = 0;
    t->orig_port = 0;
    if (rd_str(&r, &t->host) < 0 || rd_u32(&r, &t->port) < 0)
        return NSSH_ERR_FORMAT;
    if (with_originator &&
        (rd_str(&r, &t->orig_host) < 0 || rd_u32(&r, &t->orig_port) < 0))
        return NSSH_ERR_FORMAT;
    if (rd_end(&r) < 0 || t->port > 65535u || t->orig_port > 65535u)
        return NSSH_ERR_FORMAT;
    return 0;
}

long nssh_tcpip_build(uint8_t *out, size_t cap, const nssh_tcpip *t,
                      int with_originator)
{
    wr w;
    wr_init(&w, out, cap);
    wr_string(&w, t->host.p, t->host.n);
    wr_u32(&w, t->port);
    if (with_originator) {
        wr_string(&w, t->orig_host.p, t->orig_host.n);
        wr_u32(&w, t->orig_port);
    }
    return w.err ? w.err : (long)w.len;
}
