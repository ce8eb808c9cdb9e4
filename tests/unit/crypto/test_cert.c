/*
 * OpenSSH certificates (PROTOCOL.certkeys): the parser against a
 * certificate made by ssh-keygen -s, the certificate signature algorithms
 * of the OpenSSL backend, and hostile blobs: every truncation, trailing
 * bytes, lengths past the end, unsorted or repeated options, a CA that is
 * itself a certificate, NUL bytes in names, unknown types, random bit
 * flips. None may crash or read out of bounds (run under ASan too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nanossh.h"
#include "nanossh_cert.h"
#include "nanossh_ossl.h"
#include "buf.h"

/* ssh-keygen -s ca -I "unit-test id" -n alice,bob -z 1234
 *   -V 20240101:21060101 -O force-command="echo hi"
 *   -O source-address=192.0.2.0/24 user.pub */
static const char CERT_B64[] =
    "AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAID4vQ0Oth/wTMqz77bgK"
    "7dYbF59ZVwA3Ru4WW5HRbVJrAAAAIJ0zVgyahtmktW2qn2DSTqM2maqLq2henCq5qUhUCwjh"
    "AAAAAAAABNIAAAABAAAADHVuaXQtdGVzdCBpZAAAABAAAAAFYWxpY2UAAAADYm9iAAAAAGWS"
    "AIAAAAAA/87dgAAAAEYAAAANZm9yY2UtY29tbWFuZAAAAAsAAAAHZWNobyBoaQAAAA5zb3Vy"
    "Y2UtYWRkcmVzcwAAABAAAAAMMTkyLjAuMi4wLzI0AAAAggAAABVwZXJtaXQtWDExLWZvcndh"
    "cmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJtaXQtcG9y"
    "dC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAA"
    "AAAAAAAAAAAAMwAAAAtzc2gtZWQyNTUxOQAAACCoKmR2xxDshZjorlE7hLu+CL7rFz9m5TR8"
    "uSKqwlpFvAAAAFMAAAALc3NoLWVkMjU1MTkAAABAK2O9eu4QpS8PQ/EcmuRShfvNIGNsCfGx"
    "7jUDF5v8Z05WDL/tb5OWHs999FAM7Fth5Pr2IRvnegX9IKmiV9HVBA==";
static const char CA_B64[] =
    "AAAAC3NzaC1lZDI1NTE5AAAAIKgqZHbHEOyFmOiuUTuEu74IvusXP2blNHy5IqrCWkW8";
static const char USER_B64[] =
    "AAAAC3NzaC1lZDI1NTE5AAAAIJ0zVgyahtmktW2qn2DSTqM2maqLq2henCq5qUhUCwjh";

static uint8_t cert[2048], ca[256], user[256];
static size_t cert_len, ca_len, user_len;

static size_t decode(const char *b64, uint8_t *out, size_t cap)
{
    long n = nssh_ossl_base64_decode(b64, strlen(b64), out, cap);
    assert_true(n > 0);
    return (size_t)n;
}

static int setup(void **state)
{
    (void)state;
    cert_len = decode(CERT_B64, cert, sizeof(cert));
    ca_len = decode(CA_B64, ca, sizeof(ca));
    user_len = decode(USER_B64, user, sizeof(user));
    return 0;
}

