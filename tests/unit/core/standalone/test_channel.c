/*
 * Auth and connection-protocol handlers driven directly, with the stand-in
 * transport of stub_transport.h capturing every payload they send.
 *
 * It defines pkt_begin and friends, which the library also defines, so
 * CMake builds it from the handler sources alone (target test_channel).
 *
 * STUB_VERBOSE=1 in the environment prints every log and failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stub_transport.h"

/* ---- A fake signature algorithm: 8-byte FNV-1a over key || data -------- */
struct nssh_key {
    uint8_t k[8];
};

static void digest(const uint8_t *k, const uint8_t *d, size_t n, uint8_t out[8])
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

static int fake_sign(const nssh_key *key, const uint8_t *data, size_t len,
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

static int fake_verify(const uint8_t *keyblob, size_t keylen, const uint8_t *data,
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

static const nssh_sig_alg fake_alg = { "test-sig", "test-key", fake_sign, fake_verify };
static const nssh_sig_alg other_alg = { "other-sig", "other-key", fake_sign, fake_verify };
static const nssh_sig_alg *const algs[] = { &fake_alg };

static const nssh_key good_key = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
static const nssh_key wrong_key = { { 9, 9, 9, 9, 9, 9, 9, 9 } };
static uint8_t blob[64];
static size_t blob_len;

static void make_blob(void)
{
    wr w;
    wr_init(&w, blob, sizeof(blob));
    wr_cstring(&w, "test-key");
    wr_string(&w, good_key.k, 8);
    blob_len = w.len;
}

/* ---- Callbacks record what they saw ------------------------------------- */
static struct {
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
static nssh_conn *cur;

static void cpy(char *dst, size_t cap, nssh_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = 0;
}

static int cb_auth_pubkey(void *u, nssh_str user, const char *alg,
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

static void cb_auth_result(void *u, nssh_str user, const char *method,
                           const char *alg, const uint8_t *b, size_t bl, int ok,
                           int partial)
{
    (void)u; (void)user; (void)alg; (void)b; (void)bl; (void)partial;
    ev.result_calls++;
    ev.result_ok = ok;
    snprintf(ev.result_method, sizeof(ev.result_method), "%s", method);
}

static int cb_channel_open(void *u, uint32_t ch, nssh_str type,
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

static int cb_channel_request(void *u, uint32_t ch, const nssh_chan_req *q)
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

static void cb_channel_data(void *u, uint32_t ch, uint32_t ext,
                            const uint8_t *d, size_t n)
{
    (void)u;
    (void)d;
    ev.data_calls++;
    ev.data_ch = ch;
    ev.data_ext = ext;
    ev.data_len = n;
}

static void cb_channel_eof(void *u, uint32_t ch) { (void)u; (void)ch; ev.eof_calls++; }

static void cb_channel_closed(void *u, uint32_t ch)
{
    (void)u;
    ev.closed_calls++;
    ev.closed_ch = ch;
}

static int cb_global(void *u, nssh_str name, const uint8_t *d, size_t n, int wr_,
                     uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    (void)reply;
    (void)reply_cap;
    (void)reply_len;
    (void)u; (void)name; (void)d; (void)n; (void)wr_;
    ev.global_calls++;
    return ev.global_answer;
}

static void cb_client_auth(void *u, int ok, nssh_str methods)
{
    (void)u;
    ev.cauth_calls++;
    ev.cauth_ok = ok;
    cpy(ev.cauth_methods, sizeof(ev.cauth_methods), methods);
}

static void cb_client_open(void *u, uint32_t ch, int ok, uint32_t reason,
                           nssh_str desc)
{
    (void)reason;
    (void)desc;
    (void)u; (void)ch;
    ev.copen_calls++;
    ev.copen_ok = ok;
}

static void cb_client_reply(void *u, uint32_t ch, int ok)
{
    (void)u; (void)ch;
    ev.creply_calls++;
    ev.creply_ok = ok;
}

static const nssh_callbacks cbs = {
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

static nssh_config srv_cfg, cli_cfg;

static nssh_conn *mk(int role)
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

static int setup(void **state)
{
    stub_reset();
    memset(&ev, 0, sizeof(ev));
    ev.pubkey_answer = NSSH_CB_ACCEPT;
    ev.open_answer = ev.req_answer = ev.global_answer = NSSH_CB_ACCEPT;
    make_blob();
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* The gate's routing, for the messages this test sends. */
static int feed(nssh_conn *c, const uint8_t *p, size_t n)
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

static int feed_w(nssh_conn *c, const wr *w)
{
    assert_int_equal(w->err, 0);
    return feed(c, w->p, w->len);
}

/* Output i must be message msg; returns a reader after the message byte. */
static rd out(size_t i, uint8_t msg)
{
    rd r;
    assert_true(i < stub_n);
    assert_int_equal(stub_out[i].p[0], msg);
    rd_init(&r, stub_out[i].p + 1, stub_out[i].len - 1);
    return r;
}

static void expect_str(rd *r, const char *s)
{
    nssh_str v;
    assert_int_equal(rd_str(r, &v), 0);
    assert_int_equal(v.n, strlen(s));
    assert_memory_equal(v.p, s, v.n);
}

static uint32_t get_u32(rd *r)
{
    uint32_t v = 0;
    assert_int_equal(rd_u32(r, &v), 0);
    return v;
}

static uint8_t buf[8192];

/* USERAUTH_REQUEST head. */
static void ureq(wr *w, const char *user, size_t ulen, const char *method)
{
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, MSG_USERAUTH_REQUEST);
    wr_string(w, user, ulen);
    wr_cstring(w, "ssh-connection");
    wr_cstring(w, method);
}

/* A publickey request, signed with key (NULL: the unsigned query). */
static void pk_req(wr *w, nssh_conn *c, const char *user, const char *alg,
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

/* ==== Server authentication ============================================== */

static void test_service_request(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    rd r;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_SERVICE_REQUEST);
    wr_cstring(&w, "ssh-userauth");
    assert_int_equal(feed_w(c, &w), 0);
    assert_true(c->au.service_ok);
    r = out(0, MSG_SERVICE_ACCEPT);
    expect_str(&r, "ssh-userauth");
    assert_int_equal(rd_end(&r), 0);
}

static void test_service_request_unknown(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_SERVICE_REQUEST);
    wr_cstring(&w, "ssh-connection");
    assert_true(feed_w(c, &w) < 0);
    assert_int_equal(stub_fail.reason, NSSH_DISC_SERVICE_NOT_AVAILABLE);
    assert_false(c->au.service_ok);
    assert_int_equal(stub_n, 0);
}

static void test_none_lists_methods(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    rd r;
    int partial;
    srv_cfg.auth_methods = NSSH_METHOD_PUBLICKEY | NSSH_METHOD_PASSWORD;
    ureq(&w, "alice", 5, "none");
    assert_int_equal(feed_w(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "publickey,password");
    assert_int_equal(rd_bool(&r, &partial), 0);
    assert_int_equal(partial, 0);
    assert_int_equal(c->au.failures, 0);
    assert_int_equal(ev.result_calls, 0);
}

static void test_pk_query(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    rd r;
    const uint8_t *b;
    size_t bl;
    pk_req(&w, c, "alice", "test-sig", NULL);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.pubkey_calls, 1);
    assert_int_equal(ev.pubkey_last_has_sig, 0);
    r = out(0, MSG_USERAUTH_PK_OK);
    expect_str(&r, "test-sig");
    assert_int_equal(rd_string(&r, &b, &bl), 0);
    assert_int_equal(bl, blob_len);
    assert_memory_equal(b, blob, bl);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(ev.result_calls, 0);
    assert_int_equal(c->au.failures, 0);

    /* Denied query: FAILURE, counted as in sshd. */
    ev.pubkey_answer = NSSH_CB_REFUSE;
    pk_req(&w, c, "alice", "test-sig", NULL);
    assert_int_equal(feed_w(c, &w), 0);
    out(1, MSG_USERAUTH_FAILURE);
    assert_int_equal(c->au.failures, 1);
    assert_int_equal(ev.result_calls, 0);
}

static void test_pk_signed_ok(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    pk_req(&w, c, "alice", "test-sig", &good_key);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.pubkey_calls, 1);
    assert_int_equal(ev.pubkey_last_has_sig, 1);
    out(0, MSG_USERAUTH_SUCCESS);
    assert_int_equal(stub_out[0].len, 1);
    assert_true(c->au.done);
    assert_string_equal(c->au.user, "alice");
    assert_string_equal(c->au.method, "publickey");
    assert_int_equal(ev.result_calls, 1);
    assert_int_equal(ev.result_ok, 1);
    assert_string_equal(ev.result_method, "publickey");
}

static void test_pk_bad_signature_counts(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    /* max tries 3: two FAILUREs, then the connection ends. */
    pk_req(&w, c, "alice", "test-sig", &wrong_key);
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.result_calls, 1);
    assert_int_equal(ev.result_ok, 0);
    assert_false(c->au.done);
    /* The user may change between attempts. */
    pk_req(&w, c, "bob", "test-sig", &wrong_key);
    assert_int_equal(feed_w(c, &w), 0);
    out(1, MSG_USERAUTH_FAILURE);
    pk_req(&w, c, "carol", "test-sig", &wrong_key);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_AUTH_TRIES);
    assert_int_equal(stub_n, 2);
    assert_int_equal(stub_fail.reason, NSSH_DISC_NO_MORE_AUTH_METHODS);
    assert_string_equal(stub_fail.text, "Too many authentication failures for carol");
    assert_int_equal(ev.result_calls, 3);
}

static void test_pk_key_denied_signed(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    ev.pubkey_answer = NSSH_CB_REFUSE;
    pk_req(&w, c, "alice", "test-sig", &good_key);
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(c->au.failures, 1);
    assert_false(c->au.done);
}

static void test_pk_alg_and_blob_checks(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    /* Algorithm not configured. */
    pk_req(&w, c, "alice", "other-sig", &good_key);
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.pubkey_calls, 0);
    /* Configured algorithm, blob of another type. */
    {
        static const nssh_sig_alg *const two[] = { &fake_alg, &other_alg };
        srv_cfg.sig_algs = two;
        srv_cfg.n_sig_algs = 2;
    }
    pk_req(&w, c, "alice", "other-sig", NULL);
    assert_int_equal(feed_w(c, &w), 0);
    out(1, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.pubkey_calls, 0);
    assert_int_equal(c->au.failures, 2);   /* the refused query counts too */
}

static void test_bad_user_names(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    char longname[NSSH_USER_MAX + 2];
    wr w;
    memset(longname, 'a', sizeof(longname));
    ureq(&w, longname, sizeof(longname), "publickey");
    wr_bool(&w, 0);
    wr_cstring(&w, "test-sig");
    wr_string(&w, blob, blob_len);
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    ureq(&w, "ro\0ot", 5, "none");
    assert_int_equal(feed_w(c, &w), 0);
    out(1, MSG_USERAUTH_FAILURE);
    pk_req(&w, c, "x", "test-sig", &good_key);
    buf[5] = 0;   /* user "x" becomes a single NUL */
    assert_int_equal(feed_w(c, &w), 0);
    out(2, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.pubkey_calls, 0);
    assert_false(c->au.done);
    assert_int_equal(c->err, 0);
}

static void test_malformed_request(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    ureq(&w, "alice", 5, "publickey");
    wr_bool(&w, 1);
    wr_cstring(&w, "test-sig");
    wr_u32(&w, 1000);   /* blob length beyond the end */
    assert_int_equal(feed_w(c, &w), NSSH_ERR_FORMAT);
    assert_int_equal(stub_fail.reason, NSSH_DISC_PROTOCOL_ERROR);
    assert_string_equal(stub_fail.stage, "auth");
    assert_string_equal(stub_fail.message, "SSH_MSG_USERAUTH_REQUEST");
    assert_string_equal(stub_fail.field, "public key blob");
}

static void test_wrong_service_in_request(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_USERAUTH_REQUEST);
    wr_cstring(&w, "alice");
    wr_cstring(&w, "ssh-agent");
    wr_cstring(&w, "none");
    assert_true(feed_w(c, &w) < 0);
    assert_int_equal(stub_fail.reason, NSSH_DISC_SERVICE_NOT_AVAILABLE);
}

