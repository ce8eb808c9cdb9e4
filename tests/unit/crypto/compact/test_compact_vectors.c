/*
 * The compact backend against published vectors: FIPS 180-4 examples,
 * RFC 4231 (HMAC), RFC 7748 (X25519, including the iterated test and the
 * Diffie-Hellman example), RFC 8032 (Ed25519 TEST 1-3, 1024, SHA(abc)),
 * RFC 8439 (ChaCha20 block and encryption, Poly1305), OpenSSH's
 * chacha20-poly1305 packets (../vectors/aead_vectors.h), SP 800-38A
 * (CTR), FIPS 197 appendix C and the GCM specification's test cases, all
 * from ../vectors/published_vectors.h as test_crypto.c uses them; and the
 * random generator's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "compact.h"
#include "nanossh_compact.h"
#include "pq/sha512.h"
#include "kat.h"
#include "vectors/published_vectors.h"

/* Digest through the nssh_hash table, fed in uneven pieces. */
static void table_digest(const nssh_hash *h, const uint8_t *m, size_t len,
                         uint8_t *out)
{
    uint8_t ctx[NSSH_HASH_CTX_SIZE] ALIGNED = { 0 };
    size_t off = 0, step = 1;

    assert_int_equal(h->init(ctx), 0);
    while (off < len) {
        size_t n = len - off < step ? len - off : step;

        assert_int_equal(h->update(ctx, m + off, n), 0);
        off += n;
        step = step * 3 + 1;
    }
    assert_int_equal(h->final(ctx, out), 0);
    /* final released it */
    assert_int_equal(h->update(ctx, m, 1), NSSH_ERR_STATE);
}

static void test_sha2(void **state)
{
    static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char m896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                               "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    uint8_t *big = malloc(1000000), out[64];

    (void)state;
    assert_non_null(big);
    memset(big, 'a', 1000000);
    table_digest(&nssh_compact_sha256, (const uint8_t *)"abc", 3, out);
    assert_hex(out, 32, sha256_abc);
    table_digest(&nssh_compact_sha512, (const uint8_t *)"abc", 3, out);
    assert_hex(out, 64, sha512_abc);
    table_digest(&nssh_compact_sha256, (const uint8_t *)m448, strlen(m448), out);
    assert_hex(out, 32, sha256_448);
    table_digest(&nssh_compact_sha512, (const uint8_t *)m896, strlen(m896), out);
    assert_hex(out, 64, sha512_896);
    table_digest(&nssh_compact_sha256, big, 1000000, out);
    assert_hex(out, 32, sha256_million_a);
    table_digest(&nssh_compact_sha512, big, 1000000, out);
    assert_hex(out, 64, sha512_million_a);
    assert_int_equal(nssh_compact_sha256.out_len, 32);
    assert_string_equal(nssh_compact_sha512.name, "sha512");
    free(big);
}

static void hmac_case(const char *kh, const char *dh, const char *m256,
                      const char *m512)
{
    uint8_t key[256], data[256], out[64];
    size_t kl = unhex(kh, key, sizeof(key)), dl = unhex(dh, data, sizeof(data));
    compact_hmac_ctx m;

    assert_int_equal(compact_hmac_setkey(&m, 32, key, kl), 0);
    assert_int_equal(compact_hmac_compute(&m, data, dl, NULL, 0, out), 0);
    assert_hex(out, strlen(m256) / 2, m256);
    assert_int_equal(compact_hmac_setkey(&m, 64, key, kl), 0);
    /* the same message split in two */
    assert_int_equal(compact_hmac_compute(&m, data, dl / 2, data + dl / 2,
                                          dl - dl / 2, out), 0);
    assert_hex(out, strlen(m512) / 2, m512);
}