static int str_eq(nssh_str s, const char *lit)
{
    return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static void test_keygen_cert(void **state)
{
    nssh_cert c;
    nssh_str name, value;
    uint8_t plain[256];
    size_t n, pos = 0;
    (void)state;
    assert_int_equal(nssh_cert_parse(cert, cert_len, &c), 0);
    assert_true(str_eq(c.type, "ssh-ed25519-cert-v01@openssh.com"));
    assert_string_equal(c.plain_type, "ssh-ed25519");
    assert_int_equal(c.serial, 1234);
    assert_int_equal(c.cert_type, NSSH_CERT_USER);
    assert_true(str_eq(c.key_id, "unit-test id"));
    assert_int_equal(c.valid_after, 1704067200u);     /* 2024-01-01 */
    assert_int_equal(c.valid_before, 4291747200ull);  /* 2106-01-01, past 2038 */
    /* The plain key inside is the user's key. */
    assert_int_equal(nssh_cert_plain_key(&c, plain, sizeof(plain), &n), 0);
    assert_int_equal(n, user_len);
    assert_memory_equal(plain, user, n);
    assert_int_equal(nssh_cert_plain_key(&c, plain, 10, &n), NSSH_ERR_NOSPACE);
    assert_int_equal(c.ca_key_len, ca_len);
    assert_memory_equal(c.ca_key, ca, ca_len);
    /* Principals. */
    assert_int_equal(nssh_cert_next(c.principals, &pos, &name, NULL), 1);
    assert_true(str_eq(name, "alice"));
    assert_int_equal(nssh_cert_next(c.principals, &pos, &name, NULL), 1);
    assert_true(str_eq(name, "bob"));
    assert_int_equal(nssh_cert_next(c.principals, &pos, &name, NULL), 0);
    /* Critical options with their values unwrapped. */
    pos = 0;
    assert_int_equal(nssh_cert_next(c.critical, &pos, &name, &value), 1);
    assert_true(str_eq(name, "force-command") && str_eq(value, "echo hi"));
    assert_int_equal(nssh_cert_next(c.critical, &pos, &name, &value), 1);
    assert_true(str_eq(name, "source-address") && str_eq(value, "192.0.2.0/24"));
    assert_int_equal(nssh_cert_next(c.critical, &pos, &name, &value), 0);
    /* Five extensions, empty values. */
    pos = 0;
    for (n = 0; nssh_cert_next(c.extensions, &pos, &name, &value) == 1; n++)
        assert_int_equal(value.n, 0);
    assert_int_equal(n, 5);
    /* The CA's signature covers everything before it. */
    assert_int_equal(nssh_ossl_sig_ed25519.verify(c.ca_key, c.ca_key_len, cert,
                                                  c.signed_len, c.signature,
                                                  c.signature_len), 0);
    cert[40] ^= 1;   /* in the nonce: parses, no longer verifies */
    assert_int_equal(nssh_cert_parse(cert, cert_len, &c), 0);
    assert_int_equal(nssh_ossl_sig_ed25519.verify(c.ca_key, c.ca_key_len, cert,
                                                  c.signed_len, c.signature,
                                                  c.signature_len), NSSH_ERR_SIGNATURE);
    cert[40] ^= 1;
    assert_true(nssh_cert_is_cert_name("rsa-sha2-512-cert-v01@openssh.com"));
    assert_false(nssh_cert_is_cert_name("rsa-sha2-512"));
    assert_false(nssh_cert_is_cert_name("-cert-v01@openssh.com"));
    assert_false(nssh_cert_is_cert_name(NULL));
}

/* ---- Certificates built here, signed by a CA made here ------------------ */

typedef struct spec {
    const char *type;
    uint32_t cert_type;
    const char *const *principals;
    const char *const *crit;      /* name, value pairs, NULL-terminated */
    const char *const *ext;
    int ca_is_cert;
} spec;

/* Build and sign a certificate of key under ca; returns its length. */
static size_t build(const spec *s, const nssh_key *key, const nssh_key *cak,
                    uint8_t *out, size_t cap)
{
    uint8_t kb[NSSH_KEYBLOB_MAX], cb[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX], in[256];
    size_t kl, cl, sl, i, mark, m2;
    wr w, t;
    rd r;
    nssh_str kt;
    assert_int_equal(nssh_ossl_key_public_blob(key, kb, sizeof(kb), &kl), 0);
    assert_int_equal(nssh_ossl_key_public_blob(cak, cb, sizeof(cb), &cl), 0);
    wr_init(&w, out, cap);
    wr_cstring(&w, s->type);
    wr_string(&w, (const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
    rd_init(&r, kb, kl);
    assert_int_equal(rd_str(&r, &kt), 0);
    wr_bytes(&w, kb + r.pos, kl - r.pos);      /* key fields after the type */
    wr_u64(&w, 99);
    wr_u32(&w, s->cert_type);
    wr_cstring(&w, "built");
    mark = wr_string_begin(&w);
    for (i = 0; s->principals && s->principals[i]; i++)
        wr_cstring(&w, s->principals[i]);
    wr_string_end(&w, mark);
    wr_u64(&w, 0);
    wr_u64(&w, UINT64_MAX);
    mark = wr_string_begin(&w);
    for (i = 0; s->crit && s->crit[i]; i += 2) {
        wr_cstring(&w, s->crit[i]);
        wr_init(&t, in, sizeof(in));
        wr_cstring(&t, s->crit[i + 1]);
        wr_string(&w, in, t.len);
    }
    wr_string_end(&w, mark);
    mark = wr_string_begin(&w);
    for (i = 0; s->ext && s->ext[i]; i++) {
        wr_cstring(&w, s->ext[i]);
        wr_string(&w, in, 0);
    }
    wr_string_end(&w, mark);
    wr_string(&w, in, 0);                        /* reserved */
    if (s->ca_is_cert) {
        m2 = wr_string_begin(&w);
        wr_cstring(&w, "ssh-ed25519-cert-v01@openssh.com");
        wr_bytes(&w, cb + 4 + 11, cl - 15);
        wr_string_end(&w, m2);
    } else {
        wr_string(&w, cb, cl);
    }
    assert_int_equal(nssh_ossl_sig_ed25519.sign(cak, out, w.len, sig, sizeof(sig),
                                                &sl, nssh_ossl_rng, NULL), 0);
    wr_string(&w, sig, sl);
    assert_int_equal(w.err, 0);
    return w.len;
}

static nssh_key *k_user, *k_ca;

static int setup_keys(void **state)
{
    (void)state;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &k_user), 0);
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &k_ca), 0);
    return setup(state);
}