static void test_unknown_method_counts(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    ureq(&w, "alice", 5, "password");
    wr_bool(&w, 0);
    wr_cstring(&w, "secret");
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(c->au.failures, 1);
    assert_int_equal(ev.result_calls, 1);
    assert_string_equal(ev.result_method, "password");
}

/* ==== Client authentication, against the server handlers ================= */

static void test_client_pubkey_roundtrip(void **state)
{
    nssh_conn *cl = mk(NSSH_ROLE_CLIENT);
    nssh_conn *sv = mk(NSSH_ROLE_SERVER);
    rd r;
    *state = cl;
    cl->kx.count = 0;
    assert_int_equal(nssh_client_auth_pubkey(cl, "alice", &fake_alg, &good_key,
                                             blob, blob_len), 0);
    assert_int_equal(stub_n, 0);   /* waits for the key exchange */
    assert_int_equal(nssh_client_auth_none(cl, "alice"), NSSH_ERR_STATE);
    cl->kx.count = 1;
    auth_client_kex_done(cl);
    r = out(0, MSG_SERVICE_REQUEST);
    expect_str(&r, "ssh-userauth");
    assert_int_equal(feed(sv, stub_out[0].p, stub_out[0].len), 0);
    assert_int_equal(feed(cl, stub_out[1].p, stub_out[1].len), 0);
    out(2, MSG_USERAUTH_REQUEST);
    assert_int_equal(feed(sv, stub_out[2].p, stub_out[2].len), 0);
    out(3, MSG_USERAUTH_SUCCESS);
    assert_true(sv->au.done);
    assert_int_equal(feed(cl, stub_out[3].p, stub_out[3].len), 0);
    assert_true(cl->au.done);
    assert_string_equal(cl->au.user, "alice");
    assert_int_equal(ev.cauth_calls, 1);
    assert_int_equal(ev.cauth_ok, 1);
    free(sv);
}

