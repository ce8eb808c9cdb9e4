/*
 * Known-answer tests of the OpenSSL backend's algorithm tables: hashes
 * (FIPS 180 "abc"), HMAC (RFC 4231, RFC 2202), AES-CTR (NIST SP 800-38A
 * F.5), X25519 (RFC 7748 section 6.1), Ed25519 (RFC 8032 section 7.1)
 * from vectors/published_vectors.h, shared with the compact backend's
 * tests; the SSH AEAD packet constructions (vectors/aead_vectors.h: the worked
 * example of draft-ietf-sshm-chacha20-poly1305 and vectors made by
 * vectors/gen_aead.py with an independent implementation), ECDSA and RSA
 * round trips, and the algorithm lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>  /* EVP_RSA_gen */

#include "buf.h"
#include "ossl.h"
#include "kat.h"
#include "vectors/published_vectors.h"

/* ---- helpers ------------------------------------------------------------ */

/* A random source that hands out fixed bytes, so results are known. */
typedef struct fixed_rng {
    uint8_t b[64];
    size_t n, pos;
} fixed_rng;

static int fixed_rng_fn(void *user, uint8_t *out, size_t len)
{
    fixed_rng *f = user;

    if (len > f->n - f->pos)
        return NSSH_ERR_RNG;
    memcpy(out, f->b + f->pos, len);
    f->pos += len;
    return 0;
}

/* string name || string raw: a signature blob (RFC 4253 section 6.6). */
static size_t sig_blob(const char *name, const uint8_t *raw, size_t raw_len,
                       uint8_t *out, size_t cap)
{
    wr w;

    wr_init(&w, out, cap);
    wr_cstring(&w, name);
    wr_string(&w, raw, raw_len);
    assert_int_equal(w.err, 0);
    return w.len;
}

/* ---- hashes --------------------------------------------------------------- */

