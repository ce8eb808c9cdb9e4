/*
 * The compact backend against OpenSSL on random inputs: thousands per
 * primitive, with random lengths (0 and odd sizes included) and random
 * splits of streamed input. SHA-2 and HMAC against EVP and against the
 * OpenSSL backend's tables; X25519 with random scalars and points;
 * Ed25519 signatures byte for byte, and verification agreeing on valid
 * and corrupted signatures; AES-CTR and AES-GCM against EVP;
 * chacha20-poly1305 and the AEAD/CTR/MAC tables of both backends on the
 * same keys and sequence numbers; the hybrid KEMs across backends.
 *
 * The inputs come from a seeded generator; the seed is printed and can
 * be set with COMPACT_DIFF_SEED to replay a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "compact.h"
#include "nanossh_compact.h"
#include "ossl.h"
#include "kat.h"

static uint64_t rs;

static uint64_t rnd64(void)
{
    /* splitmix64 */
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t rnd(size_t n)
{
    return n ? (size_t)(rnd64() % n) : 0;
}

static void fill(uint8_t *p, size_t n)
{
    while (n--)
        *p++ = (uint8_t)rnd64();
}

/* An nssh_rng_fn over the same generator. */
static int test_rng(void *u, uint8_t *out, size_t len)
{
    (void)u;
    fill(out, len);
    return 0;
}

/* A deterministic source: the same bytes for both backends. */
typedef struct stream {
    uint64_t s;
} stream;

static int stream_rng(void *u, uint8_t *out, size_t len)
{
    stream *st = u;

    while (len--) {
        st->s = st->s * 6364136223846793005ull + 1442695040888963407ull;
        *out++ = (uint8_t)(st->s >> 56);
    }
    return 0;
}

static int setup(void **state)
{
    const char *e = getenv("COMPACT_DIFF_SEED");

    (void)state;
    rs = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
    printf("COMPACT_DIFF_SEED=%llu\n", (unsigned long long)rs);
    return 0;
}

#define N_FAST 3000   /* hashes, MACs, ciphers */
#define N_SLOW 1000   /* X25519, Ed25519 */

static void test_sha2_vs_evp(void **state)
{
    static uint8_t msg[3000];
    uint8_t a[64], b[64];
    uint8_t ctx[NSSH_HASH_CTX_SIZE] ALIGNED;
    int i, which;

    (void)state;
    for (i = 0; i < N_FAST; i++) {
        size_t len = i < 300 ? (size_t)i : rnd(sizeof(msg) + 1), off = 0;

        fill(msg, len);
        for (which = 0; which < 2; which++) {
            const nssh_hash *h = which ? &nssh_compact_sha512 : &nssh_compact_sha256;

            assert_int_equal(h->init(ctx), 0);
            while (off < len) {
                size_t n = 1 + rnd(len - off);

                assert_int_equal(h->update(ctx, msg + off, n), 0);
                off += n;
            }
            off = 0;
            assert_int_equal(h->final(ctx, a), 0);
            assert_int_equal(EVP_Digest(msg, len, b, NULL,
                                        which ? EVP_sha512() : EVP_sha256(), NULL), 1);
            assert_memory_equal(a, b, h->out_len);
        }
    }
}

static void test_hmac_vs_openssl(void **state)
{
    static uint8_t msg[2000];
    uint8_t key[300], a[64], b[64];
    uint8_t c1[NSSH_MAC_CTX_SIZE] ALIGNED, c2[NSSH_MAC_CTX_SIZE] ALIGNED;
    const nssh_mac *cm[4] = { &nssh_compact_hmac_sha256, &nssh_compact_hmac_sha512,
                              &nssh_compact_hmac_sha256_etm, &nssh_compact_hmac_sha512_etm };
    const nssh_mac *om[4] = { &nssh_ossl_hmac_sha256, &nssh_ossl_hmac_sha512,
                              &nssh_ossl_hmac_sha256_etm, &nssh_ossl_hmac_sha512_etm };
    compact_hmac_ctx m;
    unsigned int n;
    int i, j;

    (void)state;
    /* raw HMAC, any key length (long keys are hashed) */
    for (i = 0; i < N_FAST; i++) {
        size_t kl = rnd(sizeof(key) + 1), len = rnd(sizeof(msg) + 1);
        int big = (int)rnd(2);

        fill(key, kl);
        fill(msg, len);
        assert_int_equal(compact_hmac_setkey(&m, big ? 64 : 32, key, kl), 0);
        assert_int_equal(compact_hmac_compute(&m, msg, len, NULL, 0, a), 0);
        assert_non_null(HMAC(big ? EVP_sha512() : EVP_sha256(), key, (int)kl, msg,
                             len, b, &n));
        assert_memory_equal(a, b, n);
    }
    /* the SSH tables of both backends */
    for (i = 0; i < N_FAST; i++) {
        uint32_t seq = (uint32_t)rnd64();
        size_t len = rnd(sizeof(msg) + 1);

        j = (int)rnd(4);
        assert_string_equal(cm[j]->name, om[j]->name);
        assert_int_equal(cm[j]->etm, om[j]->etm);
        fill(key, cm[j]->key_len);
        fill(msg, len);
        assert_int_equal(cm[j]->init(c1, key), 0);
        assert_int_equal(om[j]->init(c2, key), 0);
        assert_int_equal(cm[j]->compute(c1, seq, msg, len, a), 0);
        assert_int_equal(om[j]->compute(c2, seq, msg, len, b), 0);
        assert_memory_equal(a, b, cm[j]->out_len);
        cm[j]->cleanup(c1);
        om[j]->cleanup(c2);
    }
}

