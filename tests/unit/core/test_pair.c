/*
 * The engine in both roles, wired back to back in memory: key exchange,
 * public key auth, a session channel with data both ways, re-keying in the
 * middle of data, every cipher and MAC, and the failures a peer must be
 * told about (negotiation, tampering).
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
    /* what happened */
    int auth_ok, auth_done, open_ok, reply_ok, replies;
    unsigned kex_at_auth;      /* key exchanges done when auth ended */
    int opened_ch, closed, eof, exit_seen;
    uint32_t exit_status;
    char last_req[32];
    char exec_cmd[128];
    uint8_t *rx;
    size_t rx_len, rx_cap;
    int last_err_level;
    char last_log[2048];
    const char *last_field;
    const uint8_t *allowed_blob;
    size_t allowed_len;
    const nssh_cipher *ci1[1];
    const nssh_mac *mac1[1];
    const nssh_kem *kem1[1];
} side;

/* When set, side_init offers only this key exchange. */
static const nssh_kem *force_kem;

static nssh_key *host_ed, *host_ec, *host_rsa, *user_key;
static uint8_t host_blob[3][1100], user_blob[1100];
static size_t host_blob_len[3], user_blob_len;
static nssh_hostkey hostkeys[4];
static size_t n_hostkeys;

static void on_log(void *u, const nssh_log *rec)
{
    side *s = u;
    if (rec->level == NSSH_LOG_ERROR || rec->err) {
        snprintf(s->last_log, sizeof(s->last_log), "%s", rec->text);
        s->last_field = rec->field;
        s->last_err_level = rec->level;
    }
    if (getenv("PAIR_VERBOSE"))
        fprintf(stderr, "[%s] %s %s %s: %s\n", s->cfg.role ? "client" : "server",
                rec->stage, rec->message ? rec->message : "-",
                rec->field ? rec->field : "-", rec->text);
}

