/*
 * Channel requests (RFC 4254 section 6), global requests (section 4)
 * with reply data, and the tcpip fields of section 7.
 */
#include "chan_harness.h"


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

int main(void)
{
    CHAN_RUN(
        T(test_requests),
        T(test_malformed_pty),
        T(test_exit_signal),
        T(test_global),
        T(test_global_reply_data),
        T(test_tcpip_fields));
}