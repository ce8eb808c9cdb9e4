/*
 * The engine in both roles, wired back to back in memory: key exchange,
 * public key auth, a session channel with data both ways, re-keying in the
 * middle of data, every cipher and MAC, and the failures a peer must be
 * told about (negotiation, tampering). The pair is pair_harness.h's.
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
#include "pair_harness.h"

typedef pair_side side;

/* When set, side_init offers only this key exchange. */
static const nssh_kem *force_kem;

static nssh_key *host_ed, *host_ec, *host_rsa, *user_key;
static uint8_t host_blob[3][1100], user_blob[1100];
static size_t host_blob_len[3], user_blob_len;
static nssh_hostkey hostkeys[4];
static size_t n_hostkeys;

static void side_init(side *s, int role, const nssh_cipher *ci,
                      const nssh_mac *mac)
{
    pair_side_init(s, role);
    s->cfg.kems = nssh_ossl_kems;
    s->cfg.n_kems = pair_count((const void *const *)nssh_ossl_kems);
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
        s->cfg.n_ciphers = pair_count((const void *const *)nssh_ossl_ciphers);
    }
    if (mac) {
        s->mac1[0] = mac;
        s->cfg.macs = s->mac1;
        s->cfg.n_macs = 1;
    } else {
        s->cfg.macs = nssh_ossl_macs;
        s->cfg.n_macs = pair_count((const void *const *)nssh_ossl_macs);
    }
    s->cfg.sig_algs = nssh_ossl_sig_algs;
    s->cfg.n_sig_algs = pair_count((const void *const *)nssh_ossl_sig_algs);
    s->cfg.hostkeys = hostkeys;
    s->cfg.n_hostkeys = n_hostkeys;
    s->cfg.rng = nssh_ossl_rng;
    if (role == NSSH_ROLE_SERVER) {
        s->allowed_blob = user_blob;
        s->allowed_len = user_blob_len;
    }
    pair_side_start(s);
}

static void login(side *cl, side *sv)
{
    pair_login(cl, sv, &nssh_ossl_sig_ed25519, user_key, user_blob,
               user_blob_len);
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
        pair_move(cl, sv, NULL);
        pair_move(sv, cl, NULL);
        assert_true(++spins < 1000000);
    }
    pair_pump(cl, sv);
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
    pair_open_exec(&cl, &sv, "cat");
    send_reserved(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 0, 1500000);
    send_reserved(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 1, 200000);
    nssh_conn_get_info(sv.c, &info);
    if (rekey_bytes)
        assert_true(info.kex_count >= 4);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
    pair_open_exec(&cl, &sv, "cat");
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
    pair_pump(&cl, &sv);
    /* The connection is still fine, and so is the data sent. */
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    assert_int_equal(cl.rx_len, sizeof(buf));
    /* No more after EOF. */
    assert_int_equal(nssh_channel_eof(sv.c, ch), 0);
    assert_int_equal(nssh_channel_reserve(sv.c, ch, 0, iov, 4), 0);
    pair_side_free(&cl);
    pair_side_free(&sv);
}

static void full_session(const nssh_cipher *ci, const nssh_mac *mac)
{
    side cl, sv;
    nssh_conn_info info;
    int ch;
    side_init(&sv, NSSH_ROLE_SERVER, ci, mac);
    side_init(&cl, NSSH_ROLE_CLIENT, ci, mac);
    login(&cl, &sv);
    ch = pair_open_exec(&cl, &sv, "echo hello");
    /* client to server and back */
    pair_send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 300000, 0);
    pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 300000, 0);
    assert_int_equal(nssh_channel_exit_status(sv.c, (uint32_t)sv.opened_ch, 7), 0);
    assert_int_equal(nssh_channel_eof(sv.c, (uint32_t)sv.opened_ch), 0);
    assert_int_equal(nssh_channel_close(sv.c, (uint32_t)sv.opened_ch), 0);
    pair_pump(&cl, &sv);
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
    pair_side_free(&cl);
    pair_side_free(&sv);
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

/* The legacy ciphers (CBC chains across packets; 3des-cbc aligns packets
 * to 8 bytes), with a classic MAC and an encrypt-then-MAC one. */
static void test_legacy_ciphers(void **st)
{
    static const nssh_cipher *const ciphers[] = {
        &nssh_ossl_aes128_cbc, &nssh_ossl_aes192_cbc, &nssh_ossl_aes256_cbc,
        &nssh_ossl_3des_cbc,
    };
    size_t i;
    (void)st;
    for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        full_session(ciphers[i], &nssh_ossl_hmac_sha256);
        full_session(ciphers[i], &nssh_ossl_hmac_sha256_etm);
    }
    full_session(&nssh_ossl_3des_cbc, &nssh_ossl_hmac_md5_96);
    full_session(&nssh_ossl_aes128_cbc, &nssh_ossl_umac128_etm);
}