static void test_x25519_vs_openssl(void **state)
{
    uint8_t k[32], u[32], a[32], b[32];
    int i, ea, eb;

    (void)state;
    for (i = 0; i < N_SLOW; i++) {
        fill(k, 32);
        fill(u, 32);   /* any 32 bytes: both mask the top bit */
        ea = compact_x25519_shared(a, k, u);
        eb = x25519_shared(b, k, u);
        assert_int_equal(ea, eb);
        if (ea == 0)
            assert_memory_equal(a, b, 32);
        assert_int_equal(compact_x25519_public(k, a), 0);
        assert_int_equal(x25519_public(k, b), 0);
        assert_memory_equal(a, b, 32);
    }
}

/* OpenSSL's Ed25519 signature and verdict for a raw seed. */
static void ossl_ed_sign(const uint8_t seed[32], const uint8_t *m, size_t len,
                         uint8_t sig[64], uint8_t pub[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t n = 64;

    assert_non_null(k);
    assert_non_null(c);
    assert_int_equal(EVP_DigestSignInit(c, NULL, NULL, NULL, k), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &n, m, len), 1);
    n = 32;
    assert_int_equal(EVP_PKEY_get_raw_public_key(k, pub, &n), 1);
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
}

static int ossl_ed_verify(const uint8_t pub[32], const uint8_t *m, size_t len,
                          const uint8_t sig[64])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok;

    if (k == NULL) {   /* not a point: nothing verifies */
        EVP_MD_CTX_free(c);
        return 0;
    }
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, NULL, NULL, k), 1);
    ok = EVP_DigestVerify(c, sig, 64, m, len) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

static void test_ed25519_vs_openssl(void **state)
{
    uint8_t seed[32], msg[600], sig[64], want[64], pub[32], opub[32];
    int i, agree_bad = 0;

    (void)state;
    for (i = 0; i < N_SLOW; i++) {
        size_t len = rnd(sizeof(msg) + 1);

        fill(seed, 32);
        fill(msg, len);
        compact_ed25519_public(pub, seed);
        compact_ed25519_sign(sig, seed, pub, msg, len);
        ossl_ed_sign(seed, msg, len, want, opub);
        assert_memory_equal(pub, opub, 32);
        assert_memory_equal(sig, want, 64);
        assert_int_equal(compact_ed25519_verify(sig, pub, msg, len), 0);
        /* corrupt one bit of the signature, the message or the key, or
         * use random bytes: both must give the same verdict */
        switch (rnd(4)) {
        case 0:
            sig[rnd(64)] ^= (uint8_t)(1u << rnd(8));
            break;
        case 1:
            if (len > 0)
                msg[rnd(len)] ^= (uint8_t)(1u << rnd(8));
            else
                sig[0] ^= 1;
            break;
        case 2:
            pub[rnd(32)] ^= (uint8_t)(1u << rnd(8));
            break;
        default:
            fill(sig, 64);
            break;
        }
        {
            int c = compact_ed25519_verify(sig, pub, msg, len) == 0;
            int o = ossl_ed_verify(pub, msg, len, sig);

            assert_int_equal(c, o);
            agree_bad += !c;
        }
    }
    /* nearly every corruption must have been refused */
    assert_true(agree_bad > N_SLOW * 9 / 10);
}

