/*
 * The engine's hooks for a daemon's per-connection settings, client and
 * server wired back to back in memory: the USERAUTH_BANNER (once, before
 * authentication), the auth_request callback (per-user settings may
 * change the allowed methods or end the connection), and global requests
 * sent by the server with their answers in order (ClientAliveInterval's
 * keepalive@openssh.com).
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

typedef struct side {
    nssh_conn *c;
    void *mem;
    nssh_config cfg;
    nssh_callbacks cb;
    int auth_done, auth_ok;
    int banners;
    char banner[128];
    int requests;                  /* auth_request calls */
    char req_user[32], req_method[32];
    int drop_user;                 /* auth_request: disconnect */
    int deny_pubkey;               /* auth_request: turn publickey off */
    int answers, answer_ok[8];
    uint8_t answer_data[8];
    size_t answer_len[8];
    int accept_requests;           /* client: global_request returns 0 */
} side;

static nssh_key *host_key, *user_key;
static uint8_t host_blob[128], user_blob[128];
static size_t host_blob_len, user_blob_len;
static nssh_hostkey hostkey;

static size_t count(const void *const *l)
{
    size_t n = 0;
    while (l[n])
        n++;
    return n;
}

static void on_log(void *u, const nssh_log *rec)
{
    side *s = u;
    if (rec->message && !strcmp(rec->message, "SSH_MSG_USERAUTH_BANNER") &&
        s->cfg.role == NSSH_ROLE_CLIENT) {
        s->banners++;
        snprintf(s->banner, sizeof(s->banner), "%s", rec->text);
    }
}

