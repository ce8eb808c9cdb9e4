/*
 * Keys: base64 (RFC 4648 section 10 vectors), public key blobs (RFC 4253
 * 6.6, RFC 5656 3.1, RFC 8709) and what from_blob must refuse, generated
 * keys saved in openssh-key-v1 and read back by OpenSSH's ssh-keygen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "keytest.h"
#include "nanossh.h"
#include "nanossh_ossl.h"

/* ---- base64 -------------------------------------------------------------- */

static void test_base64_rfc4648(void **state)
{
    static const char *const v[][2] = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    char enc[16];
    uint8_t dec[16];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t n = strlen(v[i][0]), m = strlen(v[i][1]);
        assert_int_equal(nssh_ossl_base64_encode((const uint8_t *)v[i][0], n, enc, sizeof(enc)), m);
        assert_string_equal(enc, v[i][1]);
        assert_int_equal(nssh_ossl_base64_decode(v[i][1], m, dec, sizeof(dec)), n);
        assert_memory_equal(dec, v[i][0], n);
    }
    /* Room for the NUL is required; decode room is exact. */
    assert_int_equal(nssh_ossl_base64_encode((const uint8_t *)"foo", 3, enc, 4), NSSH_ERR_NOSPACE);
    assert_int_equal(nssh_ossl_base64_decode("Zm9v", 4, dec, 2), NSSH_ERR_NOSPACE);
    assert_int_equal(nssh_ossl_base64_decode("Zm9v", 4, dec, 3), 3);
    /* All byte values survive a round trip. */
    {
        uint8_t all[256], back[256];
        char text[400];
        for (i = 0; i < 256; i++)
            all[i] = (uint8_t)i;
        assert_int_equal(nssh_ossl_base64_encode(all, 256, text, sizeof(text)), 344);
        assert_int_equal(nssh_ossl_base64_decode(text, 344, back, sizeof(back)), 256);
        assert_memory_equal(all, back, 256);
    }
}

static void test_base64_strict(void **state)
{
    static const char *const bad[] = {
        "Zg=", "Zg", "Zg==\n", " Zg==", "Zm9v Yg==", "Z===", "====", "Zh==",
        "Zm9=", "Zg=a", "=Zg=", "Zg==Zg==", "Zm9v!A==", "Zm-v", "Zm_v",
    };
    uint8_t out[16];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(nssh_ossl_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out)) < 0);
}

/* ---- blobs ---------------------------------------------------------------- */

static const int all_types[] = { NSSH_KEY_ED25519, NSSH_KEY_ECDSA_P256,
                                 NSSH_KEY_ECDSA_P384, NSSH_KEY_ECDSA_P521,
                                 NSSH_KEY_RSA };
static nssh_key *gen[5];     /* one generated key per type, shared */

static int setup(void **state)
{
    size_t i;
    (void)state;
    if (kt_dir_make() < 0)
        return -1;
    for (i = 0; i < 5; i++)
        if (nssh_ossl_key_generate(all_types[i], 0, &gen[i]) < 0)
            return -1;
    return 0;
}

static int teardown(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 5; i++)
        nssh_ossl_key_free(gen[i]);
    kt_dir_remove();
    return 0;
}

static void expect_bad_blob(const uint8_t *b, size_t n)
{
    nssh_key *k = (nssh_key *)1;
    assert_int_equal(nssh_ossl_key_from_blob(b, n, &k), NSSH_ERR_KEY);
    assert_null(k);
}