static void test_hmac_rfc4231(void **state)
{
    uint8_t ctx[NSSH_MAC_CTX_SIZE] ALIGNED = { 0 }, key[64], out[64], msg[4 + 8];
    compact_hmac_ctx m;

    (void)state;
    hmac_case(hmac1_key, hmac1_data, hmac1_256, hmac1_512);
    hmac_case(hmac2_key, hmac2_data, hmac2_256, hmac2_512);
    hmac_case(hmac3_key, hmac3_data, hmac3_256, hmac3_512);
    hmac_case(hmac4_key, hmac4_data, hmac4_256, hmac4_512);
    hmac_case(hmac5_key, hmac5_data, hmac5_256, hmac5_512);   /* truncated */
    hmac_case(hmac6_key, hmac6_data, hmac6_256, hmac6_512);
    hmac_case(hmac7_key, hmac7_data, hmac7_256, hmac7_512);

    /* The SSH table: MAC over uint32 seq || data (RFC 4253 section 6.4). */
    memset(key, 0x42, sizeof(key));
    memcpy(msg, "\x01\x02\x03\x04" "8 bytes!", sizeof(msg));
    nssh_compact_hmac_sha512_etm.cleanup(ctx);   /* safe on zeroes */
    assert_int_equal(nssh_compact_hmac_sha256.compute(ctx, 1, msg, 4, out),
                     NSSH_ERR_STATE);
    assert_int_equal(nssh_compact_hmac_sha512_etm.init(ctx, key), 0);
    assert_int_equal(nssh_compact_hmac_sha512_etm.compute(ctx, 0x01020304u,
                                                          msg + 4, 8, out), 0);
    {
        uint8_t want[64];

        assert_int_equal(compact_hmac_setkey(&m, 64, key, 64), 0);
        assert_int_equal(compact_hmac_compute(&m, msg, sizeof(msg), NULL, 0, want), 0);
        assert_memory_equal(out, want, 64);
    }
    nssh_compact_hmac_sha512_etm.cleanup(ctx);
    assert_int_equal(nssh_compact_hmac_sha512_etm.compute(ctx, 0, msg, 4, out),
                     NSSH_ERR_STATE);
}

static void test_x25519_rfc7748(void **state)
{
    uint8_t k[32], u[32], r[32], t[32], a[32], b[32];
    int i;

    (void)state;
    unhex(x25519_1_k, k, 32);
    unhex(x25519_1_u, u, 32);
    compact_x25519(r, k, u);
    assert_hex(r, 32, x25519_1_r);
    unhex(x25519_2_k, k, 32);
    unhex(x25519_2_u, u, 32);
    compact_x25519(r, k, u);
    assert_hex(r, 32, x25519_2_r);

    /* Section 5.2: k = u = 9, then k, u = X25519(k, u), k. */
    memset(k, 0, 32);
    k[0] = 9;
    memcpy(u, k, 32);
    for (i = 1; i <= 1000; i++) {
        compact_x25519(t, k, u);
        memcpy(u, k, 32);
        memcpy(k, t, 32);
        if (i == 1)
            assert_hex(k, 32, x25519_iter1);
    }
    assert_hex(k, 32, x25519_iter1000);

    /* Section 6.1 through the KEM's helpers. */
    unhex(x25519_alice_sk, a, 32);
    unhex(x25519_bob_sk, b, 32);
    assert_int_equal(compact_x25519_public(a, t), 0);
    assert_hex(t, 32, x25519_alice_pk);
    assert_int_equal(compact_x25519_public(b, t), 0);
    assert_hex(t, 32, x25519_bob_pk);
    assert_int_equal(compact_x25519_shared(r, a, t), 0);
    assert_hex(r, 32, x25519_dh_shared);

    /* A low-order point gives the all-zero secret: refused. */
    memset(u, 0, 32);
    assert_int_equal(compact_x25519_shared(r, a, u), NSSH_ERR_KEX_VALUE);
    u[0] = 1;
    assert_int_equal(compact_x25519_shared(r, a, u), NSSH_ERR_KEX_VALUE);
    assert_int_equal(nssh_compact_curve25519_sha256.decaps(r, u, a),
                     NSSH_ERR_KEX_VALUE);
}

