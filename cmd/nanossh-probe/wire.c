/*
 * The server's bytes as they arrived, kept apart from the engine so the
 * diagnosis can look at exactly what was on the wire: the version line
 * (RFC 4253 section 4.2) and the clear-text binary packets before the
 * server's NEWKEYS (section 6, no cipher: block size 8, no MAC). Where the
 * encrypted part starts and how many packets preceded it is what
 * keydiag.c needs to re-open the first encrypted packet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

void wire_init(wire *w, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = malloc(cap);
    w->cap = w->buf ? cap : 0;
}

void wire_free(wire *w)
{
    free(w->buf);
    w->buf = NULL;
}

static void frame_error(wire *w, long off, const char *fmt, unsigned a,
                        unsigned b)
{
    if (w->frame_err)
        return;
    w->frame_err = 1;
    w->frame_offset = off;
    snprintf(w->frame_text, sizeof(w->frame_text), fmt, a, b);
}

/* Version lines: other lines may come first (section 4.2). */
static int parse_version(wire *w, uint64_t t)
{
    while (!w->version_done) {
        uint8_t *nl = memchr(w->buf + w->pos, '\n', w->len - w->pos);
        if (!nl)
            return 0;
        size_t n = (size_t)(nl - (w->buf + w->pos)), k = n;
        if (k && w->buf[w->pos + k - 1] == '\r')
            k--;
        if (k >= 4 && memcmp(w->buf + w->pos, "SSH-", 4) == 0) {
            if (k > sizeof(w->version) - 1)
                k = sizeof(w->version) - 1;
            memcpy(w->version, w->buf + w->pos, k);
            w->version[k] = 0;
            w->version_done = 1;
            w->version_ms = t;
        }
        w->pos += n + 1;
    }
    return 1;
}

void wire_add(wire *w, const uint8_t *p, size_t n, uint64_t t)
{
    if (n > w->cap - w->len)
        n = w->cap - w->len;
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    if (!parse_version(w, t))
        return;
    /* Clear-text packets up to and including the server's NEWKEYS. */
    while (!w->enc_start && !w->frame_err && w->len - w->pos >= 5) {
        uint32_t plen = get_be32(w->buf + w->pos);
        uint8_t padlen = w->buf[w->pos + 4];
        if (plen < 5 || plen > 256u * 1024u) {
            frame_error(w, (long)w->pos, "packet_length %u is absurd (packet %u "
                        "of the clear-text phase)", plen, w->clear_packets);
            return;
        }
        if ((4 + plen) % 8) {
            frame_error(w, (long)w->pos, "packet_length %u: 4 + packet_length "
                        "is not a multiple of 8 (packet %u)", plen, w->clear_packets);
            return;
        }
        if (padlen < 4 || (size_t)padlen + 1 >= plen) {
            frame_error(w, (long)w->pos + 4, "padding_length %u in a packet of "
                        "%u bytes (RFC 4253 section 6: at least 4, less than "
                        "the packet)", padlen, plen);
            return;
        }
        if (w->len - w->pos < 4 + plen)
            return;
        uint8_t msg = w->buf[w->pos + 5];
        w->pos += 4 + plen;
        w->clear_packets++;
        if (msg == 21)
            w->enc_start = w->pos;
    }
}
