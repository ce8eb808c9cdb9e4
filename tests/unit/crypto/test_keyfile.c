/*
 * Private key files written by OpenSSH's ssh-keygen (openssh-key-v1,
 * PEM PKCS#1 / SEC1, PKCS#8) and by openssl genpkey: loading them gives
 * the same public key, fingerprint and comment the tools report.
 * Encrypted keys are refused as unsupported; damaged files give errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keytest.h"
#include "nanossh.h"
#include "nanossh_ossl.h"

static int setup(void **state)
{
    (void)state;
    return kt_dir_make();
}

static int teardown(void **state)
{
    (void)state;
    kt_dir_remove();
    return 0;
}

/* ssh-keygen writes name (and name.pub) with the given options; no
 * passphrase unless the options give one. */
static void keygen(const char *name, const char *opts)
{
    const char *path = kt_path(name);
    assert_int_equal(kt_sh("rm -f %s %s.pub && ssh-keygen -q %s %s -C 'test key' -f %s",
                           path, path, opts, strstr(opts, "-N ") ? "" : "-N ''",
                           path), 0);
}

/* Load a file; returns the result code. */
static int load(const char *name, nssh_key **k, char *comment, size_t cap)
{
    size_t len;
    uint8_t *data = kt_slurp(kt_path(name), &len);
    int e;

    assert_non_null(data);
    e = nssh_ossl_key_load_private(data, len, k, comment, cap);
    free(data);
    return e;
}

/* The key's "type base64" equals what ssh-keygen -y prints for the file. */
static void same_public_as_keygen(const nssh_key *k, const char *name)
{
    char line[2048], want[2048], mine[2048];

    assert_int_equal(kt_line(line, sizeof(line), "ssh-keygen -y -f %s", kt_path(name)), 0);
    kt_two_fields(line, want, sizeof(want));
    assert_int_equal(nssh_ossl_key_public_line(k, NULL, mine, sizeof(mine)), 0);
    assert_string_equal(mine, want);
}

static void test_openssh_format(void **state)
{
    static const char *const opts[] = {
        "-t ed25519", "-t ecdsa -b 256", "-t ecdsa -b 384", "-t ecdsa -b 521",
        "-t rsa -b 2048", "-t rsa -b 3072",
    };
    char comment[64], line[2048], pub[2048], fp[64], *text;
    uint8_t blob[2048];
    size_t i, n, len;
    nssh_key *k, *k2;

    (void)state;
    if (!kt_have_keygen())
        skip();
    for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        keygen("k", opts[i]);
        assert_int_equal(load("k", &k, comment, sizeof(comment)), 0);
        assert_string_equal(comment, "test key");
        /* The whole .pub line, comment included. */
        assert_int_equal(kt_line(pub, sizeof(pub), "cat %s.pub", kt_path("k")), 0);
        assert_int_equal(nssh_ossl_key_public_line(k, comment, line, sizeof(line)), 0);
        assert_string_equal(line, pub);
        /* Fingerprint as ssh-keygen -l prints it. */
        assert_int_equal(kt_line(line, sizeof(line), "ssh-keygen -l -f %s", kt_path("k")), 0);
        assert_int_equal(nssh_ossl_key_public_blob(k, blob, sizeof(blob), &n), 0);
        assert_int_equal(nssh_ossl_fingerprint(blob, n, fp, sizeof(fp)), 0);
        assert_non_null(strstr(line, fp));
        /* Saved again and loaded again: the same key. */
        assert_int_equal(nssh_ossl_key_save_private(k, comment, &text, &len), 0);
        assert_int_equal(nssh_ossl_key_load_private((uint8_t *)text, len, &k2, comment,
                                               sizeof(comment)), 0);
        assert_string_equal(comment, "test key");
        assert_int_equal(nssh_ossl_key_public_line(k2, NULL, line, sizeof(line)), 0);
        kt_two_fields(pub, pub, sizeof(pub));
        assert_string_equal(line, pub);
        free(text);
        nssh_ossl_key_free(k2);
        nssh_ossl_key_free(k);
    }
}

