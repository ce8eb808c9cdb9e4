/*
 * Channels (RFC 4254 section 5), both roles: window adjust, data, EOF and
 * close as received from the peer. Opening is in channel_open.c, requests
 * in channel_req.c, the application's calls in channel_api.c.
 *
 * Local channel numbers are indexes into c->ch[]. A slot is freed when
 * CLOSE has been both sent and received (section 5.3).
 */
#include <string.h>

#include "internal.h"

#define STAGE "connection"

static int bad(nssh_conn *c, uint8_t msg, const char *field)
{
    return conn_fail(c, NSSH_ERR_FORMAT, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                     msg_name(msg), field, "malformed %s", field);
}

chan *chan_find(nssh_conn *c, uint32_t id, int state)
{
    if (id >= c->ch_top || c->ch[id].state != state)
        return NULL;
    return &c->ch[id];
}

/* Slots from ch_top on have never been used and are not even cleared:
 * a connection touches the memory of the channels it opened, not of all
 * NSSH_MAX_CHANNELS (a host's connection memory stays mostly untouched
 * pages). */
int chan_alloc(nssh_conn *c)
{
    uint32_t id;
    for (id = 0; id < c->ch_top; id++)
        if (c->ch[id].state == CH_FREE)
            return (int)id;
    if (c->ch_top >= NSSH_MAX_CHANNELS)
        return NSSH_ERR_NOSPACE;
    memset(&c->ch[id], 0, sizeof(c->ch[id]));
    return (int)c->ch_top++;
}

int chan_api_check(const nssh_conn *c, uint32_t id)
{
    if (c->err)
        return c->err;
    if (id >= c->ch_top || c->ch[id].state != CH_OPEN)
        return NSSH_ERR_CHANNEL;
    return c->ch[id].sent_close ? NSSH_ERR_STATE : 0;
}

int chan_recipient(nssh_conn *c, uint8_t msg, rd *r, uint32_t *id)
{
    chan *h;
    if (rd_u32(r, id) < 0)
        return bad(c, msg, "recipient channel");
    h = chan_find(c, *id, CH_OPEN);
    if (!h)
        return conn_fail(c, NSSH_ERR_CHANNEL, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         msg_name(msg), "recipient channel",
                         "%s for channel %u, which is not open",
                         msg_name(msg), (unsigned)*id);
    if (h->recv_close)
        return conn_fail(c, NSSH_ERR_CHANNEL, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         msg_name(msg), "recipient channel",
                         "%s for channel %u after the peer closed it",
                         msg_name(msg), (unsigned)*id);
    return 0;
}

int chan_send(nssh_conn *c, const chan *h, uint8_t msg)
{
    wr w;
    int e;
    if ((e = pkt_begin(c, &w, msg)) < 0)
        return e;
    wr_u32(&w, h->remote_id);
    return pkt_end(c, &w);
}

void chan_maybe_free(nssh_conn *c, uint32_t id)
{
    chan *h = &c->ch[id];
    if (!h->sent_close || !h->recv_close)
        return;
    memset(h, 0, sizeof(*h));
    conn_log(c, NSSH_LOG_DEBUG, STAGE, "SSH_MSG_CHANNEL_CLOSE", NULL,
             "channel %u closed", (unsigned)id);
    /* Freed first, so the application may reuse the number at once. */
    if (c->cb->channel_closed)
        c->cb->channel_closed(c->cfg->user, id);
}

/* RFC 4254 section 5.2: the window may not exceed 2^32 - 1. */
static int on_window_adjust(nssh_conn *c, uint32_t id, rd *r)
{
    chan *h = &c->ch[id];
    uint32_t add;
    if (rd_u32(r, &add) < 0 || rd_end(r) < 0)
        return bad(c, MSG_CHANNEL_WINDOW_ADJUST, "bytes to add");
    if (h->sent_close)
        return 0;
    if (add > 0xffffffffu - h->remote_window)
        return conn_fail(c, NSSH_ERR_CHANNEL, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         "SSH_MSG_CHANNEL_WINDOW_ADJUST", "bytes to add",
                         "channel %u: adding %u bytes to a window of %u "
                         "exceeds 2^32-1", (unsigned)id, (unsigned)add,
                         (unsigned)h->remote_window);
    h->remote_window += add;
    return 0;
}

