/*
 * Binary packet protocol (RFC 4253 section 6): framing, padding,
 * encryption and MAC of outgoing packets, and the checks on incoming ones.
 *
 * Three layouts exist on the wire:
 *  - classic (RFC 4253): MAC over the plaintext packet, the whole packet
 *    including packet_length is encrypted and aligned to the block size;
 *  - encrypt-then-MAC (OpenSSH PROTOCOL 1.7): packet_length in clear, MAC
 *    over the ciphertext, only padlen||payload||padding aligned;
 *  - AEAD (aes-gcm RFC 5647, chacha20-poly1305 PROTOCOL.chacha20poly1305):
 *    the cipher owns the length and the tag, alignment as for ETM.
 */
#include <string.h>

#include "internal.h"

int dir_aead(const dir *d)
{
    return d->cipher && (d->cipher->flags & NSSH_CIPHER_AEAD);
}

int dir_etm(const dir *d)
{
    return d->cipher && !dir_aead(d) && d->mac && d->mac->etm;
}

size_t dir_block(const dir *d)
{
    size_t b = d->cipher ? d->cipher->block_len : 8;
    return b < 8 ? 8 : b;
}

size_t dir_trailer(const dir *d)
{
    if (dir_aead(d))
        return d->cipher->tag_len;
    return d->mac ? d->mac->out_len : 0;
}

/* Largest packet we ever build: the send buffer may be the smaller. */
#define OUT_PKT_MAX (NSSH_MAX_PACKET < NSSH_OUTBUF_SIZE ? NSSH_MAX_PACKET : NSSH_OUTBUF_SIZE)

int kex_running(const nssh_conn *c)
{
    return c->kx.state != KX_IDLE && !c->kx.sent_newkeys;
}

/* Messages that may be sent while a key exchange runs (RFC 4253 7.1). */
static int allowed_during_kex(uint8_t msg)
{
    return (msg >= 1 && msg <= 4) || (msg >= 20 && msg <= 49);
}

size_t pkt_room(const nssh_conn *c)
{
    size_t used = c->out_len - c->out_off;
    size_t room;
    if (kex_running(c) || c->closing)
        return 0;
    if (used + NSSH_CONTROL_RESERVE + 64 >= NSSH_OUTBUF_SIZE)
        return 0;
    room = NSSH_OUTBUF_SIZE - used - NSSH_CONTROL_RESERVE - 64;
    if (room > NSSH_MAX_PACKET - 64)
        room = NSSH_MAX_PACKET - 64;
    return room;
}

void pkt_compact(nssh_conn *c)
{
    if (c->out_off == 0)
        return;
    if (c->out_off < c->out_len)
        memmove(c->outbuf, c->outbuf + c->out_off, c->out_len - c->out_off);
    c->out_len -= c->out_off;
    c->out_off = 0;
}

int pkt_begin(nssh_conn *c, wr *w, uint8_t msg)
{
    size_t cap;
    if (c->closing && msg != MSG_DISCONNECT) {
        wr_init(w, NULL, 0);
        w->err = NSSH_ERR_CLOSED;
        return NSSH_ERR_CLOSED;
    }
    if (kex_running(c) && !allowed_during_kex(msg)) {
        /* Deferred: uint32 length, then the payload. */
        size_t used = c->defer_len + 4;
        cap = used < sizeof(c->defer) ? sizeof(c->defer) - used : 0;
        wr_init(w, c->defer + used, cap);
        wr_u8(w, msg);
        return 0;
    }
    /* Move pending bytes down when the tail could not take a largest
     * packet; with a send buffer smaller than NSSH_MAX_PACKET that is
     * whenever something was sent from the front. */
    if (c->out_off && c->out_len + 5 + OUT_PKT_MAX > NSSH_OUTBUF_SIZE)
        pkt_compact(c);
    cap = NSSH_OUTBUF_SIZE > c->out_len + 5 ? NSSH_OUTBUF_SIZE - c->out_len - 5 : 0;
    if (cap > NSSH_MAX_PACKET - 64)
        cap = NSSH_MAX_PACKET - 64;
    wr_init(w, c->outbuf + c->out_len + 5, cap);
    wr_u8(w, msg);
    return 0;
}

static int pad_bytes(nssh_conn *c, uint8_t *p, size_t n)
{
    while (n) {
        size_t k;
        if (c->pad_pos >= sizeof(c->pad_pool)) {
            int e = conn_random(c, c->pad_pool, sizeof(c->pad_pool));
            if (e < 0)
                return e;
            c->pad_pos = 0;
        }
        k = sizeof(c->pad_pool) - c->pad_pos;
        if (k > n)
            k = n;
        memcpy(p, c->pad_pool + c->pad_pos, k);
        c->pad_pos += k;
        p += k;
        n -= k;
    }
    return 0;
}

/* RFC 4253 section 6: at least 4 bytes of padding, and the padded part
 * (all of it in classic modes, all but the length with ETM and AEAD) a
 * multiple of the block. */
size_t pkt_pad(const dir *d, size_t payload)
{
    size_t block = dir_block(d), hdr = dir_aead(d) || dir_etm(d) ? 1 : 5;
    size_t pad = block - ((hdr + payload) % block);
    return pad < 4 ? pad + block : pad;
}

size_t pkt_wire_size(const dir *d, size_t payload)
{
    return 4 + 1 + payload + pkt_pad(d, payload) + dir_trailer(d);
}