static int teardown_keys(void **state)
{
    (void)state;
    nssh_ossl_key_free(k_user);
    nssh_ossl_key_free(k_ca);
    return 0;
}

static const char *const princ[] = { "root", NULL };

static void test_cert_sig_alg(void **state)
{
    static const char *const ext[] = { "permit-pty", "permit-user-rc", NULL };
    spec s = { "ssh-ed25519-cert-v01@openssh.com", NSSH_CERT_USER, princ, NULL, ext, 0 };
    uint8_t blob[2048], sig[NSSH_SIG_MAX];
    const uint8_t data[] = "session data";
    size_t n = build(&s, k_user, k_ca, blob, sizeof(blob)), sl;
    nssh_cert c;
    (void)state;
    assert_int_equal(nssh_cert_parse(blob, n, &c), 0);
    /* Signs as the plain key; verifies with the certificate's key. */
    assert_int_equal(nssh_ossl_sig_ed25519_cert.sign(k_user, data, sizeof(data), sig,
                                                     sizeof(sig), &sl, nssh_ossl_rng,
                                                     NULL), 0);
    assert_int_equal(nssh_ossl_sig_ed25519_cert.verify(blob, n, data, sizeof(data),
                                                       sig, sl), 0);
    assert_int_not_equal(nssh_ossl_sig_ed25519_cert.verify(blob, n, data,
                                                           sizeof(data) - 1, sig, sl), 0);
    assert_int_equal(nssh_ossl_sig_ed25519_cert.verify(blob, n - 1, data, sizeof(data),
                                                       sig, sl), NSSH_ERR_KEY);
    assert_ptr_equal(nssh_ossl_sig_by_name("ssh-ed25519-cert-v01@openssh.com"),
                     &nssh_ossl_sig_ed25519_cert);
    assert_string_equal(nssh_ossl_sig_rsa_sha2_512_cert.key_type,
                        "ssh-rsa-cert-v01@openssh.com");
}

static void test_hostile_built(void **state)
{
    static const char *const unsorted[] = { "permit-pty", "permit-X11-forwarding", NULL };
    static const char *const repeated[] = { "permit-pty", "permit-pty", NULL };
    static const char *const crit_unsorted[] = { "source-address", "10.0.0.1",
                                                 "force-command", "ls", NULL };
    spec s = { "ssh-ed25519-cert-v01@openssh.com", NSSH_CERT_USER, princ, NULL, NULL, 0 };
    uint8_t blob[2048];
    nssh_cert c;
    size_t n;
    (void)state;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), 0);
    s.ext = unsorted;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_FORMAT);
    s.ext = repeated;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_FORMAT);
    s.ext = NULL;
    s.crit = crit_unsorted;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_FORMAT);
    s.crit = NULL;
    s.cert_type = 3;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_FORMAT);
    s.cert_type = NSSH_CERT_HOST;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), 0);
    assert_int_equal(c.cert_type, NSSH_CERT_HOST);
    s.ca_is_cert = 1;
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_FORMAT);
    /* The type says ECDSA, the fields are Ed25519's. */
    s.ca_is_cert = 0;
    s.type = "ecdsa-sha2-nistp256-cert-v01@openssh.com";
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_FORMAT);
    s.type = "ssh-dss-cert-v01@openssh.com";
    n = build(&s, k_user, k_ca, blob, sizeof(blob));
    assert_int_equal(nssh_cert_parse(blob, n, &c), NSSH_ERR_UNSUPPORTED);
}

