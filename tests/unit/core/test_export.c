/*
 * nssh_conn_export / nssh_conn_import (privilege separation's hand-off),
 * client and server back to back in memory: a server with
 * NSSH_CONFIG_HANDOFF authenticates the client and holds what follows;
 * its state moves to a fresh server, which reads the held CHANNEL_OPEN,
 * exchanges data both ways and re-keys, for every cipher (their positions
 * must carry over: CTR's counter, GCM's invocation counter, MACs' sequence
 * numbers, CBC's chaining value). A hostile blob (every truncation, a changed name or length)
 * is refused with nothing taken.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "pair_ossl.h"

static pair_keys keys;
static uint8_t blob[NSSH_EXPORT_MAX];

/* A side offering one cipher and every other algorithm of the backend;
 * the server accepts the user key and takes its CHANNEL_OPENs. */
static void side_init(pair_side *s, int role, const nssh_cipher *ci, unsigned flags)
{
    pair_side_init(s, role);
    pair_ossl_setup(s, &keys);
    s->ci1[0] = ci;
    s->cfg.ciphers = s->ci1;
    s->cfg.n_ciphers = 1;
    s->cfg.flags = flags;
    pair_side_start(s);
}

/* Authenticate against a hand-off server; the client's CHANNEL_OPEN is
 * held there. Returns the export's length. */
static size_t held_export(pair_side *cl, pair_side *sv, const nssh_cipher *ci)
{
    size_t len = 0;
    side_init(sv, NSSH_ROLE_SERVER, ci, NSSH_CONFIG_HANDOFF);
    side_init(cl, NSSH_ROLE_CLIENT, ci, 0);
    pair_pump(cl, sv);
    assert_int_equal(nssh_conn_export(sv->c, blob, sizeof(blob), &len),
                     NSSH_ERR_STATE);   /* not authenticated yet */
    pair_ossl_auth(cl, &keys);
    pair_pump(cl, sv);
    assert_true(cl->auth_ok);
    assert_true(nssh_conn_state(sv->c) & NSSH_HELD);
    assert_int_equal(nssh_client_open_session(cl->c), 0);
    pair_move(cl, sv, NULL);
    assert_int_equal(sv->opened_ch, -1);   /* held, not read */
    assert_int_equal(nssh_conn_export(sv->c, blob, 16, &len), NSSH_ERR_NOSPACE);
    assert_int_equal(nssh_conn_export(sv->c, blob, sizeof(blob), &len), 0);
    return len;
}

static void one_cipher(const nssh_cipher *ci)
{
    pair_side cl, sv, sv2;
    nssh_conn_info info;
    char user[64];
    size_t len = held_export(&cl, &sv, ci);
    side_init(&sv2, NSSH_ROLE_SERVER, ci, 0);
    assert_int_equal(nssh_conn_import(sv2.c, blob, len, user, sizeof(user)), 0);
    assert_string_equal(user, "alice");
    assert_int_equal(sv2.opened_ch, 0);   /* the held CHANNEL_OPEN */
    pair_pump(&cl, &sv2);
    assert_true(cl.open_ok);
    assert_int_equal(nssh_channel_write(cl.c, 0, 0, (const uint8_t *)"ping", 4), 4);
    assert_int_equal(nssh_channel_write(sv2.c, 0, 0, (const uint8_t *)"pong", 4), 4);
    pair_pump(&cl, &sv2);
    assert_int_equal(sv2.rx_len, 4);
    assert_memory_equal(sv2.rx, "ping", 4);
    assert_int_equal(cl.rx_len, 4);
    assert_memory_equal(cl.rx, "pong", 4);
    /* A re-key after the hand-off, then data again. */
    assert_int_equal(nssh_conn_rekey(sv2.c), 0);
    pair_pump(&cl, &sv2);
    assert_int_equal(nssh_channel_write(cl.c, 0, 0, (const uint8_t *)"again", 5), 5);
    pair_pump(&cl, &sv2);
    assert_int_equal(sv2.rx_len, 9);
    assert_int_equal(nssh_conn_error(sv2.c), 0);
    assert_int_equal(nssh_conn_error(cl.c), 0);
    nssh_conn_get_info(sv2.c, &info);
    assert_int_equal(info.kex_count, 2);
    pair_side_free(&cl);
    pair_side_free(&sv);
    pair_side_free(&sv2);
}

static void test_every_cipher(void **state)
{
    size_t i;
    (void)state;
    static const nssh_cipher *const legacy[] = {
        &nssh_ossl_aes128_cbc, &nssh_ossl_aes192_cbc, &nssh_ossl_aes256_cbc,
        &nssh_ossl_3des_cbc, NULL,
    };
    for (i = 0; nssh_ossl_ciphers[i]; i++) {
        print_message("cipher %s\n", nssh_ossl_ciphers[i]->name);
        one_cipher(nssh_ossl_ciphers[i]);
    }
    for (i = 0; legacy[i]; i++) {   /* CBC: the chain carries over */
        print_message("cipher %s\n", legacy[i]->name);
        one_cipher(legacy[i]);
    }
}

static void test_hostile_blob(void **state)
{
    pair_side cl, sv, sv2;
    size_t len, i, n;
    uint8_t save;
    (void)state;
    len = held_export(&cl, &sv, nssh_ossl_ciphers[0]);
    side_init(&sv2, NSSH_ROLE_SERVER, nssh_ossl_ciphers[0], 0);
    for (n = 0; n < len; n++)   /* every truncation */
        assert_int_equal(nssh_conn_import(sv2.c, blob, n, NULL, 0), NSSH_ERR_FORMAT);
    /* Names the config does not have: the cipher, the key exchange. */
    for (i = 0; i < 2; i++) {
        const char *name = i ? sv.cfg.kems[0]->name : nssh_ossl_ciphers[0]->name;
        uint8_t *at = memmem(blob, len, name, strlen(name));
        assert_non_null(at);
        save = at[0];
        at[0] = 'X';
        assert_int_equal(nssh_conn_import(sv2.c, blob, len, NULL, 0), NSSH_ERR_FORMAT);
        at[0] = save;
    }
    /* A byte too many. */
    blob[len] = 0;
    assert_int_equal(nssh_conn_import(sv2.c, blob, len + 1, NULL, 0), NSSH_ERR_FORMAT);
    /* Nothing of the refused blobs stuck: the real one still imports. */
    pair_side_free(&sv2);
    side_init(&sv2, NSSH_ROLE_SERVER, nssh_ossl_ciphers[0], 0);
    assert_int_equal(nssh_conn_import(sv2.c, blob, len, NULL, 0), 0);
    /* Imported once: a second import is refused. */
    assert_int_equal(nssh_conn_import(sv2.c, blob, len, NULL, 0), NSSH_ERR_STATE);
    pair_side_free(&cl);
    pair_side_free(&sv);
    pair_side_free(&sv2);
}

static int setup(void **state)
{
    (void)state;
    return pair_keys_make(&keys);
}

static int teardown(void **state)
{
    (void)state;
    pair_keys_free(&keys);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cipher),
        cmocka_unit_test(test_hostile_blob),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