/* The legacy MACs: truncated HMACs (-96), MD5, and UMAC with the sequence
 * number as its nonce, classic and encrypt-then-MAC. */
static void test_legacy_macs(void **st)
{
    static const nssh_mac *const macs[] = {
        &nssh_ossl_hmac_sha1_96, &nssh_ossl_hmac_sha1_96_etm,
        &nssh_ossl_hmac_md5, &nssh_ossl_hmac_md5_etm,
        &nssh_ossl_hmac_md5_96, &nssh_ossl_hmac_md5_96_etm,
        &nssh_ossl_umac64, &nssh_ossl_umac64_etm,
        &nssh_ossl_umac128, &nssh_ossl_umac128_etm,
    };
    size_t i;
    (void)st;
    for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++)
        full_session(&nssh_ossl_aes128_ctr, macs[i]);
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
    ch = pair_open_exec(&cl, &sv, "cat");
    pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 3000000, 1000000);
    pair_send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 3000000, 1500000);
    nssh_conn_get_info(sv.c, &info);
    assert_int_equal(info.kex_count, 3);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
    pair_open_exec(&cl, &sv, "cat");
    pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 2000000, 0);
    nssh_conn_get_info(sv.c, &info);
    assert_true(info.kex_count >= 5);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
    pair_open_exec(&cl, &sv, "cat");
    pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 100000, 0);
    nssh_conn_get_info(sv.c, &info);
    assert_true(info.kex_count >= 3);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    pair_side_free(&cl);
    pair_side_free(&sv);
}

static void test_no_common_cipher(void **st)
{
    side cl, sv;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, &nssh_ossl_aes128_ctr, NULL);
    side_init(&cl, NSSH_ROLE_CLIENT, &nssh_ossl_aes256_gcm, NULL);
    pair_pump(&cl, &sv);
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_NEGOTIATE);
    assert_string_equal(sv.last_field, "encryption_algorithms_client_to_server");
    assert_non_null(strstr(sv.last_log, "cipher"));
    assert_non_null(strstr(sv.last_log, "aes256-gcm@openssh.com"));
    assert_non_null(strstr(sv.last_log, "aes128-ctr"));
    /* the client heard why: DISCONNECT reason 3 with the same text */
    assert_true(nssh_conn_error(cl.c) == NSSH_ERR_PEER_DISCONNECT ||
                nssh_conn_error(cl.c) == NSSH_ERR_NEGOTIATE);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
        if (pair_move(&cl, &sv, &corrupt) + pair_move(&sv, &cl, NULL) == 0)
            break;
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_MAC);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
    assert_non_null(strstr(cl.last_log, "5:"));
    pair_side_free(&cl);
    pair_side_free(&sv);
}

static void test_wrong_user_key(void **st)
{
    side cl, sv;
    (void)st;
    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    sv.allowed_blob = host_blob[0];   /* some other key */
    sv.allowed_len = host_blob_len[0];
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    pair_pump(&cl, &sv);
    nssh_client_auth_pubkey(cl.c, "alice", &nssh_ossl_sig_ed25519, user_key,
                            user_blob, user_blob_len);
    pair_pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_false(cl.auth_ok);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
        &nssh_ossl_dh_gex_sha1, &nssh_ossl_dh_group1_sha1,
        /* the ML-KEM hybrids with NIST curves, the client role included */
        &nssh_ossl_mlkem768nistp256_sha256, &nssh_ossl_mlkem1024nistp384_sha384,
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
        ch = pair_open_exec(&cl, &sv, "cat");
        pair_send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 100000, 50000);
        pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 100000, 0);
        nssh_conn_get_info(sv.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        assert_int_equal(info.kex_count, 2);
        /* The server counts its finite-field DH work (DHEat budget). */
        assert_int_equal(info.dh_count,
                         kems[i]->gex || (kems[i]->flags & NSSH_KEM_PK_MPINT) ? 2 : 0);
        nssh_conn_get_info(cl.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        pair_side_free(&cl);
        pair_side_free(&sv);
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
    ch = pair_open_exec(&cl, &sv, "cat");
    pair_send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 100000, 50000);
    nssh_conn_get_info(sv.c, &info);
    assert_string_equal(info.kex, "mlkem768x25519-sha256");
    assert_int_equal(info.kex_count, 2);
    nssh_conn_get_info(cl.c, &info);
    assert_string_equal(info.kex, "mlkem768x25519-sha256");
    pair_side_free(&cl);
    pair_side_free(&sv);

    side_init(&sv, NSSH_ROLE_SERVER, NULL, NULL);
    force_kem = &nssh_ossl_curve25519_sha256;
    side_init(&cl, NSSH_ROLE_CLIENT, NULL, NULL);
    force_kem = NULL;
    login(&cl, &sv);
    nssh_conn_get_info(sv.c, &info);
    assert_string_equal(info.kex, "curve25519-sha256");
    pair_side_free(&cl);
    pair_side_free(&sv);
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
        ch = pair_open_exec(&cl, &sv, "cat");
        pair_send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, 100000, 50000);
        pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, 100000, 0);
        nssh_conn_get_info(sv.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        assert_int_equal(info.kex_count, 2);
        /* The server counts its finite-field DH work (DHEat budget). */
        assert_int_equal(info.dh_count,
                         kems[i]->gex || (kems[i]->flags & NSSH_KEM_PK_MPINT) ? 2 : 0);
        nssh_conn_get_info(cl.c, &info);
        assert_string_equal(info.kex, kems[i]->name);
        pair_side_free(&cl);
        pair_side_free(&sv);
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
    pair_pump(cl, sv);
    assert_true(nssh_client_ready(cl->c));
}