static void test_pem_formats(void **state)
{
    static const char *const opts[] = {
        "-m PEM -t rsa -b 2048", "-m PEM -t ecdsa -b 256", "-m PEM -t ecdsa -b 384",
        "-m PEM -t ecdsa -b 521", "-m PKCS8 -t rsa -b 2048", "-m PKCS8 -t ecdsa -b 256",
    };
    static const int types[] = { NSSH_KEY_RSA, NSSH_KEY_ECDSA_P256, NSSH_KEY_ECDSA_P384,
                                 NSSH_KEY_ECDSA_P521, NSSH_KEY_RSA, NSSH_KEY_ECDSA_P256 };
    char comment[64];
    size_t i;
    nssh_key *k;

    (void)state;
    if (!kt_have_keygen())
        skip();
    for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        keygen("p", opts[i]);
        assert_int_equal(load("p", &k, comment, sizeof(comment)), 0);
        assert_int_equal(nssh_ossl_key_type(k), types[i]);
        assert_string_equal(comment, "");        /* PEM has no comment */
        same_public_as_keygen(k, "p");
        nssh_ossl_key_free(k);
    }
}

static void test_pkcs8_ed25519(void **state)
{
    char want[128], mine[128], line[256];
    uint8_t blob[128];
    size_t n;
    nssh_key *k;

    (void)state;
    if (!kt_have_keygen())
        skip();
    /* ssh-keygen cannot read this one: compare the raw key with openssl's. */
    assert_int_equal(kt_sh("openssl genpkey -algorithm ed25519 -out %s", kt_path("e")), 0);
    assert_int_equal(load("e", &k, NULL, 0), 0);
    assert_int_equal(nssh_ossl_key_type(k), NSSH_KEY_ED25519);
    assert_int_equal(kt_line(want, sizeof(want),
                             "openssl pkey -in %s -pubout -outform DER | tail -c 32 | base64",
                             kt_path("e")), 0);
    assert_int_equal(nssh_ossl_key_public_blob(k, blob, sizeof(blob), &n), 0);
    assert_int_equal(n, 51);
    assert_true(nssh_ossl_base64_encode(blob + 19, 32, mine, sizeof(mine)) > 0);
    assert_string_equal(mine, want);
    /* Saved in OpenSSH's format, ssh-keygen reads it. */
    {
        char *text;
        size_t len;
        assert_int_equal(nssh_ossl_key_save_private(k, "", &text, &len), 0);
        assert_int_equal(kt_write(kt_path("e2"), text, len), 0);
        free(text);
        assert_int_equal(nssh_ossl_key_public_line(k, NULL, mine, sizeof(mine)), 0);
        assert_int_equal(kt_line(line, sizeof(line), "ssh-keygen -y -f %s", kt_path("e2")), 0);
        assert_string_equal(line, mine);
    }
    nssh_ossl_key_free(k);
}

static void test_encrypted(void **state)
{
    static const char *const opts[] = {
        "-t ed25519 -N secret", "-m PEM -t rsa -b 2048 -N secret",
        "-m PKCS8 -t ecdsa -N secret", "-m PEM -t ecdsa -N secret",
    };
    char why[256];
    size_t i;
    nssh_key *k = (nssh_key *)1;

    (void)state;
    if (!kt_have_keygen())
        skip();
    for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        keygen("enc", opts[i]);
        assert_int_equal(load("enc", &k, why, sizeof(why)), NSSH_ERR_UNSUPPORTED);
        assert_null(k);
        assert_non_null(strstr(why, "passphrase"));
    }
}

