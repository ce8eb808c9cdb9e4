/*
 * Security keys (PROTOCOL.u2f) in the OpenSSL backend: private key files
 * as OpenSSH's ssh-keygen -t ed25519-sk / ecdsa-sk writes them (the two
 * vectors below were made by ssh-keygen 9.2 with the test middleware
 * tests/sk/soft_sk.c, whose key handle is "SSK1" || alg || private key,
 * so this test can play the authenticator), their public blobs, and the
 * signature blob built from an authenticator's answer: it must verify
 * with the backend's verifier and carry the flags and counter as sent.
 * Damaged files (empty key handle, NUL in the application, truncated
 * private fields) are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "buf.h"
#include "keyint.h"
#include "nanossh.h"
#include "nanossh_cert.h"
#include "nanossh_ossl.h"

static const char ed_file[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAASgAAABpzay1zc2\n"
    "gtZWQyNTUxOUBvcGVuc3NoLmNvbQAAACCwrpplib0zCrNFj2f3QZQbxQy47CIGDDf5JL8K\n"
    "ERoFaQAAAARzc2g6AAAAiDDsrvQw7K70AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY2\n"
    "9tAAAAILCummWJvTMKs0WPZ/dBlBvFDLjsIgYMN/kkvwoRGgVpAAAABHNzaDoBAAAAJVNT\n"
    "SzEBrIlrnibiQGYTHG0Pq1n4l66sHblAZMnaVddBkZhqbOAAAAAAAAAABGhvc3Q=\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char ed_pub[] =
    "AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAILCummWJvTMKs0WPZ/dBlBvFDLjs"
    "IgYMN/kkvwoRGgVpAAAABHNzaDo=";
static const char ec_file[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAfwAAACJzay1lY2\n"
    "RzYS1zaGEyLW5pc3RwMjU2QG9wZW5zc2guY29tAAAACG5pc3RwMjU2AAAAQQSMTZqH9F8/\n"
    "DZ8Kq7oNojC3qZfFWu6vS0zV1xJM3dts3Rc5rHHQJF788ZfmpkwFaZuWR5QXHKewLzKV63\n"
    "Q5VSHhAAAABHNzaDoAAADA4hml7uIZpe4AAAAic2stZWNkc2Etc2hhMi1uaXN0cDI1NkBv\n"
    "cGVuc3NoLmNvbQAAAAhuaXN0cDI1NgAAAEEEjE2ah/RfPw2fCqu6DaIwt6mXxVrur0tM1d\n"
    "cSTN3bbN0XOaxx0CRe/PGX5qZMBWmblkeUFxynsC8ylet0OVUh4QAAAARzc2g6AQAAACVT\n"
    "U0sxAEePbc3BBdVXpGEGGRWO2IyxSpgsMirF2YvPzF2KOl9RAAAAAAAAAAdyb290QHZt\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char ec_pub[] =
    "AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTYAAABB"
    "BIxNmof0Xz8Nnwqrug2iMLepl8Va7q9LTNXXEkzd22zdFzmscdAkXvzxl+amTAVpm5ZHlBcc"
    "p7AvMpXrdDlVIeEAAAAEc3NoOg==";

/* ssh-keygen -s (ed25519 CA) -I skcert -n root -z 9 of the sk-ecdsa
 * vector: a sk-ecdsa-sha2-nistp256-cert-v01@openssh.com user certificate. */
static const char ec_cert[] =
    "AAAAK3NrLWVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20AAAAguv"
    "iucD8nzc1QcwqUfvPKKXNr2mmRDGdjs0CeCwQnUugAAAAIbmlzdHAyNTYAAABBBIxNmof0"
    "Xz8Nnwqrug2iMLepl8Va7q9LTNXXEkzd22zdFzmscdAkXvzxl+amTAVpm5ZHlBccp7AvMp"
    "XrdDlVIeEAAAAEc3NoOgAAAAAAAAAJAAAAAQAAAAZza2NlcnQAAAAIAAAABHJvb3QAAAAA"
    "AAAAAP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAAB"
    "dwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGlu"
    "ZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAAD"
    "MAAAALc3NoLWVkMjU1MTkAAAAgk6dU2E4xpVevayxPlLffPtCqicnQNaRcU6sSAigvNFEA"
    "AABTAAAAC3NzaC1lZDI1NTE5AAAAQIJpJYEqpDFpJvo9H5lIk/p1oZerCceVPsf2dY84Up"
    "bIa0Ql/oEkIZHvTOuoElSrpWqwzLF2/uK9JWO88dg42AA=";