static void test_client_none_failure_banner(void **state)
{
    nssh_conn *cl = *state = mk(NSSH_ROLE_CLIENT);
    wr w;
    assert_int_equal(nssh_client_auth_none(cl, "bob"), 0);
    out(0, MSG_SERVICE_REQUEST);
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_SERVICE_ACCEPT);
    wr_cstring(&w, "ssh-userauth");
    assert_int_equal(feed_w(cl, &w), 0);
    out(1, MSG_USERAUTH_REQUEST);
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_USERAUTH_BANNER);
    wr_cstring(&w, "hello\033[2J");
    wr_cstring(&w, "");
    assert_int_equal(feed_w(cl, &w), 0);
    assert_string_equal(stub_log_text, "hello?[2J");
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_USERAUTH_FAILURE);
    wr_cstring(&w, "publickey");
    wr_bool(&w, 0);
    assert_int_equal(feed_w(cl, &w), 0);
    assert_int_equal(ev.cauth_calls, 1);
    assert_int_equal(ev.cauth_ok, 0);
    assert_string_equal(ev.cauth_methods, "publickey");
    /* A second FAILURE answers nothing. */
    assert_true(feed_w(cl, &w) < 0);
    assert_int_equal(stub_fail.err, NSSH_ERR_UNEXPECTED);
}

/* ==== Channels ============================================================= */

static int open_chan(nssh_conn *c, uint32_t sender, uint32_t window, uint32_t maxpkt)
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

static void test_open_session(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    int a = open_chan(c, 7, 1000, 500), b = open_chan(c, 8, 1000, 500);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(c->ch[0].remote_id, 7);
    assert_int_equal(c->ch[0].remote_window, 1000);
    assert_int_equal(c->ch[0].local_window, NSSH_CHANNEL_WINDOW);
}

static void test_open_refused(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    rd r;
    int i;
    ev.open_answer = NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_CHANNEL_OPEN);
    wr_cstring(&w, "x11");
    wr_u32(&w, 5);
    wr_u32(&w, 100);
    wr_u32(&w, 100);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(0, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 5);
    assert_int_equal(get_u32(&r), 3);
    assert_int_equal(c->ch[0].state, CH_FREE);
    /* Fill every slot; the next open gets RESOURCE_SHORTAGE. */
    ev.open_answer = NSSH_CB_ACCEPT;
    stub_n = 0;
    for (i = 0; i < NSSH_MAX_CHANNELS; i++)
        open_chan(c, (uint32_t)i, 100, 100);
    ev.open_calls = 0;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_CHANNEL_OPEN);
    wr_cstring(&w, "session");
    wr_u32(&w, 5);
    wr_u32(&w, 100);
    wr_u32(&w, 100);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(NSSH_MAX_CHANNELS, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 5);
    assert_int_equal(get_u32(&r), 4);
    assert_int_equal(ev.open_calls, 0);
}

static void chan_msg(wr *w, uint8_t msg, uint32_t id)
{
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, msg);
    wr_u32(w, id);
}

static void test_window_adjust_overflow(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    int id = open_chan(c, 7, 0xfffffff0u, 500);
    chan_msg(&w, MSG_CHANNEL_WINDOW_ADJUST, (uint32_t)id);
    wr_u32(&w, 0x0f);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(c->ch[id].remote_window, 0xffffffffu);
    chan_msg(&w, MSG_CHANNEL_WINDOW_ADJUST, (uint32_t)id);
    wr_u32(&w, 1);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_CHANNEL);
    assert_int_equal(stub_fail.reason, NSSH_DISC_PROTOCOL_ERROR);
}

static void send_data(nssh_conn *c, uint32_t id, size_t n, int expect)
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