static void test_aes_ctr_vs_evp(void **state)
{
    static uint8_t buf[2048], want[2048];
    uint8_t key[32], iv[16];
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] ALIGNED;
    int i, n;

    (void)state;
    for (i = 0; i < N_FAST; i++) {
        int big = (int)rnd(2);
        const nssh_cipher *c = big ? &nssh_compact_aes256_ctr : &nssh_compact_aes128_ctr;
        size_t len = rnd(sizeof(buf) + 1), off = 0;
        EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();

        fill(key, 32);
        fill(iv, 16);
        if (rnd(8) == 0)
            memset(iv + 8, 0xff, 8);   /* carries across the low 64 bits */
        fill(buf, len);
        assert_int_equal(EVP_EncryptInit_ex(e, big ? EVP_aes_256_ctr() : EVP_aes_128_ctr(),
                                            NULL, key, iv), 1);
        assert_int_equal(EVP_EncryptUpdate(e, want, &n, buf, (int)len), 1);
        EVP_CIPHER_CTX_free(e);
        assert_int_equal(c->init(ctx, key, iv, 1), 0);
        while (off < len) {   /* pieces of any size */
            size_t k = 1 + rnd(len - off);

            assert_int_equal(c->crypt(ctx, buf + off, k), 0);
            off += k;
        }
        assert_memory_equal(buf, want, len);
        c->cleanup(ctx);
    }
}

static void test_aes_gcm_vs_evp(void **state)
{
    static uint8_t buf[1500], want[1500];
    uint8_t key[32], iv[12], aad[40], tag[16], wtag[16];
    compact_gcm g;
    int i, n;

    (void)state;
    for (i = 0; i < N_FAST; i++) {
        int big = (int)rnd(2);
        size_t len = rnd(sizeof(buf) + 1), al = rnd(sizeof(aad) + 1);
        EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();

        fill(key, 32);
        fill(iv, 12);
        fill(aad, al);
        fill(buf, len);
        assert_int_equal(EVP_EncryptInit_ex(e, big ? EVP_aes_256_gcm() : EVP_aes_128_gcm(),
                                            NULL, key, iv), 1);
        assert_int_equal(EVP_EncryptUpdate(e, NULL, &n, aad, (int)al), 1);
        assert_int_equal(EVP_EncryptUpdate(e, want, &n, buf, (int)len), 1);
        assert_int_equal(EVP_EncryptFinal_ex(e, want + n, &n), 1);
        assert_int_equal(EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_GET_TAG, 16, wtag), 1);
        EVP_CIPHER_CTX_free(e);
        assert_int_equal(compact_gcm_setkey(&g, key, big ? 32 : 16), 0);
        compact_gcm_seal(&g, iv, aad, al, buf, len, tag);
        assert_memory_equal(buf, want, len);
        assert_memory_equal(tag, wtag, 16);
        assert_int_equal(compact_gcm_open(&g, iv, aad, al, buf, len, tag), 0);
    }
}

/* Packets through an AEAD or CTR+MAC pair of tables: sealed by one
 * backend, opened by the other, and the same bytes on the wire. */
static void aead_tables(const nssh_cipher *cc, const nssh_cipher *oc)
{
    static uint8_t a[4 + 2048 + 16], b[4 + 2048 + 16];
    uint8_t key[64], iv[16];
    uint8_t ce[NSSH_CIPHER_CTX_SIZE] ALIGNED, oe[NSSH_CIPHER_CTX_SIZE] ALIGNED;
    uint8_t cd[NSSH_CIPHER_CTX_SIZE] ALIGNED, od[NSSH_CIPHER_CTX_SIZE] ALIGNED;
    uint32_t seq = (uint32_t)rnd64(), plen;
    int i;

    assert_string_equal(cc->name, oc->name);
    assert_int_equal(cc->key_len, oc->key_len);
    assert_int_equal(cc->iv_len, oc->iv_len);
    assert_int_equal(cc->block_len, oc->block_len);
    assert_int_equal(cc->tag_len, oc->tag_len);
    assert_int_equal(cc->flags, oc->flags);
    fill(key, cc->key_len);
    fill(iv, sizeof(iv));
    assert_int_equal(cc->init(ce, key, iv, 1), 0);
    assert_int_equal(oc->init(oe, key, iv, 1), 0);
    assert_int_equal(cc->init(cd, key, iv, 0), 0);
    assert_int_equal(oc->init(od, key, iv, 0), 0);
    for (i = 0; i < 30; i++, seq++) {
        size_t len = 4 + cc->block_len * (1 + rnd(2048 / cc->block_len - 1));

        fill(a, len);
        memcpy(b, a, len);
        assert_int_equal(cc->seal(ce, seq, a, len), 0);
        assert_int_equal(oc->seal(oe, seq, b, len), 0);
        assert_memory_equal(a, b, len + cc->tag_len);
        assert_int_equal(cc->get_length(cd, seq, a, &plen), 0);
        assert_int_equal(oc->get_length(od, seq, b, &plen), 0);
        if (rnd(4) == 0) {   /* a corrupted packet: both refuse */
            size_t at = rnd(len + cc->tag_len);

            a[at] ^= 0x10;
            b[at] ^= 0x10;
            assert_int_equal(cc->open(cd, seq, a, len), NSSH_ERR_MAC);
            assert_int_equal(oc->open(od, seq, b, len), NSSH_ERR_MAC);
            /* GCM's IV moved on; start both directions again */
            cc->cleanup(ce);
            cc->cleanup(cd);
            oc->cleanup(oe);
            oc->cleanup(od);
            assert_int_equal(cc->init(ce, key, iv, 1), 0);
            assert_int_equal(oc->init(oe, key, iv, 1), 0);
            assert_int_equal(cc->init(cd, key, iv, 0), 0);
            assert_int_equal(oc->init(od, key, iv, 0), 0);
            continue;
        }
        /* cross: each backend opens the other's packet */
        assert_int_equal(cc->open(cd, seq, b, len), 0);
        assert_int_equal(oc->open(od, seq, a, len), 0);
        assert_memory_equal(a, b, len);
    }
    cc->cleanup(ce);
    cc->cleanup(cd);
    oc->cleanup(oe);
    oc->cleanup(od);
}