static void ed_case(const char *skh, const char *pkh, const char *msgh,
                    const char *sigh)
{
    uint8_t sk[32], pk[32], msg[1100], sig[64], blob[64], sb[100];
    size_t ml = unhex(msgh, msg, sizeof(msg)), bl, sl;
    nssh_compact_key key;
    const nssh_sig_alg *a = &nssh_compact_sig_ed25519;

    unhex(skh, sk, 32);
    unhex(pkh, pk, 32);
    compact_ed25519_public(sig, sk);
    assert_memory_equal(sig, pk, 32);
    compact_ed25519_sign(sig, sk, pk, msg, ml);
    assert_hex(sig, 64, sigh);
    assert_int_equal(compact_ed25519_verify(sig, pk, msg, ml), 0);
    sig[5] ^= 0x10;
    assert_int_equal(compact_ed25519_verify(sig, pk, msg, ml), NSSH_ERR_SIGNATURE);
    sig[5] ^= 0x10;
    sig[40] ^= 0x01;
    assert_int_equal(compact_ed25519_verify(sig, pk, msg, ml), NSSH_ERR_SIGNATURE);
    sig[40] ^= 0x01;
    if (ml > 0) {
        msg[ml - 1] ^= 0x80;
        assert_int_equal(compact_ed25519_verify(sig, pk, msg, ml), NSSH_ERR_SIGNATURE);
        msg[ml - 1] ^= 0x80;
    }

    /* Through the ssh-ed25519 table and the key struct. */
    assert_int_equal(nssh_compact_key_from_seed(&key, sk), 0);
    assert_memory_equal(key.pub, pk, 32);
    assert_int_equal(nssh_compact_key_public_blob(&key, blob, sizeof(blob), &bl), 0);
    assert_int_equal(bl, 51);
    assert_int_equal(a->sign(nssh_compact_key_handle(&key), msg, ml, sb,
                             sizeof(sb), &sl, NULL, NULL), 0);
    assert_int_equal(sl, 83);
    assert_memory_equal(sb + 19, sig, 64);
    assert_int_equal(a->verify(blob, bl, msg, ml, sb, sl), 0);
    sb[30] ^= 4;
    assert_int_equal(a->verify(blob, bl, msg, ml, sb, sl), NSSH_ERR_SIGNATURE);
    assert_int_equal(a->verify(blob, bl, msg, ml, sb, sl - 1), NSSH_ERR_FORMAT);
    assert_int_equal(a->verify(blob, bl - 1, msg, ml, sb, sl), NSSH_ERR_KEY);
    assert_int_equal(a->sign(nssh_compact_key_handle(&key), msg, ml, sb, 82,
                             &sl, NULL, NULL), NSSH_ERR_NOSPACE);
    nssh_compact_key_clear(&key);
    assert_int_equal(a->sign(nssh_compact_key_handle(&key), msg, ml, sb,
                             sizeof(sb), &sl, NULL, NULL), NSSH_ERR_KEY);
}

static void test_ed25519_rfc8032(void **state)
{
    uint8_t sk[64];
    nssh_compact_key k;

    (void)state;
    ed_case(ed1_sk, ed1_pk, ed1_msg, ed1_sig);
    ed_case(ed2_sk, ed2_pk, ed2_msg, ed2_sig);
    ed_case(ed3_sk, ed3_pk, ed3_msg, ed3_sig);
    ed_case(ed4_sk, ed4_pk, ed4_msg, ed4_sig);   /* TEST 1024 */
    ed_case(ed5_sk, ed5_pk, ed5_msg, ed5_sig);   /* TEST SHA(abc) */

    /* OpenSSH's 64-byte private key: seed || public key, checked. */
    unhex(ed1_sk, sk, 32);
    unhex(ed1_pk, sk + 32, 32);
    assert_int_equal(nssh_compact_key_from_openssh(&k, sk), 0);
    assert_int_equal(k.has_private, 1);
    sk[40] ^= 1;
    assert_int_equal(nssh_compact_key_from_openssh(&k, sk), NSSH_ERR_KEY);
    assert_int_equal(k.has_private, 0);
}

