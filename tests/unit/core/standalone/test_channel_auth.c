/*
 * Server and client authentication (RFC 4252) through the handlers:
 * service request, none, publickey queries and signatures, user names,
 * malformed requests.
 */
#include "chan_harness.h"

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
    /* "none" first: only the opening one is free of MaxAuthTries (3 here) */
    ureq(&w, "ro\0ot", 5, "none");
    assert_int_equal(feed_w(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    ureq(&w, longname, sizeof(longname), "publickey");
    wr_bool(&w, 0);
    wr_cstring(&w, "test-sig");
    wr_string(&w, blob, blob_len);
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

int main(void)
{
    CHAN_RUN(
        T(test_service_request),
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
        T(test_client_none_failure_banner));
}