static void test_hash_abc(void **state)
{
    static const struct {
        const nssh_hash *h;
        const char *want;
    } v[] = {
        { &nssh_ossl_sha1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
        { &nssh_ossl_sha256, sha256_abc },
        { &nssh_ossl_sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
                             "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
        { &nssh_ossl_sha512, sha512_abc },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t ctx[NSSH_HASH_CTX_SIZE] ALIGNED = { 0 };
        uint8_t out[64];

        v[i].h->cleanup(ctx);  /* safe on a zeroed block */
        assert_int_equal(v[i].h->init(ctx), 0);
        assert_int_equal(v[i].h->update(ctx, "a", 1), 0);
        assert_int_equal(v[i].h->update(ctx, "", 0), 0);
        assert_int_equal(v[i].h->update(ctx, "bc", 2), 0);
        assert_int_equal(v[i].h->final(ctx, out), 0);
        assert_hex(out, v[i].h->out_len, v[i].want);
        v[i].h->cleanup(ctx);  /* final already released it */

        /* Abandoned midway: cleanup alone releases it. */
        assert_int_equal(v[i].h->init(ctx), 0);
        assert_int_equal(v[i].h->update(ctx, "abc", 3), 0);
        v[i].h->cleanup(ctx);
    }
}

/* ---- MACs ------------------------------------------------------------------- */

/*
 * compute() MACs be32(seq) || data, so a published vector is fed with its
 * first four data bytes as seq. Keys shorter than the table's key_len are
 * zero-padded, which HMAC does itself for keys under the block size.
 */
static void check_hmac(const nssh_mac *m, const uint8_t *key, size_t keylen,
                       const uint8_t *data, size_t len, const char *want)
{
    uint8_t ctx[NSSH_MAC_CTX_SIZE] ALIGNED = { 0 };
    uint8_t k[64] = { 0 }, out[64];
    int round;

    assert_true(keylen <= m->key_len && len >= 4);
    memcpy(k, key, keylen);
    assert_int_equal(m->init(ctx, k), 0);
    for (round = 0; round < 3; round++) {  /* the key is reused */
        memset(out, 0, sizeof(out));
        assert_int_equal(m->compute(ctx, be32(data), data + 4, len - 4, out), 0);
        assert_hex(out, m->out_len, want);
    }
    m->cleanup(ctx);
    m->cleanup(ctx);
}

static void test_hmac_rfc4231(void **state)
{
    static const struct {
        const char *key, *data, *sha256, *sha512;
    } v[] = {
        { hmac1_key, hmac1_data, hmac1_256, hmac1_512 },
        { hmac2_key, hmac2_data, hmac2_256, hmac2_512 },
        { hmac3_key, hmac3_data, hmac3_256, hmac3_512 },
        { hmac4_key, hmac4_data, hmac4_256, hmac4_512 },
    };
    uint8_t key[64], data[64];
    size_t i, kl, dl;

    (void)state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        kl = unhex(v[i].key, key, sizeof(key));
        dl = unhex(v[i].data, data, sizeof(data));
        check_hmac(&nssh_ossl_hmac_sha256, key, kl, data, dl, v[i].sha256);
        check_hmac(&nssh_ossl_hmac_sha256_etm, key, kl, data, dl, v[i].sha256);
        check_hmac(&nssh_ossl_hmac_sha512, key, kl, data, dl, v[i].sha512);
        check_hmac(&nssh_ossl_hmac_sha512_etm, key, kl, data, dl, v[i].sha512);
    }
    /* RFC 2202 test case 1 for HMAC-SHA1. */
    kl = unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", key, sizeof(key));
    dl = unhex("4869205468657265", data, sizeof(data));
    check_hmac(&nssh_ossl_hmac_sha1, key, kl, data, dl,
               "b617318655057264e28bc0b6fb378c8ef146be00");
    check_hmac(&nssh_ossl_hmac_sha1_etm, key, kl, data, dl,
               "b617318655057264e28bc0b6fb378c8ef146be00");
}

/* ---- AES-CTR ------------------------------------------------------------------ */

static void test_aes_ctr_sp800_38a(void **state)
{
    static const struct {
        const nssh_cipher *c;
        const char *key, *ct;
    } v[] = {
        { &nssh_ossl_aes128_ctr, ctr128_key, ctr128_ct },
        { &nssh_ossl_aes192_ctr, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
          "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94"
          "1e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050" },
        { &nssh_ossl_aes256_ctr, ctr256_key, ctr256_ct },
    };
    uint8_t key[32], iv[16], pt[64], buf[64];
    size_t i;

    (void)state;
    unhex(ctr_iv, iv, sizeof(iv));
    unhex(ctr_pt, pt, sizeof(pt));
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t enc[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
        uint8_t dec[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
        const nssh_cipher *c = v[i].c;

        assert_int_equal(unhex(v[i].key, key, sizeof(key)), c->key_len);
        assert_int_equal(c->iv_len, 16);
        assert_int_equal(c->block_len, 16);
        assert_int_equal(c->flags & NSSH_CIPHER_AEAD, 0);
        assert_int_equal(c->init(enc, key, iv, 1), 0);
        assert_int_equal(c->init(dec, key, iv, 0), 0);
        memcpy(buf, pt, sizeof(pt));
        /* In pieces: the keystream carries over. */
        assert_int_equal(c->crypt(enc, buf, 16), 0);
        assert_int_equal(c->crypt(enc, buf + 16, 48), 0);
        assert_hex(buf, sizeof(buf), v[i].ct);
        assert_int_equal(c->crypt(dec, buf, 32), 0);
        assert_int_equal(c->crypt(dec, buf + 32, 32), 0);
        assert_memory_equal(buf, pt, sizeof(pt));
        c->cleanup(enc);
        c->cleanup(dec);
        c->cleanup(dec);
    }
}

/* ---- X25519 ---------------------------------------------------------------------- */

static void test_x25519_rfc7748(void **state)
{
    const nssh_kem *kems[] = { &nssh_ossl_curve25519_sha256,
                               &nssh_ossl_curve25519_sha256_libssh };
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        const nssh_kem *k = kems[i];
        uint8_t pk[32], sk[32], ct[32], ss[32], ss2[32];
        fixed_rng alice = { .n = 32 }, bob = { .n = 32 };

        assert_int_equal(k->pk_len, 32);
        assert_int_equal(k->ct_len, 32);
        assert_int_equal(k->sk_len, 32);
        assert_int_equal(k->ss_len, 32);
        assert_int_equal(k->flags, NSSH_KEM_SS_MPINT);
        assert_ptr_equal(k->hash, &nssh_ossl_sha256);
        unhex(x25519_alice_sk, alice.b, sizeof(alice.b));
        unhex(x25519_bob_sk, bob.b, sizeof(bob.b));

        assert_int_equal(k->keypair(pk, sk, fixed_rng_fn, &alice), 0);
        assert_hex(sk, 32, x25519_alice_sk);
        assert_hex(pk, 32, x25519_alice_pk);
        assert_int_equal(k->encaps(ct, ss, pk, fixed_rng_fn, &bob), 0);
        assert_hex(ct, 32, x25519_bob_pk);
        assert_hex(ss, 32, x25519_dh_shared);
        assert_int_equal(k->decaps(ss2, ct, sk), 0);
        assert_hex(ss2, 32, x25519_dh_shared);

        /* The random source failing is reported as such. */
        assert_int_equal(k->keypair(pk, sk, fixed_rng_fn, &alice), NSSH_ERR_RNG);
    }
}

/* Low-order points give an all-zero secret (RFC 7748 section 6.1,
 * RFC 8731 section 3): refused. */
static void test_x25519_low_order(void **state)
{
    const nssh_kem *k = &nssh_ossl_curve25519_sha256;
    uint8_t zero[32] = { 0 }, one[32] = { 1 }, ct[32], ss[32], sk[32];
    fixed_rng bob = { .n = 64 };

    (void)state;
    unhex(x25519_bob_sk, bob.b, sizeof(bob.b));
    unhex(x25519_alice_sk, bob.b + 32, 32);
    assert_int_equal(k->encaps(ct, ss, zero, fixed_rng_fn, &bob), NSSH_ERR_KEX_VALUE);
    assert_int_equal(k->encaps(ct, ss, one, fixed_rng_fn, &bob), NSSH_ERR_KEX_VALUE);
    unhex(x25519_alice_sk, sk, sizeof(sk));
    assert_int_equal(k->decaps(ss, zero, sk), NSSH_ERR_KEX_VALUE);
    assert_int_equal(k->decaps(ss, one, sk), NSSH_ERR_KEX_VALUE);
}

/* ---- Ed25519 ------------------------------------------------------------------------ */

/* string "ssh-ed25519" || string(pk) (RFC 8709 section 4). */
static size_t ed_blob(const uint8_t pk[32], uint8_t *out, size_t cap)
{
    wr w;

    wr_init(&w, out, cap);
    wr_cstring(&w, "ssh-ed25519");
    wr_string(&w, pk, 32);
    assert_int_equal(w.err, 0);
    return w.len;
}

static void test_ed25519_rfc8032(void **state)
{
    static const struct {
        const char *sk, *pk, *msg, *sig;
    } v[] = {
        { ed1_sk, ed1_pk, ed1_msg, ed1_sig },
        { ed2_sk, ed2_pk, ed2_msg, ed2_sig },
        { ed3_sk, ed3_pk, ed3_msg, ed3_sig },
    };
    const nssh_sig_alg *a = &nssh_ossl_sig_ed25519;
    size_t i;

    (void)state;
    assert_string_equal(a->name, "ssh-ed25519");
    assert_string_equal(a->key_type, "ssh-ed25519");
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t seed[32], pk[32], msg[4], sig[128], blob[64], raw[64];
        size_t ml, sl = 0, bl;
        struct nssh_key key = { .type = NSSH_KEY_ED25519, .has_private = 1 };
        rd r;
        const uint8_t *p;
        size_t n;

        unhex(v[i].sk, seed, sizeof(seed));
        unhex(v[i].pk, pk, sizeof(pk));
        ml = unhex(v[i].msg, msg, sizeof(msg));
        key.pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
        assert_non_null(key.pkey);
        bl = ed_blob(pk, blob, sizeof(blob));

        assert_int_equal(a->sign(&key, msg, ml, sig, sizeof(sig), &sl, NULL, NULL), 0);
        /* string "ssh-ed25519" || string(signature) */
        rd_init(&r, sig, sl);
        assert_int_equal(rd_string(&r, &p, &n), 0);
        assert_int_equal(n, 11);
        assert_memory_equal(p, "ssh-ed25519", 11);
        assert_int_equal(rd_string(&r, &p, &n), 0);
        assert_int_equal(rd_end(&r), 0);
        assert_hex(p, n, v[i].sig);

        assert_int_equal(a->verify(blob, bl, msg, ml, sig, sl), 0);
        /* Another message, a flipped signature bit. */
        assert_int_equal(a->verify(blob, bl, (const uint8_t *)"x", 1, sig, sl),
                         NSSH_ERR_SIGNATURE);
        memcpy(raw, p, 64);
        sig[sl - 1] ^= 0x01;
        assert_int_equal(a->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
        sig[sl - 1] ^= 0x01;
        /* Truncated blob: broken encoding. */
        assert_int_equal(a->verify(blob, bl, msg, ml, sig, sl - 1), NSSH_ERR_FORMAT);
        /* Too small for the output. */
        assert_int_equal(a->sign(&key, msg, ml, sig, 40, &sl, NULL, NULL), NSSH_ERR_NOSPACE);
        /* The same raw signature under another name. */
        sl = sig_blob("ssh-ed448", raw, 64, sig, sizeof(sig));
        assert_int_equal(a->verify(blob, bl, msg, ml, sig, sl), NSSH_ERR_SIGNATURE);
        EVP_PKEY_free(key.pkey);
    }
}

/* ---- chacha20-poly1305@openssh.com ------------------------------------------------ */

static void test_chachapoly_vectors(void **state)
{
    const nssh_cipher *c = &nssh_ossl_chacha20_poly1305;
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };

    (void)state;
    assert_int_equal(c->iv_len, 0);
    c->cleanup(ctx);  /* safe on a zeroed block */
    chachapoly_kat(c);
}

