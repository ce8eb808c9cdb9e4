/*
 * A small SFTP client for the tests: encodes requests, feeds them to a
 * server (nssh_sftp over nssh_memfs) in chunks of varying size, and parses
 * the replies (draft-ietf-secsh-filexfer-02 sections 4 to 7).
 */
#ifndef NSSH_TEST_SFTP_CLIENT_H
#define NSSH_TEST_SFTP_CLIENT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nanossh_sftp.h"
#include "nanossh_memfs.h"

typedef struct cmsg {
    uint8_t b[300000];
    size_t n;
    size_t start;
} cmsg;

static inline void c_u8(cmsg *m, uint8_t v) { m->b[m->n++] = v; }
static inline void c_u32(cmsg *m, uint32_t v)
{
    c_u8(m, (uint8_t)(v >> 24));
    c_u8(m, (uint8_t)(v >> 16));
    c_u8(m, (uint8_t)(v >> 8));
    c_u8(m, (uint8_t)v);
}
static inline void c_u64(cmsg *m, uint64_t v)
{
    c_u32(m, (uint32_t)(v >> 32));
    c_u32(m, (uint32_t)v);
}
static inline void c_bytes(cmsg *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}
static inline void c_str(cmsg *m, const void *p, size_t n)
{
    c_u32(m, (uint32_t)n);
    c_bytes(m, p, n);
}
static inline void c_cstr(cmsg *m, const char *s) { c_str(m, s, strlen(s)); }
/* Begin a message at the end of m (several may be queued). */
static inline void c_begin(cmsg *m, uint8_t type, uint32_t id)
{
    m->start = m->n;
    c_u32(m, 0);
    c_u8(m, type);
    if (type != SSH_FXP_INIT)
        c_u32(m, id);
}
static inline void c_end(cmsg *m)
{
    uint32_t len = (uint32_t)(m->n - m->start - 4);
    m->b[m->start] = (uint8_t)(len >> 24);
    m->b[m->start + 1] = (uint8_t)(len >> 16);
    m->b[m->start + 2] = (uint8_t)(len >> 8);
    m->b[m->start + 3] = (uint8_t)len;
}
static inline void c_attrs_perm(cmsg *m, uint32_t perm)
{
    c_u32(m, SSH_FILEXFER_ATTR_PERMISSIONS);
    c_u32(m, perm);
}
static inline void c_attrs_none(cmsg *m) { c_u32(m, 0); }

/* Parsed replies, in a growing buffer. */
typedef struct creply {
    uint8_t type;
    uint32_t id;
    const uint8_t *p;      /* after the id (after the type for VERSION) */
    size_t n;
} creply;

typedef struct harness {
    nssh_sftp s;
    nssh_memfs fs;
    nssh_sftp_config cfg;
    uint8_t *mem;
    uint8_t inbuf[70000];
    uint8_t outbuf[70000];
    uint8_t *rx;           /* everything the server sent */
    size_t rx_len, rx_cap, rx_pos;
    uint32_t chunk_seed;
    int err;               /* the last negative nssh_sftp_input result */
} harness;

static inline void h_drain(harness *h)
{
    const uint8_t *p;
    size_t n = nssh_sftp_output(&h->s, &p);
    if (h->rx_len + n > h->rx_cap) {
        h->rx_cap = (h->rx_len + n) * 2 + 65536;
        h->rx = realloc(h->rx, h->rx_cap);
    }
    memcpy(h->rx + h->rx_len, p, n);
    h->rx_len += n;
    nssh_sftp_consume(&h->s, n);
}

/* Feed bytes in pseudo-random chunk sizes, draining the output as the
 * server asks for it. Returns 0 or the server's error. */
static inline int h_feed(harness *h, const uint8_t *p, size_t n)
{
    size_t off = 0;
    int stuck = 0;
    while (off < n || stuck == 0) {
        size_t k = n - off;
        long used;
        h->chunk_seed = h->chunk_seed * 1103515245u + 12345u;
        if (h->chunk_seed & 0x10000u) {
            size_t lim = 1 + (h->chunk_seed >> 17) % 5000;
            if (k > lim)
                k = lim;
        }
        used = nssh_sftp_input(&h->s, p + off, k);
        if (used < 0) {
            h->err = (int)used;
            return (int)used;
        }
        off += (size_t)used;
        h_drain(h);
        if (off >= n) {
            /* one more call with nothing: a held request may now run */
            used = nssh_sftp_input(&h->s, NULL, 0);
            h_drain(h);
            if (used < 0) {
                h->err = (int)used;
                return (int)used;
            }
            stuck = 1;
        }
    }
    return 0;
}

static inline int h_send(harness *h, cmsg *m)
{
    int e = h_feed(h, m->b, m->n);
    m->n = 0;
    return e;
}

/* Next reply; 0 when none is left. */
static inline int h_next(harness *h, creply *r)
{
    uint32_t len;
    const uint8_t *p = h->rx + h->rx_pos;
    if (h->rx_len - h->rx_pos < 4)
        return 0;
    len = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
          ((uint32_t)p[2] << 8) | p[3];
    if (h->rx_len - h->rx_pos < 4 + (size_t)len || len < 1)
        return 0;
    r->type = p[4];
    if (r->type == SSH_FXP_VERSION) {
        r->id = 0;
        r->p = p + 5;
        r->n = len - 1;
    } else {
        r->id = ((uint32_t)p[5] << 24) | ((uint32_t)p[6] << 16) |
                ((uint32_t)p[7] << 8) | p[8];
        r->p = p + 9;
        r->n = len - 5;
    }
    h->rx_pos += 4 + len;
    return 1;
}

static inline uint32_t g32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t g64(const uint8_t *p)
{
    return ((uint64_t)g32(p) << 32) | g32(p + 4);
}

static inline int h_init(harness *h, size_t mem_len, uint32_t nodes,
                  size_t inbuf_len, size_t outbuf_len)
{
    memset(&h->s, 0, sizeof(h->s));
    h->mem = calloc(1, mem_len);
    if (nssh_memfs_init(&h->fs, h->mem, mem_len, nodes, 1000, 1000) < 0)
        return -1;
    nssh_memfs_set_time(&h->fs, 1700000000u);
    memset(&h->cfg, 0, sizeof(h->cfg));
    h->cfg.fs = nssh_memfs_fs();
    h->cfg.fs_user = &h->fs;
    h->cfg.inbuf = h->inbuf;
    h->cfg.inbuf_len = inbuf_len;
    h->cfg.outbuf = h->outbuf;
    h->cfg.outbuf_len = outbuf_len;
    h->cfg.handle_seed = 0x5eed1234u;
    h->rx = NULL;
    h->rx_len = h->rx_cap = h->rx_pos = 0;
    h->chunk_seed = 7;
    h->err = 0;
    return nssh_sftp_init(&h->s, &h->cfg);
}

static inline void h_free(harness *h)
{
    nssh_sftp_end(&h->s);
    free(h->mem);
    free(h->rx);
    h->mem = NULL;
    h->rx = NULL;
}

#endif
