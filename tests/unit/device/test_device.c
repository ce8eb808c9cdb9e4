/*
 * The device application (port/device) behind the serial link adapter
 * (port/baremetal/link.c), on the compact crypto backend as the firmware
 * runs it, against the engine's client role on OpenSSL: exec with exit
 * status, the shell commands over a RAM filesystem, SFTP's subsystem
 * start, a refused key, and the link's handling of a new client that
 * takes over the line mid-session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device.h"
#include "link.h"
#include "nanossh.h"
#include "nanossh_compact.h"
#include "nanossh_memfs.h"
#include "nanossh_ossl.h"

/* ---- the device side ------------------------------------------------- */
static nssh_compact_drbg drbg;
static nssh_compact_key hostkey;
static uint8_t hostkey_blob[NSSH_COMPACT_ED25519_BLOB_LEN];
static nssh_hostkey hostkeys[1];
static nssh_config base;
static dev_params params;
static uint8_t auth_keys[1][32];
static uint8_t fsmem[64 * 1024];
static nssh_memfs memfs;
static dev_session session;
static serial_link link_;
static void *conn_mem;
static uint64_t now_ms;
static int starts, ends;

static const nssh_kem *const dev_kems[] = { &nssh_compact_mlkem768x25519_sha256,
                                            &nssh_compact_curve25519_sha256 };
static const nssh_cipher *const dev_ciphers[] = { &nssh_compact_chacha20_poly1305,
                                                  &nssh_compact_aes128_gcm };
static const nssh_mac *const dev_macs[] = { &nssh_compact_hmac_sha256_etm };
static const nssh_sig_alg *const dev_sigs[] = { &nssh_compact_sig_ed25519 };

static uint64_t dev_millis(void *u)
{
    (void)u;
    return now_ms;
}

static void on_link(void *u, int ev, int err)
{
    (void)u, (void)err;
    if (ev == LINK_EV_START)
        starts++;
    else
        ends++;
}

/* ---- the client side -------------------------------------------------- */
typedef struct client {
    nssh_conn *c;
    void *mem;
    nssh_config cfg;
    nssh_callbacks cb;
    int auth_done, auth_ok, open_ok, opened, closed, exit_seen;
    uint32_t exit_status;
    char rx[8192];
    size_t rx_len;
} client;

static nssh_key *user_key, *other_key;
static uint8_t user_blob[128], other_blob[128];
static size_t user_blob_len, other_blob_len;

static int cli_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    (void)u, (void)alg;
    /* The device presents the host key it was given. */
    return n == sizeof(hostkey_blob) && memcmp(b, hostkey_blob, n) == 0
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}
static void cli_auth(void *u, int ok, nssh_str m)
{
    client *c = u;
    (void)m;
    c->auth_done = 1;
    c->auth_ok = ok;
}
static void cli_open(void *u, uint32_t ch, int ok, uint32_t reason,
                     nssh_str desc)
{
    (void)reason;
    (void)desc;
    client *c = u;
    (void)ch;
    c->opened = 1;
    c->open_ok = ok;
}
static void cli_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d, size_t n)
{
    client *c = u;
    (void)ext;
    assert_true(c->rx_len + n < sizeof(c->rx));
    memcpy(c->rx + c->rx_len, d, n);
    c->rx_len += n;
    c->rx[c->rx_len] = 0;
    nssh_channel_consume(c->c, ch, n);
}
static int cli_req(void *u, uint32_t ch, const nssh_chan_req *r)
{
    client *c = u;
    (void)ch;
    if (r->kind == NSSH_REQ_EXIT_STATUS) {
        c->exit_seen = 1;
        c->exit_status = r->exit_status;
    }
    return NSSH_CB_ACCEPT;
}
static void cli_closed(void *u, uint32_t ch)
{
    client *c = u;
    (void)ch;
    c->closed = 1;
}
static void cli_reply(void *u, uint32_t ch, int ok)
{
    (void)u, (void)ch, (void)ok;
}