static int srv_auth_pubkey(void *u, nssh_str user, const char *alg,
                           const uint8_t *blob, size_t len, int has_sig)
{
    side *s = u;
    (void)alg;
    (void)has_sig;
    if (user.n != 5 || memcmp(user.p, "alice", 5) != 0)
        return NSSH_CB_REFUSE;
    return s->allowed_len == len && memcmp(s->allowed_blob, blob, len) == 0
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int srv_open(void *u, uint32_t ch, nssh_str type, const uint8_t *x,
                    size_t xl)
{
    side *s = u;
    (void)x;
    (void)xl;
    if (type.n != 7 || memcmp(type.p, "session", 7) != 0)
        return NSSH_CB_REFUSE_REASON(NSSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    s->opened_ch = (int)ch;
    return NSSH_CB_ACCEPT;
}

static int srv_req(void *u, uint32_t ch, const nssh_chan_req *r)
{
    side *s = u;
    (void)ch;
    snprintf(s->last_req, sizeof(s->last_req), "%.*s", (int)r->type.n, r->type.p);
    if (r->kind == NSSH_REQ_EXEC) {
        snprintf(s->exec_cmd, sizeof(s->exec_cmd), "%.*s", (int)r->text.n, r->text.p);
        return NSSH_CB_ACCEPT;
    }
    return r->kind == NSSH_REQ_SHELL || r->kind == NSSH_REQ_PTY ? NSSH_CB_ACCEPT
                                                                : NSSH_CB_REFUSE;
}

static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d,
                    size_t n)
{
    side *s = u;
    (void)ext;
    if (s->rx_len + n > s->rx_cap) {
        s->rx_cap = (s->rx_len + n) * 2;
        s->rx = realloc(s->rx, s->rx_cap);
    }
    memcpy(s->rx + s->rx_len, d, n);
    s->rx_len += n;
    nssh_channel_consume(s->c, ch, n);
}

static void on_eof(void *u, uint32_t ch) { (void)ch; ((side *)u)->eof++; }
static void on_closed(void *u, uint32_t ch) { (void)ch; ((side *)u)->closed++; }

static int cli_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    (void)u;
    (void)alg;
    (void)b;
    return n > 0 ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void cli_auth(void *u, int ok, nssh_str methods)
{
    side *s = u;
    (void)methods;
    nssh_conn_info info;
    s->auth_done = 1;
    s->auth_ok = ok;
    nssh_conn_get_info(s->c, &info);
    s->kex_at_auth = info.kex_count;
}

static void cli_open(void *u, uint32_t ch, int ok, uint32_t reason,
                     nssh_str desc)
{
    (void)reason;
    (void)desc;
    side *s = u;
    s->opened_ch = (int)ch;
    s->open_ok = ok;
}

static void cli_reply(void *u, uint32_t ch, int ok)
{
    side *s = u;
    (void)ch;
    s->replies++;
    s->reply_ok = ok;
}

static int cli_chreq(void *u, uint32_t ch, const nssh_chan_req *r)
{
    side *s = u;
    (void)ch;
    if (r->kind == NSSH_REQ_EXIT_STATUS) {
        s->exit_seen = 1;
        s->exit_status = r->exit_status;
    }
    return NSSH_CB_ACCEPT;
}

static void side_init(side *s, int role, const nssh_cipher *ci,
                      const nssh_mac *mac)
{
    size_t i;
    memset(s, 0, sizeof(*s));
    s->cfg.role = role;
    s->cfg.kems = nssh_ossl_kems;
    for (i = 0; nssh_ossl_kems[i]; i++)
        ;
    s->cfg.n_kems = i;
    if (force_kem) {
        s->kem1[0] = force_kem;
        s->cfg.kems = s->kem1;
        s->cfg.n_kems = 1;
    }
    if (ci) {
        s->ci1[0] = ci;
        s->cfg.ciphers = s->ci1;
        s->cfg.n_ciphers = 1;
    } else {
        s->cfg.ciphers = nssh_ossl_ciphers;
        for (i = 0; nssh_ossl_ciphers[i]; i++)
            ;
        s->cfg.n_ciphers = i;
    }
    if (mac) {
        s->mac1[0] = mac;
        s->cfg.macs = s->mac1;
        s->cfg.n_macs = 1;
    } else {
        s->cfg.macs = nssh_ossl_macs;
        for (i = 0; nssh_ossl_macs[i]; i++)
            ;
        s->cfg.n_macs = i;
    }
    s->cfg.sig_algs = nssh_ossl_sig_algs;
    for (i = 0; nssh_ossl_sig_algs[i]; i++)
        ;
    s->cfg.n_sig_algs = i;
    s->cfg.hostkeys = hostkeys;
    s->cfg.n_hostkeys = n_hostkeys;
    s->cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    s->cfg.rng = nssh_ossl_rng;
    s->cfg.cb = &s->cb;
    s->cfg.user = s;
    s->cb.log = on_log;
    s->cb.channel_data = on_data;
    s->cb.channel_eof = on_eof;
    s->cb.channel_closed = on_closed;
    s->cb.channel_request = role == NSSH_ROLE_SERVER ? srv_req : cli_chreq;
    if (role == NSSH_ROLE_SERVER) {
        s->cb.auth_pubkey = srv_auth_pubkey;
        s->cb.channel_open = srv_open;
        s->allowed_blob = user_blob;
        s->allowed_len = user_blob_len;
    } else {
        s->cb.check_hostkey = cli_hostkey;
        s->cb.client_auth = cli_auth;
        s->cb.channel_open_reply = cli_open;
        s->cb.client_channel_reply = cli_reply;
    }
    s->opened_ch = -1;
    assert_int_equal(posix_memalign(&s->mem, 16, nssh_conn_mem_size()), 0);
    s->c = nssh_conn_init(s->mem, nssh_conn_mem_size(), &s->cfg, 0);
    assert_non_null(s->c);
}

static void side_free(side *s)
{
    nssh_conn_release(s->c);
    free(s->mem);
    free(s->rx);
}

/* Move bytes from a to b; flip one bit of the n-th byte when corrupt > 0. */
static size_t move(side *a, side *b, long *corrupt)
{
    size_t len, room, n;
    const uint8_t *p = nssh_conn_sendbuf(a->c, &len);
    uint8_t *q;
    if (!len)
        return 0;
    q = nssh_conn_recvbuf(b->c, &room);
    n = len < room ? len : room;
    if (n == 0) {
        if (nssh_conn_state(b->c) & NSSH_CLOSED || nssh_conn_error(b->c)) {
            nssh_conn_sent(a->c, len);   /* peer gone: drop */
            return len;
        }
        return 0;
    }
    if (n > 7000)
        n = 7000;   /* odd chunks exercise partial packets */
    memcpy(q, p, n);
    if (corrupt && *corrupt > 0) {
        if ((size_t)*corrupt <= n)
            q[*corrupt - 1] ^= 0x40;
        *corrupt -= (long)n;
        if (*corrupt <= 0)
            *corrupt = -1;
    }
    nssh_conn_sent(a->c, n);
    nssh_conn_recvd(b->c, n);
    return n;
}

static void pump(side *cl, side *sv)
{
    int i;
    for (i = 0; i < 100000; i++)
        if (move(cl, sv, NULL) + move(sv, cl, NULL) == 0)
            return;
    fail_msg("pump did not settle");
}

static void login(side *cl, side *sv)
{
    pump(cl, sv);
    assert_int_equal(nssh_conn_error(sv->c), 0);
    assert_int_equal(nssh_conn_error(cl->c), 0);
    assert_true(nssh_client_ready(cl->c));
    assert_int_equal(nssh_client_auth_pubkey(cl->c, "alice", &nssh_ossl_sig_ed25519,
                                             user_key, user_blob, user_blob_len), 0);
    pump(cl, sv);
    assert_true(cl->auth_done);
    assert_true(cl->auth_ok);
}

static int open_exec(side *cl, side *sv, const char *cmd)
{
    nssh_chan_req rq;
    int ch = nssh_client_open_session(cl->c);
    assert_true(ch >= 0);
    pump(cl, sv);
    assert_true(cl->open_ok);
    assert_true(sv->opened_ch >= 0);
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_EXEC;
    rq.want_reply = 1;
    rq.text.p = cmd;
    rq.text.n = strlen(cmd);
    assert_int_equal(nssh_client_channel_request(cl->c, (uint32_t)ch, &rq), 0);
    pump(cl, sv);
    assert_int_equal(cl->replies, 1);
    assert_true(cl->reply_ok);
    assert_string_equal(sv->exec_cmd, cmd);
    return ch;
}

/* Send n pattern bytes from a on channel ch, pumping as windows allow. */
static void send_bulk(side *a, side *b, side *cl, side *sv, uint32_t ch,
                      size_t n, size_t rekey_at)
{
    uint8_t buf[16384];
    size_t sent = 0, i;
    int spins = 0, rekeyed = 0;
    while (sent < n) {
        size_t k = n - sent < sizeof(buf) ? n - sent : sizeof(buf);
        long w;
        for (i = 0; i < k; i++)
            buf[i] = (uint8_t)((sent + i) * 7 + ((sent + i) >> 8));
        w = nssh_channel_write(a->c, ch, 0, buf, k);
        assert_true(w >= 0);
        sent += (size_t)w;
        if (!rekeyed && rekey_at && sent >= rekey_at) {
            assert_int_equal(nssh_conn_rekey(a->c), 0);
            rekeyed = 1;
        }
        move(cl, sv, NULL);
        move(sv, cl, NULL);
        assert_true(++spins < 1000000);
    }
    pump(cl, sv);
    assert_int_equal(b->rx_len, n);
    for (i = 0; i < n; i++)
        if (b->rx[i] != (uint8_t)(i * 7 + (i >> 8)))
            fail_msg("data differs at byte %zu", i);
}

/* As send_bulk, through nssh_channel_reserve / nssh_channel_commit, the
 * way the daemon reads a pipe: fills the reserved packets in order, some
 * rounds all of them, some only part (a short read), some none. */
static void send_reserved(side *a, side *b, side *cl, side *sv, uint32_t ch,
                          uint32_t ext, size_t n)
{
    nssh_iovec iov[16];
    size_t sent = 0, i, k, cap, fill, put;
    int spins = 0;
    b->rx_len = 0;
    while (sent < n) {
        size_t niov = nssh_channel_reserve(a->c, ch, ext, iov, 16);
        for (k = 0, cap = 0; k < niov; k++) {
            assert_non_null(iov[k].p);
            assert_true(iov[k].len > 0);
            cap += iov[k].len;
        }
        fill = cap;
        if (cap && spins % 3 == 1)
            fill = cap / 2 + 1;        /* ends inside a packet */
        else if (spins % 7 == 2)
            fill = 0;                  /* nothing read: all released */
        if (fill > n - sent)
            fill = n - sent;
        for (k = 0, put = 0; k < niov && put < fill; k++)
            for (i = 0; i < iov[k].len && put < fill; i++, put++)
                iov[k].p[i] = (uint8_t)((sent + put) * 7 + ((sent + put) >> 8));
        if (niov)
            assert_int_equal(nssh_channel_commit(a->c, ch, ext, fill), (long)fill);
        sent += fill;
        move(cl, sv, NULL);
        move(sv, cl, NULL);
        assert_true(++spins < 1000000);
    }
    pump(cl, sv);
    assert_int_equal(nssh_conn_error(a->c), 0);
    assert_int_equal(nssh_conn_error(b->c), 0);
    assert_int_equal(b->rx_len, n);
    for (i = 0; i < n; i++)
        if (b->rx[i] != (uint8_t)(i * 7 + (i >> 8)))
            fail_msg("data differs at byte %zu", i);
}

static void reserved_session(const nssh_cipher *ci, const nssh_mac *mac,
                             uint64_t rekey_bytes)
{
    side cl, sv;
    nssh_conn_info info;
    side_init(&sv, NSSH_ROLE_SERVER, ci, mac);
    sv.cfg.rekey_bytes = rekey_bytes;
    side_init(&cl, NSSH_ROLE_CLIENT, ci, mac);
    login(&cl, &sv);
    open_exec(&cl, &sv, "cat");
    send_reserved(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 0, 1500000);
    send_reserved(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 1, 200000);
    nssh_conn_get_info(sv.c, &info);
    if (rekey_bytes)
        assert_true(info.kex_count >= 4);
    side_free(&cl);
    side_free(&sv);
}

static void test_reserve_each_cipher(void **st)
{
    size_t i;
    (void)st;
    for (i = 0; nssh_ossl_ciphers[i]; i++)
        reserved_session(nssh_ossl_ciphers[i], &nssh_ossl_hmac_sha256, 0);
    reserved_session(&nssh_ossl_aes128_ctr, &nssh_ossl_hmac_sha256_etm, 0);
    reserved_session(&nssh_ossl_aes128_ctr, &nssh_ossl_hmac_sha512, 0);
}

/* Re-keying by the data limit falls inside batches of packets: the
 * KEXINIT must come after the batch, never over its next packet. */
static void test_reserve_rekey_by_limit(void **st)
{
    (void)st;
    reserved_session(NULL, NULL, 200 * 1024);
}

static void test_reserve_misuse(void **st)
{
    side cl, sv;
    nssh_iovec iov[4];
    uint8_t buf[8] = { 0 };
    size_t niov, cap, k;
    uint32_t ch;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    login(&cl, &sv);
    open_exec(&cl, &sv, "cat");
    ch = (uint32_t)sv.opened_ch;
    /* No reservation, or not this channel or stream, or too much. */
    assert_int_equal(nssh_channel_commit(sv.c, ch, 0, 1), NSSH_ERR_STATE);
    assert_int_equal(nssh_channel_reserve(sv.c, ch + 1, 0, iov, 4), 0);
    assert_int_equal(nssh_channel_reserve(sv.c, ch, 0, iov, 0), 0);
    niov = nssh_channel_reserve(sv.c, ch, 0, iov, 4);
    assert_true(niov > 0);
    assert_int_equal(nssh_channel_commit(sv.c, ch, 1, 1), NSSH_ERR_STATE);
    niov = nssh_channel_reserve(sv.c, ch, 0, iov, 4);
    for (k = 0, cap = 0; k < niov; k++)
        cap += iov[k].len;
    assert_int_equal(nssh_channel_commit(sv.c, ch, 0, cap + 1), NSSH_ERR_STATE);
    /* Anything sent in between ends the reservation. */
    niov = nssh_channel_reserve(sv.c, ch, 0, iov, 4);
    assert_true(niov > 0);
    assert_int_equal(nssh_channel_write(sv.c, ch, 0, buf, sizeof(buf)), (long)sizeof(buf));
    assert_int_equal(nssh_channel_commit(sv.c, ch, 0, 1), NSSH_ERR_STATE);
    /* None while a key exchange runs. */
    assert_int_equal(nssh_conn_rekey(sv.c), 0);
    assert_int_equal(nssh_channel_reserve(sv.c, ch, 0, iov, 4), 0);
    pump(&cl, &sv);
    /* The connection is still fine, and so is the data sent. */
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    assert_int_equal(cl.rx_len, sizeof(buf));
    /* No more after EOF. */
    assert_int_equal(nssh_channel_eof(sv.c, ch), 0);
    assert_int_equal(nssh_channel_reserve(sv.c, ch, 0, iov, 4), 0);
    side_free(&cl);
    side_free(&sv);
}

static void full_session(const nssh_cipher *ci, const nssh_mac *mac)
{
    side cl, sv;
    nssh_conn_info info;
    int ch;
    side_init(&sv, NSSH_ROLE_SERVER, ci, mac);
    side_init(&cl, NSSH_ROLE_CLIENT, ci, mac);
    login(&cl, &sv);
    ch = open_exec(&cl, &sv, "echo hello");
    /* client to server and back */
    send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 300000, 0);
    send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 300000, 0);
    assert_int_equal(nssh_channel_exit_status(sv.c, (uint32_t)sv.opened_ch, 7), 0);
    assert_int_equal(nssh_channel_eof(sv.c, (uint32_t)sv.opened_ch), 0);
    assert_int_equal(nssh_channel_close(sv.c, (uint32_t)sv.opened_ch), 0);
    pump(&cl, &sv);
    assert_true(cl.exit_seen);
    assert_int_equal(cl.exit_status, 7);
    assert_int_equal(cl.eof, 1);
    assert_int_equal(cl.closed, 1);
    assert_int_equal(sv.closed, 1);
    nssh_conn_get_info(sv.c, &info);
    if (ci)
        assert_string_equal(info.cipher_in, ci->name);
    if (mac && ci && !(ci->flags & NSSH_CIPHER_AEAD))
        assert_string_equal(info.mac_out, mac->name);
    assert_string_equal(info.username, "alice");
    side_free(&cl);
    side_free(&sv);
}

