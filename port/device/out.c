/* Per-channel output queue of the device shell, with the pty's LF to
 * CR LF translation (a pty in raw mode on the client shows a bare LF as a
 * line feed without a return). */
#include <string.h>

#include "device_int.h"

size_t dev_out_room(const dev_chan *c)
{
    return sizeof(c->outq) - c->outq_len;
}

static void put(dev_chan *c, uint8_t b)
{
    if (c->outq_len < sizeof(c->outq))
        c->outq[c->outq_len++] = b;
}

void dev_out_bytes(dev_chan *c, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i;
    for (i = 0; i < n; i++) {
        if (b[i] == '\n' && c->pty)
            put(c, '\r');
        put(c, b[i]);
    }
}

void dev_out_str(dev_chan *c, const char *s)
{
    dev_out_bytes(c, s, strlen(s));
}

void dev_out_u64w(dev_chan *c, uint64_t v, unsigned width)
{
    char d[21];
    unsigned i = sizeof(d);
    do {
        d[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v);
    while (sizeof(d) - i < width && i > 0)
        d[--i] = ' ';
    dev_out_bytes(c, d + i, sizeof(d) - i);
}

void dev_out_u64(dev_chan *c, uint64_t v)
{
    dev_out_u64w(c, v, 0);
}

void dev_out_hex(dev_chan *c, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        char two[2] = { hx[p[i] >> 4], hx[p[i] & 15] };
        dev_out_bytes(c, two, 2);
    }
}