static void test_data_and_consume(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    int id = open_chan(c, 7, 1000, 500);
    rd r;
    size_t sent = 0;
    stub_n = 0;
    send_data(c, (uint32_t)id, 100, 0);
    assert_int_equal(ev.data_calls, 1);
    assert_int_equal(ev.data_len, 100);
    assert_int_equal(c->ch[id].local_window, NSSH_CHANNEL_WINDOW - 100);
    /* Consuming less than half the window sends nothing. */
    assert_int_equal(nssh_channel_consume(c, (uint32_t)id, 100), 0);
    assert_int_equal(stub_n, 0);
    while (sent + NSSH_CHANNEL_MAXPKT <= NSSH_CHANNEL_WINDOW / 2) {
        send_data(c, (uint32_t)id, NSSH_CHANNEL_MAXPKT, 0);
        sent += NSSH_CHANNEL_MAXPKT;
    }
    assert_int_equal(nssh_channel_consume(c, (uint32_t)id, sent), 0);
    r = out(0, MSG_CHANNEL_WINDOW_ADJUST);
    assert_int_equal(get_u32(&r), 7);
    assert_int_equal(get_u32(&r), sent + 100);
    assert_int_equal(c->ch[id].local_window, NSSH_CHANNEL_WINDOW);
    assert_int_equal(c->ch[id].consumed, 0);
    /* Consuming more than was ever delivered cannot grow the window. */
    assert_int_equal(nssh_channel_consume(c, (uint32_t)id, 1u << 30), 0);
    assert_int_equal(stub_n, 1);
    assert_int_equal(c->ch[id].consumed, 0);
}

static void test_data_limits(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    int id = open_chan(c, 7, 1000, 500);
    send_data(c, (uint32_t)id, NSSH_CHANNEL_MAXPKT + 1, NSSH_ERR_CHANNEL);
    assert_string_equal(stub_fail.field, "data");

    free(c);
    *state = c = mk(NSSH_ROLE_SERVER);
    stub_reset();
    id = open_chan(c, 7, 1000, 500);
    c->ch[id].local_window = 10;
    send_data(c, (uint32_t)id, 11, NSSH_ERR_CHANNEL);
    assert_non_null(strstr(stub_fail.text, "channel 0"));
}

static void test_unknown_channel(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    chan_msg(&w, MSG_CHANNEL_EOF, 3);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_CHANNEL);
    assert_non_null(strstr(stub_fail.text, "channel 3"));
}

static void req_head(wr *w, uint32_t id, const char *type, int want_reply)
{
    chan_msg(w, MSG_CHANNEL_REQUEST, id);
    wr_cstring(w, type);
    wr_bool(w, want_reply);
}

static void test_requests(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    uint32_t id = (uint32_t)open_chan(c, 7, 1000, 500);
    static const uint8_t modes[] = { 53, 0, 0, 0, 1, 0 };
    rd r;
    wr w;
    stub_n = 0;
    req_head(&w, id, "pty-req", 1);
    wr_cstring(&w, "xterm-256color");
    wr_u32(&w, 80);
    wr_u32(&w, 24);
    wr_u32(&w, 640);
    wr_u32(&w, 480);
    wr_string(&w, modes, sizeof(modes));
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_PTY);
    assert_string_equal(ev.req_name, "xterm-256color");
    assert_int_equal(ev.req.cols, 80);
    assert_int_equal(ev.req.rows, 24);
    assert_int_equal(ev.req.width_px, 640);
    assert_int_equal(ev.req.height_px, 480);
    assert_int_equal(ev.req.modes.n, sizeof(modes));
    r = out(0, MSG_CHANNEL_SUCCESS);
    assert_int_equal(get_u32(&r), 7);

    req_head(&w, id, "env", 0);
    wr_cstring(&w, "LANG");
    wr_cstring(&w, "C.UTF-8");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_ENV);
    assert_string_equal(ev.req_name, "LANG");
    assert_string_equal(ev.req_text, "C.UTF-8");
    assert_int_equal(stub_n, 1);   /* no reply wanted */

    ev.req_answer = NSSH_CB_REFUSE;
    req_head(&w, id, "exec", 1);
    wr_cstring(&w, "uname -a");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_EXEC);
    assert_string_equal(ev.req_text, "uname -a");
    out(1, MSG_CHANNEL_FAILURE);

    ev.req_answer = NSSH_CB_ACCEPT;
    req_head(&w, id, "window-change", 0);
    wr_u32(&w, 100);
    wr_u32(&w, 30);
    wr_u32(&w, 0);
    wr_u32(&w, 0);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_WINDOW_CHANGE);
    assert_int_equal(ev.req.cols, 100);

    req_head(&w, id, "signal", 0);
    wr_cstring(&w, "INT");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_SIGNAL);
    assert_string_equal(ev.req_name, "INT");

    req_head(&w, id, "subsystem", 1);
    wr_cstring(&w, "sftp");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_SUBSYSTEM);
    assert_string_equal(ev.req_text, "sftp");
    out(2, MSG_CHANNEL_SUCCESS);

    /* keepalive: FAILURE without asking the application. */
    ev.req_calls = 0;
    req_head(&w, id, "keepalive@openssh.com", 1);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req_calls, 0);
    out(3, MSG_CHANNEL_FAILURE);

    /* Unknown: the application sees OTHER with the raw bytes. */
    ev.req_answer = NSSH_CB_REFUSE;
    req_head(&w, id, "x11-req", 1);
    wr_bool(&w, 0);
    wr_cstring(&w, "MIT-MAGIC-COOKIE-1");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_OTHER);
    assert_int_equal(ev.req.raw_len, 1 + 4 + 18);
    out(4, MSG_CHANNEL_FAILURE);

    req_head(&w, id, "shell", 1);
    wr_u8(&w, 0);   /* trailing byte */
    assert_int_equal(feed_w(c, &w), NSSH_ERR_FORMAT);
    assert_string_equal(stub_fail.field, "end of request");
}

static void test_malformed_pty(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    uint32_t id = (uint32_t)open_chan(c, 7, 1000, 500);
    wr w;
    req_head(&w, id, "pty-req", 1);
    wr_cstring(&w, "xterm");
    wr_u32(&w, 80);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_FORMAT);
    assert_string_equal(stub_fail.field, "terminal size");
}