static void test_default_session(void **st) { (void)st; full_session(NULL, NULL); }

static void test_each_cipher(void **st)
{
    size_t i;
    (void)st;
    for (i = 0; nssh_ossl_ciphers[i]; i++)
        full_session(nssh_ossl_ciphers[i], &nssh_ossl_hmac_sha256);
}

static void test_each_mac(void **st)
{
    size_t i;
    (void)st;
    for (i = 0; nssh_ossl_macs[i]; i++)
        full_session(&nssh_ossl_aes128_ctr, nssh_ossl_macs[i]);
    full_session(&nssh_ossl_aes256_ctr, &nssh_ossl_hmac_sha1);
}

static void test_rekey_mid_data(void **st)
{
    side cl, sv;
    nssh_conn_info info;
    int ch;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    login(&cl, &sv);
    ch = open_exec(&cl, &sv, "cat");
    send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 3000000, 1000000);
    send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 3000000, 1500000);
    nssh_conn_get_info(sv.c, &info);
    assert_int_equal(info.kex_count, 3);
    side_free(&cl);
    side_free(&sv);
}

static void test_rekey_by_limit(void **st)
{
    side cl, sv;
    nssh_conn_info info;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    sv.cfg.rekey_bytes = 256 * 1024;
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    login(&cl, &sv);
    open_exec(&cl, &sv, "cat");
    send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 2000000, 0);
    nssh_conn_get_info(sv.c, &info);
    assert_true(info.kex_count >= 5);
    side_free(&cl);
    side_free(&sv);
}

