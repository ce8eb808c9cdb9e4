/*
 * Global requests (RFC 4254 section 4). keepalive@openssh.com and anything
 * the application does not take get REQUEST_FAILURE when a reply is
 * wanted: OpenSSH counts any answer as a sign of life.
 */
#include <string.h>

#include "internal.h"

#define KEEPALIVE "keepalive@openssh.com"

static int on_request(nssh_conn *c, rd *r)
{
    nssh_str name;
    int want_reply, ok = 0;
    wr w;
    int e;
    if (rd_str(r, &name) < 0 || rd_bool(r, &want_reply) < 0)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR,
                         "connection", "SSH_MSG_GLOBAL_REQUEST", "request name",
                         "malformed request name or want reply");
    if (c->role == NSSH_ROLE_SERVER && hostkeys_is_prove(name))
        return hostkeys_prove(c, r, want_reply);
    if (!(name.n == strlen(KEEPALIVE) && memcmp(name.p, KEEPALIVE, name.n) == 0) &&
        c->cb->global_request)
        ok = c->cb->global_request(c->cfg->user, name, r->p + r->pos,
                                   rd_left(r), want_reply) == 0;
    conn_log(c, NSSH_LOG_DEBUG, "connection", "SSH_MSG_GLOBAL_REQUEST", NULL,
             "global request \"%.*s\"%s: %s", (int)(name.n > 64 ? 64 : name.n),
             name.p, want_reply ? " (reply wanted)" : "",
             ok ? "accepted" : "refused");
    if (!want_reply)
        return 0;
    /* Section 4: a SUCCESS may carry request-specific data; none of the
     * requests answered here has any. */
    if ((e = pkt_begin(c, &w, ok ? MSG_REQUEST_SUCCESS : MSG_REQUEST_FAILURE)) < 0)
        return e;
    return pkt_end(c, &w);
}

int global_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    if (msg == MSG_GLOBAL_REQUEST)
        return on_request(c, r);
    /* We send no global requests that want a reply; a stray answer is
     * harmless. */
    conn_log(c, NSSH_LOG_DEBUG, "connection", msg_name(msg), NULL,
             "ignoring %s", msg_name(msg));
    return 0;
}