static void test_write_limits(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    static uint8_t d[4000];
    uint32_t id = (uint32_t)open_chan(c, 7, 1000, 300);
    rd r;
    const uint8_t *p;
    size_t n;
    stub_n = 0;
    assert_int_equal(nssh_channel_writable(c, id), 300);
    /* 1000 window, 300 per packet: 300+300+300+100. */
    assert_int_equal(nssh_channel_write(c, id, 0, d, sizeof(d)), 1000);
    assert_int_equal(stub_n, 4);
    r = out(3, MSG_CHANNEL_DATA);
    assert_int_equal(get_u32(&r), 7);
    assert_int_equal(rd_string(&r, &p, &n), 0);
    assert_int_equal(n, 100);
    assert_int_equal(c->ch[id].remote_window, 0);
    assert_int_equal(nssh_channel_write(c, id, 0, d, 1), 0);
    assert_int_equal(nssh_channel_writable(c, id), 0);

    c->ch[id].remote_window = 5000;
    stub_kex = 1;
    assert_int_equal(nssh_channel_write(c, id, 0, d, 10), 0);
    stub_kex = 0;
    stub_room = 13 + 50;   /* output room caps the packet */
    assert_int_equal(nssh_channel_write(c, id, 1, d, 200), 200);
    r = out(4, MSG_CHANNEL_EXTENDED_DATA);
    assert_int_equal(get_u32(&r), 7);
    assert_int_equal(get_u32(&r), 1);
    assert_int_equal(rd_string(&r, &p, &n), 0);
    assert_int_equal(n, 50);
    stub_room = 13;
    assert_int_equal(nssh_channel_write(c, id, 1, d, 200), 0);
    assert_int_equal(nssh_channel_write(c, 9, 0, d, 1), NSSH_ERR_CHANNEL);
}

static void test_session_end_order(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    uint32_t id = (uint32_t)open_chan(c, 7, 1000, 300);
    uint8_t d[4] = { 0 };
    int core;
    wr w;
    rd r;
    stub_n = 0;
    assert_int_equal(nssh_channel_exit_status(c, id, 3), 0);
    assert_int_equal(nssh_channel_eof(c, id), 0);
    assert_int_equal(nssh_channel_eof(c, id), 0);   /* once only */
    assert_int_equal(nssh_channel_write(c, id, 0, d, 1), NSSH_ERR_STATE);
    assert_int_equal(nssh_channel_close(c, id), 0);
    assert_int_equal(stub_n, 3);
    r = out(0, MSG_CHANNEL_REQUEST);
    assert_int_equal(get_u32(&r), 7);
    expect_str(&r, "exit-status");
    assert_int_equal(rd_bool(&r, &core), 0);
    assert_int_equal(core, 0);
    assert_int_equal(get_u32(&r), 3);
    out(1, MSG_CHANNEL_EOF);
    out(2, MSG_CHANNEL_CLOSE);
    /* Nothing more after our CLOSE; the peer's data is ignored. */
    assert_int_equal(nssh_channel_exit_status(c, id, 0), NSSH_ERR_STATE);
    assert_int_equal(nssh_channel_close(c, id), 0);
    send_data(c, id, 10, 0);
    assert_int_equal(ev.data_calls, 0);
    req_head(&w, id, "env", 1);
    wr_cstring(&w, "A");
    wr_cstring(&w, "B");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(stub_n, 3);
    assert_int_equal(ev.closed_calls, 0);
    chan_msg(&w, MSG_CHANNEL_CLOSE, id);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(stub_n, 3);
    assert_int_equal(ev.closed_calls, 1);
    assert_int_equal(ev.closed_ch, id);
    assert_int_equal(c->ch[id].state, CH_FREE);
    /* The number is gone now. */
    chan_msg(&w, MSG_CHANNEL_EOF, id);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_CHANNEL);
}

static void test_peer_closes_first(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    uint32_t id = (uint32_t)open_chan(c, 7, 1000, 300);
    wr w;
    rd r;
    stub_n = 0;
    chan_msg(&w, MSG_CHANNEL_EOF, id);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.eof_calls, 1);
    chan_msg(&w, MSG_CHANNEL_CLOSE, id);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(0, MSG_CHANNEL_CLOSE);
    assert_int_equal(get_u32(&r), 7);
    assert_int_equal(ev.closed_calls, 1);
    assert_int_equal(c->ch[id].state, CH_FREE);
    assert_int_equal(nssh_channel_close(c, id), NSSH_ERR_CHANNEL);
}

static void test_exit_signal(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    uint32_t id = (uint32_t)open_chan(c, 7, 1000, 300);
    int b;
    rd r;
    stub_n = 0;
    assert_int_equal(nssh_channel_exit_signal(c, id, "SIGTERM", 1, "killed"), 0);
    r = out(0, MSG_CHANNEL_REQUEST);
    get_u32(&r);
    expect_str(&r, "exit-signal");
    assert_int_equal(rd_bool(&r, &b), 0);
    assert_int_equal(b, 0);
    expect_str(&r, "TERM");
    assert_int_equal(rd_bool(&r, &b), 0);
    assert_int_equal(b, 1);
    expect_str(&r, "killed");
    expect_str(&r, "");
    assert_int_equal(rd_end(&r), 0);
}

static void test_client_channel(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_CLIENT);
    nssh_chan_req q;
    int id;
    wr w;
    rd r;
    assert_int_equal(nssh_client_open_session(c), NSSH_ERR_STATE);
    c->au.done = 1;
    id = nssh_client_open_session(c);
    assert_int_equal(id, 0);
    r = out(0, MSG_CHANNEL_OPEN);
    expect_str(&r, "session");
    assert_int_equal(get_u32(&r), 0);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_WINDOW);
    chan_msg(&w, MSG_CHANNEL_OPEN_CONFIRMATION, 0);
    wr_u32(&w, 42);
    wr_u32(&w, 2000);
    wr_u32(&w, 1000);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.copen_calls, 1);
    assert_int_equal(ev.copen_ok, 1);
    assert_int_equal(c->ch[0].remote_id, 42);

    memset(&q, 0, sizeof(q));
    q.kind = NSSH_REQ_PTY;
    q.want_reply = 1;
    q.name.p = "vt100";
    q.name.n = 5;
    q.cols = 80;
    q.rows = 25;
    assert_int_equal(nssh_client_channel_request(c, 0, &q), 0);
    r = out(1, MSG_CHANNEL_REQUEST);
    assert_int_equal(get_u32(&r), 42);
    expect_str(&r, "pty-req");
    memset(&q, 0, sizeof(q));
    q.kind = NSSH_REQ_EXEC;
    q.want_reply = 1;
    q.text.p = "id";
    q.text.n = 2;
    assert_int_equal(nssh_client_channel_request(c, 0, &q), 0);
    assert_int_equal(c->ch[0].client_pending, 2);
    chan_msg(&w, MSG_CHANNEL_SUCCESS, 0);
    assert_int_equal(feed_w(c, &w), 0);
    chan_msg(&w, MSG_CHANNEL_FAILURE, 0);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.creply_calls, 2);
    assert_int_equal(ev.creply_ok, 0);

    /* exit-status from the server reaches the application. */
    req_head(&w, 0, "exit-status", 0);
    wr_u32(&w, 17);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req.kind, NSSH_REQ_EXIT_STATUS);
    assert_int_equal(ev.req.exit_status, 17);

    /* A reply nobody waits for. */
    chan_msg(&w, MSG_CHANNEL_SUCCESS, 0);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_CHANNEL);
}