/* Seal then open packets of several sizes at several sequence numbers. */
static void aead_roundtrips(const nssh_cipher *c, const uint8_t *key, const uint8_t *iv,
                            int use_seq)
{
    static const uint32_t seqs[] = { 0, 1, 2, 3, 0x7fffffffu, 0x80000000u,
                                     0xfffffffeu, 0xffffffffu };
    uint8_t enc[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t dec[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t pkt[4 + 1024 + 16], orig[4 + 1024];
    size_t i, j;

    assert_int_equal(c->init(enc, key, iv, 1), 0);
    assert_int_equal(c->init(dec, key, iv, 0), 0);
    for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        size_t body = (size_t)c->block_len * (1 + i * 9);
        uint32_t seq = use_seq ? seqs[i] : 0, plen = 0;

        assert_true(body <= 1024);
        put_be32(orig, (uint32_t)body);
        for (j = 0; j < body; j++)
            orig[4 + j] = (uint8_t)(j * 31 + i);
        memcpy(pkt, orig, 4 + body);
        assert_int_equal(c->seal(enc, seq, pkt, 4 + body), 0);
        assert_memory_not_equal(pkt + 4, orig + 4, body);
        assert_int_equal(c->get_length(dec, seq, pkt, &plen), 0);
        assert_int_equal(plen, body);
        assert_int_equal(c->open(dec, seq, pkt, 4 + body), 0);
        assert_memory_equal(pkt + 4, orig + 4, body);
    }
    c->cleanup(enc);
    c->cleanup(dec);
}

static void test_chachapoly_roundtrip(void **state)
{
    uint8_t key[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xa5 ^ i);
    aead_roundtrips(&nssh_ossl_chacha20_poly1305, key, NULL, 1);
}

/* ---- aes-gcm@openssh.com --------------------------------------------------------- */

static void test_gcm_vectors(void **state)
{
    const nssh_cipher *c128 = &nssh_ossl_aes128_gcm, *c256 = &nssh_ossl_aes256_gcm;
    uint8_t enc[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t dec[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t key[32], iv[12], pkt[64 + 16];
    uint32_t plen = 0;
    size_t len;

    (void)state;
    assert_int_equal(c128->key_len, 16);
    assert_int_equal(c256->key_len, 32);
    assert_int_equal(c128->iv_len, 12);
    assert_int_equal(c128->block_len, 16);
    assert_int_equal(c128->tag_len, 16);
    assert_int_equal(c128->flags, NSSH_CIPHER_AEAD);

    /* Two packets: the invocation counter carries from ...ffffffff into
     * the next byte; the sequence number plays no part. */
    unhex(gcm128_key, key, sizeof(key));
    unhex(gcm128_iv, iv, sizeof(iv));
    assert_int_equal(c128->init(enc, key, iv, 1), 0);
    assert_int_equal(c128->init(dec, key, iv, 0), 0);
    aead_check(c128, enc, dec, 3, gcm128_p1_pt, gcm128_p1_ct);
    aead_check(c128, enc, dec, 4, gcm128_p2_pt, gcm128_p2_ct);
    c128->cleanup(enc);
    c128->cleanup(dec);

    unhex(gcm256_key, key, sizeof(key));
    unhex(gcm256_iv, iv, sizeof(iv));
    assert_int_equal(c256->init(enc, key, iv, 1), 0);
    assert_int_equal(c256->init(dec, key, iv, 0), 0);
    aead_check(c256, enc, dec, 0, gcm256_pt, gcm256_ct);
    c256->cleanup(enc);
    c256->cleanup(dec);

    /* The length is in clear and authenticated; the tag is checked. */
    len = unhex(gcm256_ct, pkt, sizeof(pkt)) - 16;
    assert_int_equal(c256->get_length(dec, 0, pkt, &plen), 0);
    assert_int_equal(plen, len - 4);
    assert_int_equal(c256->init(dec, key, iv, 0), 0);
    pkt[3] ^= 0x01;
    assert_int_equal(c256->open(dec, 0, pkt, len), NSSH_ERR_MAC);
    c256->cleanup(dec);
    pkt[3] ^= 0x01;
    assert_int_equal(c256->init(dec, key, iv, 0), 0);
    pkt[len] ^= 0x01;
    assert_int_equal(c256->open(dec, 0, pkt, len), NSSH_ERR_MAC);
    c256->cleanup(dec);
    pkt[len] ^= 0x01;
    assert_int_equal(c256->init(dec, key, iv, 0), 0);
    assert_int_equal(c256->open(dec, 0, pkt, len), 0);
    c256->cleanup(dec);
    c256->cleanup(dec);
}

static void test_gcm_roundtrip(void **state)
{
    uint8_t key[32], iv[12];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 3);
    memset(iv, 0xff, sizeof(iv));  /* the counter wraps on the first packet */
    aead_roundtrips(&nssh_ossl_aes128_gcm, key, iv, 1);
    aead_roundtrips(&nssh_ossl_aes256_gcm, key, iv, 0);
}

/* ---- ECDSA and RSA ------------------------------------------------------------------ */

static const uint8_t msg[] = "exchange hash stand-in";

/* Sign and verify with alg; other is an algorithm of another name that
 * must refuse the signature. Returns the raw signature length. */
static size_t sig_roundtrip(const nssh_sig_alg *alg, const nssh_sig_alg *other,
                            const nssh_key *k, uint8_t *blob, size_t bl)
{
    uint8_t sig[NSSH_SIG_MAX];
    size_t sl = 0, n;
    const uint8_t *p;
    rd r;

    assert_int_equal(alg->sign(k, msg, sizeof(msg), sig, sizeof(sig), &sl,
                               nssh_ossl_rng, NULL), 0);
    rd_init(&r, sig, sl);
    assert_int_equal(rd_string(&r, &p, &n), 0);
    assert_int_equal(n, strlen(alg->name));
    assert_memory_equal(p, alg->name, n);
    assert_int_equal(rd_string(&r, &p, &n), 0);
    assert_int_equal(rd_end(&r), 0);

    assert_int_equal(alg->verify(blob, bl, msg, sizeof(msg), sig, sl), 0);
    assert_int_equal(alg->verify(blob, bl, msg, sizeof(msg) - 1, sig, sl),
                     NSSH_ERR_SIGNATURE);
    assert_int_equal(other->verify(blob, bl, msg, sizeof(msg), sig, sl),
                     NSSH_ERR_SIGNATURE);
    assert_int_equal(alg->verify(blob, bl, msg, sizeof(msg), sig, sl - 1),
                     NSSH_ERR_FORMAT);
    sig[sl - 2] ^= 0x10;
    assert_int_equal(alg->verify(blob, bl, msg, sizeof(msg), sig, sl),
                     NSSH_ERR_SIGNATURE);
    /* A malformed key blob. */
    assert_int_equal(alg->verify(blob, bl - 1, msg, sizeof(msg), sig, sl), NSSH_ERR_KEY);
    return n;
}

static void test_ecdsa_roundtrip(void **state)
{
    static const struct {
        int type;
        const nssh_sig_alg *alg;
        const char *name;
    } v[] = {
        { NSSH_KEY_ECDSA_P256, &nssh_ossl_sig_ecdsa_p256, "ecdsa-sha2-nistp256" },
        { NSSH_KEY_ECDSA_P384, &nssh_ossl_sig_ecdsa_p384, "ecdsa-sha2-nistp384" },
        { NSSH_KEY_ECDSA_P521, &nssh_ossl_sig_ecdsa_p521, "ecdsa-sha2-nistp521" },
    };
    nssh_key *keys[3] = { NULL };
    uint8_t blobs[3][NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX];
    size_t bl[3], i, sl;

    (void)state;
    for (i = 0; i < 3; i++) {
        assert_string_equal(v[i].alg->name, v[i].name);
        assert_string_equal(v[i].alg->key_type, v[i].name);
        assert_int_equal(nssh_ossl_key_generate(v[i].type, 0, &keys[i]), 0);
        assert_int_equal(nssh_ossl_key_public_blob(keys[i], blobs[i], sizeof(blobs[i]), &bl[i]), 0);
    }
    for (i = 0; i < 3; i++) {
        const nssh_sig_alg *other = v[(i + 1) % 3].alg;

        sig_roundtrip(v[i].alg, other, keys[i], blobs[i], bl[i]);
        /* A key of another curve: refused as the wrong key. */
        assert_int_equal(v[i].alg->sign(keys[i], msg, sizeof(msg), sig, sizeof(sig), &sl,
                                         nssh_ossl_rng, NULL), 0);
        assert_int_equal(v[i].alg->verify(blobs[(i + 1) % 3], bl[(i + 1) % 3], msg,
                                          sizeof(msg), sig, sl), NSSH_ERR_KEY);
        assert_int_equal(other->sign(keys[i], msg, sizeof(msg), sig, sizeof(sig), &sl,
                                     nssh_ossl_rng, NULL), NSSH_ERR_KEY);
    }
    for (i = 0; i < 3; i++)
        nssh_ossl_key_free(keys[i]);
}

/* string "ssh-rsa" || mpint e || mpint n of an EVP key (RFC 4253 6.6). */
static size_t rsa_blob(EVP_PKEY *pkey, uint8_t *out, size_t cap)
{
    BIGNUM *e = NULL, *n = NULL;
    uint8_t b[1024];
    int len;
    wr w;

    assert_int_equal(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n), 1);
    wr_init(&w, out, cap);
    wr_cstring(&w, "ssh-rsa");
    len = BN_bn2bin(e, b);
    wr_mpint(&w, b, (size_t)len);
    len = BN_bn2bin(n, b);
    wr_mpint(&w, b, (size_t)len);
    assert_int_equal(w.err, 0);
    BN_free(e);
    BN_free(n);
    return w.len;
}

/*
 * A signature with leading zero bytes dropped is still accepted (some
 * signers send it that way); one longer than the modulus is not.
 */
static void rsa_short_sig(const nssh_sig_alg *alg, const nssh_key *k,
                          const uint8_t *blob, size_t bl)
{
    uint8_t data[4], sig[NSSH_SIG_MAX], raw[512];
    const uint8_t *p;
    size_t sl = 0, n = 0;
    uint32_t i;
    rd r;

    for (i = 0; i < 4096; i++) {  /* one in 256 starts with a zero byte */
        put_be32(data, i);
        assert_int_equal(alg->sign(k, data, 4, sig, sizeof(sig), &sl, NULL, NULL), 0);
        rd_init(&r, sig, sl);
        assert_int_equal(rd_string(&r, &p, &n), 0);
        assert_int_equal(rd_string(&r, &p, &n), 0);
        if (p[0] == 0)
            break;
    }
    assert_true(i < 4096);
    memcpy(raw, p, n);
    sl = sig_blob(alg->name, raw + 1, n - 1, sig, sizeof(sig));
    assert_int_equal(alg->verify(blob, bl, data, 4, sig, sl), 0);
    memmove(raw + 1, raw, n);
    raw[0] = 0;
    sl = sig_blob(alg->name, raw, n + 1, sig, sizeof(sig));
    assert_int_equal(alg->verify(blob, bl, data, 4, sig, sl), NSSH_ERR_SIGNATURE);
}

static void test_rsa_roundtrip(void **state)
{
    const nssh_sig_alg *algs[] = { &nssh_ossl_sig_rsa_sha2_512, &nssh_ossl_sig_rsa_sha2_256,
                                   &nssh_ossl_sig_ssh_rsa };
    uint8_t blob[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX];
    nssh_key *k = NULL;
    struct nssh_key small = { .type = NSSH_KEY_RSA, .has_private = 1 };
    size_t bl, i, sl;

    (void)state;
    assert_string_equal(algs[0]->name, "rsa-sha2-512");
    assert_string_equal(algs[1]->name, "rsa-sha2-256");
    assert_string_equal(algs[2]->name, "ssh-rsa");
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_RSA, 2048, &k), 0);
    assert_int_equal(nssh_ossl_key_public_blob(k, blob, sizeof(blob), &bl), 0);
    for (i = 0; i < 3; i++) {
        assert_string_equal(algs[i]->key_type, "ssh-rsa");
        /* The raw signature is as long as the modulus (RFC 8332 section 3). */
        assert_int_equal(sig_roundtrip(algs[i], algs[(i + 1) % 3], k, blob, bl), 256);
    }
    rsa_short_sig(algs[1], k, blob, bl);
    /* An Ed25519 key cannot sign as RSA. */
    small.type = NSSH_KEY_ED25519;
    assert_int_equal(algs[0]->sign(&small, msg, sizeof(msg), sig, sizeof(sig), &sl,
                                   nssh_ossl_rng, NULL), NSSH_ERR_KEY);
    assert_int_equal(algs[0]->sign(k, msg, sizeof(msg), sig, 100, &sl, nssh_ossl_rng, NULL),
                     NSSH_ERR_NOSPACE);
    nssh_ossl_key_free(k);

    /* Keys under 1024 bits are refused when verifying. */
    small.type = NSSH_KEY_RSA;
    small.pkey = EVP_RSA_gen(768);
    assert_non_null(small.pkey);
    bl = rsa_blob(small.pkey, blob, sizeof(blob));
    assert_int_equal(algs[0]->sign(&small, msg, sizeof(msg), sig, sizeof(sig), &sl,
                                   nssh_ossl_rng, NULL), 0);
    assert_int_equal(algs[0]->verify(blob, bl, msg, sizeof(msg), sig, sl), NSSH_ERR_KEY);
    EVP_PKEY_free(small.pkey);
}

