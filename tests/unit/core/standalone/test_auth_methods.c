/*
 * The "password" and "keyboard-interactive" methods (RFC 4252 section 8,
 * RFC 4256) driven directly, with the stand-in transport of
 * stub_transport.h capturing every payload the handlers send: success,
 * wrong answers, change requests, several rounds of prompts, abandoned
 * exchanges, the MaxAuthTries limit, the secrets wiped from the
 * received packet, partial success (RFC 4252 section 5.1) and the
 * method "none" accepted by the application.
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

/* ---- Callbacks: what they saw, what they answer ---------------------------- */
static struct {
    int pw_calls;
    char pw_user[64], pw_seen[64];
    int start_calls, respond_calls;
    char sub_seen[64];
    size_t n_resp;
    char resp[4][64];
    int rounds;              /* kbdint: rounds of prompts before judging */
    int zero;                /* answer 0 (nothing set) whatever was typed */
    int result_calls, result_ok, result_partial;
    char result_method[32];
    int complete_calls;
    int more_steps;          /* auth_complete: partial successes to give */
    unsigned next_methods;   /* ... with these methods left */
    int none_ok, none_calls;
} ev;

static void cpy(char *dst, size_t cap, nssh_str s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = 0;
}

static int cb_password(void *u, nssh_str user, nssh_str pw)
{
    (void)u;
    ev.pw_calls++;
    cpy(ev.pw_user, sizeof(ev.pw_user), user);
    cpy(ev.pw_seen, sizeof(ev.pw_seen), pw);
    if (ev.zero)
        return 0;
    return pw.n == 6 && !memcmp(pw.p, "secret", 6) ? NSSH_CB_ACCEPT
                                                   : NSSH_CB_REFUSE;
}

static void ask(nssh_kbdint *q, int round)
{
    q->name = "Login";
    q->instruction = round ? "Again" : NULL;
    q->n_prompts = 2;
    q->prompt[0].text = "Password: ";
    q->prompt[0].echo = 0;
    q->prompt[1].text = "Code: ";
    q->prompt[1].echo = 1;
}

static int cb_start(void *u, nssh_str user, nssh_str sub, nssh_kbdint *q)
{
    (void)u;
    (void)user;
    ev.start_calls++;
    cpy(ev.sub_seen, sizeof(ev.sub_seen), sub);
    ask(q, 0);
    return ev.zero ? 0 : NSSH_CB_MORE;
}

