/*
 * The engine's in-memory client/server pair on the compact backend, and
 * across backends: compact client against OpenSSL server and the
 * reverse. For each key exchange (mlkem768x25519-sha256,
 * curve25519-sha256 and its @libssh.org name, sntrup761x25519-sha512)
 * and each cipher (chacha20-poly1305, aes128/256-gcm, aes128-ctr with
 * hmac-sha2-256-etm, aes256-ctr with hmac-sha2-512): an ssh-ed25519 host
 * key checked by the client, a publickey login with an Ed25519 user key,
 * an exec request, data both ways with a re-key in the middle, and the
 * algorithm names both sides report. A tampered packet ends the
 * connection with a MAC error on the compact server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/rand.h>

#include "nanossh.h"
#include "nanossh_compact.h"
#include "nanossh_ossl.h"

enum { COMPACT, OSSL };

/* Each backend's keys: host key and user key, with their blobs. */
static nssh_compact_key c_host, c_user;
static nssh_key *o_host, *o_user;
static uint8_t c_host_blob[64], c_user_blob[64], o_host_blob[128], o_user_blob[128];
static size_t c_host_len, c_user_len, o_host_len, o_user_len;
static nssh_hostkey c_hostkeys[1], o_hostkeys[1];

typedef struct side {
    nssh_conn *c;
    void *mem;
    int backend;
    nssh_config cfg;
    nssh_callbacks cb;
    nssh_compact_drbg drbg;
    const nssh_kem *kem1[1];
    const nssh_cipher *ci1[1];
    const nssh_mac *mac1[1];
    /* what happened */
    int auth_ok, auth_done, open_ok, reply_ok, replies, opened_ch, hostkey_ok;
    char exec_cmd[64];
    const uint8_t *want_hostkey, *allowed_user;
    size_t want_hostkey_len, allowed_user_len;
    uint8_t *rx;
    size_t rx_len, rx_cap;
} side;

static int srv_auth_pubkey(void *u, nssh_str user, const char *alg,
                           const uint8_t *blob, size_t len, int has_sig)
{
    side *s = u;

    (void)alg;
    (void)has_sig;
    return user.n == 5 && memcmp(user.p, "alice", 5) == 0 &&
                   len == s->allowed_user_len &&
                   memcmp(blob, s->allowed_user, len) == 0
               ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static int srv_open(void *u, uint32_t ch, nssh_str type, const uint8_t *x, size_t xl)
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
    if (r->kind != NSSH_REQ_EXEC)
        return NSSH_CB_REFUSE;
    snprintf(s->exec_cmd, sizeof(s->exec_cmd), "%.*s", (int)r->text.n, r->text.p);
    return NSSH_CB_ACCEPT;
}

static void on_data(void *u, uint32_t ch, uint32_t ext, const uint8_t *d, size_t n)
{
    side *s = u;

    (void)ext;
    if (s->rx_len + n > s->rx_cap) {
        s->rx_cap = (s->rx_len + n) * 2;
        s->rx = realloc(s->rx, s->rx_cap);
        assert_non_null(s->rx);
    }
    memcpy(s->rx + s->rx_len, d, n);
    s->rx_len += n;
    nssh_channel_consume(s->c, ch, n);
}

static int cli_hostkey(void *u, const char *alg, const uint8_t *b, size_t n)
{
    side *s = u;

    s->hostkey_ok = strcmp(alg, "ssh-ed25519") == 0 && n == s->want_hostkey_len &&
                    memcmp(b, s->want_hostkey, n) == 0;
    return s->hostkey_ok ? NSSH_CB_ACCEPT : NSSH_CB_REFUSE;
}

static void cli_auth(void *u, int ok, nssh_str methods)
{
    side *s = u;

    (void)methods;
    s->auth_done = 1;
    s->auth_ok = ok;
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
    (void)u;
    (void)ch;
    (void)r;
    return NSSH_CB_ACCEPT;
}

static size_t count(const void *const *list)
{
    size_t n = 0;

    while (list[n])
        n++;
    return n;
}

