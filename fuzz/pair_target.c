/* The pair fuzz target (pair_target.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "null_crypto.h"
#include "pair_target.h"

enum { SRV = 0, CLI = 1 };
#define Q_CAP (256u * 1024u)
#define PUMP_MAX 2000

typedef struct side {
    nssh_conn *c;
    int role;
    int ch;                 /* last channel opened (-1: none) */
    int pending;            /* server: a direct-tcpip open held (NSSH_CB_LATER) */
    int no_consume;         /* leave the window shut */
    struct pair *p;
} side;

typedef struct pair {
    side s[2];
    int fz;                 /* the sender whose packets are edited */
    uint64_t now;
    uint8_t in[Q_CAP];      /* taken from the sender, not yet passed on */
    size_t in_len;
    uint8_t out[Q_CAP + 65536];   /* passed on, not yet fed to the receiver */
    size_t out_len;
    pair_stats st;
} pair;

/* The input, read as a script; reads past its end give zeros. */
typedef struct script {
    const uint8_t *p;
    size_t len, pos;
} script;

static unsigned get8(script *s) { return s->pos < s->len ? s->p[s->pos++] : 0; }

/* A length-prefixed byte string: one length byte, or 255 then two more
 * (up to 8 KiB). */
static size_t getbytes(script *s, const uint8_t **b)
{
    size_t n = get8(s);
    if (n == 255)
        n = ((get8(s) << 8) | get8(s)) & 0x1fff;
    if (n > s->len - s->pos)
        n = s->len - s->pos;
    *b = s->p + s->pos;
    s->pos += n;
    return n;
}

/* ---- callbacks ---- */
static void on_log(void *u, const nssh_log *r)
{
    side *d = u;
    if (r->err == NSSH_ERR_INTERNAL)
        d->p->st.internal++;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "[%s] %s %s %s: %s\n", d->role == SRV ? "server" : "client",
                r->stage, r->message ? r->message : "-", r->field ? r->field : "-",
                r->text);
}

static int eq(nssh_str s, const char *t)
{
    return s.n == strlen(t) && memcmp(s.p, t, s.n) == 0;
}

static int srv_pubkey(void *u, nssh_str user, const char *alg, const uint8_t *b,
                      size_t n, int has_sig)
{
    return eq(user, "root") ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}
static int srv_password(void *u, nssh_str user, nssh_str pw)
{
    return eq(user, "root") && eq(pw, "secret") ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}