static void test_client_open_refused(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_CLIENT);
    wr w;
    c->au.done = 1;
    assert_int_equal(nssh_client_open_session(c), 0);
    chan_msg(&w, MSG_CHANNEL_OPEN_FAILURE, 0);
    wr_u32(&w, 1);
    wr_cstring(&w, "no");
    wr_cstring(&w, "");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.copen_calls, 1);
    assert_int_equal(ev.copen_ok, 0);
    assert_int_equal(c->ch[0].state, CH_FREE);
    /* A confirmation for a channel we never opened. */
    chan_msg(&w, MSG_CHANNEL_OPEN_CONFIRMATION, 0);
    wr_u32(&w, 1);
    wr_u32(&w, 1);
    wr_u32(&w, 1);
    assert_int_equal(feed_w(c, &w), NSSH_ERR_CHANNEL);
}

/* ==== Global requests ====================================================== */

static void test_global(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_GLOBAL_REQUEST);
    wr_cstring(&w, "keepalive@openssh.com");
    wr_bool(&w, 1);
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_REQUEST_FAILURE);
    assert_int_equal(ev.global_calls, 0);

    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_GLOBAL_REQUEST);
    wr_cstring(&w, "no-more-sessions@openssh.com");
    wr_bool(&w, 0);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(stub_n, 1);
    assert_int_equal(ev.global_calls, 1);

    ev.global_answer = NSSH_CB_ACCEPT;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_GLOBAL_REQUEST);
    wr_cstring(&w, "custom@example.com");
    wr_bool(&w, 1);
    wr_u32(&w, 5);
    assert_int_equal(feed_w(c, &w), 0);
    out(1, MSG_REQUEST_SUCCESS);
    assert_int_equal(stub_out[1].len, 1);

    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_REQUEST_FAILURE);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(stub_n, 2);
    assert_int_equal(c->err, 0);
}

/* ==== Opens answered later, opens of ours, replies with data =============== */