static void client_init(client *c)
{
    memset(c, 0, sizeof(*c));
    c->cfg.role = NSSH_ROLE_CLIENT;
    c->cfg.kems = nssh_ossl_kems;
    for (c->cfg.n_kems = 0; nssh_ossl_kems[c->cfg.n_kems]; c->cfg.n_kems++)
        ;
    c->cfg.ciphers = nssh_ossl_ciphers;
    for (c->cfg.n_ciphers = 0; nssh_ossl_ciphers[c->cfg.n_ciphers]; c->cfg.n_ciphers++)
        ;
    c->cfg.macs = nssh_ossl_macs;
    for (c->cfg.n_macs = 0; nssh_ossl_macs[c->cfg.n_macs]; c->cfg.n_macs++)
        ;
    c->cfg.sig_algs = nssh_ossl_sig_algs;
    for (c->cfg.n_sig_algs = 0; nssh_ossl_sig_algs[c->cfg.n_sig_algs]; c->cfg.n_sig_algs++)
        ;
    c->cfg.rng = nssh_ossl_rng;
    c->cfg.cb = &c->cb;
    c->cfg.user = c;
    c->cb.check_hostkey = cli_hostkey;
    c->cb.client_auth = cli_auth;
    c->cb.channel_open_reply = cli_open;
    c->cb.client_channel_reply = cli_reply;
    c->cb.channel_data = cli_data;
    c->cb.channel_request = cli_req;
    c->cb.channel_closed = cli_closed;
    assert_int_equal(posix_memalign(&c->mem, 16, nssh_conn_mem_size()), 0);
    c->c = nssh_conn_init(c->mem, nssh_conn_mem_size(), &c->cfg, 0);
    assert_non_null(c->c);
}

static void client_free(client *c)
{
    nssh_conn_release(c->c);
    free(c->mem);
}

/* Move bytes both ways between the client and the device's line, in odd
 * chunk sizes; the device's clock advances a little each round. */
static void pump(client *c)
{
    int i;
    for (i = 0; i < 200000; i++) {
        size_t len, room, n, moved = 0;
        const uint8_t *p = nssh_conn_sendbuf(c->c, &len);
        uint8_t *q;
        room = serial_link_room(&link_);
        n = len < room ? len : room;
        if (n > 301)
            n = 301;
        if (n) {
            serial_link_input(&link_, p, n, now_ms);
            nssh_conn_sent(c->c, n);
            moved += n;
        }
        p = serial_link_output(&link_, &len);
        q = nssh_conn_recvbuf(c->c, &room);
        n = len < room ? len : room;
        if (n) {
            memcpy(q, p, n);
            serial_link_sent(&link_, n);
            nssh_conn_recvd(c->c, n);
            moved += n;
        }
        now_ms++;
        if (!moved && link_.match) {
            /* A flight ended in bytes that may begin "SSH-2.0-": the link
             * holds them LINK_HOLD_MS before the session gets them. */
            now_ms += LINK_HOLD_MS;
            moved = 1;
        }
        serial_link_tick(&link_, now_ms);
        if (!moved)
            return;
    }
    fail_msg("pump did not settle");
}

static void login(client *c, nssh_key *key, const uint8_t *blob, size_t blob_len)
{
    pump(c);
    assert_int_equal(nssh_conn_error(c->c), 0);
    assert_true(nssh_client_ready(c->c));
    assert_int_equal(nssh_client_auth_pubkey(c->c, "admin", &nssh_ossl_sig_ed25519,
                                             key, blob, blob_len), 0);
    pump(c);
    assert_true(c->auth_done);
}

/* Run one exec on a fresh channel; returns the exit status. */
static uint32_t run(client *c, const char *cmd)
{
    nssh_chan_req rq;
    int ch = nssh_client_open_session(c->c);
    assert_true(ch >= 0);
    c->opened = c->closed = c->exit_seen = 0;
    c->rx_len = 0;
    c->rx[0] = 0;
    pump(c);
    assert_true(c->open_ok);
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_EXEC;
    rq.want_reply = 1;
    rq.text.p = cmd;
    rq.text.n = strlen(cmd);
    assert_int_equal(nssh_client_channel_request(c->c, (uint32_t)ch, &rq), 0);
    pump(c);
    assert_true(c->exit_seen);
    assert_true(c->closed);
    return c->exit_status;
}

