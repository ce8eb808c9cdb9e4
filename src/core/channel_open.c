/*
 * Opening channels (RFC 4254 section 5.1), both directions and both roles:
 * the peer's CHANNEL_OPEN, answered at once or later by the application
 * (a forwarded TCP connection is confirmed only once it is connected), and
 * our own CHANNEL_OPEN with the peer's confirmation or refusal.
 */
#include <string.h>

#include "internal.h"

#define STAGE "connection"

static int bad(nssh_conn *c, uint8_t msg, const char *field)
{
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                     msg_name(msg), field, "malformed %s", field);
}

/* Section 5.1 reason codes. */
static const char *open_reason(uint32_t reason)
{
    switch (reason) {
    case NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED: return "administratively prohibited";
    case NSSH_OPEN_CONNECT_FAILED: return "connect failed";
    case NSSH_OPEN_UNKNOWN_CHANNEL_TYPE: return "unknown channel type";
    case NSSH_OPEN_RESOURCE_SHORTAGE: return "resource shortage";
    default: return "refused";
    }
}

static int send_open_failure(nssh_conn *c, uint32_t sender, uint32_t reason,
                             const char *desc)
{
    wr w;
    int e;
    if ((e = pkt_begin(c, &w, MSG_CHANNEL_OPEN_FAILURE)) < 0)
        return e;
    wr_u32(&w, sender);
    wr_u32(&w, reason);
    wr_cstring(&w, desc ? desc : open_reason(reason));
    wr_cstring(&w, "");   /* language tag */
    return pkt_end(c, &w);
}

static int send_open_confirmation(nssh_conn *c, uint32_t id)
{
    const chan *h = &c->ch[id];
    wr w;
    int e;
    if ((e = pkt_begin(c, &w, MSG_CHANNEL_OPEN_CONFIRMATION)) < 0)
        return e;
    wr_u32(&w, h->remote_id);
    wr_u32(&w, id);
    wr_u32(&w, NSSH_CHANNEL_WINDOW);
    wr_u32(&w, NSSH_CHANNEL_MAXPKT);
    return pkt_end(c, &w);
}

/* What the application says to a channel the peer opens: 0 (open now),
 * OPEN_LATER, or a reason code. */
static uint32_t open_verdict(nssh_conn *c, uint32_t id, nssh_str type, rd *r)
{
    int v;
    int session = type.n == 7 && memcmp(type.p, "session", 7) == 0;
    /* A client accepts no channels from the server (forwardings are not
     * requested by this engine). */
    if (c->role != NSSH_ROLE_SERVER)
        return NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
    if (!c->cb->channel_open)
        return session ? NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED
                       : NSSH_OPEN_UNKNOWN_CHANNEL_TYPE;
    v = c->cb->channel_open(c->cfg->user, id, type, r->p + r->pos, rd_left(r));
    if (v == NSSH_CB_ACCEPT)
        return 0;
    if (v == NSSH_CB_LATER)
        return OPEN_LATER;
    /* NSSH_CB_REFUSE_REASON(1..4); anything else, zero included, is the
     * default refusal. */
    return v >= -4 && v <= -1 ? (uint32_t)-v : NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
}

static int on_open(nssh_conn *c, rd *r)
{
    nssh_str type;
    uint32_t sender, window, maxpkt, reason;
    int id = chan_alloc(c);
    chan *h;
    if (rd_str(r, &type) < 0)
        return bad(c, MSG_CHANNEL_OPEN, "channel type");
    if (rd_u32(r, &sender) < 0 || rd_u32(r, &window) < 0 || rd_u32(r, &maxpkt) < 0)
        return bad(c, MSG_CHANNEL_OPEN, "sender channel / window / maximum packet size");
    if (id >= 0) {
        /* Held while the application decides, so that an answer given
         * from inside the callback finds the channel. */
        h = &c->ch[id];
        memset(h, 0, sizeof(*h));
        h->remote_id = sender;
        h->remote_window = window;
        h->remote_maxpkt = maxpkt;
        h->local_window = NSSH_CHANNEL_WINDOW;
        h->state = CH_PENDING;
        reason = open_verdict(c, (uint32_t)id, type, r);
        if (h->state != CH_PENDING)
            return 0;   /* answered from inside the callback */
    } else {
        reason = NSSH_OPEN_RESOURCE_SHORTAGE;
    }
    conn_log(c, NSSH_LOG_VERBOSE, STAGE, "SSH_MSG_CHANNEL_OPEN", NULL,
             "peer channel %u opens \"%.*s\": %s", (unsigned)sender,
             (int)(type.n > 64 ? 64 : type.n), type.p,
             reason == OPEN_LATER ? "answer pending" :
             reason ? open_reason(reason) : "accepted");
    if (reason == OPEN_LATER)
        return 0;
    if (reason) {
        if (id >= 0)
            memset(&c->ch[id], 0, sizeof(c->ch[id]));
        return send_open_failure(c, sender, reason, NULL);
    }
    c->ch[id].state = CH_OPEN;
    return send_open_confirmation(c, (uint32_t)id);
}