static void test_chacha20_poly1305_rfc8439(void **state)
{
    uint8_t key[32], iv[16], out[128], pt[128], tag[16];
    compact_poly1305_ctx p;
    size_t n, i;

    (void)state;
    for (i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    /* counter 1 in word 12, the 96-bit nonce in words 13-15 */
    memset(iv, 0, sizeof(iv));
    iv[0] = 1;
    unhex(chacha_block_nonce, iv + 4, 12);
    memset(out, 0, 64);
    compact_chacha20_xor(out, out, 64, key, iv);
    assert_hex(out, 64, chacha_block_out);

    unhex(chacha_enc_nonce, iv + 4, 12);
    n = unhex(chacha_enc_pt, pt, sizeof(pt));
    compact_chacha20_xor(out, pt, n, key, iv);
    assert_hex(out, n, chacha_enc_ct);
    /* in place, in uneven pieces is not allowed (the counter is per call),
     * but in place in one call is */
    compact_chacha20_xor(pt, pt, n, key, iv);
    assert_hex(pt, n, chacha_enc_ct);

    unhex(poly_key, key, 32);
    n = unhex(poly_msg, pt, sizeof(pt));
    compact_poly1305_init(&p, key);
    compact_poly1305_update(&p, pt, n);
    compact_poly1305_final(&p, tag);
    assert_hex(tag, 16, poly_tag);
    /* byte by byte */
    compact_poly1305_init(&p, key);
    for (i = 0; i < n; i++)
        compact_poly1305_update(&p, pt + i, 1);
    compact_poly1305_final(&p, tag);
    assert_hex(tag, 16, poly_tag);
}

static void test_chachapoly_openssh(void **state)
{
    const nssh_cipher *c = &nssh_compact_chacha20_poly1305;
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 }, pkt[8] = { 0 };

    (void)state;
    c->cleanup(ctx);   /* safe on a zeroed block */
    assert_int_equal(c->seal(ctx, 0, pkt, 8), NSSH_ERR_STATE);
    chachapoly_kat(c);
}

static void test_aes_fips197(void **state)
{
    uint8_t key[32], in[32], out[32];
    compact_aes_key k;

    (void)state;
    unhex(aes_pt, in, 16);
    unhex(aes_pt, in + 16, 16);
    in[31] ^= 1;   /* the second block differs */
    unhex(aes128_key, key, 16);
    assert_int_equal(compact_aes_setkey(&k, key, 16), 0);
    compact_aes_encrypt2(&k, out, in);
    assert_hex(out, 16, aes128_ct);
    assert_memory_not_equal(out, out + 16, 16);
    unhex(aes256_key, key, 32);
    assert_int_equal(compact_aes_setkey(&k, key, 32), 0);
    in[31] ^= 1;
    compact_aes_encrypt2(&k, out, in);
    assert_hex(out, 16, aes256_ct);
    assert_hex(out + 16, 16, aes256_ct);
    assert_int_equal(compact_aes_setkey(&k, key, 24), NSSH_ERR_CRYPTO);
}

/* SP 800-38A F.5.1 and F.5.5 through the aes*-ctr tables, whole and in
 * 16/48-byte pieces (the keystream carries across calls). */
static void test_aes_ctr_sp800_38a(void **state)
{
    const nssh_cipher *t[2] = { &nssh_compact_aes128_ctr, &nssh_compact_aes256_ctr };
    const char *keys[2] = { ctr128_key, ctr256_key };
    const char *cts[2] = { ctr128_ct, ctr256_ct };
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 }, key[32], iv[16], buf[64];
    int i;

    (void)state;
    t[0]->cleanup(ctx);
    assert_int_equal(t[0]->crypt(ctx, buf, 16), NSSH_ERR_STATE);
    unhex(ctr_iv, iv, 16);
    for (i = 0; i < 2; i++) {
        assert_int_equal(t[i]->iv_len, 16);
        assert_int_equal(t[i]->block_len, 16);
        unhex(keys[i], key, sizeof(key));
        assert_int_equal(t[i]->init(ctx, key, iv, 1), 0);
        unhex(ctr_pt, buf, sizeof(buf));
        assert_int_equal(t[i]->crypt(ctx, buf, 64), 0);
        assert_hex(buf, 64, cts[i]);
        assert_int_equal(t[i]->init(ctx, key, iv, 0), 0);
        assert_int_equal(t[i]->crypt(ctx, buf, 16), 0);
        assert_int_equal(t[i]->crypt(ctx, buf + 16, 48), 0);
        assert_hex(buf, 64, ctr_pt);
        t[i]->cleanup(ctx);
    }
}

