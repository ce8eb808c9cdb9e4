/*
 * Channel data and windows (RFC 4254 section 5.2), write limits, and the
 * order of EOF and CLOSE at the end of a session (section 5.3).
 */
#include "chan_harness.h"


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

int main(void)
{
    CHAN_RUN(
        T(test_window_adjust_overflow),
        T(test_data_and_consume),
        T(test_data_limits),
        T(test_unknown_channel),
        T(test_write_limits),
        T(test_session_end_order),
        T(test_peer_closes_first));
}