/*
 * The application's side of channels (RFC 4254 section 5): sending data
 * within the peer's window, reopening our window as data is consumed, EOF,
 * CLOSE, and opening a session (client role; other opens are in
 * channel_open.c).
 */
#include <string.h>

#include "internal.h"

/* CHANNEL_DATA: byte, uint32 channel, uint32 length; EXTENDED_DATA adds
 * uint32 data type code (section 5.2). */
#define DATA_HDR 9u
#define EXT_HDR 13u

/* Bytes of data the next packet on h may carry. */
static size_t packet_share(const nssh_conn *c, const chan *h, size_t hdr)
{
    size_t room, n;
    if (kex_running(c))
        return 0;   /* data waits; only control messages are deferred */
    room = pkt_room(c);
    if (room <= hdr)
        return 0;
    n = room - hdr;
    if (n > h->remote_window)
        n = h->remote_window;
    if (n > h->remote_maxpkt)
        n = h->remote_maxpkt;
    return n;
}

/*
 * Sends as many packets as the window, the peer's maximum packet and the
 * output room allow, so it may accept more than nssh_channel_writable()
 * promised, never less.
 */
long nssh_channel_write(nssh_conn *c, uint32_t ch, uint32_t ext,
                        const uint8_t *data, size_t len)
{
    size_t hdr = ext ? EXT_HDR : DATA_HDR, done = 0, n;
    chan *h;
    wr w;
    int e = chan_api_check(c, ch);
    if (e < 0)
        return e;
    h = &c->ch[ch];
    if (h->sent_eof)
        return NSSH_ERR_STATE;
    while (done < len && (n = packet_share(c, h, hdr)) > 0) {
        if (n > len - done)
            n = len - done;
        if ((e = pkt_begin(c, &w, ext ? MSG_CHANNEL_EXTENDED_DATA
                                      : MSG_CHANNEL_DATA)) < 0)
            return e;
        /* Never more than the space actually handed out; a packet begun
         * but not ended commits nothing. */
        if (w.cap <= hdr)
            break;
        if (n > w.cap - hdr)
            n = w.cap - hdr;
        wr_u32(&w, h->remote_id);
        if (ext)
            wr_u32(&w, ext);
        wr_string(&w, data + done, n);
        if ((e = pkt_end(c, &w)) < 0)
            return e;
        h->remote_window -= (uint32_t)n;
        done += n;
    }
    return (long)done;
}

size_t nssh_channel_writable(const nssh_conn *c, uint32_t ch)
{
    if (chan_api_check(c, ch) < 0 || c->ch[ch].sent_eof)
        return 0;
    return packet_share(c, &c->ch[ch], DATA_HDR);
}

/*
 * Our window reopens only as the application consumes data, and only in
 * steps of at least half the window, so a slow reader bounds what the
 * peer can make us hold and adjusts stay few.
 */
int nssh_channel_consume(nssh_conn *c, uint32_t ch, size_t n)
{
    chan *h;
    size_t room;
    wr w;
    int e;
    if (ch >= c->ch_top)
        return NSSH_ERR_CHANNEL;
    if (c->err)
        return c->err;
    h = &c->ch[ch];
    if (h->state != CH_OPEN || h->sent_close || h->recv_close)
        return 0;   /* data for a channel already gone: nothing to reopen */
    room = NSSH_CHANNEL_WINDOW - h->local_window - h->consumed;
    h->consumed += (uint32_t)(n < room ? n : room);
    if (h->consumed < NSSH_CHANNEL_WINDOW / 2 || h->recv_eof)
        return 0;
    if ((e = pkt_begin(c, &w, MSG_CHANNEL_WINDOW_ADJUST)) < 0)
        return e;
    wr_u32(&w, h->remote_id);
    wr_u32(&w, h->consumed);
    if ((e = pkt_end(c, &w)) < 0)
        return e;
    h->local_window += h->consumed;
    h->consumed = 0;
    return 0;
}

int nssh_channel_eof(nssh_conn *c, uint32_t ch)
{
    int e = chan_api_check(c, ch);
    if (e < 0)
        return e;
    if (c->ch[ch].sent_eof)
        return 0;
    c->ch[ch].sent_eof = 1;
    return chan_send(c, &c->ch[ch], MSG_CHANNEL_EOF);
}

/* After our CLOSE nothing more is sent on the channel; the slot is freed
 * (and channel_closed called, possibly from inside this call) once the
 * peer's CLOSE has arrived too. */
int nssh_channel_close(nssh_conn *c, uint32_t ch)
{
    int e = chan_api_check(c, ch);
    if (e == NSSH_ERR_STATE)
        return 0;   /* already sent */
    if (e < 0)
        return e;
    c->ch[ch].sent_close = 1;
    e = chan_send(c, &c->ch[ch], MSG_CHANNEL_CLOSE);
    chan_maybe_free(c, ch);
    return e;
}

/* RFC 4254 section 6.1: a session channel has no type-specific data. */
int nssh_client_open_session(nssh_conn *c)
{
    if (c->err)
        return c->err;
    if (c->role != NSSH_ROLE_CLIENT || !c->au.done)
        return NSSH_ERR_STATE;
    return (int)chan_open_send(c, "session", NULL, 0);
}