/* A server data limit passed during user auth: no KEXINIT until auth
 * succeeds (OpenSSH clients abort on one), then the deferred exchange. */
static void test_no_rekey_before_auth(void **st)
{
    side cl, sv;
    nssh_conn_info info;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    sv.cfg.rekey_bytes = 16;
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    login(&cl, &sv);
    assert_int_equal(cl.kex_at_auth, 1);
    nssh_conn_get_info(sv.c, &info);
    assert_int_equal(info.kex_count, 2);   /* right after USERAUTH_SUCCESS */
    open_exec(&cl, &sv, "cat");
    send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 100000, 0);
    nssh_conn_get_info(sv.c, &info);
    assert_true(info.kex_count >= 3);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    side_free(&cl);
    side_free(&sv);
}

static void test_no_common_cipher(void **st)
{
    side cl, sv;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, &nssh_ossl_aes128_ctr, NULL);
    side_init(&cl, NSSH_ROLE_CLIENT, &nssh_ossl_aes256_gcm, NULL);
    pump(&cl, &sv);
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_NEGOTIATE);
    assert_string_equal(sv.last_field, "encryption_algorithms_client_to_server");
    assert_non_null(strstr(sv.last_log, "cipher"));
    assert_non_null(strstr(sv.last_log, "aes256-gcm@openssh.com"));
    assert_non_null(strstr(sv.last_log, "aes128-ctr"));
    /* the client heard why: DISCONNECT reason 3 with the same text */
    assert_true(nssh_conn_error(cl.c) == NSSH_ERR_PEER_DISCONNECT ||
                nssh_conn_error(cl.c) == NSSH_ERR_NEGOTIATE);
    side_free(&cl);
    side_free(&sv);
}

