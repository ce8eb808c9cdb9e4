/*
 * OpenSSH key revocation lists (PROTOCOL.krl), read in one pass per
 * question. Every field is length-checked; anything unknown, critical,
 * out of order or trailing makes the whole list invalid, because a list
 * that cannot be fully understood must not be half-trusted.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "krl.h"
#include "nanossh.h"

#define KRL_MAGIC "SSHKRL\n\0"
#define KRL_FORMAT_VERSION 1

enum {   /* PROTOCOL.krl sections 1-6 */
    SEC_CERTIFICATES = 1,
    SEC_EXPLICIT_KEY = 2,
    SEC_FINGERPRINT_SHA1 = 3,
    SEC_SIGNATURE = 4,
    SEC_FINGERPRINT_SHA256 = 5,
    SEC_EXTENSION = 255,
    CERT_SERIAL_LIST = 0x20,
    CERT_SERIAL_RANGE = 0x21,
    CERT_SERIAL_BITMAP = 0x22,
    CERT_KEY_ID = 0x23,
    CERT_EXTENSION = 0x39
};

typedef struct rd {
    const uint8_t *p;
    size_t n;
} rd;

static int get_u8(rd *r, uint8_t *v)
{
    if (r->n < 1)
        return -1;
    *v = r->p[0];
    r->p++;
    r->n--;
    return 0;
}