static void cb_open_reply(void *u, uint32_t ch, int ok, uint32_t reason,
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
static int cb_global_reply(void *u, nssh_str name, const uint8_t *d, size_t n,
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

static const nssh_callbacks cbs_fwd = {
    .channel_open = cb_channel_open,
    .channel_data = cb_channel_data,
    .channel_eof = cb_channel_eof,
    .channel_closed = cb_channel_closed,
    .channel_open_reply = cb_open_reply,
    .global_request = cb_global_reply,
};

/* A server connection past authentication with the callbacks above. */
static nssh_conn *mk_fwd(void)
{
    nssh_conn *c = cur = mk(NSSH_ROLE_SERVER);
    srv_cfg.cb = c->cb = &cbs_fwd;
    c->au.done = 1;
    return c;
}

static size_t tcpip(uint8_t *p, size_t cap, const char *host, uint32_t port,
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
static void feed_direct(nssh_conn *c, uint32_t sender, int expect)
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

static void test_open_later_confirm(void **state)
{
    nssh_conn *c = *state = mk_fwd();
    nssh_tcpip t;
    rd r;
    ev.open_answer = NSSH_CB_LATER;
    feed_direct(c, 9, 0);
    /* Nothing is said until the application answers. */
    assert_int_equal(stub_n, 0);
    assert_int_equal(ev.open_calls, 1);
    assert_int_equal(c->ch[ev.open_ch].state, CH_PENDING);
    assert_int_equal(nssh_tcpip_parse(ev.open_extra, ev.open_extra_len, 1, &t), 0);
    assert_int_equal(t.host.n, 11);
    assert_memory_equal(t.host.p, "example.org", 11);
    assert_int_equal(t.port, 80);
    assert_int_equal(t.orig_host.n, 9);
    assert_int_equal(t.orig_port, 5555);
    /* Not open yet: no data may be sent on it. */
    assert_int_equal(nssh_channel_write(c, ev.open_ch, 0, (const uint8_t *)"x", 1),
                     NSSH_ERR_CHANNEL);
    assert_int_equal(nssh_channel_open_confirm(c, ev.open_ch), 0);
    r = out(0, MSG_CHANNEL_OPEN_CONFIRMATION);
    assert_int_equal(get_u32(&r), 9);
    assert_int_equal(get_u32(&r), ev.open_ch);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_WINDOW);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_MAXPKT);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(c->ch[ev.open_ch].state, CH_OPEN);
    assert_int_equal(c->ch[ev.open_ch].remote_window, 4096);
    assert_int_equal(nssh_channel_write(c, ev.open_ch, 0, (const uint8_t *)"x", 1), 1);
    /* Answered once only. */
    assert_int_equal(nssh_channel_open_confirm(c, ev.open_ch), NSSH_ERR_CHANNEL);
    assert_int_equal(nssh_channel_open_refuse(c, ev.open_ch, 1, NULL),
                     NSSH_ERR_CHANNEL);
    assert_int_equal(nssh_channel_open_confirm(c, NSSH_MAX_CHANNELS),
                     NSSH_ERR_CHANNEL);
}

static void test_open_later_refuse(void **state)
{
    nssh_conn *c = *state = mk_fwd();
    uint32_t first;
    rd r;
    ev.open_answer = NSSH_CB_LATER;
    feed_direct(c, 3, 0);
    first = ev.open_ch;
    assert_int_equal(nssh_channel_open_refuse(c, first, NSSH_OPEN_CONNECT_FAILED,
                                              "Connection refused"), 0);
    r = out(0, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 3);
    assert_int_equal(get_u32(&r), NSSH_OPEN_CONNECT_FAILED);
    expect_str(&r, "Connection refused");
    expect_str(&r, "");
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(c->ch[first].state, CH_FREE);
    /* Without a text the reason's name goes; an unknown code becomes 1. */
    feed_direct(c, 4, 0);
    assert_int_equal(ev.open_ch, first);   /* the slot is reused */
    assert_int_equal(nssh_channel_open_refuse(c, first, 77, NULL), 0);
    r = out(1, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 4);
    assert_int_equal(get_u32(&r), NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    expect_str(&r, "administratively prohibited");
    /* Answered from inside the callback: one answer only. */
    ev.open_refuse_inside = 1;
    feed_direct(c, 5, 0);
    assert_int_equal(stub_n, 3);
    r = out(2, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 5);
    assert_int_equal(get_u32(&r), NSSH_OPEN_CONNECT_FAILED);
    expect_str(&r, "inside");
    assert_int_equal(c->ch[first].state, CH_FREE);
    assert_int_equal(c->err, 0);
}

static void test_server_opens_channel(void **state)
{
    nssh_conn *c = *state = mk_fwd();
    uint8_t extra[128];
    size_t n = tcpip(extra, sizeof(extra), "localhost", 8022, "127.0.0.1", 40000, 1);
    const uint8_t *x;
    long id, id2;
    wr w;
    rd r;
    c->au.done = 0;
    assert_int_equal(nssh_channel_open(c, "forwarded-tcpip", extra, n),
                     NSSH_ERR_STATE);
    c->au.done = 1;
    id = nssh_channel_open(c, "forwarded-tcpip", extra, n);
    assert_int_equal(id, 0);
    r = out(0, MSG_CHANNEL_OPEN);
    expect_str(&r, "forwarded-tcpip");
    assert_int_equal(get_u32(&r), 0);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_WINDOW);
    assert_int_equal(get_u32(&r), NSSH_CHANNEL_MAXPKT);
    assert_int_equal(rd_bytes(&r, &x, n), 0);
    assert_memory_equal(x, extra, n);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(c->ch[0].state, CH_OPENING);
    /* Until the answer nothing may be written. */
    assert_int_equal(nssh_channel_write(c, 0, 0, (const uint8_t *)"x", 1),
                     NSSH_ERR_CHANNEL);
    chan_msg(&w, MSG_CHANNEL_OPEN_CONFIRMATION, 0);
    wr_u32(&w, 77);
    wr_u32(&w, 1000);
    wr_u32(&w, 500);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.oreply_calls, 1);
    assert_int_equal(ev.oreply_ok, 1);
    assert_int_equal(ev.oreply_ch, 0);
    assert_int_equal(c->ch[0].remote_id, 77);
    assert_int_equal(nssh_channel_write(c, 0, 0, (const uint8_t *)"abc", 3), 3);
    r = out(1, MSG_CHANNEL_DATA);
    assert_int_equal(get_u32(&r), 77);

    /* The peer refuses the next one, with its reason and text. */
    id2 = nssh_channel_open(c, "forwarded-tcpip", extra, n);
    assert_int_equal(id2, 1);
    chan_msg(&w, MSG_CHANNEL_OPEN_FAILURE, 1);
    wr_u32(&w, NSSH_OPEN_CONNECT_FAILED);
    wr_cstring(&w, "Connection refused");
    wr_cstring(&w, "");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.oreply_calls, 2);
    assert_int_equal(ev.oreply_ok, 0);
    assert_int_equal(ev.oreply_ch, 1);
    assert_int_equal(ev.oreply_reason, NSSH_OPEN_CONNECT_FAILED);
    assert_string_equal(ev.oreply_desc, "Connection refused");
    assert_int_equal(c->ch[1].state, CH_FREE);
    /* No type, or data without a pointer. */
    assert_int_equal(nssh_channel_open(c, NULL, NULL, 0), NSSH_ERR_STATE);
    assert_int_equal(nssh_channel_open(c, "x", NULL, 3), NSSH_ERR_STATE);
}

