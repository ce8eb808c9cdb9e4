/*
 * An application that links libnanossh.a the way an installed copy is
 * linked (public headers only) and happens to define functions named like
 * the engine's internals. The link MUST succeed (no duplicate symbols),
 * the application's own functions MUST be the ones it calls, and the
 * engine MUST still run a whole client/server exchange in memory: key
 * exchange, public key login, a session channel with data and exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

/* ---- the application's own names (same names as engine internals) ----- */
static int app_calls;
int dispatch(const char *what) { app_calls++; return (int)strlen(what); }
void conn_fail(int *flag) { app_calls++; *flag = 1; }
int version_send(void) { app_calls++; return 1234; }
uint32_t rd_u32(const uint8_t *p) { app_calls++; return (uint32_t)p[0] << 24 | p[3]; }
int kex_start(int x) { app_calls++; return x * 3; }

/* ---- a client and a server wired back to back ------------------------- */
typedef struct side {
    nssh_conn *c;
    void *mem;
    nssh_config cfg;
    nssh_callbacks cb;
    int auth_done, auth_ok, open_ok, replies, exit_seen, closed;
    uint32_t exit_status;
    int opened_ch;
    char got[64];
    size_t got_len;
} side;

static nssh_key *host_key, *user_key;
static uint8_t user_blob[256], host_blob[256];
static size_t user_blob_len, host_blob_len;
static nssh_hostkey hostkey;

static size_t count_kems(void) { size_t n = 0; while (nssh_ossl_kems[n]) n++; return n; }
static size_t count_ciphers(void) { size_t n = 0; while (nssh_ossl_ciphers[n]) n++; return n; }
static size_t count_macs(void) { size_t n = 0; while (nssh_ossl_macs[n]) n++; return n; }
static size_t count_sigs(void) { size_t n = 0; while (nssh_ossl_sig_algs[n]) n++; return n; }