static nssh_key *load(const char *text)
{
    nssh_key *k = NULL;
    char why[200];
    assert_int_equal(nssh_ossl_key_load_private((const uint8_t *)text, strlen(text),
                                                &k, why, sizeof(why)), 0);
    return k;
}

static size_t decode(const char *b64, uint8_t *out, size_t cap)
{
    long n = nssh_ossl_base64_decode(b64, strlen(b64), out, cap);
    assert_true(n > 0);
    return (size_t)n;
}

/* ---- The test authenticator ---------------------------------------------- */
typedef struct fake_auth {
    const uint8_t *pub;      /* public blob, for the P-256 point */
    size_t pub_len;
    int calls, fail, short_sig;
    uint8_t seen_flags;
    char seen_app[64];
    uint8_t flags;           /* what it reports */
    uint32_t counter;
} fake_auth;

/* SHA256(app) || flags || counter || SHA256(data), PROTOCOL.u2f. */
static void u2f_message(const char *app, uint8_t flags, uint32_t counter,
                        const uint8_t *data, size_t len, uint8_t out[69])
{
    unsigned n;
    assert_true(EVP_Digest(app, strlen(app), out, &n, EVP_sha256(), NULL));
    out[32] = flags;
    put_be32(out + 33, counter);
    assert_true(EVP_Digest(data, len, out + 37, &n, EVP_sha256(), NULL));
}

static int fake_sign(void *user, const nssh_ossl_sk_request *q,
                     nssh_ossl_sk_result *out)
{
    fake_auth *a = user;
    const uint8_t *h = q->key_handle;
    uint8_t msg[69], sig[128];
    size_t sig_len = sizeof(sig);
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *md;
    rd r;
    const uint8_t *t, *qp;
    size_t tn, qn;

    a->calls++;
    a->seen_flags = q->flags;
    snprintf(a->seen_app, sizeof(a->seen_app), "%s", q->application);
    if (a->fail)
        return NSSH_ERR_CRYPTO;
    md = EVP_MD_CTX_new();
    assert_non_null(md);
    assert_int_equal(q->key_handle_len, 37);
    assert_memory_equal(h, "SSK1", 4);
    assert_int_equal(h[4], q->ecdsa ? 0 : 1);
    if (q->ecdsa) {
        rd_init(&r, a->pub, a->pub_len);
        assert_int_equal(rd_string(&r, &t, &tn), 0);
        assert_int_equal(rd_string(&r, &t, &tn), 0);
        assert_int_equal(rd_string(&r, &qp, &qn), 0);
        assert_int_equal(key_build_ecdsa(key_info_by_type(NSSH_KEY_ECDSA_P256), qp,
                                         qn, h + 5, 32, &pkey), 0);
    } else {
        pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, h + 5, 32);
    }
    assert_non_null(pkey);
    out->flags = a->flags;
    out->counter = a->counter;
    u2f_message(q->application, out->flags, out->counter, q->data, q->data_len, msg);
    assert_int_equal(EVP_DigestSignInit(md, NULL, q->ecdsa ? EVP_sha256() : NULL,
                                        NULL, pkey), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, msg, sizeof(msg)), 1);
    if (q->ecdsa) {
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
        const BIGNUM *br, *bs;
        assert_non_null(es);
        ECDSA_SIG_get0(es, &br, &bs);
        out->r_len = (size_t)BN_bn2bin(br, out->r);
        out->s_len = (size_t)BN_bn2bin(bs, out->s);
        ECDSA_SIG_free(es);
    } else {
        memcpy(out->r, sig, 64);
        out->r_len = a->short_sig ? 63 : 64;
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    return 0;
}