static int srv_pubkey(void *u, nssh_str user, const char *alg,
                      const uint8_t *blob, size_t len, int has_sig)
{
    (void)u;
    (void)user;
    (void)alg;
    (void)has_sig;
    return len == user_blob_len && !memcmp(blob, user_blob, len)
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void srv_auth_request(void *u, nssh_str user, nssh_str method)
{
    side *s = u;
    s->requests++;
    snprintf(s->req_user, sizeof(s->req_user), "%.*s", (int)user.n, user.p);
    snprintf(s->req_method, sizeof(s->req_method), "%.*s", (int)method.n, method.p);
    if (s->deny_pubkey)
        s->cfg.auth_methods = NSSH_METHOD_PASSWORD;
    if (s->drop_user)
        nssh_conn_disconnect(s->c, NSSH_DISC_ILLEGAL_USER_NAME, "go away");
}

static void srv_answer(void *u, int ok, const uint8_t *data, size_t len)
{
    side *s = u;
    if (s->answers < 8) {
        s->answer_ok[s->answers] = ok;
        s->answer_len[s->answers] = len;
        if (len)
            s->answer_data[s->answers] = data[0];
    }
    s->answers++;
}

static int cli_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    (void)u;
    (void)alg;
    (void)b;
    return n ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void cli_auth(void *u, int ok, nssh_str methods)
{
    side *s = u;
    (void)methods;
    s->auth_done = 1;
    s->auth_ok = ok;
}

static int cli_global(void *u, nssh_str name, const uint8_t *d, size_t n,
                      int want_reply, uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    (void)reply;
    (void)reply_cap;
    (void)reply_len;
    side *s = u;
    (void)name;
    (void)d;
    (void)n;
    (void)want_reply;
    return s->accept_requests ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void side_init(side *s, int role, const char *banner)
{
    memset(s, 0, sizeof(*s));
    s->cfg.role = role;
    s->cfg.kems = nssh_ossl_kems;
    s->cfg.n_kems = count((const void *const *)nssh_ossl_kems);
    s->cfg.ciphers = nssh_ossl_ciphers;
    s->cfg.n_ciphers = count((const void *const *)nssh_ossl_ciphers);
    s->cfg.macs = nssh_ossl_macs;
    s->cfg.n_macs = count((const void *const *)nssh_ossl_macs);
    s->cfg.sig_algs = nssh_ossl_sig_algs;
    s->cfg.n_sig_algs = count((const void *const *)nssh_ossl_sig_algs);
    s->cfg.hostkeys = &hostkey;
    s->cfg.n_hostkeys = 1;
    s->cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    s->cfg.rng = nssh_ossl_rng;
    s->cfg.cb = &s->cb;
    s->cfg.user = s;
    s->cfg.banner = banner;
    s->cb.log = on_log;
    if (role == NSSH_ROLE_SERVER) {
        s->cb.auth_pubkey = srv_pubkey;
        s->cb.auth_request = srv_auth_request;
        s->cb.global_answer = srv_answer;
    } else {
        s->cb.check_hostkey = cli_hostkey;
        s->cb.client_auth = cli_auth;
        s->cb.global_request = cli_global;
    }
    assert_int_equal(posix_memalign(&s->mem, 16, nssh_conn_mem_size()), 0);
    assert_non_null(s->c = nssh_conn_init(s->mem, nssh_conn_mem_size(), &s->cfg, 0));
}

static void side_free(side *s)
{
    nssh_conn_release(s->c);
    free(s->mem);
}

static size_t move(side *a, side *b)
{
    size_t len, room, n;
    const uint8_t *p = nssh_conn_sendbuf(a->c, &len);
    uint8_t *q;
    if (!len)
        return 0;
    q = nssh_conn_recvbuf(b->c, &room);
    n = len < room ? len : room;
    if (!n) {
        nssh_conn_sent(a->c, len);   /* the peer is gone */
        return len;
    }
    memcpy(q, p, n);
    nssh_conn_sent(a->c, n);
    nssh_conn_recvd(b->c, n);
    return n;
}

static void pump(side *cl, side *sv)
{
    int i;
    for (i = 0; i < 10000; i++)
        if (move(cl, sv) + move(sv, cl) == 0)
            return;
    fail_msg("pump did not settle");
}

static void start(side *cl, side *sv, const char *banner)
{
    side_init(sv, NSSH_ROLE_SERVER, banner);
    side_init(cl, NSSH_ROLE_CLIENT, NULL);
    pump(cl, sv);
    assert_true(nssh_client_ready(cl->c));
    assert_int_equal(nssh_conn_global_request(sv->c, "x@nanossh", NULL, 0, 1),
                     NSSH_ERR_STATE);   /* not before authentication */
    assert_int_equal(nssh_client_auth_pubkey(cl->c, "alice", &nssh_ossl_sig_ed25519,
                                             user_key, user_blob, user_blob_len), 0);
    pump(cl, sv);
}

static void test_banner_and_auth_request(void **state)
{
    side cl, sv;
    (void)state;
    start(&cl, &sv, "Welcome to nanossh\r\n");
    assert_true(cl.auth_done && cl.auth_ok);
    assert_int_equal(cl.banners, 1);   /* once, though two requests came */
    assert_non_null(strstr(cl.banner, "Welcome to nanossh"));
    assert_true(sv.requests >= 1);
    assert_string_equal(sv.req_user, "alice");
    assert_string_equal(sv.req_method, "publickey");
    side_free(&cl);
    side_free(&sv);
    /* No banner configured: none sent. */
    start(&cl, &sv, "");
    assert_true(cl.auth_ok);
    assert_int_equal(cl.banners, 0);
    side_free(&cl);
    side_free(&sv);
}

static void test_auth_request_changes_methods(void **state)
{
    side cl, sv;
    (void)state;
    side_init(&sv, NSSH_ROLE_SERVER, NULL);
    side_init(&cl, NSSH_ROLE_CLIENT, NULL);
    sv.deny_pubkey = 1;
    pump(&cl, &sv);
    assert_int_equal(nssh_client_auth_pubkey(cl.c, "alice", &nssh_ossl_sig_ed25519,
                                             user_key, user_blob, user_blob_len), 0);
    pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_false(cl.auth_ok);
    side_free(&cl);
    side_free(&sv);
    /* Ending the connection from the callback. */
    side_init(&sv, NSSH_ROLE_SERVER, "never shown");
    side_init(&cl, NSSH_ROLE_CLIENT, NULL);
    sv.drop_user = 1;
    pump(&cl, &sv);
    assert_int_equal(nssh_client_auth_pubkey(cl.c, "alice", &nssh_ossl_sig_ed25519,
                                             user_key, user_blob, user_blob_len), 0);
    pump(&cl, &sv);
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_APP);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
    assert_int_equal(cl.banners, 0);
    assert_false(cl.auth_ok);
    side_free(&cl);
    side_free(&sv);
}

static void test_global_requests_answered_in_order(void **state)
{
    side cl, sv;
    const uint8_t data[] = { 0, 0, 0, 1 };
    (void)state;
    start(&cl, &sv, NULL);
    assert_true(cl.auth_ok);
    /* keepalive@openssh.com: refused by the client engine, still an answer. */
    assert_int_equal(nssh_conn_global_request(sv.c, "keepalive@openssh.com",
                                              NULL, 0, 1), 0);
    pump(&cl, &sv);
    assert_int_equal(sv.answers, 1);
    assert_int_equal(sv.answer_ok[0], 0);
    /* Two in a row, the client accepting: answers in order. */
    cl.accept_requests = 1;
    assert_int_equal(nssh_conn_global_request(sv.c, "one@nanossh", data,
                                              sizeof(data), 1), 0);
    assert_int_equal(nssh_conn_global_request(sv.c, "none@nanossh", NULL, 0, 0), 0);
    assert_int_equal(nssh_conn_global_request(sv.c, "two@nanossh", NULL, 0, 1), 0);
    pump(&cl, &sv);
    assert_int_equal(sv.answers, 3);
    assert_int_equal(sv.answer_ok[1], 1);
    assert_int_equal(sv.answer_ok[2], 1);
    assert_int_equal(sv.answer_len[1], 0);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    nssh_conn_disconnect(sv.c, NSSH_DISC_BY_APPLICATION, "bye");
    assert_int_equal(nssh_conn_global_request(sv.c, "late@nanossh", NULL, 0, 1),
                     NSSH_ERR_APP);
    side_free(&cl);
    side_free(&sv);
}

static int setup(void **state)
{
    const nssh_sig_alg *algs[2];
    (void)state;
    if (nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &host_key) < 0 ||
        nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &user_key) < 0 ||
        nssh_ossl_key_public_blob(host_key, host_blob, sizeof(host_blob), &host_blob_len) < 0 ||
        nssh_ossl_key_public_blob(user_key, user_blob, sizeof(user_blob), &user_blob_len) < 0 ||
        nssh_ossl_key_sig_algs(host_key, algs, 2) != 1)
        return -1;
    hostkey.alg = algs[0];
    hostkey.key = host_key;
    hostkey.blob = host_blob;
    hostkey.blob_len = host_blob_len;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nssh_ossl_key_free(host_key);
    nssh_ossl_key_free(user_key);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banner_and_auth_request),
        cmocka_unit_test(test_auth_request_changes_methods),
        cmocka_unit_test(test_global_requests_answered_in_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
