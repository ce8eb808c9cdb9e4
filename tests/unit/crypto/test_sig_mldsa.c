/*
 * ssh-mldsa44-ed25519@openssh.com in the OpenSSL backend: the composite
 * signature against one made by @noble/post-quantum and @noble/curves
 * (vectors/mldsa_vectors.h), a key file made by OpenSSH 10.5's ssh-keygen
 * (vectors/mldsa_sshkey.h) loaded, printed, saved and signing; then what
 * must be refused: a changed signature, message or key, the other half
 * missing, hostile lengths in blobs and key files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "nanossh.h"
#include "nanossh_ossl.h"
#include "pq/mldsa44.h"
#include "vectors/mldsa_sshkey.h"
#include "vectors/mldsa_vectors.h"

#define ALG (&nssh_ossl_sig_mldsa44_ed25519)
#define NAME "ssh-mldsa44-ed25519@openssh.com"
#define RAW 2484u

/* The random source the signer asks for rnd: the vector's. */
static int fixed_rng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    assert_int_equal(len, 32);
    memcpy(out, mldsa_comp_rnd, 32);
    return 0;
}

/* A key blob for pk: string name || string pk. */
static size_t make_blob(uint8_t *out, size_t cap, const uint8_t *pk, size_t len)
{
    wr w;

    wr_init(&w, out, cap);
    wr_cstring(&w, NAME);
    wr_string(&w, pk, len);
    assert_int_equal(w.err, 0);
    return w.len;
}

static size_t make_sig(uint8_t *out, size_t cap, const uint8_t *raw, size_t len)
{
    wr w;

    wr_init(&w, out, cap);
    wr_cstring(&w, NAME);
    wr_string(&w, raw, len);
    assert_int_equal(w.err, 0);
    return w.len;
}

/* noble's composite signature verifies under noble's public key. */
static void test_composite_vector(void **state)
{
    static uint8_t blob[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX];
    const uint8_t *msg = mldsa_comp_msg;
    size_t bl, sl;

    (void)state;
    bl = make_blob(blob, sizeof(blob), mldsa_comp_pk, sizeof(mldsa_comp_pk));
    sl = make_sig(sig, sizeof(sig), mldsa_comp_sig, sizeof(mldsa_comp_sig));
    assert_int_equal(ALG->verify(blob, bl, msg, sizeof(mldsa_comp_msg), sig, sl), 0);
    assert_int_equal(ALG->verify(blob, bl, msg, sizeof(mldsa_comp_msg) - 1, sig, sl),
                     NSSH_ERR_SIGNATURE);
}

/* Our signature with noble's rnd is noble's signature, byte for byte:
 * the vector's seeds go into an openssh-key-v1 file built here
 * (PROTOCOL.key), which the loader expands into keys that must give
 * noble's public key. */
static void test_composite_sign_matches(void **state)
{
    static uint8_t blob[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX], want[NSSH_SIG_MAX];
    uint8_t seeds[64];
    nssh_key *k = NULL;
    size_t bl, sl, wl;
    char *text = NULL;
    size_t tl;

    (void)state;
    memcpy(seeds, mldsa_comp_mldsa_seed, 32);
    memcpy(seeds + 32, mldsa_comp_ed25519_seed, 32);
    {
        /* openssh-key-v1 with cipher none (PROTOCOL.key) */
        static uint8_t file[8192], priv[4096];
        wr w, p;
        const uint8_t *pk = mldsa_comp_pk;
        char *b64;
        size_t b64_len;

        bl = make_blob(blob, sizeof(blob), pk, sizeof(mldsa_comp_pk));
        wr_init(&p, priv, sizeof(priv));
        wr_u32(&p, 0x01020304);
        wr_u32(&p, 0x01020304);
        wr_cstring(&p, NAME);
        wr_string(&p, pk, sizeof(mldsa_comp_pk));
        wr_string(&p, seeds, sizeof(seeds));
        wr_cstring(&p, "vector");
        for (tl = 1; p.len % 8; tl++)
            wr_u8(&p, (uint8_t)tl);
        wr_init(&w, file, sizeof(file));
        wr_bytes(&w, (const uint8_t *)"openssh-key-v1", 15);
        wr_cstring(&w, "none");
        wr_cstring(&w, "none");
        wr_string(&w, NULL, 0);
        wr_u32(&w, 1);
        wr_string(&w, blob, bl);
        wr_string(&w, priv, p.len);
        assert_int_equal(w.err, 0);
        assert_int_equal(p.err, 0);
        b64_len = 4 * ((w.len + 2) / 3) + 200;
        b64 = malloc(b64_len);
        assert_non_null(b64);
        assert_true(nssh_ossl_base64_encode(file, w.len, b64, b64_len) > 0);
        text = malloc(b64_len + 200);
        assert_non_null(text);
        tl = (size_t)sprintf(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n"
                             "-----END OPENSSH PRIVATE KEY-----\n", b64);
        free(b64);
    }
    assert_int_equal(nssh_ossl_key_load_private((uint8_t *)text, tl, &k, NULL, 0), 0);
    free(text);
    assert_int_equal(nssh_ossl_key_type(k), NSSH_KEY_MLDSA44_ED25519);
    assert_int_equal(ALG->sign(k, mldsa_comp_msg, sizeof(mldsa_comp_msg), sig,
                               sizeof(sig), &sl, fixed_rng, NULL), 0);
    wl = make_sig(want, sizeof(want), mldsa_comp_sig, sizeof(mldsa_comp_sig));
    assert_int_equal(sl, wl);
    assert_memory_equal(sig, want, wl);
    nssh_ossl_key_free(k);
}