static void test_tamper_is_mac_error(void **st)
{
    side cl, sv;
    long corrupt;
    int i;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, &nssh_ossl_aes128_ctr, &nssh_ossl_hmac_sha256_etm);
    side_init(&cl, NSSH_ROLE_CLIENT, &nssh_ossl_aes128_ctr, &nssh_ossl_hmac_sha256_etm);
    login(&cl, &sv);
    nssh_client_open_session(cl.c);
    corrupt = 20;   /* inside the next packet's ciphertext */
    for (i = 0; i < 1000; i++)
        if (move(&cl, &sv, &corrupt) + move(&sv, &cl, NULL) == 0)
            break;
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_MAC);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
    assert_non_null(strstr(cl.last_log, "5:"));
    side_free(&cl);
    side_free(&sv);
}

static void test_wrong_user_key(void **st)
{
    side cl, sv;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    sv.allowed_blob = host_blob[0];   /* some other key */
    sv.allowed_len = host_blob_len[0];
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    pump(&cl, &sv);
    nssh_client_auth_pubkey(cl.c, "alice", &nssh_ossl_sig_ed25519, user_key,
                            user_blob, user_blob_len);
    pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_false(cl.auth_ok);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    side_free(&cl);
    side_free(&sv);
}

/* Each classic key exchange forced on both sides: login, data both ways
 * with a re-key in the middle, and the name both sides report. */
