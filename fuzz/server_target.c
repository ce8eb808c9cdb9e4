/* Server fuzz target and the recorded client stream it starts from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "null_crypto.h"
#include "server_target.h"

typedef struct srv {
    nssh_conn *c;
    fuzz_stats st;
} srv;

static int allow_key(void *u, nssh_str user, const char *alg, const uint8_t *b,
                     size_t n, int has_sig)
{
    return user.n > 0 && user.p[0] == 'r' ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}
static int open_any(void *u, uint32_t ch, nssh_str type, const uint8_t *x, size_t n)
{
    srv *s = u;
    if (type.n != 7)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    s->st.opened++;
    return NSSH_CB_ACCEPT;
}
static int req_any(void *u, uint32_t ch, const nssh_chan_req *r)
{
    return r->kind == NSSH_REQ_OTHER ? NSSH_CB_REFUSE : NSSH_CB_ACCEPT;
}
static void echo(void *u, uint32_t ch, uint32_t ext, const uint8_t *d, size_t n)
{
    srv *s = u;
    long w = nssh_channel_write(s->c, ch, ext, d, n);
    if (w > 0)
        s->st.echoed += (size_t)w;
    nssh_channel_consume(s->c, ch, n);
}
static void eof(void *u, uint32_t ch)
{
    srv *s = u;
    s->st.eofs++;
    nssh_channel_exit_status(s->c, ch, 0);
    nssh_channel_eof(s->c, ch);
    nssh_channel_close(s->c, ch);
}
static int global_any(void *u, nssh_str name, const uint8_t *d, size_t n, int wr,
                      uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    (void)reply;
    (void)reply_cap;
    (void)reply_len;
    return NSSH_CB_REFUSE;
}

static void log_rec(void *u, const nssh_log *r)
{
    srv *s = u;
    if (r->err == NSSH_ERR_INTERNAL)
        s->st.internal++;
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s %s %s: %s\n", r->stage, r->message ? r->message : "-",
                r->field ? r->field : "-", r->text);
}

static const nssh_callbacks srv_cb = {
    .log = log_rec,
    .auth_pubkey = allow_key, .channel_open = open_any, .channel_request = req_any,
    .channel_data = echo, .channel_eof = eof, .global_request = global_any,
};

static void drain(nssh_conn *c)
{
    size_t n;
    while (nssh_conn_sendbuf(c, &n))
        nssh_conn_sent(c, n);
}

int fuzz_server_run(const uint8_t *data, size_t len)
{
    return fuzz_server_run_stats(data, len, NULL);
}

int fuzz_server_run_stats(const uint8_t *data, size_t len, fuzz_stats *st)
{
    static void *mem;
    nssh_config cfg;
    nssh_conn_info info;
    srv s;
    size_t pos = 0, step = 1;
    int err;
    memset(&s, 0, sizeof(s));
    if (st)
        memset(st, 0, sizeof(*st));
    if (!mem && posix_memalign(&mem, 16, nssh_conn_mem_size()) != 0)
        return -1;
    fuzz_server_config(&cfg, &srv_cb, &s);
    cfg.login_grace_ms = 1000;
    s.c = nssh_conn_init(mem, nssh_conn_mem_size(), &cfg, 0);
    if (!s.c)
        return -1;
    drain(s.c);
    while (pos < len && !(nssh_conn_state(s.c) & NSSH_CLOSED)) {
        long k = nssh_conn_feed(s.c, data + pos, len - pos < step ? len - pos : step);
        if (k < 0)
            break;
        pos += (size_t)k;
        drain(s.c);
        step = step * 3 + 1;   /* vary the chunking */
        if (step > 4096)
            step = 7;
    }
    nssh_conn_tick(s.c, 500);
    drain(s.c);
    nssh_conn_tick(s.c, 5000);
    drain(s.c);
    err = nssh_conn_error(s.c);
    nssh_conn_get_info(s.c, &info);
    s.st.kex_count = info.kex_count;
    s.st.authenticated = info.authenticated;
    if (st)
        *st = s.st;
    nssh_conn_release(s.c);
    return err;
}

/* ---- the recorded client ---- */
typedef struct cli {
    nssh_conn *c;
    int ch, opened, replied;
} cli;