static void gcm_case(const char *k, const char *ivh, const char *pt,
                     const char *aad, const char *ct, const char *tagh)
{
    uint8_t key[32], iv[12], a[32], buf[64], tag[16];
    size_t kl = unhex(k, key, sizeof(key)), al = unhex(aad, a, sizeof(a));
    size_t n = unhex(pt, buf, sizeof(buf));
    compact_gcm g;

    unhex(ivh, iv, 12);
    assert_int_equal(compact_gcm_setkey(&g, key, kl), 0);
    compact_gcm_seal(&g, iv, a, al, buf, n, tag);
    assert_hex(buf, n, ct);
    assert_hex(tag, 16, tagh);
    tag[3] ^= 0x20;
    assert_int_equal(compact_gcm_open(&g, iv, a, al, buf, n, tag), NSSH_ERR_MAC);
    assert_hex(buf, n, ct);   /* untouched */
    tag[3] ^= 0x20;
    assert_int_equal(compact_gcm_open(&g, iv, a, al, buf, n, tag), 0);
    assert_hex(buf, n, pt);
}

/* The GCM specification's test cases 2-4 (AES-128) and 14-16 (AES-256),
 * then OpenSSH packets through the aes*-gcm@openssh.com tables. */
static void test_aes_gcm(void **state)
{
    const nssh_cipher *c128 = &nssh_compact_aes128_gcm, *c256 = &nssh_compact_aes256_gcm;
    uint8_t enc[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t dec[NSSH_CIPHER_CTX_SIZE] ALIGNED = { 0 };
    uint8_t key[32], iv[12], pkt[64 + 16];
    size_t len;

    (void)state;
    gcm_case(gcm2_key, gcm2_iv, gcm2_pt, gcm2_aad, gcm2_ct, gcm2_tag);
    gcm_case(gcm3_key, gcm3_iv, gcm3_pt, gcm3_aad, gcm3_ct, gcm3_tag);
    gcm_case(gcm4_key, gcm4_iv, gcm4_pt, gcm4_aad, gcm4_ct, gcm4_tag);
    gcm_case(gcm14_key, gcm14_iv, gcm14_pt, gcm14_aad, gcm14_ct, gcm14_tag);
    gcm_case(gcm15_key, gcm15_iv, gcm15_pt, gcm15_aad, gcm15_ct, gcm15_tag);
    gcm_case(gcm16_key, gcm16_iv, gcm16_pt, gcm16_aad, gcm16_ct, gcm16_tag);

    c128->cleanup(enc);
    assert_int_equal(c128->seal(enc, 0, pkt, 20), NSSH_ERR_STATE);
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
    /* a tampered packet is refused (and the IV still moves on) */
    assert_int_equal(c256->init(dec, key, iv, 0), 0);
    len = unhex(gcm256_ct, pkt, sizeof(pkt)) - 16;
    pkt[2] ^= 1;
    assert_int_equal(c256->open(dec, 0, pkt, len), NSSH_ERR_MAC);
    c256->cleanup(enc);
    c256->cleanup(dec);
}

static void test_drbg(void **state)
{
    nssh_compact_drbg a, b;
    uint8_t seed[48], x[100], y[100], big[10000];
    size_t i;
    unsigned zeros = 0;

    (void)state;
    for (i = 0; i < sizeof(seed); i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    nssh_compact_drbg_init(&a);
    memset(x, 0xee, sizeof(x));
    /* No output without a seed; the buffer is not left with old bytes. */
    assert_int_equal(nssh_compact_rng(&a, x, sizeof(x)), NSSH_ERR_RNG);
    for (i = 0; i < sizeof(x); i++)
        assert_int_equal(x[i], 0);
    assert_int_equal(nssh_compact_rng(NULL, x, 4), NSSH_ERR_RNG);
    /* A first seed shorter than 32 bytes is refused. */
    assert_int_equal(nssh_compact_drbg_seed(&a, seed, 31), NSSH_ERR_RNG);
    assert_int_equal(nssh_compact_drbg_generate(&a, x, 8), NSSH_ERR_RNG);
    /* ... and so is one repeated byte: zeros from an absent source, 0xff
     * from erased flash */
    memset(big, 0, 64);
    assert_int_equal(nssh_compact_drbg_seed(&a, big, 64), NSSH_ERR_RNG);
    memset(big, 0xff, 64);
    assert_int_equal(nssh_compact_drbg_seed(&a, big, 64), NSSH_ERR_RNG);
    assert_int_equal(nssh_compact_drbg_generate(&a, x, 8), NSSH_ERR_RNG);
    assert_int_equal(nssh_compact_drbg_seed(&a, seed, 32), 0);
    assert_int_equal(nssh_compact_rng(&a, x, sizeof(x)), 0);
    /* The same seed gives the same stream; the key moves on. */
    nssh_compact_drbg_init(&b);
    assert_int_equal(nssh_compact_drbg_seed(&b, seed, 32), 0);
    assert_int_equal(nssh_compact_rng(&b, y, sizeof(y)), 0);
    assert_memory_equal(x, y, sizeof(x));
    assert_int_equal(nssh_compact_rng(&a, x, sizeof(x)), 0);
    assert_memory_not_equal(x, y, sizeof(x));
    /* Reseeding (any length) changes the stream. */
    assert_int_equal(nssh_compact_rng(&b, y, sizeof(y)), 0);
    assert_memory_equal(x, y, sizeof(x));
    assert_int_equal(nssh_compact_drbg_seed(&a, seed, 1), 0);
    assert_int_equal(nssh_compact_rng(&a, x, sizeof(x)), 0);
    assert_int_equal(nssh_compact_rng(&b, y, sizeof(y)), 0);
    assert_memory_not_equal(x, y, sizeof(x));
    /* A long request crosses the rekeying chunks; rough sanity of bytes. */
    assert_int_equal(nssh_compact_rng(&a, big, sizeof(big)), 0);
    for (i = 0; i < sizeof(big); i++)
        zeros += big[i] == 0;
    assert_true(zeros < 100);
    assert_memory_not_equal(big, big + 4096, 1000);
    nssh_compact_drbg_clear(&a);
    assert_int_equal(nssh_compact_rng(&a, x, 1), NSSH_ERR_RNG);
}

/* A key made by OpenSSH's ssh-keygen -t ed25519 (for this test only), its
 * public key as ssh-keygen printed it, and the same kind of key protected
 * by a passphrase. */
static const char keygen_file[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBX43bl8DyJFP/YAnVWQJFWGpSBFjiIalZM4TlEofxX8wAAAKDiA9ag4gPW\n"
    "oAAAAAtzc2gtZWQyNTUxOQAAACBX43bl8DyJFP/YAnVWQJFWGpSBFjiIalZM4TlEofxX8w\n"
    "AAAEB1NVhwBxQcdoQaCA1TGMuRlsrETUR+XtFYVujkPkAGn1fjduXwPIkU/9gCdVZAkVYa\n"
    "lIEWOIhqVkzhOUSh/FfzAAAAHXVzZXJAaG9zdCB3aXRoIGEgbG9uZyBjb21tZW50\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
static const char keygen_pub_blob[] =
    "0000000b7373682d656432353531390000002057e376e5f03c8914ffd80275564091561a94811638886a564ce13944a1fc57f3";
static const char keygen_file_encrypted[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABBFuouVsv\n"
    "dBVt1BrGMp1TMSAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIBufaXGl9E4IQoNY\n"
    "gt5zHArYGYTgTQOBh+tw+SLxccieAAAAkA/n6WKJ58BzrEdyTIXYs/BIO25K0dpOJPaCQD\n"
    "4Vct4w2yLfykI4xBZcV9CvwAPgXP5Wx+KnLBmYumvKqEDnR1qQ0Lcx1T8t3fLa7hw0g+RZ\n"
    "ARDk+LqFDrws5DOSk4hSqhp1UIlXpl5K4ObjOOoelP4V1P+eWthY4jgP5FxGvDkfFVC45s\n"
    "dnEGGa0or1jTBMSA==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

static void test_openssh_key_file(void **state)
{
    nssh_compact_key k;
    uint8_t blob[64];
    size_t bl;
    char text[sizeof(keygen_file)];

    (void)state;
    assert_int_equal(nssh_compact_key_load_openssh(&k, keygen_file,
                                                   strlen(keygen_file)), 0);
    assert_int_equal(k.has_private, 1);
    assert_int_equal(nssh_compact_key_public_blob(&k, blob, sizeof(blob), &bl), 0);
    assert_hex(blob, bl, keygen_pub_blob);
    assert_int_equal(nssh_compact_key_public_blob(&k, blob, 50, &bl), NSSH_ERR_NOSPACE);
    /* encrypted: refused as unsupported, with nothing loaded */
    assert_int_equal(nssh_compact_key_load_openssh(&k, keygen_file_encrypted,
                                                   strlen(keygen_file_encrypted)),
                     NSSH_ERR_UNSUPPORTED);
    assert_int_equal(k.has_private, 0);
    /* no armour, a truncated body, a character outside base64 */
    assert_int_equal(nssh_compact_key_load_openssh(&k, keygen_file + 1,
                                                   strlen(keygen_file) - 1), NSSH_ERR_KEY);
    memcpy(text, keygen_file, sizeof(text));
    memcpy(text + 100, "-----END OPENSSH PRIVATE KEY-----\n", 34);
    assert_int_equal(nssh_compact_key_load_openssh(&k, text, strlen(text)), NSSH_ERR_KEY);
    memcpy(text, keygen_file, sizeof(text));
    text[120] = '*';
    assert_int_equal(nssh_compact_key_load_openssh(&k, text, strlen(text)), NSSH_ERR_KEY);
}

static void test_lists(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; nssh_compact_kems[i]; i++)
        assert_ptr_equal(nssh_compact_kem_by_name(nssh_compact_kems[i]->name),
                         nssh_compact_kems[i]);
    for (i = 0; nssh_compact_ciphers[i]; i++)
        assert_ptr_equal(nssh_compact_cipher_by_name(nssh_compact_ciphers[i]->name),
                         nssh_compact_ciphers[i]);
    for (i = 0; nssh_compact_macs[i]; i++)
        assert_ptr_equal(nssh_compact_mac_by_name(nssh_compact_macs[i]->name),
                         nssh_compact_macs[i]);
    assert_ptr_equal(nssh_compact_sig_by_name("ssh-ed25519"), &nssh_compact_sig_ed25519);
    assert_ptr_equal(nssh_compact_kem_by_name("sntrup761x25519-sha512@openssh.com"),
                     &nssh_compact_sntrup761x25519_sha512_openssh);
    assert_string_equal(nssh_compact_kems[0]->name, "mlkem768x25519-sha256");
    assert_null(nssh_compact_kem_by_name("diffie-hellman-group14-sha256"));
    assert_null(nssh_compact_cipher_by_name(NULL));
    assert_null(nssh_compact_mac_by_name("hmac-sha1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha2),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_x25519_rfc7748),
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_chacha20_poly1305_rfc8439),
        cmocka_unit_test(test_chachapoly_openssh),
        cmocka_unit_test(test_aes_fips197),
        cmocka_unit_test(test_aes_ctr_sp800_38a),
        cmocka_unit_test(test_aes_gcm),
        cmocka_unit_test(test_drbg),
        cmocka_unit_test(test_openssh_key_file),
        cmocka_unit_test(test_lists),
    };
    return cmocka_run_group_tests_name("compact_vectors", tests, NULL, NULL);
}
