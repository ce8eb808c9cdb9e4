/*
 * Reader and writer over fixed byte ranges (RFC 4251 section 5 types).
 *
 * Reader: a cursor; every get returns 0 or NSSH_ERR_FORMAT and never reads
 * past the end. Strings are zero-copy views into the packet.
 * Writer: fixed caller storage; an overflow is sticky (w->err) and checked
 * once at the end.
 */
#ifndef NSSH_CORE_BUF_H
#define NSSH_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"

typedef struct rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
} rd;

static inline void rd_init(rd *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
}
static inline size_t rd_left(const rd *r) { return r->len - r->pos; }

int rd_u8(rd *r, uint8_t *v);
int rd_bool(rd *r, int *v);
int rd_u32(rd *r, uint32_t *v);
int rd_u64(rd *r, uint64_t *v);
/* string: uint32 length then bytes; *s points into the packet. */
int rd_string(rd *r, const uint8_t **s, size_t *n);
int rd_str(rd *r, nssh_str *s);
/* Is the peer string s exactly the C string lit? */
int str_is(nssh_str s, const char *lit);
/* Printable width of a peer-supplied name in logs: at most NSSH_USER_MAX. */
int str_clip(nssh_str s);
/* mpint (RFC 4251 section 5): rejects negative values and non-minimal
 * encodings; *s is the magnitude without the leading zero byte. */
int rd_mpint(rd *r, const uint8_t **s, size_t *n);
int rd_bytes(rd *r, const uint8_t **s, size_t n);
/* Fails with NSSH_ERR_FORMAT when bytes remain. */
int rd_end(const rd *r);

typedef struct wr {
    uint8_t *p;
    size_t cap;
    size_t len;
    int err;     /* NSSH_ERR_NOSPACE once anything did not fit */
} wr;

static inline void wr_init(wr *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = cap;
    w->len = 0;
    w->err = 0;
}

void wr_u8(wr *w, uint8_t v);
void wr_bool(wr *w, int v);
void wr_u32(wr *w, uint32_t v);
void wr_u64(wr *w, uint64_t v);
void wr_bytes(wr *w, const void *p, size_t n);
void wr_string(wr *w, const void *p, size_t n);
void wr_cstring(wr *w, const char *s);
/* mpint from an unsigned big-endian magnitude (leading zeros stripped,
 * a zero byte added when the top bit is set). */
void wr_mpint(wr *w, const uint8_t *mag, size_t n);
/* Reserve n bytes, returning where they go (NULL on overflow). */
uint8_t *wr_reserve(wr *w, size_t n);
/* Start a length-prefixed string whose contents follow; returns a mark. */
size_t wr_string_begin(wr *w);
void wr_string_end(wr *w, size_t mark);

/* Comma-separated name-list helpers (RFC 4251 section 5). */
/* Is name (n bytes) an element of the list? */
int namelist_has(const uint8_t *list, size_t len, const char *name);
/* Iterate: *pos starts at 0; returns 1 with the next element in e and en,
 * 0 at the end. */
int namelist_next(const uint8_t *list, size_t len, size_t *pos,
                  const uint8_t **e, size_t *en);

/* Big-endian helpers. */
static inline uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* nssh_wipe and nssh_ct_cmp: nanossh_crypto.h. */

#endif