/* RFC 4254 section 5.2: data within our window and maximum packet. */
static int on_data(nssh_conn *c, uint8_t msg, uint32_t id, rd *r)
{
    chan *h = &c->ch[id];
    uint32_t ext = 0;
    const uint8_t *data;
    size_t len;
    if (msg == MSG_CHANNEL_EXTENDED_DATA && rd_u32(r, &ext) < 0)
        return bad(c, msg, "data type code");
    if (rd_string(r, &data, &len) < 0 || rd_end(r) < 0)
        return bad(c, msg, "data");
    if (h->sent_close || h->recv_eof)
        return 0;   /* we are done with it, or the peer said it was */
    if (len > NSSH_CHANNEL_MAXPKT || len > h->local_window)
        return conn_fail(c, NSSH_ERR_CHANNEL, NSSH_DISC_PROTOCOL_ERROR, STAGE,
                         msg_name(msg), "data",
                         "channel %u: peer sent %zu bytes; window left %u, "
                         "maximum packet %u", (unsigned)id, len,
                         (unsigned)h->local_window, (unsigned)NSSH_CHANNEL_MAXPKT);
    h->local_window -= (uint32_t)len;
    if (len == 0)
        return 0;
    if (!c->cb->channel_data)
        return nssh_channel_consume(c, id, len);   /* nobody reads: discard */
    c->cb->channel_data(c->cfg->user, id, ext, data, len);
    return 0;
}

static int on_eof(nssh_conn *c, uint32_t id, rd *r)
{
    chan *h = &c->ch[id];
    if (rd_end(r) < 0)
        return bad(c, MSG_CHANNEL_EOF, "end of message");
    if (h->recv_eof || h->sent_close)
        return 0;
    h->recv_eof = 1;
    if (c->cb->channel_eof)
        c->cb->channel_eof(c->cfg->user, id);
    return 0;
}

/* RFC 4254 section 5.3: answer CLOSE with CLOSE unless already sent. */
static int on_close(nssh_conn *c, uint32_t id, rd *r)
{
    chan *h = &c->ch[id];
    int e = 0;
    if (rd_end(r) < 0)
        return bad(c, MSG_CHANNEL_CLOSE, "end of message");
    h->recv_close = 1;
    if (!h->sent_close) {
        h->sent_close = 1;
        e = chan_send(c, h, MSG_CHANNEL_CLOSE);
    }
    chan_maybe_free(c, id);
    return e;
}

int channel_handle(nssh_conn *c, uint8_t msg, rd *r)
{
    uint32_t id;
    int e;
    switch (msg) {
    case MSG_CHANNEL_OPEN:
    case MSG_CHANNEL_OPEN_CONFIRMATION:
    case MSG_CHANNEL_OPEN_FAILURE:
        return chan_open_handle(c, msg, r);
    case MSG_CHANNEL_REQUEST:
    case MSG_CHANNEL_SUCCESS:
    case MSG_CHANNEL_FAILURE:
        return chan_request_handle(c, msg, r);
    default:
        break;
    }
    if ((e = chan_recipient(c, msg, r, &id)) < 0)
        return e;
    switch (msg) {
    case MSG_CHANNEL_WINDOW_ADJUST:
        return on_window_adjust(c, id, r);
    case MSG_CHANNEL_DATA:
    case MSG_CHANNEL_EXTENDED_DATA:
        return on_data(c, msg, id, r);
    case MSG_CHANNEL_EOF:
        return on_eof(c, id, r);
    case MSG_CHANNEL_CLOSE:
        return on_close(c, id, r);
    default:
        return send_unimplemented(c, c->in.seq - 1);
    }
}