/* Text of an openssh-key-v1 file around a binary body. */
static char *armor(const uint8_t *bin, size_t len, size_t *text_len)
{
    char *t = malloc(len * 2 + 100);
    long n;

    assert_non_null(t);
    strcpy(t, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    n = nssh_ossl_base64_encode(bin, len, t + 36, len * 2 + 64);
    assert_true(n >= 0);
    strcpy(t + 36 + n, "\n-----END OPENSSH PRIVATE KEY-----\n");
    *text_len = strlen(t);
    return t;
}

/* Every single-byte change and every truncation of the binary and of the
 * text is either refused or yields the very same public key. */
static void damage(const char *name, size_t step)
{
    uint8_t *data, *bin, blob[2048], blob2[2048];
    size_t len, tlen, n, n2, i, b64_len = 0;
    char *text, *b64;
    nssh_key *k;
    long bl;
    int e;

    data = kt_slurp(kt_path(name), &len);
    assert_non_null(data);
    assert_int_equal(nssh_ossl_key_load_private(data, len, &k, NULL, 0), 0);
    assert_int_equal(nssh_ossl_key_public_blob(k, blob, sizeof(blob), &n), 0);
    nssh_ossl_key_free(k);
    b64 = malloc(len);
    for (i = 36; i < len && data[i] != '-'; i++)
        if (data[i] != '\n')
            b64[b64_len++] = (char)data[i];
    bin = malloc(b64_len);
    bl = nssh_ossl_base64_decode(b64, b64_len, bin, b64_len);
    assert_true(bl > 0);
    for (i = 0; i < (size_t)bl; i += (i < 64 ? 1 : step)) {
        static const uint8_t masks[] = { 0x01, 0x80, 0xff };
        for (size_t m = 0; m < 3; m++) {
            bin[i] ^= masks[m];
            text = armor(bin, (size_t)bl, &tlen);
            e = nssh_ossl_key_load_private((uint8_t *)text, tlen, &k, NULL, 0);
            assert_true(e <= 0);
            if (e == 0) {
                assert_int_equal(nssh_ossl_key_public_blob(k, blob2, sizeof(blob2), &n2), 0);
                assert_int_equal(n, n2);
                assert_memory_equal(blob, blob2, n);
                nssh_ossl_key_free(k);
            }
            free(text);
            bin[i] ^= masks[m];
        }
        text = armor(bin, i, &tlen);
        assert_true(nssh_ossl_key_load_private((uint8_t *)text, tlen, &k, NULL, 0) < 0);
        free(text);
    }
    for (i = 0; i + 2 < len; i += step)
        assert_true(nssh_ossl_key_load_private(data, i, &k, NULL, 0) < 0);
    free(bin);
    free(b64);
    free(data);
}

static void test_damaged(void **state)
{
    (void)state;
    if (!kt_have_keygen())
        skip();
    keygen("d1", "-t ed25519");
    damage("d1", 1);
    keygen("d2", "-t ecdsa -b 384");
    damage("d2", 1);
    keygen("d3", "-t rsa -b 2048");
    damage("d3", 7);
}

static void test_not_keys(void **state)
{
    static const char *const bad[] = {
        "", "hello", "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n-----END OPENSSH PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKNR2c7eBOSbHJ4h4IzgDuLnCHv3dKH2SQ5khu7P13fn x\n",
    };
    char why[200];
    size_t i;
    nssh_key *k = (nssh_key *)1;

    (void)state;
    if (!kt_have_keygen())
        skip();
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        assert_true(nssh_ossl_key_load_private((const uint8_t *)bad[i], strlen(bad[i]), &k,
                                          why, sizeof(why)) < 0);
        assert_null(k);
        assert_true(why[0] != '\0');
    }
    /* A public key in PEM, and a key type nanossh does not have. */
    keygen("pk", "-t ecdsa");
    assert_int_equal(kt_sh("ssh-keygen -e -m PKCS8 -f %s.pub > %s", kt_path("pk"),
                           kt_path("pkpub")), 0);
    assert_true(load("pkpub", &k, why, sizeof(why)) < 0);
    if (kt_sh("ssh-keygen -q -t dsa -N '' -f %s", kt_path("dsa")) == 0)
        assert_int_equal(load("dsa", &k, why, sizeof(why)), NSSH_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssh_format),
        cmocka_unit_test(test_pem_formats),
        cmocka_unit_test(test_pkcs8_ed25519),
        cmocka_unit_test(test_encrypted),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_not_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
