/*
 * The harness of the test_channel_* programs: auth and connection-protocol
 * handlers driven directly, with the stand-in transport of stub_transport.h
 * capturing every payload they send. A fake signature algorithm, callbacks
 * that record what they saw in ev and answer what ev says, and helpers that
 * build requests and read replies.
 *
 * Each program includes this header once (it defines what it declares,
 * like stub_transport.h, which defines pkt_begin and friends), so CMake
 * builds each from the handler sources alone, not against the library.
 *
 * STUB_VERBOSE=1 in the environment prints every log and failure.
 */
#ifndef CHAN_HARNESS_H
#define CHAN_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stub_transport.h"

/* Each program uses a part of the harness. */
#define H_UNUSED __attribute__((unused))

/* ---- A fake signature algorithm: 8-byte FNV-1a over key || data -------- */
struct nssh_key {
    uint8_t k[8];
};

static inline void digest(const uint8_t *k, const uint8_t *d, size_t n, uint8_t out[8])
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    for (i = 0; i < 8; i++)
        h = (h ^ k[i]) * 0x100000001b3ull;
    for (i = 0; i < n; i++)
        h = (h ^ d[i]) * 0x100000001b3ull;
    for (i = 0; i < 8; i++)
        out[i] = (uint8_t)(h >> (56 - 8 * i));
}

static inline int fake_sign(const nssh_key *key, const uint8_t *data, size_t len,
                     uint8_t *sig, size_t sig_max, size_t *sig_len,
                     nssh_rng_fn rng, void *rng_user)
{
    uint8_t d[8];
    wr w;
    (void)rng;
    (void)rng_user;
    digest(key->k, data, len, d);
    wr_init(&w, sig, sig_max);
    wr_cstring(&w, "test-sig");
    wr_string(&w, d, 8);
    *sig_len = w.len;
    return w.err;
}

static inline int fake_verify(const uint8_t *keyblob, size_t keylen, const uint8_t *data,
                       size_t len, const uint8_t *sig, size_t siglen)
{
    rd kb, sb;
    nssh_str t;
    const uint8_t *k, *raw;
    size_t kn, rn;
    uint8_t d[8];
    rd_init(&kb, keyblob, keylen);
    if (rd_str(&kb, &t) < 0 || rd_string(&kb, &k, &kn) < 0 || kn != 8)
        return NSSH_ERR_KEY;
    rd_init(&sb, sig, siglen);
    if (rd_str(&sb, &t) < 0 || t.n != 8 || memcmp(t.p, "test-sig", 8) ||
        rd_string(&sb, &raw, &rn) < 0 || rn != 8 || rd_end(&sb) < 0)
        return NSSH_ERR_FORMAT;
    digest(k, data, len, d);
    return memcmp(d, raw, 8) ? NSSH_ERR_SIGNATURE : 0;
}

static H_UNUSED const nssh_sig_alg fake_alg = { "test-sig", "test-key", fake_sign, fake_verify, 0 };
static H_UNUSED const nssh_sig_alg other_alg = { "other-sig", "other-key", fake_sign, fake_verify, 0 };
static H_UNUSED const nssh_sig_alg *const algs[] = { &fake_alg };

static H_UNUSED const nssh_key good_key = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
static H_UNUSED const nssh_key wrong_key = { { 9, 9, 9, 9, 9, 9, 9, 9 } };
static H_UNUSED uint8_t blob[64];
static H_UNUSED size_t blob_len;

static inline void make_blob(void)
{
    wr w;
    wr_init(&w, blob, sizeof(blob));
    wr_cstring(&w, "test-key");
    wr_string(&w, good_key.k, 8);
    blob_len = w.len;
}

/* ---- Callbacks record what they saw ------------------------------------- */
static H_UNUSED struct {
    int pubkey_calls, pubkey_last_has_sig, pubkey_answer;
    int result_calls, result_ok;
    char result_method[32];
    int open_calls, open_answer;
    uint32_t open_ch;
    int req_calls, req_answer;
    nssh_chan_req req;
    char req_name[64], req_text[64], req_modes[16];
    int data_calls;
    uint32_t data_ch, data_ext;
    size_t data_len;
    int eof_calls, closed_calls;
    uint32_t closed_ch;
    int global_calls, global_answer;
    int cauth_calls, cauth_ok;
    char cauth_methods[64];
    int copen_calls, copen_ok, creply_calls, creply_ok;
    /* opens and global requests with answers (channel_open.c, global.c) */
    uint8_t open_extra[256];
    size_t open_extra_len;
    int open_refuse_inside;        /* channel_open refuses from inside */
    int oreply_calls, oreply_ok;
    uint32_t oreply_ch, oreply_reason;
    char oreply_desc[64];
    int greply_calls;
    char greply_name[64];
    uint32_t greply_port;          /* port to answer a tcpip-forward of 0 */
    size_t greply_len;             /* bytes of answer to claim */
} ev;