static int cb_respond(void *u, nssh_str user, const nssh_str *resp, size_t n,
                      nssh_kbdint *q)
{
    size_t i;
    (void)u;
    (void)user;
    ev.respond_calls++;
    ev.n_resp = n;
    for (i = 0; i < n && i < 4; i++)
        cpy(ev.resp[i], sizeof(ev.resp[i]), resp[i]);
    if (ev.respond_calls < ev.rounds) {
        ask(q, ev.respond_calls);
        return NSSH_CB_MORE;
    }
    return n == 2 && resp[0].n == 6 && !memcmp(resp[0].p, "secret", 6) &&
                   resp[1].n == 4 && !memcmp(resp[1].p, "1234", 4)
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void cb_result(void *u, nssh_str user, const char *method,
                      const char *alg, const uint8_t *b, size_t bl, int ok,
                      int partial)
{
    (void)u; (void)user; (void)alg; (void)b; (void)bl;
    ev.result_calls++;
    ev.result_ok = ok;
    ev.result_partial = partial;
    snprintf(ev.result_method, sizeof(ev.result_method), "%s", method);
}

static nssh_config cfg;

/* AuthenticationMethods as an application would keep it: the first
 * more_steps successes are partial, leaving next_methods. */
static int cb_complete(void *u, nssh_str user, const char *method,
                       const uint8_t *blob, size_t len)
{
    (void)u; (void)user; (void)method; (void)blob; (void)len;
    ev.complete_calls++;
    if (ev.more_steps < 0)
        return NSSH_CB_REFUSE;
    if (ev.more_steps == 0)
        return NSSH_CB_ACCEPT;
    ev.more_steps--;
    cfg.auth_methods = ev.next_methods;
    return NSSH_CB_MORE;
}

static int cb_none(void *u, nssh_str user)
{
    (void)u; (void)user;
    ev.none_calls++;
    return ev.none_ok ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static const nssh_callbacks cbs = {
    .auth_result = cb_result,
    .auth_password = cb_password,
    .kbdint_start = cb_start,
    .kbdint_respond = cb_respond,
    .auth_complete = cb_complete,
    .auth_none = cb_none,
};

static nssh_conn *mk(void)
{
    nssh_conn *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    memset(&cfg, 0, sizeof(cfg));
    cfg.role = NSSH_ROLE_SERVER;
    cfg.auth_methods = NSSH_METHOD_PUBLICKEY | NSSH_METHOD_PASSWORD |
                       NSSH_METHOD_KBDINT;
    cfg.auth_max_tries = 3;
    cfg.cb = &cbs;
    c->cfg = &cfg;
    c->cb = &cbs;
    c->role = NSSH_ROLE_SERVER;
    c->kx.count = 1;
    c->au.service_ok = 1;
    return c;
}

static int setup(void **state)
{
    stub_reset();
    stub_verbose = getenv("STUB_VERBOSE") != NULL;
    memset(&ev, 0, sizeof(ev));
    ev.rounds = 1;
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* ---- Messages ------------------------------------------------------------ */
static uint8_t buf[4096];

static int feed(nssh_conn *c, const wr *w)
{
    rd r;
    assert_int_equal(w->err, 0);
    rd_init(&r, w->p + 1, w->len - 1);
    return auth_server_handle(c, w->p[0], &r);
}

static void ureq(wr *w, const char *user, const char *method)
{
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, MSG_USERAUTH_REQUEST);
    wr_cstring(w, user);
    wr_cstring(w, "ssh-connection");
    wr_cstring(w, method);
}

static void pw_req(wr *w, const char *user, const char *pw)
{
    ureq(w, user, "password");
    wr_bool(w, 0);
    wr_cstring(w, pw);
}

static void kbd_req(wr *w, const char *user)
{
    ureq(w, user, "keyboard-interactive");
    wr_cstring(w, "");        /* language tag */
    wr_cstring(w, "pam");     /* submethods */
}

static void info_resp(wr *w, size_t n, const char *const *answers)
{
    size_t i;
    wr_init(w, buf, sizeof(buf));
    wr_u8(w, MSG_USERAUTH_INFO_RESPONSE);
    wr_u32(w, (uint32_t)n);
    for (i = 0; i < n; i++)
        wr_cstring(w, answers[i]);
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

static void expect_bool(rd *r, int want)
{
    int v;
    assert_int_equal(rd_bool(r, &v), 0);
    assert_int_equal(v, want);
}

/* The secret must no longer be anywhere in the received packet. */
static void assert_wiped(const wr *w, const char *secret)
{
    size_t i, n = strlen(secret);
    for (i = 0; i + n <= w->len; i++)
        assert_false(memcmp(w->p + i, secret, n) == 0);
}

/* ==== password ============================================================== */

static void test_password_ok(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    pw_req(&w, "alice", "secret");
    assert_int_equal(feed(c, &w), 0);
    out(0, MSG_USERAUTH_SUCCESS);
    assert_int_equal(ev.pw_calls, 1);
    assert_string_equal(ev.pw_user, "alice");
    assert_string_equal(ev.pw_seen, "secret");
    assert_true(c->au.done);
    assert_string_equal(c->au.user, "alice");
    assert_string_equal(c->au.method, "password");
    assert_int_equal(ev.result_calls, 1);
    assert_int_equal(ev.result_ok, 1);
    assert_string_equal(ev.result_method, "password");
    assert_wiped(&w, "secret");
    assert_string_equal(stub_log_text, "password accepted for alice");
}

static void test_password_wrong(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    rd r;
    pw_req(&w, "alice", "guess");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "publickey,password,keyboard-interactive");
    expect_bool(&r, 0);
    assert_int_equal(c->au.failures, 1);
    assert_false(c->au.done);
    assert_int_equal(ev.result_calls, 1);
    assert_int_equal(ev.result_ok, 0);
    assert_string_equal(ev.result_method, "password");
    assert_wiped(&w, "guess");
    /* The log says the attempt failed, never what was typed. */
    assert_null(strstr(stub_log_text, "guess"));
}

static void test_password_too_many_tries(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    int i;
    for (i = 0; i < 2; i++) {
        pw_req(&w, "alice", "wrong");
        assert_int_equal(feed(c, &w), 0);
        out((size_t)i, MSG_USERAUTH_FAILURE);
    }
    pw_req(&w, "alice", "wrong");
    assert_int_equal(feed(c, &w), NSSH_ERR_AUTH_TRIES);
    assert_int_equal(stub_fail.reason, NSSH_DISC_NO_MORE_AUTH_METHODS);
    assert_int_equal(stub_n, 2);
    assert_int_equal(ev.pw_calls, 3);
    assert_false(c->au.done);
}

static void test_password_change_refused(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    ureq(&w, "alice", "password");
    wr_bool(&w, 1);
    wr_cstring(&w, "secret");
    wr_cstring(&w, "newsecret");
    assert_int_equal(feed(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.pw_calls, 0);
    assert_int_equal(c->au.failures, 1);
    assert_int_equal(ev.result_ok, 0);
    assert_wiped(&w, "secret");
    assert_wiped(&w, "newsecret");
}

static void test_password_not_allowed(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    rd r;
    cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    pw_req(&w, "alice", "secret");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "publickey");
    assert_int_equal(ev.pw_calls, 0);
    assert_int_equal(c->au.failures, 1);
    assert_false(c->au.done);
    assert_wiped(&w, "secret");
}

static void test_password_invalid_user_name(void **state)
{
    nssh_conn *c = *state = mk();
    char name[NSSH_USER_MAX + 2];
    wr w;
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    pw_req(&w, name, "secret");
    assert_int_equal(feed(c, &w), 0);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.pw_calls, 0);
    assert_int_equal(ev.result_calls, 0);
    assert_int_equal(c->au.failures, 1);
}

static void test_password_malformed(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    ureq(&w, "alice", "password");
    wr_bool(&w, 0);
    wr_u32(&w, 50);           /* claims more than follows */
    wr_bytes(&w, "secr", 4);
    assert_int_equal(feed(c, &w), NSSH_ERR_FORMAT);
    assert_string_equal(stub_fail.field, "password");
    assert_int_equal(ev.pw_calls, 0);
    assert_wiped(&w, "secr");
}

/* ==== keyboard-interactive ================================================== */

/* Check the INFO_REQUEST at i: the two prompts of ask(). */
static void expect_prompts(size_t i, const char *instruction)
{
    rd r = out(i, MSG_USERAUTH_INFO_REQUEST);
    uint32_t n = 0;
    expect_str(&r, "Login");
    expect_str(&r, instruction);
    expect_str(&r, "");       /* language tag */
    assert_int_equal(rd_u32(&r, &n), 0);
    assert_int_equal(n, 2);
    expect_str(&r, "Password: ");
    expect_bool(&r, 0);
    expect_str(&r, "Code: ");
    expect_bool(&r, 1);
    assert_int_equal(rd_end(&r), 0);
}

static const char *const good[] = { "secret", "1234" };
static const char *const bad[] = { "secret", "9999" };

/* NSSH_CB_REFUSE is zero: an answer nobody set denies, even for the right
 * password, and a zero kbdint_start sends no prompts. */
static void test_zero_answer_denies(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    assert_int_equal(NSSH_CB_REFUSE, 0);
    ev.zero = 1;
    pw_req(&w, "alice", "secret");
    assert_int_equal(feed(c, &w), 0);
    assert_int_equal(ev.pw_calls, 1);
    out(0, MSG_USERAUTH_FAILURE);
    assert_int_equal(c->au.failures, 1);
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    assert_int_equal(ev.start_calls, 1);
    out(1, MSG_USERAUTH_FAILURE);
    assert_false(c->au.kbd_active);
    assert_false(c->au.done);
    assert_int_equal(c->au.failures, 2);
    assert_int_equal(ev.result_ok, 0);
}

static void test_kbdint_ok(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    assert_int_equal(ev.start_calls, 1);
    assert_string_equal(ev.sub_seen, "pam");
    expect_prompts(0, "");
    assert_true(c->au.kbd_active);
    info_resp(&w, 2, good);
    assert_int_equal(feed(c, &w), 0);
    out(1, MSG_USERAUTH_SUCCESS);
    assert_int_equal(ev.n_resp, 2);
    assert_string_equal(ev.resp[0], "secret");
    assert_string_equal(ev.resp[1], "1234");
    assert_true(c->au.done);
    assert_string_equal(c->au.method, "keyboard-interactive");
    assert_string_equal(c->au.user, "alice");
    assert_int_equal(ev.result_ok, 1);
    assert_string_equal(ev.result_method, "keyboard-interactive");
    assert_wiped(&w, "secret");
    assert_wiped(&w, "1234");
}

static void test_kbdint_rounds(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    ev.rounds = 3;
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    expect_prompts(0, "");
    info_resp(&w, 2, bad);
    assert_int_equal(feed(c, &w), 0);
    expect_prompts(1, "Again");
    info_resp(&w, 2, bad);
    assert_int_equal(feed(c, &w), 0);
    expect_prompts(2, "Again");
    info_resp(&w, 2, good);
    assert_int_equal(feed(c, &w), 0);
    out(3, MSG_USERAUTH_SUCCESS);
    assert_int_equal(ev.respond_calls, 3);
    assert_int_equal(c->au.failures, 0);
}

static void test_kbdint_wrong_counts(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    int i;
    for (i = 0; i < 2; i++) {
        kbd_req(&w, "alice");
        assert_int_equal(feed(c, &w), 0);
        expect_prompts(stub_n - 1, "");
        info_resp(&w, 2, bad);
        assert_int_equal(feed(c, &w), 0);
        out(stub_n - 1, MSG_USERAUTH_FAILURE);
        assert_int_equal(c->au.failures, (uint32_t)i + 1);
        assert_int_equal(ev.result_ok, 0);
        assert_string_equal(ev.result_method, "keyboard-interactive");
        assert_false(c->au.kbd_active);
    }
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    info_resp(&w, 2, bad);
    assert_int_equal(feed(c, &w), NSSH_ERR_AUTH_TRIES);
    assert_int_equal(stub_fail.reason, NSSH_DISC_NO_MORE_AUTH_METHODS);
}

static void test_kbdint_count_mismatch(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    info_resp(&w, 1, good);
    assert_int_equal(feed(c, &w), 0);
    out(1, MSG_USERAUTH_FAILURE);
    assert_int_equal(ev.respond_calls, 0);
    assert_int_equal(c->au.failures, 1);
    assert_wiped(&w, "secret");
}

static void test_kbdint_response_unexpected(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    info_resp(&w, 2, good);
    assert_int_equal(feed(c, &w), NSSH_ERR_UNEXPECTED);
    assert_int_equal(stub_fail.reason, NSSH_DISC_PROTOCOL_ERROR);
    assert_string_equal(stub_fail.message, "SSH_MSG_USERAUTH_INFO_RESPONSE");
}

/* RFC 4252 section 5: a new request aborts the exchange, without FAILURE
 * and without counting it; a late answer to it is then a protocol error. */
static void test_kbdint_abandoned(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    expect_prompts(0, "");
    pw_req(&w, "alice", "guess");
    assert_int_equal(feed(c, &w), 0);
    out(1, MSG_USERAUTH_FAILURE);
    assert_int_equal(stub_n, 2);
    assert_int_equal(c->au.failures, 1);   /* the password, not the kbdint */
    info_resp(&w, 2, good);
    assert_int_equal(feed(c, &w), NSSH_ERR_UNEXPECTED);
    assert_int_equal(ev.respond_calls, 0);
}

static void test_kbdint_not_allowed(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    rd r;
    cfg.auth_methods = NSSH_METHOD_PASSWORD;
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "password");
    assert_int_equal(ev.start_calls, 0);
    assert_int_equal(c->au.failures, 1);
}

