/*
 * Channel opens (RFC 4254 section 5.1): accepted, refused, answered
 * later, opened by us; and the one answer convention, zero refusing.
 */
#include "chan_harness.h"


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
    for (i = 0; i < NSSH_MAX_CHANNELS; i++) {
        stub_n = 0;   /* the table outgrows the stub's capture */
        open_chan(c, (uint32_t)i, 100, 100);
    }
    stub_n = 0;
    ev.open_calls = 0;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, MSG_CHANNEL_OPEN);
    wr_cstring(&w, "session");
    wr_u32(&w, 5);
    wr_u32(&w, 100);
    wr_u32(&w, 100);
    assert_int_equal(feed_w(c, &w), 0);
    r = out(0, MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32(&r), 5);
    assert_int_equal(get_u32(&r), 4);
    assert_int_equal(ev.open_calls, 0);
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
    CHAN_RUN(
        T(test_open_session),
        T(test_open_refused),
        T(test_client_channel),
        T(test_client_open_refused),
        T(test_open_later_confirm),
        T(test_open_later_refuse),
        T(test_server_opens_channel),
        T(test_zero_answer_refuses),
        T(test_open_answer_values));
}