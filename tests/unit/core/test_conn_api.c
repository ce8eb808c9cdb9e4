/*
 * The connection API's contracts: NSSH_CONN_MEM_SIZE as a constant that
 * holds a connection, nssh_conn_init2 saying why it refuses, tables whose
 * sizes exceed the engine's buffers refused at init, and nssh_conn_sent
 * refusing more than was offered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

/* Static allocation, the way a firmware would do it. */
static uint8_t mem[NSSH_CONN_MEM_SIZE + 16] __attribute__((aligned(16)));

static nssh_key *key;
static uint8_t blob[256];
static nssh_hostkey hk;
static nssh_callbacks cb;
static const nssh_cipher *one_cipher[1];
static nssh_cipher big_cipher;

static size_t count(const void *const *v) { size_t n = 0; while (v[n]) n++; return n; }

static void server_cfg(nssh_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = NSSH_ROLE_SERVER;
    cfg->kems = nssh_ossl_kems;
    cfg->n_kems = count((const void *const *)nssh_ossl_kems);
    cfg->ciphers = nssh_ossl_ciphers;
    cfg->n_ciphers = count((const void *const *)nssh_ossl_ciphers);
    cfg->macs = nssh_ossl_macs;
    cfg->n_macs = count((const void *const *)nssh_ossl_macs);
    cfg->sig_algs = nssh_ossl_sig_algs;
    cfg->n_sig_algs = count((const void *const *)nssh_ossl_sig_algs);
    cfg->hostkeys = &hk;
    cfg->n_hostkeys = 1;
    cfg->auth_methods = NSSH_METHOD_PUBLICKEY;
    cfg->rng = nssh_ossl_rng;
    cfg->cb = &cb;
}

static int setup(void **st)
{
    (void)st;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &key), 0);
    assert_int_equal(nssh_ossl_key_public_blob(key, blob, sizeof(blob), &hk.blob_len), 0);
    hk.blob = blob;
    hk.key = key;
    hk.alg = &nssh_ossl_sig_ed25519;
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    nssh_ossl_key_free(key);
    return 0;
}

static void test_mem_size_constant(void **st)
{
    (void)st;
    assert_true(NSSH_CONN_MEM_SIZE >= nssh_conn_mem_size());
    /* A bound, not a guess: it stays close to the real size. */
    assert_true(NSSH_CONN_MEM_SIZE - nssh_conn_mem_size() < 16u * 1024u);
}

static void expect_refused(void *m, size_t len, const nssh_config *cfg,
                           int err, const char *word)
{
    nssh_conn *c = (nssh_conn *)1;
    const char *why = NULL;
    assert_int_equal(nssh_conn_init2(m, len, cfg, 0, &c, &why), err);
    assert_null(c);
    assert_non_null(why);
    assert_non_null(strstr(why, word));
    assert_null(nssh_conn_init(m, len, cfg, 0));
}

static void test_init_says_why(void **st)
{
    nssh_config cfg;
    (void)st;
    server_cfg(&cfg);
    expect_refused(NULL, sizeof(mem), &cfg, NSSH_ERR_NOSPACE, "memory");
    expect_refused(mem, nssh_conn_mem_size() - 1, &cfg, NSSH_ERR_NOSPACE, "smaller");
    expect_refused(mem + 8, NSSH_CONN_MEM_SIZE, &cfg, NSSH_ERR_CONFIG, "aligned");
    expect_refused(mem, NSSH_CONN_MEM_SIZE, NULL, NSSH_ERR_CONFIG, "config");
    cfg.rng = NULL;
    expect_refused(mem, NSSH_CONN_MEM_SIZE, &cfg, NSSH_ERR_CONFIG, "rng");
    server_cfg(&cfg);
    cfg.n_hostkeys = 0;
    expect_refused(mem, NSSH_CONN_MEM_SIZE, &cfg, NSSH_ERR_CONFIG, "host keys");
    server_cfg(&cfg);
    cfg.role = 7;
    expect_refused(mem, NSSH_CONN_MEM_SIZE, &cfg, NSSH_ERR_CONFIG, "role");
    assert_string_equal(nssh_strerror(NSSH_ERR_CONFIG),
                        "configuration or memory unusable");
}

static void test_table_sizes_checked(void **st)
{
    nssh_config cfg;
    (void)st;
    server_cfg(&cfg);
    /* A backend cipher wanting a 200-byte key: the engine derives into
     * fixed buffers, so init refuses it instead of overflowing later. */
    big_cipher = nssh_ossl_aes256_ctr;
    big_cipher.key_len = 200;
    one_cipher[0] = &big_cipher;
    cfg.ciphers = one_cipher;
    cfg.n_ciphers = 1;
    expect_refused(mem, NSSH_CONN_MEM_SIZE, &cfg, NSSH_ERR_CONFIG, "cipher");
    big_cipher = nssh_ossl_aes256_ctr;
    big_cipher.iv_len = 65;
    expect_refused(mem, NSSH_CONN_MEM_SIZE, &cfg, NSSH_ERR_CONFIG, "cipher");
}

static void test_init_and_sent(void **st)
{
    nssh_config cfg;
    nssh_conn *c = NULL;
    const char *why = "unset";
    const uint8_t *p;
    size_t len, len2;
    (void)st;
    server_cfg(&cfg);
    assert_int_equal(nssh_conn_init2(mem, NSSH_CONN_MEM_SIZE, &cfg, 0, &c, &why), 0);
    assert_non_null(c);
    assert_null(why);
    p = nssh_conn_sendbuf(c, &len);
    assert_non_null(p);
    assert_true(len > 8);
    assert_memory_equal(p, "SSH-2.0-", 8);
    /* More than was offered: refused, nothing consumed. */
    assert_int_equal(nssh_conn_sent(c, len + 1), NSSH_ERR_STATE);
    nssh_conn_sendbuf(c, &len2);
    assert_int_equal(len2, len);
    assert_int_equal(nssh_conn_sent(c, 8), 0);
    nssh_conn_sendbuf(c, &len2);
    assert_int_equal(len2, len - 8);
    assert_int_equal(nssh_conn_sent(c, len2), 0);
    nssh_conn_sendbuf(c, &len2);
    assert_int_equal(len2, 0);
    assert_int_equal(nssh_conn_sent(c, 1), NSSH_ERR_STATE);
    nssh_conn_release(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_size_constant),
        cmocka_unit_test(test_init_says_why),
        cmocka_unit_test(test_table_sizes_checked),
        cmocka_unit_test(test_init_and_sent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