static int any_hostkey(void *u, const char *a, const uint8_t *b, size_t n) { return NSSH_CB_ACCEPT; }
static void c_open(void *u, uint32_t ch, int ok, uint32_t reason, nssh_str desc)
{
    (void)reason;
    (void)desc;
    ((cli *)u)->opened = ok;
}
static void c_reply(void *u, uint32_t ch, int ok) { ((cli *)u)->replied = 1; }
static const nssh_callbacks cli_cb = {
    .check_hostkey = any_hostkey, .channel_open_reply = c_open,
    .client_channel_reply = c_reply,
};

/* Move bytes: client to server recorded into rec. */
static void shuttle(nssh_conn *a, nssh_conn *b, uint8_t *rec, size_t *rl, size_t cap)
{
    size_t n;
    const uint8_t *p;
    while ((p = nssh_conn_sendbuf(a, &n)) != NULL) {
        long k = nssh_conn_feed(b, p, n);
        if (k <= 0)
            break;
        if (rec && *rl + (size_t)k <= cap) {
            memcpy(rec + *rl, p, (size_t)k);
            *rl += (size_t)k;
        }
        nssh_conn_sent(a, (size_t)k);
    }
}

size_t fuzz_client_stream(uint8_t *buf, size_t cap)
{
    void *m1 = NULL, *m2 = NULL;
    nssh_config cc, sc;
    cli cl = { 0 };
    srv s = { 0 };
    size_t rl = 0;
    int i;
    nssh_chan_req rq;
    static const char payload[] = "hello fuzz";
    if (posix_memalign(&m1, 16, nssh_conn_mem_size()) || posix_memalign(&m2, 16, nssh_conn_mem_size()))
        goto out;
    fuzz_client_config(&cc, &cli_cb, &cl);
    fuzz_server_config(&sc, &srv_cb, &s);
    cl.c = nssh_conn_init(m1, nssh_conn_mem_size(), &cc, 0);
    s.c = nssh_conn_init(m2, nssh_conn_mem_size(), &sc, 0);
    nssh_client_auth_pubkey(cl.c, "root", &fuzz_null_sig, NULL,
                            fuzz_null_hostkey.blob, fuzz_null_hostkey.blob_len);
    for (i = 0; i < 20; i++) {
        shuttle(cl.c, s.c, buf, &rl, cap);
        shuttle(s.c, cl.c, NULL, NULL, 0);
    }
    cl.ch = nssh_client_open_session(cl.c);
    for (i = 0; i < 5; i++) {
        shuttle(cl.c, s.c, buf, &rl, cap);
        shuttle(s.c, cl.c, NULL, NULL, 0);
    }
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_PTY;
    rq.want_reply = 1;
    rq.name.p = "xterm";
    rq.name.n = 5;
    rq.cols = 80;
    rq.rows = 24;
    nssh_client_channel_request(cl.c, (uint32_t)cl.ch, &rq);
    rq.kind = NSSH_REQ_EXEC;
    rq.text.p = "cat";
    rq.text.n = 3;
    nssh_client_channel_request(cl.c, (uint32_t)cl.ch, &rq);
    for (i = 0; i < 5; i++) {
        shuttle(cl.c, s.c, buf, &rl, cap);
        shuttle(s.c, cl.c, NULL, NULL, 0);
    }
    nssh_channel_write(cl.c, (uint32_t)cl.ch, 0, (const uint8_t *)payload, sizeof(payload));
    nssh_conn_rekey(cl.c);
    for (i = 0; i < 10; i++) {
        shuttle(cl.c, s.c, buf, &rl, cap);
        shuttle(s.c, cl.c, NULL, NULL, 0);
    }
    nssh_channel_write(cl.c, (uint32_t)cl.ch, 0, (const uint8_t *)payload, sizeof(payload));
    nssh_channel_eof(cl.c, (uint32_t)cl.ch);
    for (i = 0; i < 5; i++) {
        shuttle(cl.c, s.c, buf, &rl, cap);
        shuttle(s.c, cl.c, NULL, NULL, 0);
    }
    nssh_conn_release(cl.c);
    nssh_conn_release(s.c);
out:
    free(m1);
    free(m2);
    return rl;
}