static int sv_pubkey(void *u, nssh_str user, const char *alg,
                     const uint8_t *blob, size_t len, int has_sig)
{
    (void)u; (void)alg; (void)has_sig;
    return user.n == 3 && !memcmp(user.p, "app", 3) && len == user_blob_len &&
                   !memcmp(blob, user_blob, len)
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int sv_open(void *u, uint32_t ch, nssh_str type, const uint8_t *x,
                   size_t xl)
{
    (void)x; (void)xl;
    ((side *)u)->opened_ch = (int)ch;
    return type.n == 7 && !memcmp(type.p, "session", 7)
               ? NSSH_CB_ACCEPT
               : NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
}

static int sv_req(void *u, uint32_t ch, const nssh_chan_req *r)
{
    (void)u; (void)ch;
    return r->kind == NSSH_REQ_EXEC ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int cl_req(void *u, uint32_t ch, const nssh_chan_req *r)
{
    side *s = u;
    (void)ch;
    if (r->kind == NSSH_REQ_EXIT_STATUS) {
        s->exit_seen = 1;
        s->exit_status = r->exit_status;
    }
    return NSSH_CB_ACCEPT;
}

static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d,
                    size_t n)
{
    side *s = u;
    (void)ext;
    if (n > sizeof(s->got) - s->got_len)
        n = sizeof(s->got) - s->got_len;
    memcpy(s->got + s->got_len, d, n);
    s->got_len += n;
    nssh_channel_consume(s->c, ch, n);
}

static void on_closed(void *u, uint32_t ch) { (void)ch; ((side *)u)->closed++; }

static int cl_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    (void)u; (void)alg; (void)b;
    return n ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void cl_auth(void *u, int ok, nssh_str methods)
{
    side *s = u;
    (void)methods;
    s->auth_done = 1;
    s->auth_ok = ok;
}

static void cl_open(void *u, uint32_t ch, int ok, uint32_t reason,
                    nssh_str desc)
{
    (void)reason;
    (void)desc;
    side *s = u;
    s->opened_ch = (int)ch;
    s->open_ok = ok;
}

static void cl_reply(void *u, uint32_t ch, int ok)
{
    (void)ch;
    ((side *)u)->replies += ok ? 1 : 100;
}

static void side_init(side *s, int role)
{
    memset(s, 0, sizeof(*s));
    s->opened_ch = -1;
    s->cfg.role = role;
    s->cfg.kems = nssh_ossl_kems;
    s->cfg.n_kems = count_kems();
    s->cfg.ciphers = nssh_ossl_ciphers;
    s->cfg.n_ciphers = count_ciphers();
    s->cfg.macs = nssh_ossl_macs;
    s->cfg.n_macs = count_macs();
    s->cfg.sig_algs = nssh_ossl_sig_algs;
    s->cfg.n_sig_algs = count_sigs();
    s->cfg.hostkeys = &hostkey;
    s->cfg.n_hostkeys = 1;
    s->cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    s->cfg.rng = nssh_ossl_rng;
    s->cfg.cb = &s->cb;
    s->cfg.user = s;
    s->cb.channel_data = on_data;
    s->cb.channel_closed = on_closed;
    if (role == NSSH_ROLE_SERVER) {
        s->cb.auth_pubkey = sv_pubkey;
        s->cb.channel_open = sv_open;
        s->cb.channel_request = sv_req;
    } else {
        s->cb.check_hostkey = cl_hostkey;
        s->cb.client_auth = cl_auth;
        s->cb.channel_open_reply = cl_open;
        s->cb.client_channel_reply = cl_reply;
        s->cb.channel_request = cl_req;
    }
    assert_int_equal(posix_memalign(&s->mem, 16, nssh_conn_mem_size()), 0);
    s->c = nssh_conn_init(s->mem, nssh_conn_mem_size(), &s->cfg, 0);
    assert_non_null(s->c);
}

static size_t move(side *a, side *b)
{
    size_t len, room;
    const uint8_t *p = nssh_conn_sendbuf(a->c, &len);
    uint8_t *q;
    if (!len)
        return 0;
    q = nssh_conn_recvbuf(b->c, &room);
    if (len > room)
        len = room;
    if (!len)
        return 0;
    memcpy(q, p, len);
    nssh_conn_sent(a->c, len);
    nssh_conn_recvd(b->c, len);
    return len;
}

static void pump(side *cl, side *sv)
{
    int i;
    for (i = 0; i < 10000; i++)
        if (move(cl, sv) + move(sv, cl) == 0)
            return;
    fail_msg("the pair did not settle");
}

static void test_own_names_are_the_applications(void **st)
{
    int flag = 0;
    const uint8_t b[4] = { 1, 2, 3, 4 };
    (void)st;
    assert_int_equal(dispatch("abc"), 3);
    conn_fail(&flag);
    assert_int_equal(flag, 1);
    assert_int_equal(version_send(), 1234);
    assert_int_equal(rd_u32(b), 0x01000004u);
    assert_int_equal(kex_start(5), 15);
    assert_int_equal(app_calls, 5);
}

static void test_pair_completes(void **st)
{
    side cl, sv;
    nssh_chan_req rq;
    const nssh_sig_alg *alg;
    int ch;
    (void)st;
    app_calls = 0;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &host_key), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &user_key), 0);
    assert_int_equal(nssh_ossl_key_public_blob(user_key, user_blob,
                                               sizeof(user_blob),
                                               &user_blob_len), 0);
    assert_int_equal(nssh_ossl_key_sig_algs(host_key, &alg, 1), 1);
    assert_int_equal(nssh_ossl_key_public_blob(host_key, host_blob,
                                               sizeof(host_blob),
                                               &host_blob_len), 0);
    hostkey.alg = alg;
    hostkey.key = host_key;
    hostkey.blob = host_blob;
    hostkey.blob_len = host_blob_len;

    side_init(&sv, NSSH_ROLE_SERVER);
    side_init(&cl, NSSH_ROLE_CLIENT);
    pump(&cl, &sv);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_true(nssh_client_ready(cl.c));
    assert_int_equal(nssh_client_auth_pubkey(cl.c, "app", &nssh_ossl_sig_ed25519,
                                             user_key, user_blob,
                                             user_blob_len), 0);
    pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_true(cl.auth_ok);

    ch = nssh_client_open_session(cl.c);
    assert_true(ch >= 0);
    pump(&cl, &sv);
    assert_true(cl.open_ok);
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_EXEC;
    rq.want_reply = 1;
    rq.text.p = "greet";
    rq.text.n = 5;
    assert_int_equal(nssh_client_channel_request(cl.c, (uint32_t)ch, &rq), 0);
    pump(&cl, &sv);
    assert_int_equal(cl.replies, 1);

    assert_int_equal(nssh_channel_write(sv.c, (uint32_t)sv.opened_ch, 0,
                                        (const uint8_t *)"hello", 5), 5);
    assert_int_equal(nssh_channel_exit_status(sv.c, (uint32_t)sv.opened_ch, 3), 0);
    assert_int_equal(nssh_channel_close(sv.c, (uint32_t)sv.opened_ch), 0);
    pump(&cl, &sv);
    assert_int_equal(cl.got_len, 5);
    assert_memory_equal(cl.got, "hello", 5);
    assert_true(cl.exit_seen);
    assert_int_equal(cl.exit_status, 3);
    assert_int_equal(cl.closed, 1);
    assert_int_equal(sv.closed, 1);
    /* The engine never called the application's look-alikes. */
    assert_int_equal(app_calls, 0);

    nssh_conn_release(cl.c);
    nssh_conn_release(sv.c);
    free(cl.mem);
    free(sv.mem);
    nssh_ossl_key_free(host_key);
    nssh_ossl_key_free(user_key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_names_are_the_applications),
        cmocka_unit_test(test_pair_completes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