static void test_each_classic_kex(void **st)
{
    static const nssh_kem *const kems[] = {
        &nssh_ossl_ecdh_nistp256, &nssh_ossl_ecdh_nistp384,
        &nssh_ossl_ecdh_nistp521, &nssh_ossl_dh_group14_sha256,
        &nssh_ossl_dh_group16_sha512, &nssh_ossl_dh_group18_sha512,
        &nssh_ossl_dh_group14_sha1, &nssh_ossl_dh_gex_sha256,
        &nssh_ossl_dh_gex_sha1,
    };
    size_t i;
    (void)st;
    for (i = 0; i < sizeof(kems) / sizeof(kems[0]); i++) {
        side cl, sv;
        nssh_conn_info info;
        int ch;
        force_kem = kems[i];
        side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
        side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
        force_kem = NULL;
        login(&cl, &sv);
        ch = open_exec(&cl, &sv, "cat");
        send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 100000, 50000);
        send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 100000, 0);
        nssh_conn_get_info(sv.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        assert_int_equal(info.kex_count, 2);
        nssh_conn_get_info(cl.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        side_free(&cl);
        side_free(&sv);
    }
}

/* Both sides with their default lists agree on the hybrid post-quantum
 * exchange, which survives a re-key; a client that offers only
 * curve25519-sha256 (as OpenSSH before 9.9 does) still gets it. */