/* ---- Key files ------------------------------------------------------------- */
static void check_key(const char *file, const char *pub_b64, int type,
                      const char *name)
{
    uint8_t want[256], blob[256];
    size_t wn = decode(pub_b64, want, sizeof(want)), bn;
    nssh_key *k = load(file), *p = NULL;
    const nssh_sig_alg *algs[4];

    assert_int_equal(nssh_ossl_key_type(k), type);
    assert_true(nssh_ossl_key_is_sk(k));
    assert_string_equal(nssh_ossl_key_type_name(k), name);
    assert_int_equal(nssh_ossl_key_public_blob(k, blob, sizeof(blob), &bn), 0);
    assert_int_equal(bn, wn);
    assert_memory_equal(blob, want, wn);
    assert_int_equal(nssh_ossl_key_sig_algs(k, algs, 4), 1);
    assert_string_equal(algs[0]->name, name);
    /* The public blob alone makes a public key; trailing bytes do not. */
    assert_int_equal(nssh_ossl_key_from_blob(want, wn, &p), 0);
    assert_true(nssh_ossl_key_is_sk(p));
    nssh_ossl_key_free(p);
    want[wn] = 0;
    assert_int_not_equal(nssh_ossl_key_from_blob(want, wn + 1, &p), 0);
    assert_null(p);
    nssh_ossl_key_free(k);
}

static void test_load_files(void **state)
{
    (void)state;
    check_key(ed_file, ed_pub, NSSH_KEY_SK_ED25519, "sk-ssh-ed25519@openssh.com");
    check_key(ec_file, ec_pub, NSSH_KEY_SK_ECDSA_P256,
              "sk-ecdsa-sha2-nistp256@openssh.com");
}

/* Written back in OpenSSH's format, the file loads as the same key. */
static void test_save_roundtrip(void **state)
{
    const char *files[] = { ed_file, ec_file };
    size_t i, n1, n2, len;
    uint8_t b1[256], b2[256];
    char *text = NULL, comment[64];
    nssh_key *k, *k2 = NULL;

    (void)state;
    for (i = 0; i < 2; i++) {
        k = load(files[i]);
        assert_int_equal(nssh_ossl_key_save_private(k, "again", &text, &len), 0);
        assert_int_equal(nssh_ossl_key_load_private((uint8_t *)text, len, &k2,
                                                    comment, sizeof(comment)), 0);
        assert_string_equal(comment, "again");
        assert_int_equal(nssh_ossl_key_public_blob(k, b1, sizeof(b1), &n1), 0);
        assert_int_equal(nssh_ossl_key_public_blob(k2, b2, sizeof(b2), &n2), 0);
        assert_int_equal(n1, n2);
        assert_memory_equal(b1, b2, n1);
        free(text);
        nssh_ossl_key_free(k);
        nssh_ossl_key_free(k2);
        k2 = NULL;
    }
}

/* ---- Signatures ------------------------------------------------------------ */
static void sign_and_verify(const char *file, const char *pub_b64,
                            const nssh_sig_alg *alg, uint8_t flags)
{
    uint8_t pub[256], sig[NSSH_SIG_MAX], data[32];
    size_t pn = decode(pub_b64, pub, sizeof(pub)), sl = 0, tn, rn;
    fake_auth a = { .pub = pub, .pub_len = pn, .flags = flags, .counter = 0x01020304 };
    nssh_key *k = load(file);
    const uint8_t *t, *raw;
    uint8_t f;
    uint32_t ctr;
    rd r;

    memset(data, 0x5a, sizeof(data));
    /* No authenticator attached: the key cannot sign. */
    assert_int_equal(alg->sign(k, data, sizeof(data), sig, sizeof(sig), &sl, NULL, NULL),
                     NSSH_ERR_KEY);
    nssh_ossl_key_set_sk_signer(k, fake_sign, &a);
    assert_int_equal(alg->sign(k, data, sizeof(data), sig, sizeof(sig), &sl, NULL, NULL), 0);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.seen_flags, 0x01);     /* the file's flags: touch required */
    assert_string_equal(a.seen_app, "ssh:");
    /* string name, string raw, byte flags, uint32 counter */
    rd_init(&r, sig, sl);
    assert_int_equal(rd_string(&r, &t, &tn), 0);
    assert_int_equal(tn, strlen(alg->name));
    assert_memory_equal(t, alg->name, tn);
    assert_int_equal(rd_string(&r, &raw, &rn), 0);
    assert_int_equal(rd_u8(&r, &f), 0);
    assert_int_equal(rd_u32(&r, &ctr), 0);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(f, flags);
    assert_int_equal(ctr, 0x01020304);
    assert_int_equal(alg->verify(pub, pn, data, sizeof(data), sig, sl), 0);
    /* Another message, or the flags changed after signing: refused. */
    data[0] ^= 1;
    assert_int_equal(alg->verify(pub, pn, data, sizeof(data), sig, sl), NSSH_ERR_SIGNATURE);
    data[0] ^= 1;
    sig[sl - 5] ^= 0x04;
    assert_int_equal(alg->verify(pub, pn, data, sizeof(data), sig, sl), NSSH_ERR_SIGNATURE);
    /* Too small an output buffer. */
    assert_int_equal(alg->sign(k, data, sizeof(data), sig, 40, &sl, NULL, NULL),
                     NSSH_ERR_NOSPACE);
    /* The authenticator fails: so does the signature. */
    a.fail = 1;
    assert_int_equal(alg->sign(k, data, sizeof(data), sig, sizeof(sig), &sl, NULL, NULL),
                     NSSH_ERR_CRYPTO);
    nssh_ossl_key_free(k);
}