static void side_init(side *s, int role, int backend, const nssh_kem *kem,
                      const nssh_cipher *ci, const nssh_mac *mac)
{
    uint8_t seed[48];

    memset(s, 0, sizeof(*s));
    s->backend = backend;
    s->cfg.role = role;
    s->kem1[0] = kem;
    s->ci1[0] = ci;
    s->mac1[0] = mac;
    s->cfg.kems = s->kem1;
    s->cfg.n_kems = 1;
    s->cfg.ciphers = s->ci1;
    s->cfg.n_ciphers = 1;
    s->cfg.macs = s->mac1;
    s->cfg.n_macs = 1;
    if (backend == COMPACT) {
        s->cfg.sig_algs = nssh_compact_sig_algs;
        s->cfg.n_sig_algs = count((const void *const *)nssh_compact_sig_algs);
        s->cfg.hostkeys = c_hostkeys;
        /* the generator is seeded from the host's source, as firmware
         * seeds it from its TRNG */
        assert_int_equal(RAND_bytes(seed, sizeof(seed)), 1);
        nssh_compact_drbg_init(&s->drbg);
        assert_int_equal(nssh_compact_drbg_seed(&s->drbg, seed, sizeof(seed)), 0);
        s->cfg.rng = nssh_compact_rng;
        s->cfg.rng_user = &s->drbg;
    } else {
        s->cfg.sig_algs = nssh_ossl_sig_algs;
        s->cfg.n_sig_algs = count((const void *const *)nssh_ossl_sig_algs);
        s->cfg.hostkeys = o_hostkeys;
        s->cfg.rng = nssh_ossl_rng;
    }
    s->cfg.n_hostkeys = 1;
    s->cfg.auth_methods = NSSH_METHOD_PUBLICKEY;
    s->cfg.cb = &s->cb;
    s->cfg.user = s;
    s->cb.channel_data = on_data;
    if (role == NSSH_ROLE_SERVER) {
        s->cb.auth_pubkey = srv_auth_pubkey;
        s->cb.channel_open = srv_open;
        s->cb.channel_request = srv_req;
    } else {
        s->cb.check_hostkey = cli_hostkey;
        s->cb.client_auth = cli_auth;
        s->cb.channel_open_reply = cli_open;
        s->cb.client_channel_reply = cli_reply;
        s->cb.channel_request = cli_chreq;
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
    nssh_compact_drbg_clear(&s->drbg);
}

/* Move bytes from a to b; flip a bit of the corrupt-th byte when > 0. */
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
            nssh_conn_sent(a->c, len);
            return len;
        }
        return 0;
    }
    if (n > 5000)
        n = 5000;
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

