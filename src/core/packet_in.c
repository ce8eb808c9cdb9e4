/*
 * Incoming binary packets (RFC 4253 section 6): length and padding checks
 * before anything else is trusted, MAC/tag verification, then dispatch.
 */
#include <string.h>

#include "internal.h"

static int bad_length(nssh_conn *c, uint32_t plen, const char *why)
{
    return conn_fail(c, NSSH_ERR_PACKET, NSSH_DISC_PROTOCOL_ERROR, "packet",
                     NULL, "packet_length",
                     "bad packet length %u (%s; packet %u of this key)", (unsigned)plen,
                     why, (unsigned)c->in.seq);
}

/* Learn the size of the packet at p (avail bytes). 0: need more input. */
static int read_length(nssh_conn *c, uint8_t *p, size_t avail)
{
    dir *d = &c->in;
    uint32_t plen;
    size_t block = dir_block(d), clear = (dir_aead(d) || dir_etm(d) || !d->cipher);
    int e;
    if (avail < (clear ? 4 : block))
        return 0;
    if (dir_aead(d)) {
        e = d->cipher->get_length(d->cctx, d->seq, p, &plen);
        if (e < 0)
            return conn_fail(c, e, NSSH_DISC_PROTOCOL_ERROR, "packet", NULL,
                             "packet_length", "cannot read packet length");
    } else if (!clear) {
        e = dir_crypt(d, p, block, 1);
        if (e < 0)
            return conn_fail(c, e, NSSH_DISC_PROTOCOL_ERROR, "packet", NULL,
                             NULL, "decryption failed");
        c->in_pkt_done = block;
        plen = be32(p);
    } else {
        plen = be32(p);
    }
    if (plen < 6)
        return bad_length(c, plen, "too short");
    if (plen > NSSH_MAX_PACKET)
        return bad_length(c, plen, "larger than the packet limit");
    if ((plen + (clear && d->cipher ? 0 : 4)) % block)
        return bad_length(c, plen, "not a multiple of the cipher block size");
    c->in_pkt_total = 4 + plen + dir_trailer(d);
    return 1;
}

/* Check integrity and decrypt the whole packet in place. */
static int open_packet(nssh_conn *c, uint8_t *p, size_t plen)
{
    dir *d = &c->in;
    uint8_t mac[NSSH_HASH_MAX];
    int e = 0, bad = 0;
    if (!d->cipher)
        return 0;
    if (dir_aead(d)) {
        e = d->cipher->open(d->cctx, d->seq, p, 4 + plen);
        d->ops++;
        bad = e == NSSH_ERR_MAC;
    } else if (dir_etm(d)) {
        e = d->mac->compute(d->mctx, d->seq, p, 4 + plen, mac);
        bad = e == 0 && nssh_ct_cmp(mac, p + 4 + plen, d->mac->out_len) != 0;
        if (e == 0 && !bad) {
            e = dir_crypt(d, p + 4, plen, 1);
        }
    } else {
        e = dir_crypt(d, p + c->in_pkt_done, 4 + plen - c->in_pkt_done, 1);
        if (e == 0)
            e = d->mac->compute(d->mctx, d->seq, p, 4 + plen, mac);
        bad = e == 0 && nssh_ct_cmp(mac, p + 4 + plen, d->mac->out_len) != 0;
    }
    if (bad)
        return conn_fail(c, NSSH_ERR_MAC, NSSH_DISC_MAC_ERROR, "packet", NULL,
                         NULL, "message authentication code incorrect "
                         "(packet %u of this key)", (unsigned)d->seq);
    if (e < 0)
        return conn_fail(c, e, NSSH_DISC_PROTOCOL_ERROR, "packet", NULL, NULL,
                         "decryption failed: %s", nssh_strerror(e));
    return 0;
}

/* One complete packet at p: verify, check padding, dispatch. */
static int one_packet(nssh_conn *c, uint8_t *p)
{
    uint32_t plen = (uint32_t)(c->in_pkt_total - 4 - dir_trailer(&c->in));
    uint8_t padlen;
    int e;
    e = open_packet(c, p, plen);
    if (e < 0)
        return e;
    padlen = p[4];
    if (padlen < 4 || (size_t)padlen + 2 > plen)
        return conn_fail(c, NSSH_ERR_PACKET, NSSH_DISC_PROTOCOL_ERROR, "packet",
                         NULL, "padding_length",
                         "bad padding length %u in a packet of %u bytes",
                         padlen, (unsigned)plen);
    c->in.seq++;
    c->in.bytes += c->in_pkt_total;
    c->in.total += c->in_pkt_total;
    TRACE(c, packet, 0, c->in.seq - 1, p + 5, plen - 1 - padlen);
    return dispatch(c, p + 5, plen - 1 - padlen);
}

int pkt_process(nssh_conn *c)
{
    int e = 0;
    while (!c->closing && !c->held && c->in_len > c->in_off) {
        uint8_t *p = c->inbuf + c->in_off;
        size_t avail = c->in_len - c->in_off, total;
        if (!c->version_done) {
            e = version_process(c);
            if (e <= 0)
                break;
            continue;
        }
        if (NSSH_OUTBUF_SIZE - (c->out_len - c->out_off) < NSSH_CONTROL_RESERVE)
            break;   /* let the output drain first */
        if (c->in_pkt_total == 0) {
            e = read_length(c, p, avail);
            if (e <= 0)
                break;
        }
        if (avail < c->in_pkt_total)
            break;
        total = c->in_pkt_total;
        e = one_packet(c, p);
        c->in_off += total;
        c->in_pkt_total = 0;
        c->in_pkt_done = 0;
        if (e < 0)
            break;
    }
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    return e < 0 ? e : 0;
}
