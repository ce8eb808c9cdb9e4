/*
 * The engine's hooks for a daemon's per-connection settings, client and
 * server wired back to back in memory: the USERAUTH_BANNER (once, before
 * authentication), the auth_request callback (per-user settings may
 * change the allowed methods or end the connection), and global requests
 * sent by the server with their answers in order (ClientAliveInterval's
 * keepalive@openssh.com). On the pair harness (pair_harness.h).
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
#include "pair_ossl.h"

/* The harness's side, and what these tests watch besides. */
typedef struct side {
    pair_side p;                   /* first: the callbacks' user pointer */
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

static pair_keys keys;

static void on_log(void *u, const nssh_log *rec)
{
    side *s = u;
    if (rec->message && !strcmp(rec->message, "SSH_MSG_USERAUTH_BANNER") &&
        s->p.cfg.role == NSSH_ROLE_CLIENT) {
        s->banners++;
        snprintf(s->banner, sizeof(s->banner), "%s", rec->text);
    }
}

static void srv_auth_request(void *u, nssh_str user, nssh_str method)
{
    side *s = u;
    s->requests++;
    snprintf(s->req_user, sizeof(s->req_user), "%.*s", (int)user.n, user.p);
    snprintf(s->req_method, sizeof(s->req_method), "%.*s", (int)method.n, method.p);
    if (s->deny_pubkey)
        s->p.cfg.auth_methods = NSSH_METHOD_PASSWORD;
    if (s->drop_user)
        nssh_conn_disconnect(s->p.c, NSSH_DISC_ILLEGAL_USER_NAME, "go away");
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

static int cli_global(void *u, nssh_str name, const uint8_t *d, size_t n,
                      int want_reply, uint8_t *reply, size_t reply_cap, size_t *reply_len)
{
    side *s = u;
    (void)name;
    (void)d;
    (void)n;
    (void)want_reply;
    (void)reply;
    (void)reply_cap;
    (void)reply_len;
    return s->accept_requests ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

/* Not started: the caller may set drop_user / deny_pubkey first. */
static void side_init(side *s, int role, const char *banner)
{
    memset(s, 0, sizeof(*s));
    pair_side_init(&s->p, role);
    pair_ossl_setup(&s->p, &keys);
    s->p.cfg.banner = banner;
    s->p.cb.log = on_log;
    if (role == NSSH_ROLE_SERVER) {
        s->p.cb.auth_request = srv_auth_request;
        s->p.cb.global_answer = srv_answer;
    } else {
        s->p.cb.global_request = cli_global;
    }
}

/* Start both, key exchange, then the client's publickey request. */
static void run(side *cl, side *sv)
{
    pair_side_start(&sv->p);
    pair_side_start(&cl->p);
    pair_pump(&cl->p, &sv->p);
    assert_true(nssh_client_ready(cl->p.c));
    assert_int_equal(nssh_conn_global_request(sv->p.c, "x@nanossh", NULL, 0, 1),
                     NSSH_ERR_STATE);   /* not before authentication */
    pair_ossl_auth(&cl->p, &keys);
    pair_pump(&cl->p, &sv->p);
}

static void start(side *cl, side *sv, const char *banner)
{
    side_init(sv, NSSH_ROLE_SERVER, banner);
    side_init(cl, NSSH_ROLE_CLIENT, NULL);
    run(cl, sv);
}

static void side_free(side *s)
{
    pair_side_free(&s->p);
}

static void test_banner_and_auth_request(void **state)
{
    side cl, sv;
    (void)state;
    start(&cl, &sv, "Welcome to nanossh\r\n");
    assert_true(cl.p.auth_done && cl.p.auth_ok);
    assert_int_equal(cl.banners, 1);   /* once, though two requests came */
    assert_non_null(strstr(cl.banner, "Welcome to nanossh"));
    assert_true(sv.requests >= 1);
    assert_string_equal(sv.req_user, "alice");
    assert_string_equal(sv.req_method, "publickey");
    side_free(&cl);
    side_free(&sv);
    /* No banner configured: none sent. */
    start(&cl, &sv, "");
    assert_true(cl.p.auth_ok);
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
    run(&cl, &sv);
    assert_true(cl.p.auth_done);
    assert_false(cl.p.auth_ok);
    side_free(&cl);
    side_free(&sv);
    /* Ending the connection from the callback. */
    side_init(&sv, NSSH_ROLE_SERVER, "never shown");
    side_init(&cl, NSSH_ROLE_CLIENT, NULL);
    sv.drop_user = 1;
    run(&cl, &sv);
    assert_int_equal(nssh_conn_error(sv.p.c), NSSH_ERR_APP);
    assert_int_equal(nssh_conn_error(cl.p.c), NSSH_ERR_PEER_DISCONNECT);
    assert_int_equal(cl.banners, 0);
    assert_false(cl.p.auth_ok);
    side_free(&cl);
    side_free(&sv);
}

static void test_global_requests_answered_in_order(void **state)
{
    side cl, sv;
    const uint8_t data[] = { 0, 0, 0, 1 };
    (void)state;
    start(&cl, &sv, NULL);
    assert_true(cl.p.auth_ok);
    /* keepalive@openssh.com: refused by the client engine, still an answer. */
    assert_int_equal(nssh_conn_global_request(sv.p.c, "keepalive@openssh.com",
                                              NULL, 0, 1), 0);
    pair_pump(&cl.p, &sv.p);
    assert_int_equal(sv.answers, 1);
    assert_int_equal(sv.answer_ok[0], 0);
    /* Two in a row, the client accepting: answers in order. */
    cl.accept_requests = 1;
    assert_int_equal(nssh_conn_global_request(sv.p.c, "one@nanossh", data,
                                              sizeof(data), 1), 0);
    assert_int_equal(nssh_conn_global_request(sv.p.c, "none@nanossh", NULL, 0, 0), 0);
    assert_int_equal(nssh_conn_global_request(sv.p.c, "two@nanossh", NULL, 0, 1), 0);
    pair_pump(&cl.p, &sv.p);
    assert_int_equal(sv.answers, 3);
    assert_int_equal(sv.answer_ok[1], 1);
    assert_int_equal(sv.answer_ok[2], 1);
    assert_int_equal(sv.answer_len[1], 0);
    assert_int_equal(nssh_conn_error(sv.p.c), 0);
    assert_int_equal(nssh_conn_error(cl.p.c), 0);
    nssh_conn_disconnect(sv.p.c, NSSH_DISC_BY_APPLICATION, "bye");
    assert_int_equal(nssh_conn_global_request(sv.p.c, "late@nanossh", NULL, 0, 1),
                     NSSH_ERR_APP);
    side_free(&cl);
    side_free(&sv);
}

static int setup(void **state)
{
    (void)state;
    return pair_keys_make(&keys);
}

static int teardown(void **state)
{
    (void)state;
    pair_keys_free(&keys);
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
