/*
 * Encoding and checked decoding of the privilege-separation messages
 * (ipc.h). The monitor runs ipc_decode on every byte the sandboxed child
 * sends, so nothing here trusts a length.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

typedef struct cur {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} cur;

static uint32_t get_u32(cur *c)
{
    uint32_t v;
    if (c->bad || c->len - c->pos < 4) {
        c->bad = 1;
        return 0;
    }
    v = ((uint32_t)c->p[c->pos] << 24) | ((uint32_t)c->p[c->pos + 1] << 16) |
        ((uint32_t)c->p[c->pos + 2] << 8) | c->p[c->pos + 3];
    c->pos += 4;
    return v;
}

static uint64_t get_u64(cur *c)
{
    uint64_t hi = get_u32(c);
    return (hi << 32) | get_u32(c);
}

static int get_bool(cur *c)
{
    if (c->bad || c->pos >= c->len || c->p[c->pos] > 1) {
        c->bad = 1;
        return 0;
    }
    return c->p[c->pos++];
}

/* The answer's verdict: 0, 1, or 2 (IPC_COMPLETE's refusal). */
static int get_verdict(cur *c)
{
    if (c->bad || c->pos >= c->len || c->p[c->pos] > 2) {
        c->bad = 1;
        return 0;
    }
    return c->p[c->pos++];
}

/* A string of at most max bytes; nul_ok 0: no NUL byte inside. */
static void get_str(cur *c, ipc_bytes *b, size_t max, int nul_ok)
{
    uint32_t n = get_u32(c);
    b->p = NULL;
    b->n = 0;
    if (c->bad || n > max || n > c->len - c->pos ||
        (!nul_ok && memchr(c->p + c->pos, 0, n))) {
        c->bad = 1;
        return;
    }
    b->p = c->p + c->pos;
    b->n = n;
    c->pos += n;
}

int ipc_decode(const uint8_t *buf, size_t len, ipc_msg *m)
{
    cur c = { buf, len, 1, 0 };
    uint32_t i;
    memset(m, 0, sizeof(*m));
    if (!len)
        return NSSH_ERR_FORMAT;
    m->type = buf[0];
    switch (m->type) {
    case IPC_SIGN:
        m->index = get_u32(&c);
        get_str(&c, &m->data, IPC_DATA_MAX, 1);
        break;
    case IPC_AUTHREQ:
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        get_str(&c, &m->method, IPC_NAME_MAX, 0);
        break;
    case IPC_PUBKEY:
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        get_str(&c, &m->alg, IPC_NAME_MAX, 0);
        get_str(&c, &m->blob, NSSH_KEYBLOB_MAX, 1);
        m->flag = get_bool(&c);
        break;
    case IPC_VERIFY:
        get_str(&c, &m->blob, NSSH_KEYBLOB_MAX, 1);
        get_str(&c, &m->data, IPC_DATA_MAX, 1);
        get_str(&c, &m->sig, IPC_SIG_MAX, 1);
        break;
    case IPC_PASSWORD:
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        get_str(&c, &m->secret, IPC_PASSWORD_MAX, 1);
        m->flag = get_bool(&c);
        break;
    case IPC_RESULT:
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        get_str(&c, &m->method, IPC_NAME_MAX, 0);
        get_str(&c, &m->alg, IPC_NAME_MAX, 0);
        get_str(&c, &m->blob, NSSH_KEYBLOB_MAX, 1);
        m->flag = get_bool(&c);
        m->flag2 = get_bool(&c);
        break;
    case IPC_EXPORT:
        get_str(&c, &m->data, NSSH_EXPORT_MAX, 1);
        break;
    case IPC_KBDINT:
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        get_str(&c, &m->method, IPC_NAME_MAX, 0);
        m->flag = get_bool(&c);
        m->n_resp = get_u32(&c);
        if (m->n_resp > NSSH_KBDINT_PROMPTS_MAX)
            c.bad = 1;
        for (i = 0; i < m->n_resp && !c.bad; i++)
            get_str(&c, &m->resp[i], IPC_PASSWORD_MAX, 1);
        break;
    case IPC_COMPLETE:
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        get_str(&c, &m->method, IPC_NAME_MAX, 0);
        break;
    case IPC_ANSWER:
        m->verdict = get_verdict(&c);
        m->reason = get_u32(&c);
        get_str(&c, &m->text, IPC_TEXT_MAX, 0);
        get_str(&c, &m->data, IPC_BANNER_MAX, 1);
        m->methods = get_u32(&c);
        m->max_tries = get_u32(&c);
        m->rekey_bytes = get_u64(&c);
        m->rekey_seconds = get_u32(&c);
        get_str(&c, &m->user, NSSH_USER_MAX, 0);
        m->valid = get_bool(&c);
        break;
    default:
        return NSSH_ERR_FORMAT;
    }
    if (c.bad || c.pos != c.len) {
        memset(m, 0, sizeof(*m));
        return NSSH_ERR_FORMAT;
    }
    return 0;
}