/* OpenSSH 10.5's key file: loads, prints the same public line, saves to
 * something that loads again, signs what verifies. */
static void test_openssh_keyfile(void **state)
{
    static uint8_t blob[NSSH_KEYBLOB_MAX], blob2[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX];
    static char line[4096];
    char comment[64];
    nssh_key *k = NULL, *k2 = NULL;
    size_t bl, bl2, sl, out_len;
    char *out = NULL;
    const uint8_t data[] = "data to sign";

    (void)state;
    assert_int_equal(nssh_ossl_key_load_private((const uint8_t *)mldsa_sshkey_private,
                                                strlen(mldsa_sshkey_private), &k,
                                                comment, sizeof(comment)), 0);
    assert_string_equal(comment, "mldsa-test");
    assert_string_equal(nssh_ossl_key_type_name(k), NAME);
    assert_int_equal(nssh_ossl_key_public_line(k, "mldsa-test", line, sizeof(line)), 0);
    assert_string_equal(line, mldsa_sshkey_public);
    assert_int_equal(nssh_ossl_key_public_blob(k, blob, sizeof(blob), &bl), 0);
    assert_int_equal(bl, 4 + 31 + 4 + 1344);
    assert_int_equal(ALG->sign(k, data, sizeof(data), sig, sizeof(sig), &sl,
                               nssh_ossl_rng, NULL), 0);
    assert_int_equal(sl, 4 + 31 + 4 + RAW);
    assert_int_equal(ALG->verify(blob, bl, data, sizeof(data), sig, sl), 0);
    /* saved and loaded again: the same key */
    assert_int_equal(nssh_ossl_key_save_private(k, "again", &out, &out_len), 0);
    assert_int_equal(nssh_ossl_key_load_private((uint8_t *)out, out_len, &k2, NULL, 0), 0);
    assert_int_equal(nssh_ossl_key_public_blob(k2, blob2, sizeof(blob2), &bl2), 0);
    assert_int_equal(bl2, bl);
    assert_memory_equal(blob2, blob, bl);
    free(out);
    nssh_ossl_key_free(k2);
    /* generated keys work too */
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_MLDSA44_ED25519, 0, &k2), 0);
    assert_int_equal(nssh_ossl_key_public_blob(k2, blob2, sizeof(blob2), &bl2), 0);
    assert_int_equal(ALG->sign(k2, data, 3, sig, sizeof(sig), &sl, nssh_ossl_rng, NULL), 0);
    assert_int_equal(ALG->verify(blob2, bl2, data, 3, sig, sl), 0);
    assert_int_equal(ALG->verify(blob, bl, data, 3, sig, sl), NSSH_ERR_SIGNATURE);
    nssh_ossl_key_free(k2);
    nssh_ossl_key_free(k);
}