/* ==== several methods (RFC 4252 section 5.1) ================================ */

/* A partial success: FAILURE with partial TRUE and the methods the
 * application left; not counted; reported as ok and partial; the next
 * method then completes. */
static void test_partial_then_success(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    rd r;
    ev.more_steps = 1;
    ev.next_methods = NSSH_METHOD_KBDINT;
    pw_req(&w, "alice", "secret");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "keyboard-interactive");
    expect_bool(&r, 1);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(c->au.failures, 0);
    assert_false(c->au.done);
    assert_int_equal(ev.result_ok, 1);
    assert_int_equal(ev.result_partial, 1);
    assert_string_equal(ev.result_method, "password");
    /* password is no longer allowed: refused and counted */
    pw_req(&w, "alice", "secret");
    assert_int_equal(feed(c, &w), 0);
    r = out(1, MSG_USERAUTH_FAILURE);
    expect_str(&r, "keyboard-interactive");
    expect_bool(&r, 0);
    assert_int_equal(c->au.failures, 1);
    kbd_req(&w, "alice");
    assert_int_equal(feed(c, &w), 0);
    expect_prompts(2, "");
    info_resp(&w, 2, good);
    assert_int_equal(feed(c, &w), 0);
    out(3, MSG_USERAUTH_SUCCESS);
    assert_true(c->au.done);
    assert_int_equal(ev.complete_calls, 2);
    assert_int_equal(ev.result_partial, 0);
    assert_string_equal(c->au.method, "keyboard-interactive");
}

