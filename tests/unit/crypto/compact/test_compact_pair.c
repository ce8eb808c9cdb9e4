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
 * connection with a MAC error on the compact server. The pair is
 * pair_harness.h's.
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
#include "pair_harness.h"

enum { COMPACT, OSSL };

/* Each backend's keys: host key and user key, with their blobs. */
static nssh_compact_key c_host, c_user;
static nssh_key *o_host, *o_user;
static uint8_t c_host_blob[64], c_user_blob[64], o_host_blob[128], o_user_blob[128];
static size_t c_host_len, c_user_len, o_host_len, o_user_len;
static nssh_hostkey c_hostkeys[1], o_hostkeys[1];

typedef pair_side side;

/* Each side's generator, by role: a test has one client and one server
 * at a time. */
static nssh_compact_drbg drbgs[2];

static nssh_compact_drbg *drbg_of(int role)
{
    return &drbgs[role == NSSH_ROLE_CLIENT];
}

static void side_init(side *s, int role, int backend, const nssh_kem *kem,
                      const nssh_cipher *ci, const nssh_mac *mac)
{
    uint8_t seed[48];

    pair_side_init(s, role);
    s->kem1[0] = kem;
    s->ci1[0] = ci;
    s->mac1[0] = mac;
    s->cfg.kems = s->kem1;
    s->cfg.n_kems = 1;
    s->cfg.ciphers = s->ci1;
    s->cfg.n_ciphers = 1;
    s->cfg.macs = s->mac1;
    s->cfg.n_macs = 1;
    s->want_hostkey_alg = "ssh-ed25519";
    if (backend == COMPACT) {
        s->cfg.sig_algs = nssh_compact_sig_algs;
        s->cfg.n_sig_algs = pair_count((const void *const *)nssh_compact_sig_algs);
        s->cfg.hostkeys = c_hostkeys;
        /* the generator is seeded from the host's source, as firmware
         * seeds it from its TRNG */
        assert_int_equal(RAND_bytes(seed, sizeof(seed)), 1);
        nssh_compact_drbg_init(drbg_of(role));
        assert_int_equal(nssh_compact_drbg_seed(drbg_of(role), seed,
                                                sizeof(seed)), 0);
        s->cfg.rng = nssh_compact_rng;
        s->cfg.rng_user = drbg_of(role);
    } else {
        s->cfg.sig_algs = nssh_ossl_sig_algs;
        s->cfg.n_sig_algs = pair_count((const void *const *)nssh_ossl_sig_algs);
        s->cfg.hostkeys = o_hostkeys;
        s->cfg.rng = nssh_ossl_rng;
    }
    s->cfg.n_hostkeys = 1;
    pair_side_start(s);
}

static void side_free(side *s)
{
    int role = s->cfg.role;

    pair_side_free(s);
    nssh_compact_drbg_clear(drbg_of(role));
}

/* Login with the user key of the client's backend (cb). */
static void login(side *cl, side *sv, int cb)
{
    if (cb == COMPACT)
        pair_login(cl, sv, &nssh_compact_sig_ed25519,
                   nssh_compact_key_handle(&c_user), c_user_blob, c_user_len);
    else
        pair_login(cl, sv, &nssh_ossl_sig_ed25519, o_user, o_user_blob,
                   o_user_len);
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
    int ch, k;

    assert_non_null(kem_of(cb, kem));
    assert_non_null(kem_of(sb, kem));
    assert_non_null(cipher_of(cb, cipher));
    assert_non_null(mac_of(sb, mac));
    side_init(&sv, NSSH_ROLE_SERVER, sb, kem_of(sb, kem), cipher_of(sb, cipher),
              mac_of(sb, mac));
    sv.allowed_blob = cb == COMPACT ? c_user_blob : o_user_blob;
    sv.allowed_len = cb == COMPACT ? c_user_len : o_user_len;
    side_init(&cl, NSSH_ROLE_CLIENT, cb, kem_of(cb, kem), cipher_of(cb, cipher),
              mac_of(cb, mac));
    cl.want_hostkey = sb == COMPACT ? c_host_blob : o_host_blob;
    cl.want_hostkey_len = sb == COMPACT ? c_host_len : o_host_len;
    login(&cl, &sv, cb);
    ch = pair_open_exec(&cl, &sv, "uptime");
    pair_send_bulk(&cl, &sv, &cl, &sv, (uint32_t)ch, bytes, bytes / 2);
    pair_send_bulk(&sv, &cl, &cl, &sv, (uint32_t)sv.opened_ch, bytes, 0);

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
        sv.allowed_blob = o_user_blob;
        sv.allowed_len = o_user_len;
        side_init(&cl, NSSH_ROLE_CLIENT, OSSL, &nssh_ossl_curve25519_sha256,
                  cipher_of(OSSL, suites[j][0]), mac_of(OSSL, suites[j][1]));
        cl.want_hostkey = c_host_blob;
        cl.want_hostkey_len = c_host_len;
        login(&cl, &sv, OSSL);
        nssh_client_open_session(cl.c);
        for (i = 0; i < 1000; i++)
            if (pair_move(&cl, &sv, &corrupt) + pair_move(&sv, &cl, NULL) == 0)
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
    pair_pump(&cl, &sv);
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