static void test_sign_ed25519(void **state)
{
    (void)state;
    sign_and_verify(ed_file, ed_pub, &nssh_ossl_sig_sk_ed25519, 0x01);
    sign_and_verify(ed_file, ed_pub, &nssh_ossl_sig_sk_ed25519, 0x05);
}

static void test_sign_ecdsa(void **state)
{
    (void)state;
    sign_and_verify(ec_file, ec_pub, &nssh_ossl_sig_sk_ecdsa_p256, 0x01);
    sign_and_verify(ec_file, ec_pub, &nssh_ossl_sig_sk_ecdsa_p256, 0x00);
}

/* A key signs only as its own type; a malformed answer is no signature. */
static void test_sign_refusals(void **state)
{
    uint8_t pub[256], sig[NSSH_SIG_MAX], data[4] = { 1, 2, 3, 4 };
    size_t pn = decode(ed_pub, pub, sizeof(pub)), sl;
    fake_auth a = { .pub = pub, .pub_len = pn, .flags = 1, .short_sig = 1 };
    nssh_key *k = load(ed_file);

    (void)state;
    nssh_ossl_key_set_sk_signer(k, fake_sign, &a);
    assert_int_equal(nssh_ossl_sig_sk_ecdsa_p256.sign(k, data, 4, sig, sizeof(sig), &sl,
                                                      NULL, NULL), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_sig_ed25519.sign(k, data, 4, sig, sizeof(sig), &sl,
                                                NULL, NULL), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_sig_sk_ed25519.sign(k, data, 4, sig, sizeof(sig), &sl,
                                                   NULL, NULL), NSSH_ERR_SIGNATURE);
    nssh_ossl_key_free(k);
}

/* The ECDSA raw signature is mpint r || mpint s (RFC 4251 section 5):
 * leading zeros dropped, a zero byte before a set top bit. */
static void test_ecdsa_blob_layout(void **state)
{
    static const uint8_t want[] = {
        0, 0, 0, 4, 'n', 'a', 'm', 'e',
        0, 0, 0, 12,
        0, 0, 0, 3, 0x00, 0x80, 0x01,      /* r = 80 01 */
        0, 0, 0, 1, 0x7f,                  /* s = 00 00 7f */
        0x05, 0, 0, 0, 9,
    };
    nssh_ossl_sk_result res;
    uint8_t sig[64];
    size_t sl = 0;

    (void)state;
    memset(&res, 0, sizeof(res));
    res.r[0] = 0x80, res.r[1] = 0x01, res.r_len = 2;
    res.s[2] = 0x7f, res.s_len = 3;
    res.flags = 5, res.counter = 9;
    assert_int_equal(key_sk_sig_blob("name", 1, &res, sig, sizeof(sig), &sl), 0);
    assert_int_equal(sl, sizeof(want));
    assert_memory_equal(sig, want, sizeof(want));
    res.s_len = 0;   /* no s: not an ECDSA signature */
    assert_int_equal(key_sk_sig_blob("name", 1, &res, sig, sizeof(sig), &sl),
                     NSSH_ERR_SIGNATURE);
    res.s_len = 3;   /* an Ed25519 signature has no s */
    res.r_len = 64;
    assert_int_equal(key_sk_sig_blob("name", 0, &res, sig, sizeof(sig), &sl),
                     NSSH_ERR_SIGNATURE);
}