/* NSSH_CB_REFUSE from auth_complete: a counted failure, no SUCCESS. */
static void test_complete_refused(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    rd r;
    ev.more_steps = -1;
    pw_req(&w, "alice", "secret");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "publickey,password,keyboard-interactive");
    expect_bool(&r, 0);
    assert_int_equal(c->au.failures, 1);
    assert_false(c->au.done);
    assert_int_equal(ev.result_ok, 0);
}

/* Method "none": refused without a count unless auth_none accepts. */
static void test_none(void **state)
{
    nssh_conn *c = *state = mk();
    wr w;
    rd r;
    ureq(&w, "alice", "none");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_USERAUTH_FAILURE);
    expect_str(&r, "publickey,password,keyboard-interactive");
    expect_bool(&r, 0);
    assert_int_equal(c->au.failures, 0);
    assert_int_equal(ev.none_calls, 1);
    ev.none_ok = 1;
    ureq(&w, "alice", "none");
    assert_int_equal(feed(c, &w), 0);
    out(1, MSG_USERAUTH_SUCCESS);
    assert_true(c->au.done);
    assert_string_equal(c->au.method, "none");
    assert_string_equal(ev.result_method, "none");
    assert_int_equal(ev.complete_calls, 1);
}

/* ext-info-in-auth@openssh.com (OpenSSH PROTOCOL section 1.10): after
 * the first request, and only then, server-sig-algs again with the
 * algorithms the application left for this user; never without the
 * client's key (test_none sees FAILURE first). */