/* The connection under test, for callbacks that call back into it. */
static H_UNUSED nssh_conn *cur;

static inline void cpy(char *dst, size_t cap, nssh_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = 0;
}

static inline int cb_auth_pubkey(void *u, nssh_str user, const char *alg,
                          const uint8_t *b, size_t bl, int has_sig)
{
    (void)u;
    (void)alg;
    (void)b;
    (void)bl;
    assert_true(user.n <= NSSH_USER_MAX);
    ev.pubkey_calls++;
    ev.pubkey_last_has_sig = has_sig;
    return ev.pubkey_answer;
}

static inline void cb_auth_result(void *u, nssh_str user, const char *method,
                           const char *alg, const uint8_t *b, size_t bl, int ok,
                           int partial)
{
    (void)u; (void)user; (void)alg; (void)b; (void)bl; (void)partial;
    ev.result_calls++;
    ev.result_ok = ok;
    snprintf(ev.result_method, sizeof(ev.result_method), "%s", method);
}

static inline int cb_channel_open(void *u, uint32_t ch, nssh_str type,
                           const uint8_t *extra, size_t extra_len)
{
    (void)u; (void)type;
    ev.open_calls++;
    ev.open_ch = ch;
    ev.open_extra_len = extra_len < sizeof(ev.open_extra) ? extra_len : 0;
    if (ev.open_extra_len)
        memcpy(ev.open_extra, extra, ev.open_extra_len);
    if (ev.open_refuse_inside)
        assert_int_equal(nssh_channel_open_refuse(cur, ch, 2, "inside"), 0);
    return ev.open_answer;
}

static inline int cb_channel_request(void *u, uint32_t ch, const nssh_chan_req *q)
{
    (void)u;
    (void)ch;
    ev.req_calls++;
    ev.req = *q;
    cpy(ev.req_name, sizeof(ev.req_name), q->name);
    cpy(ev.req_text, sizeof(ev.req_text), q->text);
    cpy(ev.req_modes, sizeof(ev.req_modes), q->modes);
    return ev.req_answer;
}

static inline void cb_channel_data(void *u, uint32_t ch, uint32_t ext,
                            const uint8_t *d, size_t n)
{
    (void)u;
    (void)d;
    ev.data_calls++;
    ev.data_ch = ch;
    ev.data_ext = ext;
    ev.data_len = n;
}

static inline void cb_channel_eof(void *u, uint32_t ch) { (void)u; (void)ch; ev.eof_calls++; }

static inline void cb_channel_closed(void *u, uint32_t ch)
{
    (void)u;
    ev.closed_calls++;
    ev.closed_ch = ch;
}

static inline int cb_global(void *u, nssh_str name, const uint8_t *d, size_t n, int wr_,
                     uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    (void)reply;
    (void)reply_cap;
    (void)reply_len;
    (void)u; (void)name; (void)d; (void)n; (void)wr_;
    ev.global_calls++;
    return ev.global_answer;
}

static inline void cb_client_auth(void *u, int ok, nssh_str methods)
{
    (void)u;
    ev.cauth_calls++;
    ev.cauth_ok = ok;
    cpy(ev.cauth_methods, sizeof(ev.cauth_methods), methods);
}

static inline void cb_client_open(void *u, uint32_t ch, int ok, uint32_t reason,
                           nssh_str desc)
{
    (void)reason;
    (void)desc;
    (void)u; (void)ch;
    ev.copen_calls++;
    ev.copen_ok = ok;
}

static inline void cb_client_reply(void *u, uint32_t ch, int ok)
{
    (void)u; (void)ch;
    ev.creply_calls++;
    ev.creply_ok = ok;
}

static H_UNUSED const nssh_callbacks cbs = {
    .auth_pubkey = cb_auth_pubkey,
    .auth_result = cb_auth_result,
    .channel_open = cb_channel_open,
    .channel_request = cb_channel_request,
    .channel_data = cb_channel_data,
    .channel_eof = cb_channel_eof,
    .channel_closed = cb_channel_closed,
    .global_request = cb_global,
    .client_auth = cb_client_auth,
    .channel_open_reply = cb_client_open,
    .client_channel_reply = cb_client_reply,
};

static H_UNUSED nssh_config srv_cfg, cli_cfg;