static int get_u32(rd *r, uint32_t *v)
{
    if (r->n < 4)
        return -1;
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
         (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    r->n -= 4;
    return 0;
}

static int get_u64(rd *r, uint64_t *v)
{
    uint32_t hi, lo;
    if (r->n < 8)
        return -1;
    get_u32(r, &hi);
    get_u32(r, &lo);
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

/* string (RFC 4251 section 5) as a sub-reader. */
static int get_str(rd *r, rd *s)
{
    uint32_t len;
    if (get_u32(r, &len) < 0 || len > r->n)
        return -1;
    s->p = r->p;
    s->n = len;
    r->p += len;
    r->n -= len;
    return 0;
}

typedef struct ctx {
    const krl_query *q;
    uint8_t sha1[SHA_DIGEST_LENGTH], sha256[SHA256_DIGEST_LENGTH];
    int revoked;
    char *why;
    size_t why_cap;
} ctx;

static int bad(ctx *c, const char *what)
{
    if (c->why)
        snprintf(c->why, c->why_cap, "invalid KRL: %s", what);
    return NSSH_ERR_FORMAT;
}

static int same(rd s, const uint8_t *p, size_t n)
{
    return p && s.n == n && (n == 0 || !memcmp(s.p, p, n));
}

/* A key blob starts with a non-empty string naming its type. */
static int looks_like_key(rd s)
{
    rd t;
    return get_str(&s, &t) == 0 && t.n > 0 && s.n > 0;
}

/* "extension_name, is_critical, contents": only non-critical ones can be
 * skipped (sections 2.5 and 5). */
static int extension(ctx *c, rd d)
{
    rd name, body;
    uint8_t crit;
    if (get_str(&d, &name) < 0 || get_u8(&d, &crit) < 0 ||
        get_str(&d, &body) < 0 || d.n)
        return bad(c, "malformed extension");
    if (crit)
        return bad(c, "unsupported critical extension");
    return 0;
}

static int serial_bitmap(ctx *c, rd d, int applies)
{
    rd bits;
    uint64_t off, top;
    size_t i;
    if (get_u64(&d, &off) < 0 || get_str(&d, &bits) < 0 || d.n)
        return bad(c, "malformed serial bitmap");
    /* mpint: no negative value, no needless leading zero byte */
    if (bits.n && ((bits.p[0] & 0x80) ||
                   (bits.p[0] == 0 && (bits.n == 1 || !(bits.p[1] & 0x80)))))
        return bad(c, "malformed serial bitmap");
    for (i = 0; i < bits.n && !bits.p[i]; i++)
        ;
    if (i == bits.n)
        return 0;
    /* highest bit set, as an index from the least significant end */
    top = (uint64_t)(bits.n - 1 - i) * 8;
    {
        unsigned b = bits.p[i];
        while (b >>= 1)
            top++;
    }
    if (off > UINT64_MAX - top)
        return bad(c, "serial bitmap past 2^64");
    if (off == 0 && (bits.p[bits.n - 1] & 1))
        return bad(c, "serial 0 revoked");
    if (applies && c->q->serial >= off && c->q->serial - off <= top) {
        uint64_t n = c->q->serial - off;
        if (bits.p[bits.n - 1 - (size_t)(n / 8)] & (1u << (n % 8)))
            c->revoked = 1;
    }
    return 0;
}

static int cert_subsection(ctx *c, uint8_t type, rd d, int applies)
{
    uint64_t a, b;
    rd s;
    switch (type) {
    case CERT_SERIAL_LIST:
        while (d.n) {
            if (get_u64(&d, &a) < 0 || a == 0)
                return bad(c, "malformed serial list");
            if (applies && a == c->q->serial)
                c->revoked = 1;
        }
        return 0;
    case CERT_SERIAL_RANGE:
        if (get_u64(&d, &a) < 0 || get_u64(&d, &b) < 0 || d.n || a == 0 || a > b)
            return bad(c, "malformed serial range");
        if (applies && c->q->serial >= a && c->q->serial <= b)
            c->revoked = 1;
        return 0;
    case CERT_SERIAL_BITMAP:
        return serial_bitmap(c, d, applies);
    case CERT_KEY_ID:
        while (d.n) {
            if (get_str(&d, &s) < 0)
                return bad(c, "malformed key id");
            if (applies && c->q->key_id && same(s, (const uint8_t *)c->q->key_id,
                                                c->q->key_id_len))
                c->revoked = 1;
        }
        return 0;
    case CERT_EXTENSION:
        return extension(c, d);
    default:
        return bad(c, "unknown certificate subsection");
    }
}

/* Section 2: one CA (or, when ca_key is empty, every CA). */
static int certificates(ctx *c, rd d)
{
    rd ca, reserved, sub;
    uint8_t type;
    int r, applies;
    if (get_str(&d, &ca) < 0 || get_str(&d, &reserved) < 0)
        return bad(c, "malformed certificate section");
    if (ca.n && !looks_like_key(ca))
        return bad(c, "malformed CA key");
    applies = c->q->ca_key && (ca.n == 0 || same(ca, c->q->ca_key, c->q->ca_len));
    while (d.n) {
        if (get_u8(&d, &type) < 0 || get_str(&d, &sub) < 0)
            return bad(c, "malformed certificate subsection");
        if ((r = cert_subsection(c, type, sub, applies)) < 0)
            return r;
    }
    return 0;
}

static int explicit_keys(ctx *c, rd d)
{
    rd k;
    while (d.n) {
        if (get_str(&d, &k) < 0 || !looks_like_key(k))
            return bad(c, "malformed revoked key");
        if (same(k, c->q->key, c->q->key_len))
            c->revoked = 1;
    }
    return 0;
}

/* Sections 4: hashes of plain keys, in ascending order. */
static int fingerprints(ctx *c, rd d, const uint8_t *mine, size_t hlen)
{
    rd h, last = { NULL, 0 };
    while (d.n) {
        if (get_str(&d, &h) < 0 || h.n != hlen)
            return bad(c, "malformed key hash");
        if (last.p && memcmp(last.p, h.p, hlen) >= 0)
            return bad(c, "key hashes out of order");
        last = h;
        if (c->q->key && !memcmp(h.p, mine, hlen))
            c->revoked = 1;
    }
    return 0;
}

int krl_is_krl(const uint8_t *data, size_t len)
{
    return len >= 8 && !memcmp(data, KRL_MAGIC, 8);
}

int krl_check(const uint8_t *data, size_t len, const krl_query *q, char *why,
              size_t why_cap)
{
    ctx c = { .q = q, .revoked = 0, .why = why, .why_cap = why_cap };
    rd r = { data, len }, reserved, comment, sec;
    uint32_t version;
    uint64_t v64;
    uint8_t type;
    int e;
    if (why && why_cap)
        why[0] = 0;
    if (!krl_is_krl(data, len))
        return bad(&c, "bad magic");
    r.p += 8;
    r.n -= 8;
    if (get_u32(&r, &version) < 0 || get_u64(&r, &v64) < 0 ||
        get_u64(&r, &v64) < 0 || get_u64(&r, &v64) < 0 ||
        get_str(&r, &reserved) < 0 || get_str(&r, &comment) < 0)
        return bad(&c, "truncated header");
    if (version != KRL_FORMAT_VERSION)
        return bad(&c, "unsupported format version");
    if (q->key) {
        SHA1(q->key, q->key_len, c.sha1);
        SHA256(q->key, q->key_len, c.sha256);
    }
    while (r.n) {
        if (get_u8(&r, &type) < 0 || get_str(&r, &sec) < 0)
            return bad(&c, "truncated section");
        switch (type) {
        case SEC_CERTIFICATES:
            e = certificates(&c, sec);
            break;
        case SEC_EXPLICIT_KEY:
            e = explicit_keys(&c, sec);
            break;
        case SEC_FINGERPRINT_SHA1:
            e = fingerprints(&c, sec, c.sha1, sizeof(c.sha1));
            break;
        case SEC_FINGERPRINT_SHA256:
            e = fingerprints(&c, sec, c.sha256, sizeof(c.sha256));
            break;
        case SEC_EXTENSION:
            e = extension(&c, sec);
            break;
        case SEC_SIGNATURE:   /* refused since OpenSSH 9.4, as here */
            e = bad(&c, "signed KRLs are not supported");
            break;
        default:
            e = bad(&c, "unknown section");
            break;
        }
        if (e < 0)
            return e;
    }
    return c.revoked ? KRL_REVOKED : KRL_OK;
}