static int srv_kbd_start(void *u, nssh_str user, nssh_str sub, nssh_kbdint *q)
{
    q->name = "fuzz";
    q->instruction = "answer";
    q->n_prompts = 2;
    q->prompt[0].text = "code: ";
    q->prompt[1].text = "again: ";
    q->prompt[1].echo = 1;
    return NSSH_CB_MORE;
}
static int srv_kbd_respond(void *u, nssh_str user, const nssh_str *r, size_t n,
                           nssh_kbdint *q)
{
    nssh_str none = { "", 0 };
    if (n == 2 && eq(r[0], "42"))
        return NSSH_CB_ACCEPT;
    return srv_kbd_start(u, user, none, q);
}
static int srv_open(void *u, uint32_t ch, nssh_str type, const uint8_t *x, size_t n)
{
    side *d = u;
    nssh_tcpip t;
    if (eq(type, "session")) {
        d->ch = (int)ch;
        d->p->st.opened++;
        return NSSH_CB_ACCEPT;
    }
    if (eq(type, "direct-tcpip") && nssh_tcpip_parse(x, n, 1, &t) == 0 &&
        d->pending < 0) {
        d->pending = (int)ch;
        return NSSH_CB_LATER;
    }
    return NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
}
static int any_req(void *u, uint32_t ch, const nssh_chan_req *r)
{
    return r->kind == NSSH_REQ_OTHER ? NSSH_CB_REFUSE : NSSH_CB_ACCEPT;
}
static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *b, size_t n)
{
    side *d = u;
    d->p->st.data[d->role] += n;
    if (!d->no_consume)
        nssh_channel_consume(d->c, ch, n);
}
static void on_eof(void *u, uint32_t ch) {}
static void on_closed(void *u, uint32_t ch)
{
    side *d = u;
    if (d->ch == (int)ch)
        d->ch = -1;
    if (d->pending == (int)ch)
        d->pending = -1;
}
static int srv_global(void *u, nssh_str name, const uint8_t *b, size_t n, int wr,
                      uint8_t *reply, size_t cap, size_t *rl)
{
    nssh_tcpip t;
    if (!eq(name, "tcpip-forward") || nssh_tcpip_parse(b, n, 0, &t) < 0)
        return NSSH_CB_REFUSE;
    if (t.port == 0 && cap >= 4) {   /* RFC 4254 section 7.1: the port bound */
        memcpy(reply, "\0\0\x10\x92", 4);
        *rl = 4;
    }
    return NSSH_CB_ACCEPT;
}
static int cli_hostkey(void *u, const char *a, const uint8_t *b, size_t n)
{
    return NSSH_CB_ACCEPT;
}
static void cli_auth(void *u, int ok, nssh_str methods) {}
static void cli_open_reply(void *u, uint32_t ch, int ok, uint32_t r, nssh_str d)
{
    side *s = u;
    if (ok)
        s->ch = (int)ch;
}
static void cli_reply(void *u, uint32_t ch, int ok) {}
static int cli_open(void *u, uint32_t ch, nssh_str type, const uint8_t *x, size_t n)
{
    return eq(type, "forwarded-tcpip") ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static const nssh_callbacks srv_cb = {
    .log = on_log, .auth_pubkey = srv_pubkey, .auth_password = srv_password,
    .kbdint_start = srv_kbd_start, .kbdint_respond = srv_kbd_respond,
    .channel_open = srv_open, .channel_request = any_req, .channel_data = on_data,
    .channel_eof = on_eof, .channel_closed = on_closed, .global_request = srv_global,
    .channel_open_reply = cli_open_reply,
};
static const nssh_callbacks cli_cb = {
    .log = on_log, .check_hostkey = cli_hostkey, .client_auth = cli_auth,
    .channel_open_reply = cli_open_reply, .client_channel_reply = cli_reply,
    .channel_request = any_req, .channel_data = on_data, .channel_eof = on_eof,
    .channel_closed = on_closed, .channel_open = cli_open,
};

/* ---- moving bytes ---- */
static int gone(const side *d)
{
    return (nssh_conn_state(d->c) & NSSH_CLOSED) || nssh_conn_error(d->c);
}

/* Feed what b accepts of buf[0..*len); the rest stays. A receiver that
 * has ended drops everything. Returns bytes consumed. */
static size_t feed(side *b, uint8_t *buf, size_t *len)
{
    long k;
    if (!*len)
        return 0;
    if (gone(b)) {
        size_t n = *len;
        *len = 0;
        return n;
    }
    k = nssh_conn_feed(b->c, buf, *len);
    if (k <= 0) {
        if (k < 0 || gone(b))
            *len = 0;
        return 0;
    }
    memmove(buf, buf + k, *len - (size_t)k);
    *len -= (size_t)k;
    return (size_t)k;
}

/* The plain direction: from a's send buffer straight to b. */
static size_t move_plain(side *a, side *b)
{
    size_t n, moved = 0;
    const uint8_t *q;
    while ((q = nssh_conn_sendbuf(a->c, &n)) != NULL && n) {
        long k;
        if (gone(b)) {
            nssh_conn_sent(a->c, n);
            moved += n;
            continue;
        }
        k = nssh_conn_feed(b->c, q, n);
        if (k <= 0)
            break;
        nssh_conn_sent(a->c, (size_t)k);
        moved += (size_t)k;
    }
    return moved;
}

/* The edited direction: the sender's bytes into p->in. */
static size_t pull(pair *p)
{
    side *a = &p->s[p->fz];
    size_t n, k, moved = 0;
    const uint8_t *q;
    while ((q = nssh_conn_sendbuf(a->c, &n)) != NULL && n &&
           p->in_len < sizeof(p->in)) {
        k = n < sizeof(p->in) - p->in_len ? n : sizeof(p->in) - p->in_len;
        memcpy(p->in + p->in_len, q, k);
        p->in_len += k;
        nssh_conn_sent(a->c, k);
        moved += k;
    }
    return moved;
}

/* The first whole packet in p->in: its size (the null MAC adds no
 * bytes), 0 if it is not all there yet. */
static size_t next_packet(pair *p)
{
    uint32_t l;
    if (p->in_len < 4)
        return 0;
    l = ((uint32_t)p->in[0] << 24) | ((uint32_t)p->in[1] << 16) |
        ((uint32_t)p->in[2] << 8) | p->in[3];
    if ((size_t)l + 4 > sizeof(p->in))   /* never from the engine */
        return p->in_len;
    return p->in_len >= (size_t)l + 4 ? (size_t)l + 4 : 0;
}

static void put_out(pair *p, const uint8_t *b, size_t n)
{
    if (n > sizeof(p->out) - p->out_len)
        n = sizeof(p->out) - p->out_len;
    memcpy(p->out + p->out_len, b, n);
    p->out_len += n;
}

/* A packet around payload pl (RFC 4253 section 6): with the null cipher
 * (block 8, encrypt-then-MAC framing) padding_length || payload ||
 * padding is a multiple of 8, the padding at least 4 bytes. */
static void put_packet(pair *p, const uint8_t *pl, size_t n)
{
    uint8_t h[5], pad[16] = { 0 };
    size_t padn = 8 - (1 + n) % 8;
    uint32_t l;
    if (padn < 4)
        padn += 8;
    l = (uint32_t)(1 + n + padn);
    h[0] = (uint8_t)(l >> 24);
    h[1] = (uint8_t)(l >> 16);
    h[2] = (uint8_t)(l >> 8);
    h[3] = (uint8_t)l;
    h[4] = (uint8_t)padn;
    put_out(p, h, 5);
    put_out(p, pl, n);
    put_out(p, pad, padn);
}

/* Take the first whole packet out of p->in: its payload into pl (cap
 * bytes), its length in *n. 0 if there is none. */
static int take_packet(pair *p, uint8_t *pl, size_t cap, size_t *n)
{
    size_t len = next_packet(p), padn;
    if (!len)
        return 0;
    padn = len > 4 ? p->in[4] : 0;
    *n = len >= 5 + padn ? len - 5 - padn : 0;
    if (*n > cap)
        *n = cap;
    memcpy(pl, p->in + 5, *n);
    memmove(p->in, p->in + len, p->in_len - len);
    p->in_len -= len;
    return 1;
}

static void pass_packets(pair *p)
{
    size_t len;
    while ((len = next_packet(p)) != 0) {
        put_out(p, p->in, len);
        memmove(p->in, p->in + len, p->in_len - len);
        p->in_len -= len;
    }
}

static size_t deliver(pair *p)
{
    return feed(&p->s[!p->fz], p->out, &p->out_len);
}

/* Both directions until nothing moves (the edited one unchanged). */
static void pump(pair *p)
{
    int i;
    for (i = 0; i < PUMP_MAX; i++) {
        size_t moved = move_plain(&p->s[!p->fz], &p->s[p->fz]);
        moved += pull(p);
        pass_packets(p);
        moved += deliver(p);
        if (!moved)
            return;
    }
}

/* Before any edit: both ways unchanged until the first key exchange is
 * done and nothing is in flight, so p->in starts on a packet boundary. */
static int handshake(pair *p)
{
    int i;
    for (i = 0; i < PUMP_MAX; i++) {
        size_t moved = move_plain(&p->s[CLI], &p->s[SRV]);
        moved += move_plain(&p->s[SRV], &p->s[CLI]);
        if (!moved)
            break;
    }
    return nssh_client_ready(p->s[CLI].c) && !gone(&p->s[SRV]) && !gone(&p->s[CLI]);
}

/* ---- API calls ---- */
static void req(side *d, int kind, const char *name, const char *text, script *s)
{
    nssh_chan_req r;
    if (d->ch < 0)
        return;
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    r.want_reply = (int)(get8(s) & 1);
    if (name) {
        r.name.p = name;
        r.name.n = strlen(name);
    }
    if (text) {
        r.text.p = text;
        r.text.n = strlen(text);
    }
    r.cols = 80;
    r.rows = 24;
    nssh_client_channel_request(d->c, (uint32_t)d->ch, &r);
}

static void client_op(pair *p, script *s)
{
    side *d = &p->s[CLI];
    const uint8_t *b;
    uint8_t ext[256];
    nssh_tcpip t;
    long n;
    size_t len;
    switch (get8(s) % 20) {
    case 0: nssh_client_auth_pubkey(d->c, "root", &fuzz_null_sig, NULL,
                                    fuzz_null_hostkey.blob, fuzz_null_hostkey.blob_len); break;
    case 1: nssh_client_auth_pubkey(d->c, "nobody", &fuzz_null_sig, NULL,
                                    fuzz_null_hostkey.blob, fuzz_null_hostkey.blob_len); break;
    case 2: nssh_client_auth_password(d->c, "root", "secret"); break;
    case 3: nssh_client_auth_password(d->c, "root", "wrong"); break;
    case 4: nssh_client_auth_none(d->c, "root"); break;
    case 5: n = nssh_client_open_session(d->c); (void)n; break;
    case 6: req(d, NSSH_REQ_PTY, "xterm", NULL, s); break;
    case 7: req(d, NSSH_REQ_EXEC, NULL, "cat", s); break;
    case 8: req(d, NSSH_REQ_SHELL, NULL, NULL, s); break;
    case 9: req(d, NSSH_REQ_ENV, "LANG", "C", s); break;
    case 10: req(d, NSSH_REQ_WINDOW_CHANGE, NULL, NULL, s); break;
    case 11: req(d, NSSH_REQ_SIGNAL, "INT", NULL, s); break;
    case 12: req(d, NSSH_REQ_SUBSYSTEM, NULL, "sftp", s); break;
    case 13:
        len = getbytes(s, &b);
        if (d->ch >= 0)
            nssh_channel_write(d->c, (uint32_t)d->ch, get8(s) & 1, b, len);
        break;
    case 14: if (d->ch >= 0) nssh_channel_eof(d->c, (uint32_t)d->ch); break;
    case 15: if (d->ch >= 0) nssh_channel_close(d->c, (uint32_t)d->ch); break;
    case 16: nssh_conn_rekey(d->c); break;
    case 17: nssh_conn_global_request(d->c, "keepalive@openssh.com", NULL, 0, 1); break;
    case 18:
        memset(&t, 0, sizeof(t));
        t.host.p = "localhost";
        t.host.n = 9;
        t.port = get8(s) & 1 ? 0 : 8022;
        if ((n = nssh_tcpip_build(ext, sizeof(ext), &t, 0)) > 0)
            nssh_conn_global_request(d->c, "tcpip-forward", ext, (size_t)n, 1);
        break;
    default:
        memset(&t, 0, sizeof(t));
        t.host.p = "localhost";
        t.host.n = 9;
        t.port = 22;
        t.orig_host.p = "127.0.0.1";
        t.orig_host.n = 9;
        t.orig_port = 5555;
        if ((n = nssh_tcpip_build(ext, sizeof(ext), &t, 1)) > 0)
            nssh_channel_open(d->c, "direct-tcpip", ext, (size_t)n);
        break;
    }
}

static void server_op(pair *p, script *s)
{
    side *d = &p->s[SRV];
    const uint8_t *b;
    uint8_t ext[256];
    nssh_tcpip t;
    long n;
    size_t len;
    uint32_t ch = d->ch >= 0 ? (uint32_t)d->ch : 0;
    switch (get8(s) % 12) {
    case 0:
    case 1:
        len = getbytes(s, &b);
        if (d->ch >= 0)
            nssh_channel_write(d->c, ch, get8(s) & 1, b, len);
        break;
    case 2: if (d->ch >= 0) nssh_channel_exit_status(d->c, ch, get8(s)); break;
    case 3: if (d->ch >= 0) nssh_channel_exit_signal(d->c, ch, "TERM", get8(s) & 1, "bye"); break;
    case 4: if (d->ch >= 0) nssh_channel_eof(d->c, ch); break;
    case 5: if (d->ch >= 0) nssh_channel_close(d->c, ch); break;
    case 6: nssh_conn_rekey(d->c); break;
    case 7: nssh_conn_global_request(d->c, "keepalive@openssh.com", NULL, 0, 1); break;
    case 8:
        memset(&t, 0, sizeof(t));
        t.host.p = "localhost";
        t.host.n = 9;
        t.port = 8022;
        t.orig_host.p = "127.0.0.1";
        t.orig_host.n = 9;
        t.orig_port = 4444;
        if ((n = nssh_tcpip_build(ext, sizeof(ext), &t, 1)) > 0)
            nssh_channel_open(d->c, "forwarded-tcpip", ext, (size_t)n);
        break;
    case 9:
        if (d->pending >= 0 && nssh_channel_open_confirm(d->c, (uint32_t)d->pending) == 0)
            d->pending = -1;
        break;
    case 10:
        if (d->pending >= 0 &&
            nssh_channel_open_refuse(d->c, (uint32_t)d->pending,
                                     NSSH_OPEN_CONNECT_FAILED, NULL) == 0)
            d->pending = -1;
        break;
    default: nssh_conn_disconnect(d->c, 11, "fuzz: by application"); break;
    }
}

/* ---- edits of the next packet of the edited direction ---- */
static void edit(pair *p, unsigned op, script *s)
{
    static uint8_t pl[Q_CAP];
    const uint8_t *b;
    size_t n = 0, len, k;
    unsigned a, v;
    pull(p);
    switch (op) {
    case 4: /* replace its payload */
        len = getbytes(s, &b);
        if (take_packet(p, pl, sizeof(pl), &n)) {
            put_packet(p, b, len);
            p->st.edits++;
        }
        break;
    case 5: /* inject a packet before it */
        len = getbytes(s, &b);
        put_packet(p, b, len);
        p->st.edits++;
        break;
    case 6: /* XOR a byte of its payload */
        a = get8(s);
        v = get8(s);
        if (take_packet(p, pl, sizeof(pl), &n)) {
            if (n)
                pl[a % n] ^= (uint8_t)(v ? v : 0x80);
            put_packet(p, pl, n);
            p->st.edits++;
        }
        break;
    case 7: /* truncate its payload */
        a = get8(s);
        if (take_packet(p, pl, sizeof(pl), &n)) {
            put_packet(p, pl, a % (n + 1));
            p->st.edits++;
        }
        break;
    case 8: /* bytes after its payload */
        len = getbytes(s, &b);
        if (take_packet(p, pl, sizeof(pl), &n)) {
            k = len < sizeof(pl) - n ? len : sizeof(pl) - n;
            memcpy(pl + n, b, k);
            put_packet(p, pl, n + k);
            p->st.edits++;
        }
        break;
    case 9: /* drop it */
        if (take_packet(p, pl, sizeof(pl), &n))
            p->st.edits++;
        break;
    case 10: /* twice */
        if (take_packet(p, pl, sizeof(pl), &n)) {
            put_packet(p, pl, n);
            put_packet(p, pl, n);
            p->st.edits++;
        }
        break;
    case 11: /* raw bytes, framing and all */
        len = getbytes(s, &b);
        put_out(p, b, len);
        p->st.edits++;
        break;
    default: /* 12: pass it on unchanged */
        if ((len = next_packet(p)) != 0) {
            put_out(p, p->in, len);
            memmove(p->in, p->in + len, p->in_len - len);
            p->in_len -= len;
        }
        break;
    }
    deliver(p);
}

/* A clean end: healthy, or a defined error other than INTERNAL. */
static int clean(int e)
{
    return e <= 0 && e >= NSSH_ERR_IO && e != NSSH_ERR_INTERNAL;
}

int fuzz_pair_run(const uint8_t *data, size_t len, pair_stats *st)
{
    static void *mem[2];
    static pair p;
    nssh_config cfg[2];
    nssh_conn_info info;
    script s = { data, len, 0 };
    int i, ops = 0, r = 0;
    for (i = 0; i < 2; i++)
        if (!mem[i] && posix_memalign(&mem[i], 16, nssh_conn_mem_size()) != 0)
            return -1;
    memset(&p.st, 0, sizeof(p.st));
    p.in_len = p.out_len = 0;
    p.now = 0;
    for (i = 0; i < 2; i++) {
        memset(&p.s[i], 0, sizeof(p.s[i]));
        p.s[i].role = i;
        p.s[i].ch = p.s[i].pending = -1;
        p.s[i].p = &p;
    }
    fuzz_server_config(&cfg[SRV], &srv_cb, &p.s[SRV]);
    fuzz_client_config(&cfg[CLI], &cli_cb, &p.s[CLI]);
    cfg[SRV].auth_methods = NSSH_METHOD_PUBLICKEY | NSSH_METHOD_PASSWORD |
                            NSSH_METHOD_KBDINT;
    cfg[SRV].login_grace_ms = 20000;
    for (i = 0; i < 2; i++) {
        p.s[i].c = nssh_conn_init(mem[i], nssh_conn_mem_size(), &cfg[i], 0);
        if (!p.s[i].c)
            abort();
    }
    p.fz = get8(&s) & 1 ? SRV : CLI;
    p.st.kex_done = handshake(&p);
    /* Bound the script so one input cannot run for long. */
    while (p.st.kex_done && s.pos < s.len && ops++ < 4096) {
        unsigned op = get8(&s) % 16;
        switch (op) {
        case 0: client_op(&p, &s); break;
        case 1: server_op(&p, &s); break;
        case 2:
        case 15: pump(&p); break;
        case 3: move_plain(&p.s[!p.fz], &p.s[p.fz]); break;
        case 13:
            p.now += (uint64_t)(get8(&s) + 1) * 200u;
            nssh_conn_tick(p.s[SRV].c, p.now);
            nssh_conn_tick(p.s[CLI].c, p.now);
            break;
        case 14: p.s[!p.fz].no_consume ^= 1; break;
        default: edit(&p, op, &s); break;
        }
    }
    pump(&p);
    for (i = 0; i < 2; i++) {
        nssh_conn_get_info(p.s[i].c, &info);
        p.st.kex_count[i] = info.kex_count;
        if (i == SRV)
            p.st.authenticated = info.authenticated;
        p.st.err[i] = nssh_conn_error(p.s[i].c);
        if (!clean(p.st.err[i]))
            r = -1;
    }
    if (p.st.internal)
        r = -1;
    for (i = 0; i < 2; i++)
        nssh_conn_release(p.s[i].c);
    if (st)
        *st = p.st;
    return r;
}