static void test_truncations_and_trailing(void **state)
{
    uint8_t buf[2048];
    nssh_cert c;
    size_t n;
    (void)state;
    for (n = 0; n < cert_len; n++) {
        uint8_t *copy = malloc(n ? n : 1);   /* exact size: ASan sees overreads */
        memcpy(copy, cert, n);
        assert_int_not_equal(nssh_cert_parse(copy, n, &c), 0);
        free(copy);
    }
    memcpy(buf, cert, cert_len);
    buf[cert_len] = 0;
    assert_int_equal(nssh_cert_parse(buf, cert_len + 1, &c), NSSH_ERR_FORMAT);
    assert_int_equal(nssh_cert_parse(NULL, 0, &c), NSSH_ERR_FORMAT);
    assert_int_equal(nssh_cert_parse(cert, NSSH_CERT_MAX + 1, &c), NSSH_ERR_FORMAT);
}

/* Every 4-byte position set to a huge length, and to a length one too
 * long: parse fails or succeeds, never reads outside the blob. */
static void test_lengths(void **state)
{
    nssh_cert c;
    size_t i;
    (void)state;
    for (i = 0; i + 4 <= cert_len; i++) {
        uint8_t *copy = malloc(cert_len);
        uint32_t v = ((uint32_t)cert[i] << 24) | ((uint32_t)cert[i + 1] << 16) |
                     ((uint32_t)cert[i + 2] << 8) | cert[i + 3];
        memcpy(copy, cert, cert_len);
        memset(copy + i, 0xff, 4);
        (void)nssh_cert_parse(copy, cert_len, &c);
        v++;
        copy[i] = (uint8_t)(v >> 24);
        copy[i + 1] = (uint8_t)(v >> 16);
        copy[i + 2] = (uint8_t)(v >> 8);
        copy[i + 3] = (uint8_t)v;
        if (nssh_cert_parse(copy, cert_len, &c) == 0) {
            /* Walks of an accepted blob stay inside it. */
            nssh_str name, value;
            size_t pos = 0;
            while (nssh_cert_next(c.critical, &pos, &name, &value) == 1)
                ;
        }
        free(copy);
    }
}

/* A NUL in the key id or a principal is refused (they become C strings). */
static void test_nul_bytes(void **state)
{
    uint8_t copy[2048];
    nssh_cert c;
    const uint8_t *id;
    (void)state;
    assert_int_equal(nssh_cert_parse(cert, cert_len, &c), 0);
    id = (const uint8_t *)c.key_id.p;
    memcpy(copy, cert, cert_len);
    copy[id - cert + 4] = 0;        /* "unit\0test id" */
    assert_int_equal(nssh_cert_parse(copy, cert_len, &c), NSSH_ERR_FORMAT);
    assert_int_equal(nssh_cert_parse(cert, cert_len, &c), 0);
    memcpy(copy, cert, cert_len);
    copy[(const uint8_t *)c.principals.p - cert + 4 + 2] = 0;   /* "al\0ce" */
    assert_int_equal(nssh_cert_parse(copy, cert_len, &c), NSSH_ERR_FORMAT);
}

static void test_bit_flips(void **state)
{
    uint32_t x = 0x12345678u;
    nssh_cert c;
    int i, ok = 0;
    (void)state;
    for (i = 0; i < 20000; i++) {
        uint8_t *copy = malloc(cert_len);
        int k;
        memcpy(copy, cert, cert_len);
        for (k = 0; k < 1 + i % 4; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            copy[x % cert_len] ^= (uint8_t)(1u << (x >> 29));
        }
        if (nssh_cert_parse(copy, cert_len, &c) == 0) {
            nssh_str name, value;
            size_t pos = 0;
            ok++;
            while (nssh_cert_next(c.principals, &pos, &name, NULL) == 1)
                ;
            pos = 0;
            while (nssh_cert_next(c.extensions, &pos, &name, &value) == 1)
                ;
        }
        free(copy);
    }
    /* Flips inside keys, serials and signatures still parse. */
    assert_true(ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_cert),
        cmocka_unit_test(test_cert_sig_alg),
        cmocka_unit_test(test_hostile_built),
        cmocka_unit_test(test_truncations_and_trailing),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_bit_flips),
    };
    return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