/* ---- lists ------------------------------------------------------------------------------ */

/* A public-only key signing through a signer of its own (HostKeyAgent):
 * the signer gets the key's blob and the algorithm; what it returns is
 * taken only as a blob of that algorithm. */
static nssh_key *signer_priv;
static const char *signer_rename;
static char signer_alg[64];

static int test_signer(void *user, const uint8_t *blob, size_t blob_len,
                       const char *alg, const uint8_t *data, size_t len,
                       uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    const nssh_sig_alg *a = nssh_ossl_sig_by_name(signer_rename ? signer_rename : alg);
    uint8_t own[NSSH_KEYBLOB_MAX];
    size_t n;
    (void)user;
    snprintf(signer_alg, sizeof(signer_alg), "%s", alg);
    assert_int_equal(nssh_ossl_key_public_blob(signer_priv, own, sizeof(own), &n), 0);
    assert_int_equal(n, blob_len);
    assert_memory_equal(own, blob, n);
    return a->sign(signer_priv, data, len, sig, sig_max, sig_len, NULL, NULL);
}

static void test_external_signer(void **state)
{
    static const uint8_t msg[] = "exchange hash";
    uint8_t blob[NSSH_KEYBLOB_MAX], sig[NSSH_SIG_MAX];
    const nssh_sig_alg *r512 = nssh_ossl_sig_by_name("rsa-sha2-512");
    nssh_key *pub = NULL;
    size_t bl, sl = 0;
    (void)state;
    assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_RSA, 2048, &signer_priv), 0);
    assert_int_equal(nssh_ossl_key_public_blob(signer_priv, blob, sizeof(blob), &bl), 0);
    assert_int_equal(nssh_ossl_key_from_blob(blob, bl, &pub), 0);
    /* Without a signer a public key cannot sign. */
    assert_true(r512->sign(pub, msg, sizeof(msg), sig, sizeof(sig), &sl, NULL, NULL) < 0);
    assert_int_equal(nssh_ossl_key_set_signer(pub, test_signer, NULL), 0);
    assert_int_equal(r512->sign(pub, msg, sizeof(msg), sig, sizeof(sig), &sl, NULL, NULL), 0);
    assert_string_equal(signer_alg, "rsa-sha2-512");
    assert_int_equal(r512->verify(blob, bl, msg, sizeof(msg), sig, sl), 0);
    /* An answer of another algorithm (SHA-1 for a SHA-2 request). */
    signer_rename = "ssh-rsa";
    assert_int_equal(r512->sign(pub, msg, sizeof(msg), sig, sizeof(sig), &sl, NULL, NULL),
                     NSSH_ERR_SIGNATURE);
    signer_rename = NULL;
    nssh_ossl_key_free(pub);
    nssh_ossl_key_free(signer_priv);
}