static void send_bulk(side *a, side *b, side *cl, side *sv, uint32_t ch,
                      size_t n, size_t rekey_at)
{
    uint8_t buf[8192];
    size_t sent = 0, i;
    int spins = 0, rekeyed = 0;

    b->rx_len = 0;
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

static void login(side *cl, side *sv)
{
    pump(cl, sv);
    assert_int_equal(nssh_conn_error(sv->c), 0);
    assert_int_equal(nssh_conn_error(cl->c), 0);
    assert_true(cl->hostkey_ok);
    assert_true(nssh_client_ready(cl->c));
    if (cl->backend == COMPACT)
        assert_int_equal(nssh_client_auth_pubkey(cl->c, "alice", &nssh_compact_sig_ed25519,
                                                 nssh_compact_key_handle(&c_user),
                                                 c_user_blob, c_user_len), 0);
    else
        assert_int_equal(nssh_client_auth_pubkey(cl->c, "alice", &nssh_ossl_sig_ed25519,
                                                 o_user, o_user_blob, o_user_len), 0);
    pump(cl, sv);
    assert_true(cl->auth_done);
    assert_true(cl->auth_ok);
}

/* The same algorithm of the other backend (the names are the same). */
static const nssh_kem *kem_of(int backend, const char *name)
{
    return backend == COMPACT ? nssh_compact_kem_by_name(name) : nssh_ossl_kem_by_name(name);
}

static const nssh_cipher *cipher_of(int backend, const char *name)
{
    return backend == COMPACT ? nssh_compact_cipher_by_name(name)
                              : nssh_ossl_cipher_by_name(name);
}

static const nssh_mac *mac_of(int backend, const char *name)
{
    return backend == COMPACT ? nssh_compact_mac_by_name(name) : nssh_ossl_mac_by_name(name);
}

static void session(int cb, int sb, const char *kem, const char *cipher,
                    const char *mac, size_t bytes)
{
    side cl, sv;
    nssh_conn_info info;
    nssh_chan_req rq;
    int ch, k;

    assert_non_null(kem_of(cb, kem));
    assert_non_null(kem_of(sb, kem));
    assert_non_null(cipher_of(cb, cipher));
    assert_non_null(mac_of(sb, mac));
    side_init(&sv, NSSH_ROLE_SERVER, sb, kem_of(sb, kem), cipher_of(sb, cipher),
              mac_of(sb, mac));
    sv.allowed_user = cb == COMPACT ? c_user_blob : o_user_blob;
    sv.allowed_user_len = cb == COMPACT ? c_user_len : o_user_len;
    side_init(&cl, NSSH_ROLE_CLIENT, cb, kem_of(cb, kem), cipher_of(cb, cipher),
              mac_of(cb, mac));
    cl.want_hostkey = sb == COMPACT ? c_host_blob : o_host_blob;
    cl.want_hostkey_len = sb == COMPACT ? c_host_len : o_host_len;
    login(&cl, &sv);

    ch = nssh_client_open_session(cl.c);
    assert_true(ch >= 0);
    pump(&cl, &sv);
    assert_true(cl.open_ok);
    memset(&rq, 0, sizeof(rq));
    rq.kind = NSSH_REQ_EXEC;
    rq.want_reply = 1;
    rq.text.p = "uptime";
    rq.text.n = 6;
    assert_int_equal(nssh_client_channel_request(cl.c, (uint32_t)ch, &rq), 0);
    pump(&cl, &sv);
    assert_true(cl.reply_ok);
    assert_string_equal(sv.exec_cmd, "uptime");
    send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, bytes, bytes / 2);
    send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, bytes, 0);

    for (k = 0; k < 2; k++) {
        nssh_conn_get_info(k ? cl.c : sv.c, &info);
        assert_string_equal(info.kex, kem);
        assert_string_equal(info.hostkey, "ssh-ed25519");
        assert_string_equal(info.cipher_in, cipher);
        assert_string_equal(info.cipher_out, cipher);
        if (!(cipher_of(cb, cipher)->flags & NSSH_CIPHER_AEAD))
            assert_string_equal(info.mac_in, mac);
        assert_int_equal(info.kex_count, 2);
    }
    side_free(&cl);
    side_free(&sv);
}

static const char *const kems[] = {
    "mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org",
    "sntrup761x25519-sha512",
};
static const char *const suites[][2] = {
    { "chacha20-poly1305@openssh.com", "hmac-sha2-256-etm@openssh.com" },
    { "aes256-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com" },
    { "aes128-gcm@openssh.com", "hmac-sha2-256" },
    { "aes128-ctr", "hmac-sha2-256-etm@openssh.com" },
    { "aes256-ctr", "hmac-sha2-512" },
    { "aes128-ctr", "hmac-sha2-512-etm@openssh.com" },
};

static void matrix(int cb, int sb)
{
    size_t i, j;

    for (i = 0; i < sizeof(kems) / sizeof(kems[0]); i++)
        for (j = 0; j < sizeof(suites) / sizeof(suites[0]); j++)
            session(cb, sb, kems[i], suites[j][0], suites[j][1], 40000);
}

static void test_compact_both_sides(void **st) { (void)st; matrix(COMPACT, COMPACT); }
static void test_compact_client_openssl_server(void **st) { (void)st; matrix(COMPACT, OSSL); }
static void test_openssl_client_compact_server(void **st) { (void)st; matrix(OSSL, COMPACT); }