/* ---- webauthn (PROTOCOL.u2f "webauthn signatures") ------------------------ */
/* The private scalar in the sk-ecdsa vector's key handle ("SSK1" || 0 ||
 * d, the test middleware's format). */
static const uint8_t *ec_handle_priv(void)
{
    static uint8_t bin[1024];
    char text[1024];
    const char *p = strchr(ec_file, '\n') + 1, *end = strstr(ec_file, "-----END");
    size_t n = 0, i;
    long got;
    for (; p < end; p++)
        if (*p != '\n')
            text[n++] = *p;
    got = nssh_ossl_base64_decode(text, n, bin, sizeof(bin));
    assert_true(got > 0);
    for (i = 0; i + 37 <= (size_t)got; i++)
        if (!memcmp(bin + i, "SSK1", 4) && bin[i + 4] == 0)
            return bin + i + 5;
    fail();
    return NULL;
}

/* A browser's signature by the sk-ecdsa vector key over data: clientData
 * names the challenge (base64url of data, "" to forge) and origin. */
static size_t webauthn_sig(const uint8_t *data, size_t len, const char *challenge,
                           const char *origin, uint8_t flags, const char *ext,
                           uint8_t *out, size_t cap)
{
    uint8_t pub[256], msg[512], der[128], h[32];
    size_t pn = decode(ec_pub, pub, sizeof(pub)), dl = sizeof(der), mark, el = strlen(ext);
    char cd[512], b64[256];
    long bn;
    unsigned n;
    const uint8_t *handle_priv;
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ECDSA_SIG *es;
    const unsigned char *p = der;
    const BIGNUM *br, *bs;
    uint8_t r[40], s[40];
    int rl, sl;
    rd rr;
    const uint8_t *t, *q;
    size_t tn, qn;
    wr w;

    handle_priv = ec_handle_priv();
    bn = nssh_ossl_base64_encode(data, len, b64, sizeof(b64));
    assert_true(bn > 0);
    while (bn > 0 && b64[bn - 1] == '=')
        b64[--bn] = 0;
    for (long i = 0; i < bn; i++)
        b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    snprintf(cd, sizeof(cd),
             "{\"type\":\"webauthn.get\",\"challenge\":\"%s\",\"origin\":\"%s\","
             "\"crossOrigin\":false}", challenge ? challenge : b64, origin);
    assert_true(EVP_Digest("ssh:", 4, msg, &n, EVP_sha256(), NULL));
    msg[32] = flags;
    put_be32(msg + 33, 5);
    memcpy(msg + 37, ext, el);
    assert_true(EVP_Digest(cd, strlen(cd), h, &n, EVP_sha256(), NULL));
    memcpy(msg + 37 + el, h, 32);
    rd_init(&rr, pub, pn);
    assert_int_equal(rd_string(&rr, &t, &tn), 0);
    assert_int_equal(rd_string(&rr, &t, &tn), 0);
    assert_int_equal(rd_string(&rr, &q, &qn), 0);
    assert_int_equal(key_build_ecdsa(key_info_by_type(NSSH_KEY_ECDSA_P256), q, qn,
                                     handle_priv, 32, &pkey), 0);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey), 1);
    assert_int_equal(EVP_DigestSign(md, der, &dl, msg, 37 + el + 32), 1);
    es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    ECDSA_SIG_get0(es, &br, &bs);
    rl = BN_bn2bin(br, r);
    sl = BN_bn2bin(bs, s);
    wr_init(&w, out, cap);
    wr_cstring(&w, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com");
    mark = wr_string_begin(&w);
    wr_mpint(&w, r, (size_t)rl);
    wr_mpint(&w, s, (size_t)sl);
    wr_string_end(&w, mark);
    wr_u8(&w, flags);
    wr_u32(&w, 5);
    wr_cstring(&w, origin);
    wr_cstring(&w, cd);
    wr_string(&w, ext, el);
    assert_int_equal(w.err, 0);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    return w.len;
}