static void global_req(wr *w, const char *name, int want_reply, const char *host,
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

static void test_global_reply_data(void **state)
{
    nssh_conn *c = *state = mk_fwd();
    wr w;
    rd r;
    /* Port 0: the bound port comes back in REQUEST_SUCCESS. */
    ev.global_answer = NSSH_CB_ACCEPT;
    ev.greply_port = 40123;
    global_req(&w, "tcpip-forward", 1, "localhost", 0);
    assert_int_equal(feed_w(c, &w), 0);
    assert_string_equal(ev.greply_name, "tcpip-forward");
    r = out(0, MSG_REQUEST_SUCCESS);
    assert_int_equal(get_u32(&r), 40123);
    assert_int_equal(rd_end(&r), 0);
    /* A fixed port: success without data. */
    global_req(&w, "tcpip-forward", 1, "localhost", 2222);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(1, MSG_REQUEST_SUCCESS);
    assert_int_equal(rd_end(&r), 0);
    /* Refused: FAILURE, never data. */
    ev.global_answer = NSSH_CB_REFUSE;
    global_req(&w, "tcpip-forward", 1, "localhost", 0);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(2, MSG_REQUEST_FAILURE);
    assert_int_equal(rd_end(&r), 0);
    /* An answer longer than the room given is dropped, not sent. */
    ev.global_answer = NSSH_CB_ACCEPT;
    ev.greply_len = 100000;
    global_req(&w, "tcpip-forward", 1, "localhost", 0);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(3, MSG_REQUEST_SUCCESS);
    assert_int_equal(rd_end(&r), 0);
    /* No reply wanted: nothing sent. */
    global_req(&w, "cancel-tcpip-forward", 0, "localhost", 40123);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(stub_n, 4);
    assert_string_equal(ev.greply_name, "cancel-tcpip-forward");
    assert_int_equal(ev.greply_calls, 5);
    assert_int_equal(ev.global_calls, 0);
    assert_int_equal(c->err, 0);
}

static void test_tcpip_fields(void **state)
{
    uint8_t p[64];
    size_t n = tcpip(p, sizeof(p), "::1", 65535, "10.0.0.1", 1, 1);
    nssh_tcpip t;
    nssh_tcpip big = { { "h", 1 }, 1, { NULL, 0 }, 0 };
    (void)state;
    assert_int_equal(nssh_tcpip_parse(p, n, 1, &t), 0);
    assert_int_equal(t.port, 65535);
    assert_int_equal(t.orig_port, 1);
    assert_memory_equal(t.orig_host.p, "10.0.0.1", 8);
    /* Request form: no originator; trailing bytes are refused. */
    assert_int_equal(nssh_tcpip_parse(p, n, 0, &t), NSSH_ERR_FORMAT);
    assert_int_equal(nssh_tcpip_parse(p, n - 1, 1, &t), NSSH_ERR_FORMAT);
    n = tcpip(p, sizeof(p), "", 0, NULL, 0, 0);
    assert_int_equal(n, 8);
    assert_int_equal(nssh_tcpip_parse(p, n, 0, &t), 0);
    assert_int_equal(t.host.n, 0);
    assert_int_equal(t.orig_host.n, 0);
    /* Ports are 16 bits. */
    put_be32(p + 4, 65536);
    assert_int_equal(nssh_tcpip_parse(p, n, 0, &t), NSSH_ERR_FORMAT);
    assert_int_equal(nssh_tcpip_build(p, 8, &big, 0), NSSH_ERR_NOSPACE);
    assert_int_equal(nssh_tcpip_build(p, 9, &big, 0), 9);
}

/* ==== One answer convention: zero refuses ================================= */

/* Every deciding callback answers NSSH_CB_ACCEPT to say yes: an answer left
 * at zero (a zero-initialised table of verdicts, a forgotten return value)
 * denies the key, refuses the channel, fails the request. */
static void test_zero_answer_refuses(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    wr w;
    rd r;
    int id;
    assert_int_equal(NSSH_CB_REFUSE, 0);
    ev.pubkey_answer = ev.open_answer = ev.req_answer = ev.global_answer = 0;

    pk_req(&w, c, "alice", "test-sig", NULL);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.pubkey_calls, 1);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(c->au.failures, 1);

    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_CHANNEL_OPEN);
    wr_cstring(&w, "session");
    wr_u32(&w, 5);
    wr_u32(&w, 1000);
    wr_u32(&w, 500);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.open_calls, 1);
    r = out(1, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 5);
    assert_int_equal(get_u32(&r), NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    assert_int_equal(c->ch[0].state, CH_FREE);

    ev.open_answer = NSSH_CB_ACCEPT;
    id = open_chan(c, 6, 1000, 500);
    req_head(&w, (uint32_t)id, "exec", 1);
    wr_cstring(&w, "true");
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.req_calls, 1);
    r = out(3, MSG_CHANNEL_FAILURE);
    assert_int_equal(get_u32(&r), 6);

    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_GLOBAL_REQUEST);
    wr_cstring(&w, "custom@example.com");
    wr_bool(&w, 1);
    assert_int_equal(feed_w(c, &w), 0);
    assert_int_equal(ev.global_calls, 1);
    out(4, MSG_REQUEST_FAILURE);
    assert_int_equal(stub_n, 5);
    assert_int_equal(c->err, 0);
}

/* A channel_open answer outside the convention refuses with the default
 * reason; NSSH_CB_REFUSE_REASON carries the RFC 4254 code. */
static void test_open_answer_values(void **state)
{
    nssh_conn *c = *state = mk(NSSH_ROLE_SERVER);
    static const struct { int answer; uint32_t reason; } t[] = {
        { NSSH_CB_REFUSE_REASON(NSSH_OPEN_CONNECT_FAILED), NSSH_OPEN_CONNECT_FAILED },
        { NSSH_CB_REFUSE_REASON(NSSH_OPEN_RESOURCE_SHORTAGE), NSSH_OPEN_RESOURCE_SHORTAGE },
        { NSSH_CB_REFUSE_REASON(5), NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED },
        { NSSH_CB_MORE, NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED },
        { 0x100, NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED },
        { -1000, NSSH_OPEN_ADMINISTRATIVELY_PROHIBITED },
    };
    size_t i;
    wr w;
    rd r;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ev.open_answer = t[i].answer;
        wr_init(&w, buf, sizeof(buf));
        wr_u8(&w, MSG_CHANNEL_OPEN);
        wr_cstring(&w, "session");
        wr_u32(&w, 9);
        wr_u32(&w, 1000);
        wr_u32(&w, 500);
        assert_int_equal(feed_w(c, &w), 0);
        r = out(i, MSG_CHANNEL_OPEN_FAILURE);
        assert_int_equal(get_u32(&r), 9);
        assert_int_equal(get_u32(&r), t[i].reason);
        assert_int_equal(c->ch[0].state, CH_FREE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_service_request),
        T(test_zero_answer_refuses),
        T(test_open_answer_values),
        T(test_service_request_unknown),
        T(test_none_lists_methods),
        T(test_pk_query),
        T(test_pk_signed_ok),
        T(test_pk_bad_signature_counts),
        T(test_pk_key_denied_signed),
        T(test_pk_alg_and_blob_checks),
        T(test_bad_user_names),
        T(test_malformed_request),
        T(test_wrong_service_in_request),
        T(test_unknown_method_counts),
        T(test_client_pubkey_roundtrip),
        T(test_client_none_failure_banner),
        T(test_open_session),
        T(test_open_refused),
        T(test_window_adjust_overflow),
        T(test_data_and_consume),
        T(test_data_limits),
        T(test_unknown_channel),
        T(test_requests),
        T(test_malformed_pty),
        T(test_write_limits),
        T(test_session_end_order),
        T(test_peer_closes_first),
        T(test_exit_signal),
        T(test_client_channel),
        T(test_client_open_refused),
        T(test_global),
        T(test_open_later_confirm),
        T(test_open_later_refuse),
        T(test_server_opens_channel),
        T(test_global_reply_data),
        T(test_tcpip_fields),
#undef T
    };
    stub_verbose = getenv("STUB_VERBOSE") != NULL;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