static void test_blob_roundtrip(void **state)
{
    static const char *const names[] = { "ssh-ed25519", "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa" };
    static const unsigned bits[] = { 256, 256, 384, 521, 3072 };
    uint8_t blob[2048], blob2[2048], tail[2049];
    char name[64];
    size_t i, n, n2, cut;
    nssh_key *k;

    (void)state;
    for (i = 0; i < 5; i++) {
        assert_int_equal(nssh_ossl_key_type(gen[i]), all_types[i]);
        assert_string_equal(nssh_ossl_key_type_name(gen[i]), names[i]);
        assert_int_equal(nssh_ossl_key_bits(gen[i]), bits[i]);
        assert_int_equal(nssh_ossl_key_public_blob(gen[i], blob, sizeof(blob), &n), 0);
        assert_int_equal(nssh_ossl_key_public_blob(gen[i], blob, n - 1, &n2), NSSH_ERR_NOSPACE);
        assert_int_equal(nssh_ossl_blob_type(blob, n, name, sizeof(name)), 0);
        assert_string_equal(name, names[i]);
        assert_int_equal(nssh_ossl_key_from_blob(blob, n, &k), 0);
        assert_int_equal(nssh_ossl_key_type(k), all_types[i]);
        assert_int_equal(nssh_ossl_key_bits(k), bits[i]);
        assert_int_equal(nssh_ossl_key_public_blob(k, blob2, sizeof(blob2), &n2), 0);
        assert_int_equal(n, n2);
        assert_memory_equal(blob, blob2, n);
        /* A public key cannot be saved as a private one. */
        {
            char *text = NULL;
            assert_int_equal(nssh_ossl_key_save_private(k, "x", &text, NULL), NSSH_ERR_KEY);
            assert_null(text);
        }
        nssh_ossl_key_free(k);
        /* Trailing bytes, and every truncation, are refused. */
        memcpy(tail, blob, n);
        tail[n] = 0;
        expect_bad_blob(tail, n + 1);
        for (cut = 0; cut < n; cut++)
            expect_bad_blob(blob, cut);
    }
}

static void test_blob_sig_algs(void **state)
{
    const nssh_sig_alg *a[4];

    (void)state;
    assert_int_equal(nssh_ossl_key_sig_algs(gen[0], a, 4), 1);
    assert_ptr_equal(a[0], &nssh_ossl_sig_ed25519);
    assert_int_equal(nssh_ossl_key_sig_algs(gen[1], a, 4), 1);
    assert_ptr_equal(a[0], &nssh_ossl_sig_ecdsa_p256);
    assert_int_equal(nssh_ossl_key_sig_algs(gen[2], a, 4), 1);
    assert_ptr_equal(a[0], &nssh_ossl_sig_ecdsa_p384);
    assert_int_equal(nssh_ossl_key_sig_algs(gen[3], a, 4), 1);
    assert_ptr_equal(a[0], &nssh_ossl_sig_ecdsa_p521);
    assert_int_equal(nssh_ossl_key_sig_algs(gen[4], a, 4), 2);
    assert_ptr_equal(a[0], &nssh_ossl_sig_rsa_sha2_512);
    assert_ptr_equal(a[1], &nssh_ossl_sig_rsa_sha2_256);
    assert_int_equal(nssh_ossl_key_sig_algs(gen[4], a, 1), 1);
    assert_int_equal(nssh_ossl_key_sig_algs(NULL, a, 4), 0);
}

/* Build a blob from parts with the engine's writer. */
static size_t ec_blob(uint8_t *out, const char *name, const char *curve,
                      const uint8_t *q, size_t qlen)
{
    wr w;
    wr_init(&w, out, 512);
    wr_cstring(&w, name);
    wr_cstring(&w, curve);
    wr_string(&w, q, qlen);
    assert_int_equal(w.err, 0);
    return w.len;
}