static void test_password_login(void **st)
{
    side cl, sv;
    (void)st;
    password_pair(&cl, &sv, 3);
    assert_int_equal(nssh_client_auth_password(cl.c, "alice", "hunter3"), 0);
    pair_pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_false(cl.auth_ok);
    cl.auth_done = 0;
    assert_int_equal(nssh_client_auth_password(cl.c, "alice", "hunter2"), 0);
    pair_pump(&cl, &sv);
    assert_true(cl.auth_done);
    assert_true(cl.auth_ok);
    assert_int_equal(nssh_conn_error(sv.c), 0);
    assert_true(pair_open_exec(&cl, &sv, "true") >= 0);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
        pair_pump(&cl, &sv);
        if (i < 2)
            assert_true(cl.auth_done && !cl.auth_ok);
    }
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_AUTH_TRIES);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
    assert_non_null(strstr(cl.last_log, "14:"));   /* no more auth methods */
    pair_side_free(&cl);
    pair_side_free(&sv);
}

/* Only a "none" that opens the conversation is free (as in sshd); later
 * ones count against auth_max_tries, so a client cannot ask forever. */
static void test_none_repeated_counts(void **st)
{
    side cl, sv;
    int i;
    (void)st;
    password_pair(&cl, &sv, 3);
    for (i = 0; i < 4; i++) {
        cl.auth_done = 0;
        assert_int_equal(nssh_client_auth_none(cl.c, "alice"), 0);
        pair_pump(&cl, &sv);
        if (i < 3) {
            assert_true(cl.auth_done && !cl.auth_ok);
            assert_int_equal(nssh_conn_error(sv.c), 0);
        }
    }
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_AUTH_TRIES);
    assert_int_equal(nssh_conn_error(cl.c), NSSH_ERR_PEER_DISCONNECT);
    assert_non_null(strstr(cl.last_log, "14:"));   /* no more auth methods */
    pair_side_free(&cl);
    pair_side_free(&sv);
}

/* The first "none" costs nothing: three wrong passwords after it are
 * still needed to reach a limit of 3. */
static void test_none_first_is_free(void **st)
{
    side cl, sv;
    int i;
    (void)st;
    password_pair(&cl, &sv, 3);
    assert_int_equal(nssh_client_auth_none(cl.c, "alice"), 0);
    pair_pump(&cl, &sv);
    assert_true(cl.auth_done && !cl.auth_ok);
    for (i = 0; i < 3; i++) {
        assert_int_equal(nssh_conn_error(sv.c), 0);
        cl.auth_done = 0;
        assert_int_equal(nssh_client_auth_password(cl.c, "alice", "wrong"), 0);
        pair_pump(&cl, &sv);
    }
    assert_int_equal(nssh_conn_error(sv.c), NSSH_ERR_AUTH_TRIES);
    pair_side_free(&cl);
    pair_side_free(&sv);
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
        cmocka_unit_test(test_legacy_ciphers),
        cmocka_unit_test(test_legacy_macs),
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
        cmocka_unit_test(test_none_repeated_counts),
        cmocka_unit_test(test_none_first_is_free),
    };
    return cmocka_run_group_tests_name("pair", tests, setup, teardown);
}