static void test_default_kex_mlkem(void **st)
{
    side cl, sv;
    nssh_conn_info info;
    int ch;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    login(&cl, &sv);
    ch = open_exec(&cl, &sv, "cat");
    send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 100000, 50000);
    nssh_conn_get_info(sv.c, &info);
    assert_string_equal(info.kex, "mlkem768x25519-sha256");
    assert_int_equal(info.kex_count, 2);
    nssh_conn_get_info(cl.c, &info);
    assert_string_equal(info.kex, "mlkem768x25519-sha256");
    side_free(&cl);
    side_free(&sv);

    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    force_kem = &nssh_ossl_curve25519_sha256;
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    force_kem = NULL;
    login(&cl, &sv);
    nssh_conn_get_info(sv.c, &info);
    assert_string_equal(info.kex, "curve25519-sha256");
    side_free(&cl);
    side_free(&sv);
}

/* sntrup761x25519-sha512 under both its names, forced on both sides:
 * login, data both ways with a re-key in the middle, and the name both
 * sides report. */
static void test_sntrup_kex(void **st)
{
    static const nssh_kem *const kems[] = {
        &nssh_ossl_sntrup761x25519_sha512,
        &nssh_ossl_sntrup761x25519_sha512_openssh,
    };
    size_t i;
    (void)st;
    for (i = 0; i < sizeof(kems) / sizeof(kems[0]); i++) {
        side cl, sv;
        nssh_conn_info info;
        int ch;
        force_kem = kems[i];
        side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
        side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
        force_kem = NULL;
        login(&cl, &sv);
        ch = open_exec(&cl, &sv, "cat");
        send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 100000, 50000);
        send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 100000, 0);
        nssh_conn_get_info(sv.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        assert_int_equal(info.kex_count, 2);
        nssh_conn_get_info(cl.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        side_free(&cl);
        side_free(&sv);
    }
}

/* Password auth (RFC 4252 section 8) with the client role's
 * nssh_client_auth_password: a wrong password is refused and counted, the
 * right one logs in, and MaxAuthTries wrong ones end the connection. */