static inline nssh_conn *mk(int role)
{
    nssh_conn *c = calloc(1, sizeof(*c));
    nssh_config *cfg = role == NSSH_ROLE_SERVER ? &srv_cfg : &cli_cfg;
    assert_non_null(c);
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = role;
    cfg->sig_algs = algs;
    cfg->n_sig_algs = 1;
    cfg->auth_methods = NSSH_METHOD_PUBLICKEY;
    cfg->auth_max_tries = 3;
    cfg->cb = &cbs;
    c->cfg = cfg;
    c->cb = &cbs;
    c->role = role;
    memset(c->session_id, 0x11, 32);
    c->session_id_len = 32;
    c->kx.count = 1;
    return c;
}

static inline int setup(void **state)
{
    stub_reset();
    memset(&ev, 0, sizeof(ev));
    ev.pubkey_answer = NSSH_CB_ACCEPT;
    ev.open_answer = ev.req_answer = ev.global_answer = NSSH_CB_ACCEPT;
    make_blob();
    *state = NULL;
    return 0;
}

static inline int teardown(void **state)
{
    free(*state);
    return 0;
}

/* The gate's routing, for the messages this test sends. */
static inline int feed(nssh_conn *c, const uint8_t *p, size_t n)
{
    rd r;
    rd_init(&r, p + 1, n - 1);
    switch (p[0]) {
    case MSG_SERVICE_REQUEST: return auth_service_request(c, &r);
    case MSG_SERVICE_ACCEPT: return auth_service_accept(c, &r);
    default: break;
    }
    if (p[0] >= 50 && p[0] <= 79)
        return c->role == NSSH_ROLE_SERVER ? auth_server_handle(c, p[0], &r)
                                           : auth_client_handle(c, p[0], &r);
    if (p[0] >= 80 && p[0] <= 82)
        return global_handle(c, p[0], &r);
    return channel_handle(c, p[0], &r);
}

static inline int feed_w(nssh_conn *c, const wr *w)
{
    assert_int_equal(w->err, 0);
    return feed(c, w->p, w->len);
}

/* Output i must be message msg; returns a reader after the message byte. */
static inline rd out(size_t i, uint8_t msg)
{
    rd r;
    assert_true(i < stub_n);
    assert_int_equal(stub_out[i].p[0], msg);
    rd_init(&r, stub_out[i].p + 1, stub_out[i].len - 1);
    return r;
}

static inline void expect_str(rd *r, const char *s)
{
    nssh_str v;
    assert_int_equal(rd_str(r, &v), 0);
    assert_int_equal(v.n, strlen(s));
    assert_memory_equal(v.p, s, v.n);
}

static inline uint32_t get_u32(rd *r)
{
    uint32_t v = 0;
    assert_int_equal(rd_u32(r, &v), 0);
    return v;
}

static H_UNUSED uint8_t buf[8192];

/* USERAUTH_REQUEST head. */
static inline void ureq(wr *w, const char *user, size_t ulen, const char *method)
{
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, MSG_USERAUTH_REQUEST);
    wr_string(w, user, ulen);
    wr_cstring(w, "ssh-connection");
    wr_cstring(w, method);
}

/* A publickey request, signed with key (NULL: the unsigned query). */
static inline void pk_req(wr *w, nssh_conn *c, const char *user, const char *alg,
                   const nssh_key *key)
{
    ureq(w, user, strlen(user), "publickey");
    wr_bool(w, key != NULL);
    wr_cstring(w, alg);
    wr_string(w, blob, blob_len);
    if (key) {
        uint8_t data[AUTH_SIGNED_MAX], sig[128];
        size_t slen;
        wr d;
        wr_init(&d, data, sizeof(data));
        auth_signed_data(c, &d, (const uint8_t *)user, strlen(user), alg, blob,
                         blob_len);
        assert_int_equal(fake_sign(key, data, d.len, sig, sizeof(sig), &slen,
                                   NULL, NULL), 0);
        wr_string(w, sig, slen);
    }
}



static inline int open_chan(nssh_conn *c, uint32_t sender, uint32_t window, uint32_t maxpkt)
{
    wr w;
    rd r;
    size_t before = stub_n;
    uint32_t id;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_CHANNEL_OPEN);
    wr_cstring(&w, "session");
    wr_u32(&w, sender);
    wr_u32(&w, window);
    wr_u32(&w, maxpkt);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(before, MSG_CHANNEL_OPEN_CONFIRMATION);
    assert_int_equal(get_u32(&r), sender);
    id = get_u32(&r);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_WINDOW);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_MAXPKT);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(ev.open_ch, id);
    return (int)id;
}