static void test_webauthn(void **state)
{
    uint8_t pub[256], sig[1024], data[48];
    size_t pn = decode(ec_pub, pub, sizeof(pub)), sl;
    const nssh_sig_alg *wa = nssh_ossl_sig_by_name("webauthn-sk-ecdsa-sha2-nistp256@openssh.com");

    (void)state;
    assert_ptr_equal(wa, &nssh_ossl_sig_webauthn_sk_ecdsa_p256);
    memset(data, 0xc3, sizeof(data));
    sl = webauthn_sig(data, sizeof(data), NULL, "https://example.org", 0x01, "", sig, sizeof(sig));
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl), 0);
    /* sshd takes the webauthn form for the sk-ecdsa algorithm itself. */
    assert_int_equal(nssh_ossl_sig_sk_ecdsa_p256.verify(pub, pn, data, sizeof(data), sig, sl), 0);
    data[0] ^= 1;   /* clientData's challenge is another message */
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl), NSSH_ERR_SIGNATURE);
    data[0] ^= 1;
    sl = webauthn_sig(data, sizeof(data), "AAAA", "https://example.org", 0x01, "", sig, sizeof(sig));
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl), NSSH_ERR_SIGNATURE);
    /* Extensions must be announced by the ED flag, and only then. */
    sl = webauthn_sig(data, sizeof(data), NULL, "https://example.org", 0x81, "\xa0", sig, sizeof(sig));
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl), 0);
    sl = webauthn_sig(data, sizeof(data), NULL, "https://example.org", 0x01, "\xa0", sig, sizeof(sig));
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl), NSSH_ERR_SIGNATURE);
    sl = webauthn_sig(data, sizeof(data), NULL, "https://example.org", 0x41, "", sig, sizeof(sig));
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl), NSSH_ERR_SIGNATURE);
    /* Trailing bytes; and this server never signs in that form. */
    sl = webauthn_sig(data, sizeof(data), NULL, "https://example.org", 0x01, "", sig, sizeof(sig));
    assert_int_equal(wa->verify(pub, pn, data, sizeof(data), sig, sl + 1), NSSH_ERR_FORMAT);
    assert_int_equal(wa->sign(NULL, data, 4, sig, sizeof(sig), &sl, NULL, NULL),
                     NSSH_ERR_UNSUPPORTED);
}

/* ---- Certificates (PROTOCOL.u2f "SSH U2F Key formats", certkeys) ------- */
static void test_certificate(void **state)
{
    uint8_t blob[1024], pub[256], plain[256], sig[NSSH_SIG_MAX], data[16];
    size_t bn = decode(ec_cert, blob, sizeof(blob)), pn = decode(ec_pub, pub, sizeof(pub));
    size_t n, sl, cut;
    fake_auth a = { .pub = pub, .pub_len = pn, .flags = 1, .counter = 3 };
    nssh_key *k = load(ec_file);
    nssh_cert c;

    (void)state;
    assert_int_equal(nssh_cert_parse(blob, bn, &c), 0);
    assert_int_equal(c.cert_type, NSSH_CERT_USER);
    assert_int_equal(c.serial, 9);
    assert_string_equal(c.plain_type, "sk-ecdsa-sha2-nistp256@openssh.com");
    /* The certified key is the plain sk key, application included. */
    assert_int_equal(nssh_cert_plain_key(&c, plain, sizeof(plain), &n), 0);
    assert_int_equal(n, pn);
    assert_memory_equal(plain, pub, pn);
    /* The CA's signature over everything before it. */
    assert_int_equal(nssh_ossl_sig_ed25519.verify(c.ca_key, c.ca_key_len, blob,
                                                  c.signed_len, c.signature,
                                                  c.signature_len), 0);
    /* The certificate algorithm verifies the key's sk signatures. */
    memset(data, 7, sizeof(data));
    nssh_ossl_key_set_sk_signer(k, fake_sign, &a);
    assert_int_equal(nssh_ossl_sig_sk_ecdsa_p256.sign(k, data, sizeof(data), sig,
                                                      sizeof(sig), &sl, NULL, NULL), 0);
    assert_int_equal(nssh_ossl_sig_sk_ecdsa_p256_cert.verify(blob, bn, data, sizeof(data),
                                                             sig, sl), 0);
    assert_true(nssh_ossl_sig_sk_ecdsa_p256_cert.flags & NSSH_SIG_SK);
    data[3] ^= 1;
    assert_int_equal(nssh_ossl_sig_sk_ecdsa_p256_cert.verify(blob, bn, data, sizeof(data),
                                                             sig, sl), NSSH_ERR_SIGNATURE);
    /* Every truncation is refused. */
    for (cut = 0; cut < bn; cut++)
        assert_int_not_equal(nssh_cert_parse(blob, cut, &c), 0);
    nssh_ossl_key_free(k);
}