static int setup(void **state)
{
    uint8_t seed[32];
    size_t n;
    (void)state;
    nssh_compact_drbg_init(&drbg);
    assert_int_equal(nssh_ossl_rng(NULL, seed, sizeof(seed)), 0);
    assert_int_equal(nssh_compact_drbg_seed(&drbg, seed, sizeof(seed)), 0);
    assert_int_equal(nssh_ossl_rng(NULL, seed, sizeof(seed)), 0);
    assert_int_equal(nssh_compact_key_from_seed(&hostkey, seed), 0);
    assert_int_equal(nssh_compact_key_public_blob(&hostkey, hostkey_blob,
                                                  sizeof(hostkey_blob), &n), 0);
    hostkeys[0].alg = &nssh_compact_sig_ed25519;
    hostkeys[0].key = nssh_compact_key_handle(&hostkey);
    hostkeys[0].blob = hostkey_blob;
    hostkeys[0].blob_len = n;
    base.software = "nanossh_device_test";
    base.kems = dev_kems, base.n_kems = 2;
    base.ciphers = dev_ciphers, base.n_ciphers = 2;
    base.macs = dev_macs, base.n_macs = 1;
    base.hostkeys = hostkeys, base.n_hostkeys = 1;
    base.sig_algs = dev_sigs, base.n_sig_algs = 1;
    base.rng = nssh_compact_rng, base.rng_user = &drbg;

    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &user_key), 0);
    assert_int_equal(nssh_ossl_key_public_blob(user_key, user_blob, sizeof(user_blob),
                                          &user_blob_len), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &other_key), 0);
    assert_int_equal(nssh_ossl_key_public_blob(other_key, other_blob, sizeof(other_blob),
                                          &other_blob_len), 0);
    memcpy(auth_keys[0], user_blob + user_blob_len - 32, 32);

    assert_int_equal(nssh_memfs_init(&memfs, fsmem, sizeof(fsmem), 16, 0, 0), 0);
    params.base = &base;
    params.login = "admin";
    params.auth_keys = (const uint8_t (*)[32])auth_keys;
    params.n_auth_keys = 1;
    params.sha256 = &nssh_compact_sha256;
    params.fs = nssh_memfs_fs();
    params.fs_user = &memfs;
    params.millis = dev_millis;

    assert_int_equal(posix_memalign(&conn_mem, 16, nssh_conn_mem_size()), 0);
    serial_link_init(&link_, &session, &params, conn_mem, nssh_conn_mem_size(), 60000);
    link_.event = on_link;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (link_.running)
        dev_session_end(&session);
    free(conn_mem);
    nssh_ossl_key_free(user_key);
    nssh_ossl_key_free(other_key);
    nssh_compact_drbg_clear(&drbg);
    return 0;
}

static void put_file(const char *name, const char *text)
{
    const nssh_sftp_fs *fs = nssh_memfs_fs();
    nssh_sftp_attrs a;
    void *fh;
    memset(&a, 0, sizeof(a));
    assert_int_equal(fs->open(&memfs, name, SSH_FXF_WRITE | SSH_FXF_CREAT | SSH_FXF_TRUNC,
                              &a, &fh), 0);
    assert_int_equal(fs->write(&memfs, fh, 0, (const uint8_t *)text, strlen(text)), 0);
    assert_int_equal(fs->close(&memfs, fh), 0);
}

static void test_exec_and_commands(void **state)
{
    client c;
    (void)state;
    client_init(&c);
    login(&c, user_key, user_blob, user_blob_len);
    assert_true(c.auth_ok);
    assert_int_equal(run(&c, "echo hi there"), 0);
    assert_string_equal(c.rx, "hi there\n");
    assert_int_equal(run(&c, "frobnicate"), 127);
    assert_non_null(strstr(c.rx, "command not found"));
    assert_int_equal(run(&c, "exit 42"), 42);

    put_file("abc.txt", "abc");
    assert_int_equal(run(&c, "cat abc.txt"), 0);
    assert_string_equal(c.rx, "abc");
    /* FIPS 180-2 appendix B.1 */
    assert_int_equal(run(&c, "sha256 abc.txt"), 0);
    assert_string_equal(c.rx, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                              "  abc.txt\n");
    assert_int_equal(run(&c, "ls"), 0);
    assert_non_null(strstr(c.rx, "       3  abc.txt\n"));
    assert_int_equal(run(&c, "help"), 0);
    assert_non_null(strstr(c.rx, "sha256 FILE"));
    assert_int_equal(run(&c, "rm abc.txt"), 0);
    assert_int_equal(run(&c, "cat abc.txt"), 1);
    assert_int_equal(run(&c, "rm abc.txt"), 1);
    assert_int_equal(run(&c, "sha256"), 2);
    assert_int_equal(run(&c, "mem"), 0);
    assert_non_null(strstr(c.rx, "per session"));

    /* A long output goes out piecewise as the window allows. */
    {
        static char big[6000];
        memset(big, 'x', sizeof(big) - 1);
        put_file("big", big);
        assert_int_equal(run(&c, "cat big"), 0);
        assert_int_equal(c.rx_len, sizeof(big) - 1);
    }
    client_free(&c);
}