/* Seal packet pkt[0..4+plen) per the direction's layout; append MAC/tag. */
static int seal(nssh_conn *c, uint8_t *pkt, size_t plen)
{
    dir *d = &c->out;
    const nssh_cipher *ci = d->cipher;
    int e = 0;
    if (!ci)
        return 0;
    if (ci->flags & NSSH_CIPHER_AEAD) {
        d->ops++;
        return ci->seal(d->cctx, d->seq, pkt, 4 + plen);
    }
    if (d->mac->etm) {
        e = dir_crypt(d, pkt + 4, plen, 0);
        if (e == 0)
            e = d->mac->compute(d->mctx, d->seq, pkt, 4 + plen, pkt + 4 + plen);
    } else {
        e = d->mac->compute(d->mctx, d->seq, pkt, 4 + plen, pkt + 4 + plen);
        if (e == 0)
            e = dir_crypt(d, pkt, 4 + plen, 0);
    }
    return e;
}

int dir_crypt(dir *d, uint8_t *buf, size_t len, int incoming)
{
    size_t bl = d->cipher->block_len;
    int chain = d->chained && len >= bl, e;
    if (chain && incoming)
        memcpy(d->chain, buf + len - bl, bl);
    e = d->cipher->crypt(d->cctx, buf, len);
    if (chain && !incoming)
        memcpy(d->chain, buf + len - bl, bl);
    d->ops += len;
    return e;
}

static int defer_end(nssh_conn *c, wr *w)
{
    if (w->err)
        return conn_fail(c, NSSH_ERR_NOSPACE, NSSH_DISC_BY_APPLICATION,
                         "transport", msg_name(w->p[0]), NULL,
                         "too many replies queued during key exchange");
    put_be32(c->defer + c->defer_len, (uint32_t)w->len);
    c->defer_len += 4 + w->len;
    return 0;
}

int pkt_end(nssh_conn *c, wr *w)
{
    uint8_t *pkt, msg;
    size_t plen, pad, total;
    int e;
    if (w->err == NSSH_ERR_CLOSED)
        return NSSH_ERR_CLOSED;
    if (w->p >= c->defer && w->p < c->defer + sizeof(c->defer))
        return defer_end(c, w);
    msg = w->p[0];   /* seal encrypts the payload in place */
    if (w->err)
        return conn_fail(c, NSSH_ERR_NOSPACE, NSSH_DISC_BY_APPLICATION,
                         "transport", msg_name(w->p[0]), NULL,
                         "outgoing packet does not fit the output buffer");
    TRACE(c, packet, 1, c->out.seq, w->p, w->len);
    pkt = w->p - 5;
    pad = pkt_pad(&c->out, w->len);
    plen = 1 + w->len + pad;
    put_be32(pkt, (uint32_t)plen);
    pkt[4] = (uint8_t)pad;
    e = pad_bytes(c, pkt + 5 + w->len, pad);
    if (e == 0)
        e = seal(c, pkt, plen);
    if (e < 0)
        return conn_fail(c, e, NSSH_DISC_BY_APPLICATION, "transport",
                         msg_name(msg), NULL, "could not encrypt packet: %s",
                         nssh_strerror(e));
    total = 4 + plen + dir_trailer(&c->out);
    c->out.seq++;
    c->out.bytes += total;
    c->out.total += total;
    c->out_len += total;
    /* In a batch (channel_reserve.c) the next packet is already in
     * place where a KEXINIT would go: the batch checks once at its end. */
    if (c->kx.state == KX_IDLE && msg >= MSG_USERAUTH_REQUEST && !c->batch)
        return kex_check_rekey(c);
    return 0;
}

int pkt_flush_deferred(nssh_conn *c)
{
    size_t pos = 0;
    int e = 0;
    while (pos + 4 <= c->defer_len && e == 0) {
        uint32_t n = be32(c->defer + pos);
        wr w;
        pkt_begin(c, &w, c->defer[pos + 4]);
        wr_bytes(&w, c->defer + pos + 5, n - 1);
        e = pkt_end(c, &w);
        pos += 4 + n;
    }
    c->defer_len = 0;
    return e;
}

int dir_set_keys(dir *d, const nssh_cipher *ci, const nssh_mac *mac,
                 const uint8_t *iv, const uint8_t *key, const uint8_t *mkey,
                 int encrypt)
{
    int e;
    dir_cleanup(d);
    d->cipher = ci;
    d->mac = (ci->flags & NSSH_CIPHER_AEAD) ? NULL : mac;
    e = ci->init(d->cctx, key, iv, encrypt);
    if (e == 0 && d->mac)
        e = d->mac->init(d->mctx, mkey);
    d->bytes = 0;
    d->ops = 0;
    d->chained = 0;
    if (d->keep) {
        size_t n = strlen(ci->name);
        d->chained = n > 4 && !memcmp(ci->name + n - 4, "-cbc", 4) &&
                     ci->block_len <= sizeof(d->chain) && ci->iv_len == ci->block_len;
        memcpy(d->k_iv, iv, ci->iv_len);
        memcpy(d->k_key, key, ci->key_len);
        if (d->mac)
            memcpy(d->k_mac, mkey, d->mac->key_len);
    }
    return e;
}

void dir_cleanup(dir *d)
{
    if (d->cipher && d->cipher->cleanup)
        d->cipher->cleanup(d->cctx);
    if (d->mac && d->mac->cleanup)
        d->mac->cleanup(d->mctx);
    nssh_wipe(d->cctx, sizeof(d->cctx));
    nssh_wipe(d->mctx, sizeof(d->mctx));
    nssh_wipe(d->k_iv, sizeof(d->k_iv));
    nssh_wipe(d->k_key, sizeof(d->k_key));
    nssh_wipe(d->k_mac, sizeof(d->k_mac));
}