static void ctr_tables(const nssh_cipher *cc, const nssh_cipher *oc)
{
    static uint8_t a[2048], b[2048];
    uint8_t key[32], iv[16];
    uint8_t c1[NSSH_CIPHER_CTX_SIZE] ALIGNED, c2[NSSH_CIPHER_CTX_SIZE] ALIGNED;
    int i;

    assert_string_equal(cc->name, oc->name);
    assert_int_equal(cc->key_len, oc->key_len);
    fill(key, sizeof(key));
    fill(iv, sizeof(iv));
    assert_int_equal(cc->init(c1, key, iv, 1), 0);
    assert_int_equal(oc->init(c2, key, iv, 1), 0);
    for (i = 0; i < 30; i++) {
        size_t len = 16 * (1 + rnd(sizeof(a) / 16));

        fill(a, len);
        memcpy(b, a, len);
        assert_int_equal(cc->crypt(c1, a, len), 0);
        assert_int_equal(oc->crypt(c2, b, len), 0);
        assert_memory_equal(a, b, len);
    }
    cc->cleanup(c1);
    oc->cleanup(c2);
}

static void test_cipher_tables(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 40; i++) {   /* 1200 packets per cipher */
        aead_tables(&nssh_compact_chacha20_poly1305, &nssh_ossl_chacha20_poly1305);
        aead_tables(&nssh_compact_aes128_gcm, &nssh_ossl_aes128_gcm);
        aead_tables(&nssh_compact_aes256_gcm, &nssh_ossl_aes256_gcm);
        ctr_tables(&nssh_compact_aes128_ctr, &nssh_ossl_aes128_ctr);
        ctr_tables(&nssh_compact_aes256_ctr, &nssh_ossl_aes256_ctr);
    }
}

/* The hybrid and X25519 KEMs: each backend's keypair with the other's
 * encaps, and a fixed source giving both backends the same bytes. */
static void kem_pair(const nssh_kem *a, const nssh_kem *b)
{
    static uint8_t pk[2048], sk[4096], ct[2048], pk2[2048], sk2[4096], ct2[2048];
    uint8_t s1[64], s2[64];
    stream st1, st2;

    assert_string_equal(a->name, b->name);
    assert_int_equal(a->pk_len, b->pk_len);
    assert_int_equal(a->ct_len, b->ct_len);
    assert_int_equal(a->sk_len, b->sk_len);
    assert_int_equal(a->ss_len, b->ss_len);
    assert_int_equal(a->flags, b->flags);
    assert_string_equal(a->hash->name, b->hash->name);
    assert_int_equal(a->keypair(pk, sk, test_rng, NULL), 0);
    assert_int_equal(b->encaps(ct, s1, pk, test_rng, NULL), 0);
    assert_int_equal(a->decaps(s2, ct, sk), 0);
    assert_memory_equal(s1, s2, a->ss_len);
    assert_int_equal(b->keypair(pk, sk, test_rng, NULL), 0);
    assert_int_equal(a->encaps(ct, s1, pk, test_rng, NULL), 0);
    assert_int_equal(b->decaps(s2, ct, sk), 0);
    assert_memory_equal(s1, s2, a->ss_len);
    /* the same random bytes give the same keys, ciphertext and secret */
    st1.s = st2.s = rnd64();
    assert_int_equal(a->keypair(pk, sk, stream_rng, &st1), 0);
    assert_int_equal(b->keypair(pk2, sk2, stream_rng, &st2), 0);
    assert_memory_equal(pk, pk2, a->pk_len);
    assert_memory_equal(sk, sk2, a->sk_len);
    assert_int_equal(a->encaps(ct, s1, pk, stream_rng, &st1), 0);
    assert_int_equal(b->encaps(ct2, s2, pk, stream_rng, &st2), 0);
    assert_memory_equal(ct, ct2, a->ct_len);
    assert_memory_equal(s1, s2, a->ss_len);
}