typedef struct out {
    uint8_t *p;
    size_t cap, len;
    int bad;
} out;

static void put_u32(out *o, uint32_t v)
{
    if (o->bad || o->cap - o->len < 4) {
        o->bad = 1;
        return;
    }
    o->p[o->len++] = (uint8_t)(v >> 24);
    o->p[o->len++] = (uint8_t)(v >> 16);
    o->p[o->len++] = (uint8_t)(v >> 8);
    o->p[o->len++] = (uint8_t)v;
}

static void put_u8(out *o, unsigned v)
{
    if (o->bad || o->len >= o->cap) {
        o->bad = 1;
        return;
    }
    o->p[o->len++] = (uint8_t)v;
}

static void put_str(out *o, ipc_bytes b)
{
    put_u32(o, (uint32_t)b.n);
    if (o->bad || o->cap - o->len < b.n) {
        o->bad = 1;
        return;
    }
    if (b.n)
        memcpy(o->p + o->len, b.p, b.n);
    o->len += b.n;
}

long ipc_encode(const ipc_msg *m, uint8_t *buf, size_t cap)
{
    out o = { buf, cap, 4, 0 };
    uint32_t i;
    if (cap < 5)
        return NSSH_ERR_NOSPACE;
    put_u8(&o, m->type);
    switch (m->type) {
    case IPC_SIGN:
        put_u32(&o, m->index);
        put_str(&o, m->data);
        break;
    case IPC_AUTHREQ:
        put_str(&o, m->user);
        put_str(&o, m->method);
        break;
    case IPC_PUBKEY:
        put_str(&o, m->user);
        put_str(&o, m->alg);
        put_str(&o, m->blob);
        put_u8(&o, m->flag != 0);
        break;
    case IPC_VERIFY:
        put_str(&o, m->blob);
        put_str(&o, m->data);
        put_str(&o, m->sig);
        break;
    case IPC_PASSWORD:
        put_str(&o, m->user);
        put_str(&o, m->secret);
        put_u8(&o, m->flag != 0);
        break;
    case IPC_RESULT:
        put_str(&o, m->user);
        put_str(&o, m->method);
        put_str(&o, m->alg);
        put_str(&o, m->blob);
        put_u8(&o, m->flag != 0);
        put_u8(&o, m->flag2 != 0);
        break;
    case IPC_EXPORT:
        put_str(&o, m->data);
        break;
    case IPC_KBDINT:
        put_str(&o, m->user);
        put_str(&o, m->method);
        put_u8(&o, m->flag != 0);
        put_u32(&o, m->n_resp);
        for (i = 0; i < m->n_resp && i < NSSH_KBDINT_PROMPTS_MAX; i++)
            put_str(&o, m->resp[i]);
        break;
    case IPC_COMPLETE:
        put_str(&o, m->user);
        put_str(&o, m->method);
        break;
    case IPC_ANSWER:
        put_u8(&o, m->verdict == 2 ? 2 : m->verdict != 0);
        put_u32(&o, m->reason);
        put_str(&o, m->text);
        put_str(&o, m->data);
        put_u32(&o, m->methods);
        put_u32(&o, m->max_tries);
        put_u32(&o, (uint32_t)(m->rekey_bytes >> 32));
        put_u32(&o, (uint32_t)m->rekey_bytes);
        put_u32(&o, m->rekey_seconds);
        put_str(&o, m->user);
        put_u8(&o, m->valid != 0);
        break;
    default:
        return NSSH_ERR_FORMAT;
    }
    if (o.bad)
        return NSSH_ERR_NOSPACE;
    buf[0] = (uint8_t)((o.len - 4) >> 24);
    buf[1] = (uint8_t)((o.len - 4) >> 16);
    buf[2] = (uint8_t)((o.len - 4) >> 8);
    buf[3] = (uint8_t)(o.len - 4);
    return (long)o.len;
}

