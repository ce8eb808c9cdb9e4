/*
 * Global requests (RFC 4254 section 4). keepalive@openssh.com and anything
 * the application does not take get REQUEST_FAILURE when a reply is
 * wanted: OpenSSH counts any answer as a sign of life.
 */
#include <string.h>

#include "internal.h"

#define KEEPALIVE "keepalive@openssh.com"

/* Response-specific data an application may put in REQUEST_SUCCESS; the
 * requests of RFC 4254 need 4 bytes (section 7.1). */
#define REPLY_MAX 64u

/* The application's verdict: 1 success, 0 failure; *reply_len bytes of
 * reply data written to reply. */
static int ask_app(nssh_conn *c, nssh_str name, rd *r, int want_reply,
                   uint8_t *reply, size_t *reply_len)
{
    const nssh_callbacks *cb = c->cb;
    const uint8_t *data = r->p + r->pos;
    size_t len = rd_left(r);
    int v;
    *reply_len = 0;
    if (!cb->global_request)
        return 0;
    v = cb->global_request(c->cfg->user, name, data, len, want_reply, reply,
                           REPLY_MAX, reply_len);
    if (v != NSSH_CB_ACCEPT || *reply_len > REPLY_MAX)
        *reply_len = 0;
    return v == NSSH_CB_ACCEPT;
}

static int on_request(nssh_conn *c, rd *r)
{
    nssh_str name;
    int want_reply, ok = 0;
    uint8_t reply[REPLY_MAX];
    size_t reply_len = 0;
    wr w;
    int e;
    if (rd_str(r, &name) < 0 || rd_bool(r, &want_reply) < 0)
        return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR,
                         "connection", "SSH_MSG_GLOBAL_REQUEST", "request name",
                         "malformed request name or want reply");
    if (c->role == NSSH_ROLE_SERVER && hostkeys_is_prove(name))
        return hostkeys_prove(c, r, want_reply);
    if (!(name.n == strlen(KEEPALIVE) && memcmp(name.p, KEEPALIVE, name.n) == 0))
        ok = ask_app(c, name, r, want_reply, reply, &reply_len);
    conn_log(c, NSSH_LOG_DEBUG, "connection", "SSH_MSG_GLOBAL_REQUEST", NULL,
             "global request \"%.*s\"%s: %s", (int)(name.n > 64 ? 64 : name.n),
             name.p, want_reply ? " (reply wanted)" : "",
             ok ? "accepted" : "refused");
    if (!want_reply)
        return 0;
    /* Section 4: a SUCCESS may carry response-specific data (the port
     * bound for a tcpip-forward of port 0, section 7.1). */
    if ((e = pkt_begin(c, &w, ok ? MSG_REQUEST_SUCCESS : MSG_REQUEST_FAILURE)) < 0)
        return e;
    if (ok && reply_len)
        wr_bytes(&w, reply, reply_len);
    return pkt_end(c, &w);
}

int global_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    if (msg == MSG_GLOBAL_REQUEST)
        return on_request(c, r);
    if (c->global_pending) {
        /* Section 4: answers come in the order of the requests. */
        c->global_pending--;
        conn_log(c, NSSH_LOG_DEBUG, "connection", msg_name(msg), NULL,
                 "answer to our global request: %s", msg_name(msg));
        if (c->cb->global_answer)
            c->cb->global_answer(c->cfg->user, msg == MSG_REQUEST_SUCCESS,
                                 r->p + r->pos, rd_left(r));
        return 0;
    }
    /* An answer to nothing we asked: harmless. */
    conn_log(c, NSSH_LOG_DEBUG, "connection", msg_name(msg), NULL,
             "ignoring %s", msg_name(msg));
    return 0;
}

int nssh_conn_global_request(nssh_conn *c, const char *name,
                             const uint8_t *data, size_t len, int want_reply)
{
    wr w;
    int e;
    if (c->err)
        return c->err;
    if (c->closing)
        return NSSH_ERR_CLOSED;
    if (!c->kx.count || (c->role == NSSH_ROLE_SERVER && !c->au.done))
        return NSSH_ERR_STATE;
    if ((e = pkt_begin(c, &w, MSG_GLOBAL_REQUEST)) < 0)
        return e;
    wr_cstring(&w, name);
    wr_bool(&w, want_reply);
    if (len)
        wr_bytes(&w, data, len);
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    if (want_reply)
        c->global_pending++;
    return 0;
}