/* Changed bits anywhere, each half alone, wrong lengths and names. */
static void test_refused(void **state)
{
    static uint8_t blob[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX], raw[RAW + 8];
    static uint8_t pk[1344 + 8];
    const uint8_t *msg = mldsa_comp_msg;
    size_t ml = sizeof(mldsa_comp_msg), bl, sl, i;
    nssh_key *k = NULL;

    (void)state;
    bl = make_blob(blob, sizeof(blob), mldsa_comp_pk, sizeof(mldsa_comp_pk));
    for (i = 0; i < RAW; i += 37) {
        memcpy(raw, mldsa_comp_sig, RAW);
        raw[i] ^= 0x10;
        sl = make_sig(sig, sizeof(sig), raw, RAW);
        assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
    }
    /* the Ed25519 half alone is wrong too: its last byte */
    memcpy(raw, mldsa_comp_sig, RAW);
    raw[RAW - 1] ^= 1;
    sl = make_sig(sig, sizeof(sig), raw, RAW);
    assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
    /* a key with either half changed */
    sl = make_sig(sig, sizeof(sig), mldsa_comp_sig, RAW);
    for (i = 0; i < 1344; i += 331) {
        memcpy(pk, mldsa_comp_pk, 1344);
        pk[i] ^= 4;
        bl = make_blob(blob, sizeof(blob), pk, 1344);
        assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
    }
    memcpy(pk, mldsa_comp_pk, 1344);
    pk[1343] ^= 4;
    bl = make_blob(blob, sizeof(blob), pk, 1344);
    assert_int_not_equal(ALG->verify(blob, bl, msg, ml, sig, sl), 0);
    /* hostile lengths: signature short, long, empty; key short, long */
    bl = make_blob(blob, sizeof(blob), mldsa_comp_pk, 1344);
    for (i = 0; i < 3; i++) {
        static const size_t lens[] = { RAW - 1, 0, 2420 };
        memset(raw, 0, sizeof(raw));
        memcpy(raw, mldsa_comp_sig, lens[i]);
        sl = make_sig(sig, sizeof(sig), raw, lens[i]);
        assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
    }
    memcpy(raw, mldsa_comp_sig, RAW);
    sl = make_sig(sig, sizeof(sig), raw, RAW + 1);
    assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
    sl = make_sig(sig, sizeof(sig), mldsa_comp_sig, RAW);
    assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl - 1), NSSH_ERR_FORMAT);
    memcpy(pk, mldsa_comp_pk, 1344);
    bl = make_blob(blob, sizeof(blob), pk, 1343);
    assert_int_equal(ALG->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_KEY);
    assert_int_equal(nssh_ossl_key_from_blob(blob, bl, &k), NSSH_ERR_KEY);
    bl = make_blob(blob, sizeof(blob), pk, 1345);
    assert_int_equal(nssh_ossl_key_from_blob(blob, bl, &k), NSSH_ERR_KEY);
    bl = make_blob(blob, sizeof(blob), pk, 1344);
    assert_int_equal(nssh_ossl_key_from_blob(blob, bl - 1, &k), NSSH_ERR_KEY);
    assert_null(k);
    /* an Ed25519 signature blob under this name is refused, and the
     * composite under the Ed25519 verifier */
    assert_int_equal(nssh_ossl_sig_ed25519.verify(blob, bl, msg, ml, sig, sl),
                     NSSH_ERR_SIGNATURE);
}

/* A private key whose public half does not match its seeds is refused. */
static void test_keyfile_mismatch(void **state)
{
    nssh_key *k = NULL;
    char *out = NULL, *p;
    size_t out_len;

    (void)state;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_MLDSA44_ED25519, 0, &k), 0);
    assert_int_equal(nssh_ossl_key_save_private(k, "", &out, &out_len), 0);
    nssh_ossl_key_free(k);
    k = NULL;
    /* the base64 of the private section's public key sits in the middle
     * of the file: change one character there */
    p = out + out_len / 2;
    *p = *p == 'A' ? 'B' : 'A';
    assert_int_not_equal(nssh_ossl_key_load_private((uint8_t *)out, out_len, &k, NULL, 0), 0);
    assert_null(k);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_composite_vector),
        cmocka_unit_test(test_composite_sign_matches),
        cmocka_unit_test(test_openssh_keyfile),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_keyfile_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