/* A flipped bit in a packet reaches the compact server as a MAC error
 * (with each AEAD and with encrypt-then-MAC), and the client hears it. */
static void test_tamper(void **st)
{
    size_t j;

    (void)st;
    for (j = 0; j < sizeof(suites) / sizeof(suites[0]); j++) {
        side cl, sv;
        long corrupt = 30;
        int i;

        side_init(&sv, NSSH_ROLE_SERVER, COMPACT,
                  &nssh_compact_curve25519_sha256, cipher_of(COMPACT, suites[j][0]),
                  mac_of(COMPACT, suites[j][1]));
        sv.allowed_user = o_user_blob;
        sv.allowed_user_len = o_user_len;
        side_init(&cl, NSSH_ROLE_CLIENT, OSSL, &nssh_ossl_curve25519_sha256,
                  cipher_of(OSSL, suites[j][0]), mac_of(OSSL, suites[j][1]));
        cl.want_hostkey = c_host_blob;
        cl.want_hostkey_len = c_host_len;
        login(&cl, &sv);
        nssh_client_open_session(cl.c);
        for (i = 0; i < 1000; i++)
            if (move(&cl, &sv, &corrupt) + move(&sv, &cl, NULL) == 0)
                break;
        assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_MAC);
        assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
        side_free(&cl);
        side_free(&sv);
    }
}

/* A client that does not know the host key refuses it. */
static void test_wrong_hostkey(void **st)
{
    side cl, sv;

    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, COMPACT, &nssh_compact_mlkem768x25519_sha256,
              &nssh_compact_chacha20_poly1305, &nssh_compact_hmac_sha256);
    side_init(&cl, NSSH_ROLE_CLIENT, OSSL, &nssh_ossl_mlkem768x25519_sha256,
              &nssh_ossl_chacha20_poly1305, &nssh_ossl_hmac_sha256);
    cl.want_hostkey = o_host_blob;   /* not the server's */
    cl.want_hostkey_len = o_host_len;
    pump(&cl, &sv);
    assert_false(cl.hostkey_ok);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_HOSTKEY);
    side_free(&cl);
    side_free(&sv);
}

static int setup(void **st)
{
    uint8_t seed[32];

    (void)st;
    assert_int_equal(RAND_bytes(seed, 32), 1);
    assert_int_equal(nssh_compact_key_from_seed(&c_host, seed), 0);
    assert_int_equal(RAND_bytes(seed, 32), 1);
    assert_int_equal(nssh_compact_key_from_seed(&c_user, seed), 0);
    assert_int_equal(nssh_compact_key_public_blob(&c_host, c_host_blob,
                                                  sizeof(c_host_blob), &c_host_len), 0);
    assert_int_equal(nssh_compact_key_public_blob(&c_user, c_user_blob,
                                                  sizeof(c_user_blob), &c_user_len), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &o_host), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &o_user), 0);
    assert_int_equal(nssh_ossl_key_public_blob(o_host, o_host_blob, sizeof(o_host_blob),
                                          &o_host_len), 0);
    assert_int_equal(nssh_ossl_key_public_blob(o_user, o_user_blob, sizeof(o_user_blob),
                                          &o_user_len), 0);
    c_hostkeys[0] = (nssh_hostkey){ &nssh_compact_sig_ed25519,
                                    nssh_compact_key_handle(&c_host), c_host_blob,
                                    c_host_len };
    o_hostkeys[0] = (nssh_hostkey){ &nssh_ossl_sig_ed25519, o_host, o_host_blob,
                                    o_host_len };
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    nssh_ossl_key_free(o_host);
    nssh_ossl_key_free(o_user);
    nssh_compact_key_clear(&c_host);
    nssh_compact_key_clear(&c_user);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_both_sides),
        cmocka_unit_test(test_compact_client_openssl_server),
        cmocka_unit_test(test_openssl_client_compact_server),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_wrong_hostkey),
    };
    return cmocka_run_group_tests_name("compact_pair", tests, setup, teardown);
}