static inline void chan_msg(wr *w, uint8_t msg, uint32_t id)
{
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, msg);
    wr_u32(w, id);
}

static inline void send_data(nssh_conn *c, uint32_t id, size_t n, int expect)
{
    static uint8_t big[NSSH_CHANNEL_MAXPKT + 64];
    wr w;
    wr_init(&w, big, sizeof(big));
    wr_u8(&w, MSG_CHANNEL_DATA);
    wr_u32(&w, id);
    wr_u32(&w, (uint32_t)n);
    assert_non_null(wr_reserve(&w, n));
    assert_int_equal(feed_w(c, &w), expect);
}

static inline void req_head(wr *w, uint32_t id, const char *type, int want_reply)
{
    chan_msg(w, MSG_CHANNEL_REQUEST, id);
    wr_cstring(w, type);
    wr_bool(w, want_reply);
}


static inline void cb_open_reply(void *u, uint32_t ch, int ok, uint32_t reason,
                          nssh_str desc)
{
    (void)u;
    ev.oreply_calls++;
    ev.oreply_ch = ch;
    ev.oreply_ok = ok;
    ev.oreply_reason = reason;
    cpy(ev.oreply_desc, sizeof(ev.oreply_desc), desc);
}

/* tcpip-forward for port 0 answers ev.greply_port (RFC 4254 section 7.1). */
static inline int cb_global_reply(void *u, nssh_str name, const uint8_t *d, size_t n,
                           int want_reply, uint8_t *reply, size_t cap,
                           size_t *reply_len)
{
    nssh_tcpip t;
    (void)u;
    (void)want_reply;
    ev.greply_calls++;
    cpy(ev.greply_name, sizeof(ev.greply_name), name);
    if (nssh_tcpip_parse(d, n, 0, &t) < 0)
        return NSSH_CB_REFUSE;
    if (t.port == 0) {
        assert_true(cap >= 4);
        put_be32(reply, ev.greply_port);
        *reply_len = ev.greply_len ? ev.greply_len : 4;
    }
    return ev.global_answer;
}

static H_UNUSED const nssh_callbacks cbs_fwd = {
    .channel_open = cb_channel_open,
    .channel_data = cb_channel_data,
    .channel_eof = cb_channel_eof,
    .channel_closed = cb_channel_closed,
    .channel_open_reply = cb_open_reply,
    .global_request = cb_global_reply,
};

/* A server connection past authentication with the callbacks above. */
static inline nssh_conn *mk_fwd(void)
{
    nssh_conn *c = cur = mk(NSSH_ROLE_SERVER);
    srv_cfg.cb = c->cb = &cbs_fwd;
    c->au.done = 1;
    return c;
}

static inline size_t tcpip(uint8_t *p, size_t cap, const char *host, uint32_t port,
                    const char *orig, uint32_t orig_port, int with_orig)
{
    nssh_tcpip t;
    long n;
    t.host.p = host;
    t.host.n = strlen(host);
    t.port = port;
    t.orig_host.p = orig;
    t.orig_host.n = orig ? strlen(orig) : 0;
    t.orig_port = orig_port;
    n = nssh_tcpip_build(p, cap, &t, with_orig);
    assert_true(n > 0);
    return (size_t)n;
}

/* The peer opens direct-tcpip (RFC 4254 section 7.2). */
static inline void feed_direct(nssh_conn *c, uint32_t sender, int expect)
{
    uint8_t extra[128];
    size_t n = tcpip(extra, sizeof(extra), "example.org", 80, "192.0.2.7", 5555, 1);
    wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_CHANNEL_OPEN);
    wr_cstring(&w, "direct-tcpip");
    wr_u32(&w, sender);
    wr_u32(&w, 4096);
    wr_u32(&w, 1024);
    wr_bytes(&w, extra, n);
    assert_int_equal(feed_w(c, &w), expect);
}

static inline void global_req(wr *w, const char *name, int want_reply, const char *host,
                       uint32_t port)
{
    uint8_t d[64];
    size_t n = tcpip(d, sizeof(d), host, port, NULL, 0, 0);
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, MSG_GLOBAL_REQUEST);
    wr_cstring(w, name);
    wr_bool(w, want_reply);
    wr_bytes(w, d, n);
}

/* The body of main(): the group's tests, each between setup and teardown. */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define CHAN_RUN(...)                                                      \
    do {                                                                   \
        const struct CMUnitTest tests_[] = { __VA_ARGS__ };                \
        stub_verbose = getenv("STUB_VERBOSE") != NULL;                     \
        return cmocka_run_group_tests(tests_, NULL, NULL);                 \
    } while (0)

#endif