static void test_kems_across_backends(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 20; i++) {
        kem_pair(&nssh_compact_mlkem768x25519_sha256, &nssh_ossl_mlkem768x25519_sha256);
        kem_pair(&nssh_compact_curve25519_sha256, &nssh_ossl_curve25519_sha256);
        kem_pair(&nssh_compact_curve25519_sha256_libssh, &nssh_ossl_curve25519_sha256_libssh);
    }
    for (i = 0; i < 3; i++) {
        kem_pair(&nssh_compact_sntrup761x25519_sha512, &nssh_ossl_sntrup761x25519_sha512);
        kem_pair(&nssh_compact_sntrup761x25519_sha512_openssh,
                 &nssh_ossl_sntrup761x25519_sha512_openssh);
    }
}

/* Keys written by the OpenSSL backend in OpenSSH's format load here, and
 * sign what the OpenSSL backend verifies (and the reverse). */
static void test_openssh_key_file(void **state)
{
    nssh_key *ok = NULL;
    nssh_compact_key ck;
    char *text = NULL;
    size_t tlen, bl, cl, sl;
    uint8_t ob[128], cb[64], sig[128], msg[100];
    int i;

    (void)state;
    for (i = 0; i < 10; i++) {
        assert_int_equal(nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &ok), 0);
        assert_int_equal(nssh_ossl_key_save_private(ok, "a comment", &text, &tlen), 0);
        assert_int_equal(nssh_compact_key_load_openssh(&ck, text, tlen), 0);
        assert_int_equal(nssh_ossl_key_public_blob(ok, ob, sizeof(ob), &bl), 0);
        assert_int_equal(nssh_compact_key_public_blob(&ck, cb, sizeof(cb), &cl), 0);
        assert_int_equal(bl, cl);
        assert_memory_equal(ob, cb, bl);
        fill(msg, sizeof(msg));
        assert_int_equal(nssh_compact_sig_ed25519.sign(nssh_compact_key_handle(&ck),
                         msg, sizeof(msg), sig, sizeof(sig), &sl, NULL, NULL), 0);
        assert_int_equal(nssh_ossl_sig_ed25519.verify(ob, bl, msg, sizeof(msg), sig, sl), 0);
        assert_int_equal(nssh_ossl_sig_ed25519.sign(ok, msg, sizeof(msg), sig,
                                                    sizeof(sig), &sl, NULL, NULL), 0);
        assert_int_equal(nssh_compact_sig_ed25519.verify(cb, cl, msg, sizeof(msg), sig, sl), 0);
        /* the other backend's key is refused, not misread */
        assert_int_equal(nssh_compact_sig_ed25519.sign(ok, msg, sizeof(msg), sig,
                                                       sizeof(sig), &sl, NULL, NULL),
                         NSSH_ERR_KEY);
        /* damaged files are refused, never half-loaded */
        text[tlen / 2] = text[tlen / 2] == 'A' ? 'B' : 'A';
        assert_true(nssh_compact_key_load_openssh(&ck, text, tlen) < 0);
        assert_int_equal(ck.has_private, 0);
        assert_int_equal(nssh_compact_key_load_openssh(&ck, text, 40), NSSH_ERR_KEY);
        free(text);
        nssh_ossl_key_free(ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha2_vs_evp),
        cmocka_unit_test(test_hmac_vs_openssl),
        cmocka_unit_test(test_x25519_vs_openssl),
        cmocka_unit_test(test_ed25519_vs_openssl),
        cmocka_unit_test(test_aes_ctr_vs_evp),
        cmocka_unit_test(test_aes_gcm_vs_evp),
        cmocka_unit_test(test_cipher_tables),
        cmocka_unit_test(test_kems_across_backends),
        cmocka_unit_test(test_openssh_key_file),
    };
    return cmocka_run_group_tests_name("compact_diff", tests, setup, NULL);
}