/* ---- Damaged files --------------------------------------------------------- */
/* An openssh-key-v1 file for the ed25519 vector's public key with the
 * private fields given (PROTOCOL.key; check integers, comment, padding). */
static char *make_file(const uint8_t *priv_fields, size_t n)
{
    static uint8_t bin[1024], sec[512];
    uint8_t pub[128];
    static char out[2048];
    size_t pn = decode(ed_pub, pub, sizeof(pub)), i;
    wr w, s;
    long b;

    wr_init(&s, sec, sizeof(sec));
    wr_u32(&s, 0x11223344);
    wr_u32(&s, 0x11223344);
    wr_cstring(&s, "sk-ssh-ed25519@openssh.com");
    wr_bytes(&s, priv_fields, n);
    wr_cstring(&s, "c");
    for (i = 1; s.len % 8; i++)
        wr_u8(&s, (uint8_t)i);
    wr_init(&w, bin, sizeof(bin));
    wr_bytes(&w, "openssh-key-v1", 15);
    wr_cstring(&w, "none");
    wr_cstring(&w, "none");
    wr_cstring(&w, "");
    wr_u32(&w, 1);
    wr_string(&w, pub, pn);
    wr_string(&w, sec, s.len);
    assert_int_equal(w.err, 0);
    strcpy(out, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    b = nssh_ossl_base64_encode(bin, w.len, out + strlen(out), sizeof(out) - 100);
    assert_true(b > 0);
    strcat(out, "\n-----END OPENSSH PRIVATE KEY-----\n");
    return out;
}

static int try_fields(const char *app, size_t app_len, int flags, size_t handle_len,
                      int reserved)
{
    uint8_t f[256], pub[128], handle[64];
    size_t pn = decode(ed_pub, pub, sizeof(pub));
    nssh_key *k = NULL;
    const char *file;
    wr w;
    int e;

    memset(handle, 0xab, sizeof(handle));
    wr_init(&w, f, sizeof(f));
    wr_bytes(&w, pub + 4 + 26, 4 + 32);          /* string pk from the blob */
    wr_string(&w, app, app_len);
    if (flags >= 0)
        wr_u8(&w, (uint8_t)flags);
    if (flags >= 0 && handle_len != (size_t)-1)
        wr_string(&w, handle, handle_len);
    if (reserved)
        wr_u32(&w, 0);
    file = make_file(f, w.len);
    e = nssh_ossl_key_load_private((const uint8_t *)file, strlen(file), &k, NULL, 0);
    nssh_ossl_key_free(k);
    (void)pn;
    return e;
}

static void test_damaged_files(void **state)
{
    (void)state;
    /* The well-formed file loads; the application must match the public
     * blob's ("ssh:"), since the public key is checked against it. */
    assert_int_equal(try_fields("ssh:", 4, 1, 37, 1), 0);
    assert_int_not_equal(try_fields("ssh:x", 5, 1, 37, 1), 0);
    assert_int_not_equal(try_fields("ssh\0", 4, 1, 37, 1), 0);   /* NUL inside */
    assert_int_not_equal(try_fields("ssh:", 4, 1, 0, 1), 0);     /* empty handle */
    assert_int_not_equal(try_fields("ssh:", 4, 1, 37, 0), 0);    /* no reserved */
    assert_int_not_equal(try_fields("ssh:", 4, 1, (size_t)-1, 0), 0); /* no handle */
    assert_int_not_equal(try_fields("ssh:", 4, -1, 0, 0), 0);    /* no flags */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_files),
        cmocka_unit_test(test_save_roundtrip),
        cmocka_unit_test(test_sign_ed25519),
        cmocka_unit_test(test_sign_ecdsa),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_ecdsa_blob_layout),
        cmocka_unit_test(test_webauthn),
        cmocka_unit_test(test_certificate),
        cmocka_unit_test(test_damaged_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