static void test_ext_info_in_auth(void **state)
{
    static const nssh_sig_alg ed = { .name = "ssh-ed25519", .key_type = "ssh-ed25519" };
    static const nssh_sig_alg *const algs[] = { &ed };
    nssh_conn *c = *state = mk();
    nssh_config *cfg = (nssh_config *)c->cfg;
    wr w;
    rd r;
    uint32_t n;
    cfg->sig_algs = algs;
    cfg->n_sig_algs = 1;
    c->kx.peer_ext_in_auth = 1;
    ureq(&w, "alice", "none");
    assert_int_equal(feed(c, &w), 0);
    r = out(0, MSG_EXT_INFO);
    assert_int_equal(rd_u32(&r, &n), 0);
    assert_int_equal(n, 1);
    expect_str(&r, "server-sig-algs");
    expect_str(&r, "ssh-ed25519");
    out(1, MSG_USERAUTH_FAILURE);
    ureq(&w, "alice", "none");
    assert_int_equal(feed(c, &w), 0);
    out(2, MSG_USERAUTH_FAILURE);
    assert_int_equal(stub_n, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ext_info_in_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_wrong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_answer_denies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_too_many_tries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_change_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_invalid_user_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_wrong_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_count_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_response_unexpected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_abandoned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kbdint_not_allowed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