/* A pty shell: echo of typed bytes, backspace, CR as the line end with
 * LF turned into CR LF, Ctrl-C dropping a line, Ctrl-D ending it. */
static void test_pty_shell(void **state)
{
    static const char typed[] = "ecx\x7fho hi\rjunk\x03\x04";
    nssh_chan_req rq;
    client c;
    int ch;
    (void)state;
    client_init(&c);
    login(&c, user_key, user_blob, user_blob_len);
    assert_true(c.auth_ok);
    ch = nssh_client_open_session(c.c);
    pump(&c);
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_PTY;
    rq.name.p = "xterm";
    rq.name.n = 5;
    rq.cols = 80;
    rq.rows = 24;
    assert_int_equal(nssh_client_channel_request(c.c, (uint32_t)ch, &rq), 0);
    rq.kind = NSSH_REQ_SHELL;
    assert_int_equal(nssh_client_channel_request(c.c, (uint32_t)ch, &rq), 0);
    pump(&c);
    assert_non_null(strstr(c.rx, "nanossh$ "));
    c.rx_len = 0;
    assert_int_equal(nssh_channel_write(c.c, (uint32_t)ch, 0, (const uint8_t *)typed,
                                        sizeof(typed) - 1), (long)(sizeof(typed) - 1));
    pump(&c);
    assert_string_equal(c.rx, "ecx\b \bho hi\r\nhi\r\nnanossh$ junk^C\r\nnanossh$ ");
    assert_true(c.exit_seen);
    assert_int_equal(c.exit_status, 0);
    assert_true(c.closed);
    client_free(&c);
}

static void test_wrong_key_refused(void **state)
{
    client c;
    (void)state;
    client_init(&c);
    login(&c, other_key, other_blob, other_blob_len);
    assert_false(c.auth_ok);
    client_free(&c);
    /* The next client takes over the line and is served. */
    client_init(&c);
    login(&c, user_key, user_blob, user_blob_len);
    assert_true(c.auth_ok);
    assert_int_equal(run(&c, "echo back"), 0);
    assert_string_equal(c.rx, "back\n");
    client_free(&c);
}

/* A new client's identification line arriving byte by byte in the middle
 * of a session: the old session must not see those bytes (it would fail
 * and send a DISCONNECT into the new client's banner exchange); the new
 * session answers with a clean version line. */
static void test_new_client_takes_over(void **state)
{
    static const char line[] = "SSH-2.0-OpenSSH_9.2p1 Debian\r\n";
    client c;
    size_t len, i;
    const uint8_t *out;
    int s0 = starts;
    (void)state;
    client_init(&c);
    login(&c, user_key, user_blob, user_blob_len);
    assert_true(c.auth_ok);
    out = serial_link_output(&link_, &len);
    assert_int_equal(len, 0);
    for (i = 0; i < 7; i++) {           /* "SSH-2.0" */
        serial_link_input(&link_, (const uint8_t *)line + i, 1, now_ms);
        serial_link_tick(&link_, now_ms);
        out = serial_link_output(&link_, &len);
        assert_int_equal(len, 0);
        assert_int_equal(nssh_conn_error(session.conn), 0);
    }
    serial_link_input(&link_, (const uint8_t *)line + 7, sizeof(line) - 8, now_ms);
    assert_int_equal(starts, s0 + 2);
    out = serial_link_output(&link_, &len);
    assert_true(len > 8);
    assert_memory_equal(out, "SSH-2.0-", 8);
    client_free(&c);
    /* An "S" that ends a burst reaches the session after LINK_HOLD_MS. */
    serial_link_input(&link_, (const uint8_t *)"S", 1, now_ms);
    assert_int_equal(link_.match, 1);
    serial_link_tick(&link_, now_ms + LINK_HOLD_MS);
    assert_int_equal(link_.match, 0);
}

static void test_silence_ends_session(void **state)
{
    client c;
    int e0 = ends;
    (void)state;
    client_init(&c);
    login(&c, user_key, user_blob, user_blob_len);
    assert_true(link_.running);
    serial_link_tick(&link_, now_ms + 60001);
    assert_false(link_.running);
    assert_int_equal(ends, e0 + 2);   /* the previous session, then this one */
    client_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_and_commands),
        cmocka_unit_test(test_pty_shell),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_new_client_takes_over),
        cmocka_unit_test(test_silence_ends_session),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