static void test_blob_ecdsa_bad(void **state)
{
    uint8_t blob[512], q[200], bad[512];
    size_t n, qlen;
    rd r;
    const uint8_t *s;
    size_t sn;

    (void)state;
    assert_int_equal(nssh_ossl_key_public_blob(gen[1], blob, sizeof(blob), &n), 0);
    rd_init(&r, blob, n);
    assert_int_equal(rd_string(&r, &s, &sn), 0);
    assert_int_equal(rd_string(&r, &s, &sn), 0);
    assert_int_equal(rd_string(&r, &s, &qlen), 0);
    assert_int_equal(qlen, 65);
    memcpy(q, s, qlen);

    /* Curve id that does not match the type name, either way. */
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp384", q, qlen));
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp384", "nistp384", q, qlen));
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp2566", q, qlen));
    /* The original parts are fine. */
    {
        nssh_key *k;
        assert_int_equal(nssh_ossl_key_from_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256",
                                                         "nistp256", q, qlen), &k), 0);
        nssh_ossl_key_free(k);
    }
    /* Point lengths, compressed form, identity, point off the curve. */
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256", q, 64));
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256", q, 33));
    q[0] = 0x02;
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256", q, 33));
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256", q, 65));
    q[0] = 0x04;
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256",
                                 (const uint8_t *)"\0", 1));
    q[64] ^= 1;
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256", q, 65));
    memset(q + 1, 0, 64);
    expect_bad_blob(bad, ec_blob(bad, "ecdsa-sha2-nistp256", "nistp256", q, 65));
}

static void test_blob_other_bad(void **state)
{
    static const uint8_t n512[64] = { 0xc3, 1, 2, 3, [63] = 0x01 };
    uint8_t b[600], n2048[256];
    wr w;

    (void)state;
    /* Ed25519 key lengths. */
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-ed25519");
    wr_string(&w, n2048, 31);
    expect_bad_blob(b, w.len);
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-ed25519");
    wr_string(&w, n2048, 33);
    expect_bad_blob(b, w.len);
    /* A string length running past the end. */
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-ed25519");
    wr_u32(&w, 32);
    wr_bytes(&w, n2048, 31);
    expect_bad_blob(b, w.len);
    /* Unknown and empty types. */
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-dss");
    wr_string(&w, n2048, 32);
    expect_bad_blob(b, w.len);
    expect_bad_blob(b, 0);
    /* RSA: too small a modulus, even exponent, even modulus, non-minimal
     * and negative mpints. */
    memset(n2048, 0x55, sizeof(n2048));
    n2048[0] = 0xc5;
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-rsa");
    wr_mpint(&w, (const uint8_t *)"\x01\x00\x01", 3);
    wr_mpint(&w, n512, sizeof(n512));
    expect_bad_blob(b, w.len);
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-rsa");
    wr_mpint(&w, (const uint8_t *)"\x01\x00\x02", 3);
    wr_mpint(&w, n2048, sizeof(n2048));
    expect_bad_blob(b, w.len);
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-rsa");
    wr_string(&w, "\x00\x01\x00\x01", 4);
    wr_mpint(&w, n2048, sizeof(n2048));
    expect_bad_blob(b, w.len);
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-rsa");
    wr_mpint(&w, (const uint8_t *)"\x01\x00\x01", 3);
    wr_string(&w, n2048, sizeof(n2048));       /* top bit set: negative */
    expect_bad_blob(b, w.len);
    /* The same numbers, well formed, are accepted. */
    {
        nssh_key *k;
        wr_init(&w, b, sizeof(b));
        wr_cstring(&w, "ssh-rsa");
        wr_mpint(&w, (const uint8_t *)"\x01\x00\x01", 3);
        wr_mpint(&w, n2048, sizeof(n2048));
        assert_int_equal(nssh_ossl_key_from_blob(b, w.len, &k), 0);
        assert_int_equal(nssh_ossl_key_bits(k), 2048);
        nssh_ossl_key_free(k);
    }
    n2048[255] = 0x54;
    wr_init(&w, b, sizeof(b));
    wr_cstring(&w, "ssh-rsa");
    wr_mpint(&w, (const uint8_t *)"\x01\x00\x01", 3);
    wr_mpint(&w, n2048, sizeof(n2048));
    expect_bad_blob(b, w.len);
}