static void test_lists(void **state)
{
    static const char *const kems[] = { "curve25519-sha256", "curve25519-sha256@libssh.org" };
    static const char *const ciphers[] = {
        "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "aes128-ctr", "aes192-ctr", "aes256-ctr" };
    static const char *const macs[] = {
        "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512" };
    static const char *const sigs[] = {
        "ssh-ed25519-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com",
        "ssh-mldsa44-ed25519@openssh.com",
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256" };
    size_t i;

    (void)state;
    /* Other key exchanges sit around these two; each KEM's own tests
     * check its place in the list. */
    for (i = 0; nssh_ossl_kems[i] != NULL; i++)
        assert_ptr_equal(nssh_ossl_kem_by_name(nssh_ossl_kems[i]->name),
                         nssh_ossl_kems[i]);
    for (i = 0; nssh_ossl_kems[i] != NULL; i++)
        if (strcmp(nssh_ossl_kems[i]->name, kems[0]) == 0)
            break;
    assert_non_null(nssh_ossl_kems[i]);
    assert_non_null(nssh_ossl_kems[i + 1]);
    assert_string_equal(nssh_ossl_kems[i + 1]->name, kems[1]);
    for (i = 0; i < 6; i++) {
        assert_string_equal(nssh_ossl_ciphers[i]->name, ciphers[i]);
        assert_ptr_equal(nssh_ossl_cipher_by_name(ciphers[i]), nssh_ossl_ciphers[i]);
    }
    assert_null(nssh_ossl_ciphers[i]);
    for (i = 0; i < 4; i++) {
        assert_string_equal(nssh_ossl_macs[i]->name, macs[i]);
        assert_ptr_equal(nssh_ossl_mac_by_name(macs[i]), nssh_ossl_macs[i]);
    }
    assert_null(nssh_ossl_macs[i]);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        assert_string_equal(nssh_ossl_sig_algs[i]->name, sigs[i]);
        assert_ptr_equal(nssh_ossl_sig_by_name(sigs[i]), nssh_ossl_sig_algs[i]);
    }
    assert_null(nssh_ossl_sig_algs[i]);

    /* Kept for old peers: found by name, not offered. */
    assert_ptr_equal(nssh_ossl_mac_by_name("hmac-sha1"), &nssh_ossl_hmac_sha1);
    assert_ptr_equal(nssh_ossl_mac_by_name("hmac-sha1-etm@openssh.com"),
                     &nssh_ossl_hmac_sha1_etm);
    assert_ptr_equal(nssh_ossl_sig_by_name("ssh-rsa"), &nssh_ossl_sig_ssh_rsa);
    assert_ptr_equal(nssh_ossl_cipher_by_name("aes128-cbc"), &nssh_ossl_aes128_cbc);
    assert_ptr_equal(nssh_ossl_cipher_by_name("3des-cbc"), &nssh_ossl_3des_cbc);
    assert_ptr_equal(nssh_ossl_kem_by_name("diffie-hellman-group1-sha1"),
                     &nssh_ossl_dh_group1_sha1);
    assert_ptr_equal(nssh_ossl_mac_by_name("hmac-md5"), &nssh_ossl_hmac_md5);
    assert_ptr_equal(nssh_ossl_mac_by_name("umac-64@openssh.com"), &nssh_ossl_umac64);
    /* OpenSSH dropped these; so does nanossh. */
    assert_null(nssh_ossl_cipher_by_name("blowfish-cbc"));
    assert_null(nssh_ossl_cipher_by_name("arcfour256"));
    assert_null(nssh_ossl_mac_by_name("hmac-ripemd160"));
    assert_null(nssh_ossl_sig_by_name("ssh-dss"));
    assert_null(nssh_ossl_sig_by_name(NULL));
}

static void test_rng(void **state)
{
    uint8_t a[64] = { 0 }, b[64] = { 0 }, zero[64] = { 0 };

    (void)state;
    assert_int_equal(nssh_ossl_rng(NULL, a, sizeof(a)), 0);
    assert_int_equal(nssh_ossl_rng(NULL, b, sizeof(b)), 0);
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(nssh_ossl_rng(NULL, a, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_abc),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_aes_ctr_sp800_38a),
        cmocka_unit_test(test_x25519_rfc7748),
        cmocka_unit_test(test_x25519_low_order),
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_chachapoly_vectors),
        cmocka_unit_test(test_chachapoly_roundtrip),
        cmocka_unit_test(test_gcm_vectors),
        cmocka_unit_test(test_gcm_roundtrip),
        cmocka_unit_test(test_ecdsa_roundtrip),
        cmocka_unit_test(test_rsa_roundtrip),
        cmocka_unit_test(test_external_signer),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_rng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
