/*
 * Zero-copy channel data (RFC 4254 section 5.2): the application reads
 * straight into the data fields of CHANNEL_DATA packets laid out one
 * after the other in the send buffer, then they are framed, padded and
 * sealed in place (RFC 4253 section 6). Against nssh_channel_write this
 * saves a copy of every byte, and one read (readv) fills several packets.
 *
 * Every packet but the last carries the same amount of data, so where
 * each one starts is known before the data arrives: pkt_wire_size of a
 * full one after the previous. Only the last may come out shorter, and
 * nothing follows it.
 */
#include "internal.h"

/* CHANNEL_DATA: byte, uint32 channel, uint32 length; EXTENDED_DATA adds
 * uint32 data type code. */
#define DATA_HDR 9u
#define EXT_HDR 13u

size_t nssh_channel_reserve(nssh_conn *c, uint32_t ch, uint32_t ext,
                            nssh_iovec *iov, size_t max_iov)
{
    size_t hdr = ext ? EXT_HDR : DATA_HDR, n = 0, pos, end, win, full, d;
    size_t over;
    chan *h;
    c->rsv_n = 0;
    if (chan_api_check(c, ch) < 0 || c->ch[ch].sent_eof || kex_running(c) ||
        c->closing || !iov || !max_iov)
        return 0;
    h = &c->ch[ch];
    /* The reply room nssh_channel_write leaves (pkt_room) stays free. */
    if (NSSH_OUTBUF_SIZE < NSSH_CONTROL_RESERVE + 64)
        return 0;
    end = NSSH_OUTBUF_SIZE - NSSH_CONTROL_RESERVE - 64;
    if (c->out_len - c->out_off >= end)
        return 0;
    pkt_compact(c);
    /* Besides the data: length, padding length, header, the most padding
     * (a block plus 3), MAC or tag. */
    over = 5 + hdr + dir_block(&c->out) + 3 + dir_trailer(&c->out);
    full = h->remote_maxpkt;
    if (full > NSSH_MAX_PACKET - 64 - hdr)
        full = NSSH_MAX_PACKET - 64 - hdr;
    win = h->remote_window;
    pos = c->out_len;
    while (n < max_iov && win > 0 && pos + over < end) {
        d = full < win ? full : win;
        if (d > end - pos - over)
            d = end - pos - over;
        if (d == 0)
            break;
        iov[n].p = c->outbuf + pos + 5 + hdr;
        iov[n].len = d;
        n++;
        if (d < full)
            break;   /* window or room ends here: this one is the last */
        pos += pkt_wire_size(&c->out, hdr + d);
        win -= d;
    }
    if (n == 0)
        return 0;
    c->rsv_n = n;
    c->rsv_full = full;
    c->rsv_last = iov[n - 1].len;
    c->rsv_base = c->out_len;
    c->rsv_ch = ch;
    c->rsv_ext = ext;
    return n;
}

long nssh_channel_commit(nssh_conn *c, uint32_t ch, uint32_t ext, size_t n)
{
    size_t hdr = ext ? EXT_HDR : DATA_HDR, done = 0, k, len, take;
    chan *h;
    wr w;
    int e;
    if ((e = chan_api_check(c, ch)) < 0) {
        c->rsv_n = 0;
        return e;
    }
    if (!c->rsv_n || c->rsv_ch != ch || c->rsv_ext != ext ||
        c->rsv_base != c->out_len || kex_running(c) || c->closing ||
        n > (c->rsv_n - 1) * c->rsv_full + c->rsv_last) {
        c->rsv_n = 0;
        return NSSH_ERR_STATE;
    }
    h = &c->ch[ch];
    c->batch = 1;
    for (k = 0; k < c->rsv_n && done < n; k++) {
        len = k + 1 < c->rsv_n ? c->rsv_full : c->rsv_last;
        take = n - done < len ? n - done : len;
        /* The packet starts where the previous one ended: the data is
         * already at outbuf + out_len + 5 + hdr. */
        wr_init(&w, c->outbuf + c->out_len + 5, hdr + take);
        wr_u8(&w, ext ? MSG_CHANNEL_EXTENDED_DATA : MSG_CHANNEL_DATA);
        wr_u32(&w, h->remote_id);
        if (ext)
            wr_u32(&w, ext);
        wr_u32(&w, (uint32_t)take);
        w.len += take;
        if ((e = pkt_end(c, &w)) < 0)
            break;
        h->remote_window -= (uint32_t)take;
        done += take;
    }
    c->batch = 0;
    c->rsv_n = 0;
    if (e == 0 && done && c->kx.state == KX_IDLE)
        e = kex_check_rekey(c);
    return e < 0 ? e : (long)done;
}