static void test_blob_type_and_fingerprint(void **state)
{
    /* RFC 8709-style blob whose fingerprint ssh-keygen printed for it. */
    static const char b64[] = "AAAAC3NzaC1lZDI1NTE5AAAAIKNR2c7eBOSbHJ4h4IzgDuLnCHv3dKH2SQ5khu7P13fn";
    uint8_t blob[64];
    char fp[64], name[8];
    long n;

    (void)state;
    n = nssh_ossl_base64_decode(b64, strlen(b64), blob, sizeof(blob));
    assert_int_equal(n, 51);
    assert_int_equal(nssh_ossl_fingerprint(blob, (size_t)n, fp, sizeof(fp)), 0);
    assert_string_equal(fp, "SHA256:XTIsdr/JMHhOXUJIajvWZLzMhhgFREd90OEbzOHRt6w");
    assert_int_equal(nssh_ossl_fingerprint(blob, (size_t)n, fp, 50), NSSH_ERR_NOSPACE);
    assert_int_equal(nssh_ossl_fingerprint(blob, (size_t)n, fp, 51), 0);
    assert_int_equal(nssh_ossl_blob_type(blob, (size_t)n, name, sizeof(name)), NSSH_ERR_NOSPACE);
    assert_int_equal(nssh_ossl_blob_type(blob, 3, fp, sizeof(fp)), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_blob_type((const uint8_t *)"\0\0\0\0", 4, fp, sizeof(fp)), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_blob_type((const uint8_t *)"\0\0\0\2a\n", 6, fp, sizeof(fp)), NSSH_ERR_KEY);
}

/* ---- generated keys through ssh-keygen ------------------------------------ */

static void test_generated_keygen_reads(void **state)
{
    char line[2048], want[2048], fp[64], *text;
    uint8_t blob[2048];
    size_t i, len, n;

    (void)state;
    if (!kt_have_keygen())
        skip();
    for (i = 0; i < 5; i++) {
        const char *path = kt_path("gen");
        char *p, *nl;
        assert_int_equal(nssh_ossl_key_save_private(gen[i], "nanossh test", &text, &len), 0);
        assert_int_equal(strlen(text), len);
        /* ssh-keygen's layout: armor lines, base64 lines of at most 70. */
        assert_memory_equal(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36);
        assert_string_equal(text + len - 34, "-----END OPENSSH PRIVATE KEY-----\n");
        for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
            assert_true(nl - p <= 70 || p == text);
        assert_int_equal(kt_write(path, text, len), 0);
        free(text);

        assert_int_equal(kt_line(line, sizeof(line), "ssh-keygen -y -f %s", path), 0);
        assert_int_equal(nssh_ossl_key_public_line(gen[i], "nanossh test", want, sizeof(want)), 0);
        assert_string_equal(line, want);
        assert_int_equal(nssh_ossl_key_public_line(gen[i], NULL, want, 20), NSSH_ERR_NOSPACE);

        assert_int_equal(kt_line(line, sizeof(line), "ssh-keygen -l -E sha256 -f %s", path), 0);
        assert_int_equal(nssh_ossl_key_public_blob(gen[i], blob, sizeof(blob), &n), 0);
        assert_int_equal(nssh_ossl_fingerprint(blob, n, fp, sizeof(fp)), 0);
        assert_non_null(strstr(line, fp));
    }
}

static void test_generate_bad(void **state)
{
    nssh_key *k = (nssh_key *)1;

    (void)state;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_NONE, 0, &k), NSSH_ERR_KEY);
    assert_null(k);
    assert_int_equal(nssh_ossl_key_generate(99, 0, &k), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_RSA, 1024, &k), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_RSA, 2048, &k), 0);
    assert_int_equal(nssh_ossl_key_bits(k), 2048);
    nssh_ossl_key_free(k);
    nssh_ossl_key_free(NULL);
    assert_string_equal(nssh_ossl_key_type_name(NULL), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648),
        cmocka_unit_test(test_base64_strict),
        cmocka_unit_test(test_blob_roundtrip),
        cmocka_unit_test(test_blob_sig_algs),
        cmocka_unit_test(test_blob_ecdsa_bad),
        cmocka_unit_test(test_blob_other_bad),
        cmocka_unit_test(test_blob_type_and_fingerprint),
        cmocka_unit_test(test_generated_keygen_reads),
        cmocka_unit_test(test_generate_bad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