static ipc_bytes text(const char *s)
{
    ipc_bytes b = { (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0 };
    return b;
}

long ipc_round_encode(const nssh_kbdint *q, uint8_t *buf, size_t cap)
{
    out o = { buf, cap, 0, 0 };
    unsigned i;
    if (q->n_prompts > NSSH_KBDINT_PROMPTS_MAX)
        return NSSH_ERR_FORMAT;
    put_str(&o, text(q->name));
    put_str(&o, text(q->instruction));
    put_u32(&o, q->n_prompts);
    for (i = 0; i < q->n_prompts; i++) {
        put_str(&o, text(q->prompt[i].text));
        put_u8(&o, q->prompt[i].echo != 0);
    }
    return o.bad ? NSSH_ERR_NOSPACE : (long)o.len;
}

/* A string of the round as a C string in store. */
static const char *round_text(cur *c, char *store, size_t cap, size_t *used)
{
    ipc_bytes b;
    char *p = store + *used;
    get_str(c, &b, IPC_TEXT_MAX, 0);
    if (c->bad || cap - *used < b.n + 1) {
        c->bad = 1;
        return "";
    }
    if (b.n)
        memcpy(p, b.p, b.n);
    p[b.n] = 0;
    *used += b.n + 1;
    return p;
}

int ipc_round_decode(const uint8_t *buf, size_t len, nssh_kbdint *q,
                     char *store, size_t cap)
{
    cur c = { buf, len, 0, 0 };
    size_t used = 0;
    uint32_t i, n;
    memset(q, 0, sizeof(*q));
    q->name = round_text(&c, store, cap, &used);
    q->instruction = round_text(&c, store, cap, &used);
    n = get_u32(&c);
    if (n > NSSH_KBDINT_PROMPTS_MAX)
        c.bad = 1;
    for (i = 0; i < n && !c.bad; i++) {
        q->prompt[i].text = round_text(&c, store, cap, &used);
        q->prompt[i].echo = get_bool(&c);
    }
    if (c.bad || c.pos != c.len)
        return NSSH_ERR_FORMAT;
    q->n_prompts = n;
    return 0;
}

static int io_all(int fd, uint8_t *p, size_t n, int writing)
{
    while (n) {
        ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && !writing)
            return NSSH_ERR_EOF;
        if (r <= 0)
            return NSSH_ERR_IO;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int ipc_send(int fd, const uint8_t *buf, size_t len)
{
    return io_all(fd, (uint8_t *)buf, len, 1);
}

int ipc_recv(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t h[4];
    uint32_t n;
    int e;
    if ((e = io_all(fd, h, 4, 0)) < 0)
        return e;
    n = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) |
        ((uint32_t)h[2] << 8) | h[3];
    if (n == 0 || n > cap)
        return NSSH_ERR_FORMAT;
    if ((e = io_all(fd, buf, n, 0)) < 0)
        return e;
    *len = n;
    return 0;
}