int nssh_channel_open_confirm(nssh_conn *c, uint32_t ch)
{
    if (c->err)
        return c->err;
    if (!chan_find(c, ch, CH_PENDING))
        return NSSH_ERR_CHANNEL;
    c->ch[ch].state = CH_OPEN;
    return send_open_confirmation(c, ch);
}

int nssh_channel_open_refuse(nssh_conn *c, uint32_t ch, uint32_t reason,
                             const char *desc)
{
    uint32_t sender;
    if (c->err)
        return c->err;
    if (!chan_find(c, ch, CH_PENDING))
        return NSSH_ERR_CHANNEL;
    if (reason < 1 || reason > 4)
        reason = NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
    sender = c->ch[ch].remote_id;
    memset(&c->ch[ch], 0, sizeof(c->ch[ch]));
    conn_log(c, NSSH_LOG_VERBOSE, STAGE, "SSH_MSG_CHANNEL_OPEN_FAILURE", NULL,
             "peer channel %u refused: %s%s%s", (unsigned)sender,
             open_reason(reason), desc ? ": " : "", desc ? desc : "");
    return send_open_failure(c, sender, reason, desc);
}

/* Our CHANNEL_OPEN: the type, our number, window and maximum packet, then
 * the type-specific data (section 5.1). */
long chan_open_send(nssh_conn *c, const char *type, const uint8_t *extra,
                    size_t extra_len)
{
    int id, e;
    chan *h;
    wr w;
    if (c->err)
        return c->err;
    if (!c->au.done || !type || (extra_len && !extra))
        return NSSH_ERR_STATE;
    if ((id = chan_alloc(c)) < 0)
        return id;
    if ((e = pkt_begin(c, &w, MSG_CHANNEL_OPEN)) < 0)
        return e;
    wr_cstring(&w, type);
    wr_u32(&w, (uint32_t)id);
    wr_u32(&w, NSSH_CHANNEL_WINDOW);
    wr_u32(&w, NSSH_CHANNEL_MAXPKT);
    if (extra_len)
        wr_bytes(&w, extra, extra_len);
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    h = &c->ch[id];
    memset(h, 0, sizeof(*h));
    h->state = CH_OPENING;
    h->local_window = NSSH_CHANNEL_WINDOW;
    return id;
}

long nssh_channel_open(nssh_conn *c, const char *type, const uint8_t *extra,
                       size_t extra_len)
{
    long id = chan_open_send(c, type, extra, extra_len);
    if (id >= 0)
        conn_log(c, NSSH_LOG_DEBUG, STAGE, "SSH_MSG_CHANNEL_OPEN", NULL,
                 "opening channel %u of type \"%s\"", (unsigned)id, type);
    return id;
}

static void tell_open_reply(nssh_conn *c, uint32_t id, int ok, uint32_t reason,
                            nssh_str desc)
{
    if (c->cb->channel_open_reply)
        c->cb->channel_open_reply(c->cfg->user, id, ok, reason, desc);
}

/* The answer to our CHANNEL_OPEN. */
static int on_open_reply(nssh_conn *c, uint8_t msg, rd *r)
{
    uint32_t id, reason = 0;
    chan *h;
    nssh_str desc = { "", 0 };
    if (rd_u32(r, &id) < 0)
        return bad(c, msg, "recipient channel");
    if (!(h = chan_find(c, id, CH_OPENING)))
        return conn_fail(c, NSSH_ERR_CHANNEL, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         msg_name(msg), "recipient channel",
                         "%s for channel %u, which we did not open",
                         msg_name(msg), (unsigned)id);
    if (msg == MSG_CHANNEL_OPEN_CONFIRMATION) {
        /* Channel-type specific data may follow; the types opened here
         * have none. */
        if (rd_u32(r, &h->remote_id) < 0 || rd_u32(r, &h->remote_window) < 0 ||
            rd_u32(r, &h->remote_maxpkt) < 0)
            return bad(c, msg, "sender channel / window / maximum packet size");
        h->state = CH_OPEN;
        conn_log(c, NSSH_LOG_DEBUG, STAGE, msg_name(msg), NULL,
                 "channel %u open: window %u, maximum packet %u", (unsigned)id,
                 (unsigned)h->remote_window, (unsigned)h->remote_maxpkt);
    } else {
        if (rd_u32(r, &reason) < 0 || rd_str(r, &desc) < 0)
            return bad(c, msg, "reason code / description");
        conn_log(c, NSSH_LOG_INFO, STAGE, msg_name(msg), NULL,
                 "channel %u refused: %s (%u) %.*s", (unsigned)id,
                 open_reason(reason), (unsigned)reason,
                 (int)(desc.n > 256 ? 256 : desc.n), desc.p);
        memset(h, 0, sizeof(*h));
    }
    tell_open_reply(c, id, msg == MSG_CHANNEL_OPEN_CONFIRMATION, reason, desc);
    return 0;
}

int chan_open_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    if (msg == MSG_CHANNEL_OPEN)
        return on_open(c, r);
    return on_open_reply(c, msg, r);
}