static int srv_auth_password(void *u, nssh_str user, nssh_str pw)
{
    (void)u;
    return user.n == 5 && !memcmp(user.p, "alice", 5) && pw.n == 7 &&
                   !memcmp(pw.p, "hunter2", 7)
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void password_pair(side *cl, side *sv, uint32_t max_tries)
{
    side_init(sv, NSSH_ROLE_SERVER, NULL, NULL);
    sv->cfg.auth_methods = NSSH_METHOD_PUBLICKEY | NSSH_METHOD_PASSWORD;
    sv->cfg.auth_max_tries = max_tries;
    sv->cb.auth_password = srv_auth_password;
    side_init(cl, NSSH_ROLE_CLIENT, NULL, NULL);
    pump(cl, sv);
    assert_true(nssh_client_ready(cl->c));
}

static void test_password_login(void **st)
{
    side cl, sv;
    (void)st;
    password_pair(&cl, &sv, 3);
    assert_int_equal(nssh_client_auth_password(cl.c, "alice", "hunter3"), 0);
    pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_false(cl.auth_ok);
    cl.auth_done = 0;
    assert_int_equal(nssh_client_auth_password(cl.c, "alice", "hunter2"), 0);
    pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_true(cl.auth_ok);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_true(open_exec(&cl, &sv, "true") >= 0);
    side_free(&cl);
    side_free(&sv);
}

static void test_password_too_many_tries(void **st)
{
    side cl, sv;
    int i;
    (void)st;
    password_pair(&cl, &sv, 3);
    for (i = 0; i < 3; i++) {
        cl.auth_done = 0;
        assert_int_equal(nssh_client_auth_password(cl.c, "alice", "wrong"), 0);
        pump(&cl, &sv);
        if (i < 2)
            assert_true(cl.auth_done && !cl.auth_ok);
    }
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_AUTH_TRIES);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
    assert_non_null(strstr(cl.last_log, "14:"));   /* no more auth methods */
    side_free(&cl);
    side_free(&sv);
}

static int setup(void **st)
{
    (void)st;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &host_ed), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ECDSA_P256, 0, &host_ec), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_RSA, 2048, &host_rsa), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &user_key), 0);
    nssh_ossl_key_public_blob(host_ed, host_blob[0], sizeof(host_blob[0]), &host_blob_len[0]);
    nssh_ossl_key_public_blob(host_ec, host_blob[1], sizeof(host_blob[1]), &host_blob_len[1]);
    nssh_ossl_key_public_blob(host_rsa, host_blob[2], sizeof(host_blob[2]), &host_blob_len[2]);
    nssh_ossl_key_public_blob(user_key, user_blob, sizeof(user_blob), &user_blob_len);
    hostkeys[0] = (nssh_hostkey){ &nssh_ossl_sig_ed25519, host_ed, host_blob[0], host_blob_len[0] };
    hostkeys[1] = (nssh_hostkey){ &nssh_ossl_sig_ecdsa_p256, host_ec, host_blob[1], host_blob_len[1] };
    hostkeys[2] = (nssh_hostkey){ &nssh_ossl_sig_rsa_sha2_512, host_rsa, host_blob[2], host_blob_len[2] };
    hostkeys[3] = (nssh_hostkey){ &nssh_ossl_sig_rsa_sha2_256, host_rsa, host_blob[2], host_blob_len[2] };
    n_hostkeys = 4;
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    nssh_ossl_key_free(host_ed);
    nssh_ossl_key_free(host_ec);
    nssh_ossl_key_free(host_rsa);
    nssh_ossl_key_free(user_key);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_session),
        cmocka_unit_test(test_each_cipher),
        cmocka_unit_test(test_each_mac),
        cmocka_unit_test(test_rekey_mid_data),
        cmocka_unit_test(test_rekey_by_limit),
        cmocka_unit_test(test_reserve_each_cipher),
        cmocka_unit_test(test_reserve_rekey_by_limit),
        cmocka_unit_test(test_reserve_misuse),
        cmocka_unit_test(test_no_rekey_before_auth),
        cmocka_unit_test(test_no_common_cipher),
        cmocka_unit_test(test_tamper_is_mac_error),
        cmocka_unit_test(test_wrong_user_key),
        cmocka_unit_test(test_each_classic_kex),
        cmocka_unit_test(test_default_kex_mlkem),
        cmocka_unit_test(test_sntrup_kex),
        cmocka_unit_test(test_password_login),
        cmocka_unit_test(test_password_too_many_tries),
    };
    return cmocka_run_group_tests_name("pair", tests, setup, teardown);
}
