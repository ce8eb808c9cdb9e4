/* Reader, writer and name-lists over fixed storage (RFC 4251 section 5). */
#include <string.h>

#include "buf.h"

int rd_u8(rd *r, uint8_t *v)
{
    if (rd_left(r) < 1)
        return NSSH_ERR_FORMAT;
    *v = r->p[r->pos++];
    return 0;
}

int rd_bool(rd *r, int *v)
{
    uint8_t b;
    int e = rd_u8(r, &b);
    if (e == 0)
        *v = b != 0;
    return e;
}

int rd_u32(rd *r, uint32_t *v)
{
    if (rd_left(r) < 4)
        return NSSH_ERR_FORMAT;
    *v = be32(r->p + r->pos);
    r->pos += 4;
    return 0;
}

int rd_u64(rd *r, uint64_t *v)
{
    uint32_t hi = 0, lo = 0;
    if (rd_left(r) < 8)
        return NSSH_ERR_FORMAT;
    rd_u32(r, &hi);
    rd_u32(r, &lo);
    *v = ((uint64_t)hi << 32) | lo;
    return 0;
}

int rd_bytes(rd *r, const uint8_t **s, size_t n)
{
    if (rd_left(r) < n)
        return NSSH_ERR_FORMAT;
    *s = r->p + r->pos;
    r->pos += n;
    return 0;
}

int rd_string(rd *r, const uint8_t **s, size_t *n)
{
    uint32_t len;
    size_t save = r->pos;
    if (rd_u32(r, &len) < 0 || rd_left(r) < len) {
        r->pos = save;
        return NSSH_ERR_FORMAT;
    }
    *s = r->p + r->pos;
    *n = len;
    r->pos += len;
    return 0;
}

int rd_str(rd *r, nssh_str *s)
{
    const uint8_t *p;
    size_t n;
    int e = rd_string(r, &p, &n);
    if (e == 0) {
        s->p = (const char *)p;
        s->n = n;
    }
    return e;
}

int rd_mpint(rd *r, const uint8_t **s, size_t *n)
{
    const uint8_t *p;
    size_t len;
    size_t save = r->pos;
    if (rd_string(r, &p, &len) < 0)
        return NSSH_ERR_FORMAT;
    if (len > 0 && (p[0] & 0x80))
        goto bad;               /* negative */
    if (len > 1 && p[0] == 0 && !(p[1] & 0x80))
        goto bad;               /* needless leading zero */
    if (len == 1 && p[0] == 0)
        goto bad;               /* zero is the empty string */
    if (len > 0 && p[0] == 0) {
        p++;
        len--;
    }
    *s = p;
    *n = len;
    return 0;
bad:
    r->pos = save;
    return NSSH_ERR_FORMAT;
}

int rd_end(const rd *r)
{
    return rd_left(r) == 0 ? 0 : NSSH_ERR_FORMAT;
}

uint8_t *wr_reserve(wr *w, size_t n)
{
    uint8_t *p;
    if (w->err || w->cap - w->len < n) {
        w->err = NSSH_ERR_NOSPACE;
        return NULL;
    }
    p = w->p + w->len;
    w->len += n;
    return p;
}

void wr_u8(wr *w, uint8_t v)
{
    uint8_t *p = wr_reserve(w, 1);
    if (p)
        *p = v;
}

void wr_bool(wr *w, int v) { wr_u8(w, v ? 1 : 0); }

void wr_u32(wr *w, uint32_t v)
{
    uint8_t *p = wr_reserve(w, 4);
    if (p)
        put_be32(p, v);
}

void wr_u64(wr *w, uint64_t v)
{
    wr_u32(w, (uint32_t)(v >> 32));
    wr_u32(w, (uint32_t)v);
}

void wr_bytes(wr *w, const void *src, size_t n)
{
    uint8_t *p = wr_reserve(w, n);
    if (p && n)
        memcpy(p, src, n);
}

void wr_string(wr *w, const void *src, size_t n)
{
    if (n > 0xffffffffu) {
        w->err = NSSH_ERR_NOSPACE;
        return;
    }
    wr_u32(w, (uint32_t)n);
    wr_bytes(w, src, n);
}

void wr_cstring(wr *w, const char *s) { wr_string(w, s, strlen(s)); }

void wr_mpint(wr *w, const uint8_t *mag, size_t n)
{
    while (n > 0 && mag[0] == 0) {
        mag++;
        n--;
    }
    if (n > 0 && (mag[0] & 0x80)) {
        wr_u32(w, (uint32_t)(n + 1));
        wr_u8(w, 0);
        wr_bytes(w, mag, n);
    } else {
        wr_string(w, mag, n);
    }
}

size_t wr_string_begin(wr *w)
{
    size_t mark = w->len;
    wr_u32(w, 0);
    return mark;
}

void wr_string_end(wr *w, size_t mark)
{
    if (!w->err)
        put_be32(w->p + mark, (uint32_t)(w->len - mark - 4));
}

int namelist_next(const uint8_t *list, size_t len, size_t *pos,
                  const uint8_t **e, size_t *en)
{
    size_t i = *pos, start;
    if (i >= len)
        return 0;
    start = i;
    while (i < len && list[i] != ',')
        i++;
    *e = list + start;
    *en = i - start;
    *pos = i + 1;
    return 1;
}

int namelist_has(const uint8_t *list, size_t len, const char *name)
{
    size_t pos = 0, en, nl = strlen(name);
    const uint8_t *e;
    while (namelist_next(list, len, &pos, &e, &en))
        if (en == nl && memcmp(e, name, nl) == 0)
            return 1;
    return 0;
}

void nssh_wipe(void *p, size_t n)
{
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--)
        *v++ = 0;
}

int nssh_ct_cmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    uint8_t d = 0;
    size_t i;
    for (i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d;
}

int str_is(nssh_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

int str_clip(nssh_str s)
{
    return (int)(s.n > NSSH_USER_MAX ? NSSH_USER_MAX : s.n);
}
