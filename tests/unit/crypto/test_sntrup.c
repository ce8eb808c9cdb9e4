/*
 * sntrup761 and sntrup761x25519-sha512: SHA-512 against OpenSSL, the
 * sorting network, inverses in R3 and Rq, the encodings, known answers
 * from an independent implementation (vectors/sntrup_vectors.h: keys,
 * ciphertexts, session keys, implicit rejection, the retry on a g that is
 * not invertible), a random source that fails, and the hybrid tables:
 * names, sizes, wire layout, K = SHA-512(K_sntrup || K_x25519), refused
 * X25519 values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "nanossh.h"
#include "ossl.h"
#include "pq/sha512.h"
#include "pq/sntrup761.h"
#include "pq/sntrup761_int.h"
#include "vectors/sntrup_vectors.h"

#define P SNTRUP_P
#define N_KATS (sizeof(sntrup_kats) / sizeof(sntrup_kats[0]))

/* The vectors' random source: an optional prefix, then the blocks
 * SHA-512(seed || be32(counter)), read as one stream whatever the sizes of
 * the requests. */
typedef struct stream {
    uint8_t seed[32], blk[64];
    uint32_t ctr;
    unsigned pos;
    const uint8_t *prefix;
    size_t prefix_len, prefix_pos;
} stream;

static void stream_init(stream *s, const uint8_t seed[32], const uint8_t *prefix,
                        size_t prefix_len)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->seed, seed, 32);
    s->pos = sizeof(s->blk);
    s->prefix = prefix;
    s->prefix_len = prefix_len;
}

static int stream_rng(void *user, uint8_t *out, size_t len)
{
    stream *s = user;
    uint8_t in[36];

    while (len > 0 && s->prefix_pos < s->prefix_len) {
        *out++ = s->prefix[s->prefix_pos++];
        len--;
    }
    while (len-- > 0) {
        if (s->pos == sizeof(s->blk)) {
            memcpy(in, s->seed, 32);
            in[32] = (uint8_t)(s->ctr >> 24);
            in[33] = (uint8_t)(s->ctr >> 16);
            in[34] = (uint8_t)(s->ctr >> 8);
            in[35] = (uint8_t)s->ctr;
            s->ctr++;
            assert_int_equal(EVP_Digest(in, sizeof(in), s->blk, NULL, EVP_sha512(), NULL), 1);
            s->pos = 0;
        }
        *out++ = s->blk[s->pos++];
    }
    return 0;
}

static int failing_rng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    memset(out, 0, len);
    return NSSH_ERR_RNG;
}

/* Words that make Small_random give r3_factor (then zeros): see the
 * vectors' header. */
static void factor_words(uint8_t out[4 * P])
{
    int i;

    for (i = 0; i < P; i++) {
        int c = i < (int)sizeof(r3_factor) ? r3_factor[i] : 0;
        uint32_t w = c < 0 ? 0 : c == 0 ? 0x20000000u : 0x3fffffffu;

        out[4 * i] = (uint8_t)w;
        out[4 * i + 1] = (uint8_t)(w >> 8);
        out[4 * i + 2] = (uint8_t)(w >> 16);
        out[4 * i + 3] = (uint8_t)(w >> 24);
    }
}

/* Always the factor's words: no key can be made. */
static int factor_rng(void *user, uint8_t *out, size_t len)
{
    static uint8_t words[4 * P];
    size_t i;

    (void)user;
    factor_words(words);
    for (i = 0; i < len; i++)
        out[i] = words[i % sizeof(words)];
    return 0;
}

static void sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
    assert_int_equal(EVP_Digest(in, len, out, NULL, EVP_sha256(), NULL), 1);
}

static void test_sha512_vs_openssl(void **state)
{
    static uint8_t in[1000];
    uint8_t got[64], want[64];
    pq_sha512_ctx s;
    size_t len, off;

    (void)state;
    for (len = 0; len < sizeof(in); len++)
        in[len] = (uint8_t)(len * 29 + 3);
    for (len = 0; len <= sizeof(in); len += (len < 300 ? 1 : 111)) {
        assert_int_equal(EVP_Digest(in, len, want, NULL, EVP_sha512(), NULL), 1);
        pq_sha512(got, in, len);
        assert_memory_equal(got, want, 64);
        pq_sha512_init(&s);
        for (off = 0; off < len; off += 7)
            pq_sha512_update(&s, in + off, len - off < 7 ? len - off : 7);
        pq_sha512_final(&s, got);
        assert_memory_equal(got, want, 64);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Every size up to 300 and the one in use, with distinct words, heavy
 * duplicates and the extremes of the range. */
static void test_sort_network(void **state)
{
    static uint32_t a[P], b[P];
    size_t n, i;
    int kind;

    (void)state;
    srand(7);
    for (n = 0; n <= P; n += (n < 300 ? 1 : P - 300)) {
        for (kind = 0; kind < 3; kind++) {
            for (i = 0; i < n; i++) {
                uint32_t r = (uint32_t)rand() << 16 ^ (uint32_t)rand() ^ (uint32_t)rand() << 31;
                a[i] = b[i] = kind == 0 ? r : kind == 1 ? r % 3 : (r & 1) ? 0xffffffffu : 0;
            }
            sntrup_sort_u32(a, n);
            qsort(b, n, sizeof(b[0]), cmp_u32);
            assert_memory_equal(a, b, n * sizeof(a[0]));
        }
    }
}

/* The degree-19 factor of x^761 - x - 1 mod 3 (and a shift of it) has no
 * inverse; zero has none; a random small polynomial's inverse is one. */
static void test_r3_recip(void **state)
{
    int8_t s[P], inv[P], prod[P];
    int i;

    (void)state;
    memset(s, 0, sizeof(s));
    memcpy(s, r3_factor, sizeof(r3_factor));
    assert_int_equal(sntrup_r3_recip(inv, s), -1);
    memset(s, 0, sizeof(s));
    memcpy(s + 100, r3_factor, sizeof(r3_factor));
    assert_int_equal(sntrup_r3_recip(inv, s), -1);
    memset(s, 0, sizeof(s));
    assert_int_equal(sntrup_r3_recip(inv, s), -1);
    srand(11);
    for (i = 0; i < P; i++)
        s[i] = (int8_t)(rand() % 3 - 1);
    assert_int_equal(sntrup_r3_recip(inv, s), 0);
    sntrup_r3_mult(prod, inv, s);
    for (i = 0; i < P; i++)
        assert_int_equal(prod[i], i == 0);
}

/* 1/(3 f) times 3 f is 1 for short f, including the sparsest shape. */
static void test_rq_recip3(void **state)
{
    uint32_t words[P];
    int8_t f[P];
    int16_t inv[P], prod[P];
    int i, round;

    (void)state;
    srand(13);
    for (round = 0; round < 2; round++) {
        for (i = 0; i < P; i++)
            words[i] = round == 0 ? (uint32_t)rand() << 16 ^ (uint32_t)rand() : (uint32_t)i;
        sntrup_short_from_list(f, words);
        sntrup_rq_recip3(inv, f);
        sntrup_rq_mult_small(prod, inv, f);
        for (i = 0; i < P; i++)
            assert_int_equal(sntrup_fq_freeze(3 * (int32_t)prod[i]), i == 0);
    }
}

/* Encode then decode is the identity, at the ends of the ranges too, and
 * the lengths are the specification's. */
static void test_encodings(void **state)
{
    uint8_t buf[SNTRUP_RQ_BYTES + 1];
    int16_t r[P], back[P];
    int i, round;

    (void)state;
    srand(17);
    for (round = 0; round < 20; round++) {
        for (i = 0; i < P; i++)
            r[i] = round == 0 ? SNTRUP_Q12 : round == 1 ? -SNTRUP_Q12
                                           : (int16_t)(rand() % SNTRUP_Q - SNTRUP_Q12);
        buf[SNTRUP_RQ_BYTES] = 0xa5;
        sntrup_rq_encode(buf, r);
        assert_int_equal(buf[SNTRUP_RQ_BYTES], 0xa5);
        sntrup_rq_decode(back, buf);
        assert_memory_equal(back, r, sizeof(r));
        sntrup_rq_round(r, r);
        buf[SNTRUP_ROUNDED_BYTES] = 0x5a;
        sntrup_rounded_encode(buf, r);
        assert_int_equal(buf[SNTRUP_ROUNDED_BYTES], 0x5a);
        sntrup_rounded_decode(back, buf);
        assert_memory_equal(back, r, sizeof(r));
    }
}

/* Keys, ciphertext and session keys as the independent implementation
 * made them from the same random stream; flipped ciphertexts give its
 * implicit-rejection keys, which differ from the real one. */
static void test_known_answers(void **state)
{
    static uint8_t pk[SNTRUP761_PK_BYTES], sk[SNTRUP761_SK_BYTES],
        ct[SNTRUP761_CT_BYTES], words[4 * P];
    uint8_t ss[32], ss2[32], h[32];
    stream st;
    size_t v;

    (void)state;
    factor_words(words);
    for (v = 0; v < N_KATS; v++) {
        const sntrup_kat *k = &sntrup_kats[v];

        stream_init(&st, k->seed, k->retry ? words : NULL, k->retry ? sizeof(words) : 0);
        assert_int_equal(sntrup761_keypair(pk, sk, stream_rng, &st), 0);
        assert_int_equal(sntrup761_encaps(ct, ss, pk, stream_rng, &st), 0);
        sha256(pk, sizeof(pk), h);
        assert_memory_equal(h, k->pk_sha256, 32);
        sha256(sk, sizeof(sk), h);
        assert_memory_equal(h, k->sk_sha256, 32);
        sha256(ct, sizeof(ct), h);
        assert_memory_equal(h, k->ct_sha256, 32);
        assert_memory_equal(ss, k->ss, 32);
        assert_int_equal(sntrup761_decaps(ss2, ct, sk), 0);
        assert_memory_equal(ss2, k->ss, 32);

        ct[k->flip1] ^= k->flip1_mask;
        assert_int_equal(sntrup761_decaps(ss2, ct, sk), 0);
        assert_memory_equal(ss2, k->ss_reject1, 32);
        assert_memory_not_equal(ss2, k->ss, 32);
        ct[k->flip1] ^= k->flip1_mask;
        ct[k->flip2] ^= k->flip2_mask;
        assert_int_equal(sntrup761_decaps(ss2, ct, sk), 0);
        assert_memory_equal(ss2, k->ss_reject2, 32);
        assert_memory_not_equal(ss2, k->ss, 32);
    }
}

/* A failing source is reported and leaves no key; a source from which no
 * invertible g comes ends the search instead of looping forever. */
static void test_rng_failures(void **state)
{
    static uint8_t pk[SNTRUP761_PK_BYTES], sk[SNTRUP761_SK_BYTES],
        ct[SNTRUP761_CT_BYTES];
    uint8_t ss[32];
    size_t i, nonzero = 0;

    (void)state;
    memset(sk, 0x55, sizeof(sk));
    assert_int_equal(sntrup761_keypair(pk, sk, failing_rng, NULL), NSSH_ERR_RNG);
    for (i = 0; i < sizeof(sk); i++)
        nonzero |= sk[i];
    assert_int_equal(nonzero, 0);
    assert_int_equal(sntrup761_encaps(ct, ss, pk, failing_rng, NULL), NSSH_ERR_RNG);
    assert_int_equal(sntrup761_keypair(pk, sk, factor_rng, NULL), NSSH_ERR_RNG);
}

static void test_hybrid_tables(void **state)
{
    const nssh_kem *const tables[] = { &nssh_ossl_sntrup761x25519_sha512,
                                       &nssh_ossl_sntrup761x25519_sha512_openssh };
    size_t i, at = 0, first_curve = 0;

    (void)state;
    assert_string_equal(tables[0]->name, "sntrup761x25519-sha512");
    assert_string_equal(tables[1]->name, "sntrup761x25519-sha512@openssh.com");
    for (i = 0; i < 2; i++) {
        assert_ptr_equal(nssh_ossl_kem_by_name(tables[i]->name), tables[i]);
        assert_ptr_equal(tables[i]->hash, &nssh_ossl_sha512);
        assert_int_equal(tables[i]->pk_len, 1158 + 32);
        assert_int_equal(tables[i]->ct_len, 1039 + 32);
        assert_int_equal(tables[i]->sk_len, 1763 + 32);
        assert_int_equal(tables[i]->ss_len, 64);
        assert_int_equal(tables[i]->flags & (NSSH_KEM_SS_MPINT | NSSH_KEM_PK_MPINT), 0);
        assert_true(tables[i]->pk_len <= NSSH_KEM_PK_MAX);
        assert_true(tables[i]->ct_len <= NSSH_KEM_CT_MAX);
        assert_true(tables[i]->sk_len <= NSSH_KEM_SK_MAX);
    }
    /* Offered by default, both names, ahead of curve25519-sha256. */
    for (i = 0; nssh_ossl_kems[i] != NULL; i++) {
        if (nssh_ossl_kems[i] == tables[0] && at == 0)
            at = i + 1;
        if (nssh_ossl_kems[i] == &nssh_ossl_curve25519_sha256)
            first_curve = i + 1;
    }
    assert_true(at > 0 && first_curve > at);
    assert_ptr_equal(nssh_ossl_kems[at], tables[1]);
}

/* Client and server agree, and K is SHA-512 of the two halves' keys, the
 * sntrup761 key first, each half recomputed on its own. */
static void test_hybrid_round_trip(void **state)
{
    const nssh_kem *k = &nssh_ossl_sntrup761x25519_sha512_openssh;
    static uint8_t pk[1190], sk[1795], ct[1071];
    uint8_t ss_s[64], ss_c[64], halves[64], want[64];
    int round;

    (void)state;
    for (round = 0; round < 2; round++) {
        assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);
        assert_int_equal(k->encaps(ct, ss_s, pk, nssh_ossl_rng, NULL), 0);
        assert_int_equal(k->decaps(ss_c, ct, sk), 0);
        assert_memory_equal(ss_s, ss_c, 64);
        assert_int_equal(sntrup761_decaps(halves, ct, sk), 0);
        assert_int_equal(nssh_ossl_curve25519_sha256.decaps(halves + 32, ct + 1039,
                                                            sk + 1763), 0);
        assert_int_equal(EVP_Digest(halves, 64, want, NULL, EVP_sha512(), NULL), 1);
        assert_memory_equal(ss_c, want, 64);
        /* A changed sntrup761 ciphertext changes K (implicit rejection). */
        ct[500] ^= 0x10;
        assert_int_equal(k->decaps(ss_c, ct, sk), 0);
        assert_memory_not_equal(ss_c, ss_s, 64);
    }
}

/* An all-zero X25519 point (low order: the result would be zero) is
 * refused on either side. */
static void test_hybrid_bad_x25519(void **state)
{
    const nssh_kem *k = &nssh_ossl_sntrup761x25519_sha512;
    static uint8_t pk[1190], sk[1795], ct[1071];
    uint8_t ss[64];

    (void)state;
    assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);
    assert_int_equal(k->encaps(ct, ss, pk, nssh_ossl_rng, NULL), 0);
    memset(ct + 1039, 0, 32);
    assert_int_equal(k->decaps(ss, ct, sk), NSSH_ERR_KEX_VALUE);
    memset(pk + 1158, 0, 32);
    assert_int_equal(k->encaps(ct, ss, pk, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha512_vs_openssl),
        cmocka_unit_test(test_sort_network),
        cmocka_unit_test(test_r3_recip),
        cmocka_unit_test(test_rq_recip3),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_rng_failures),
        cmocka_unit_test(test_hybrid_tables),
        cmocka_unit_test(test_hybrid_round_trip),
        cmocka_unit_test(test_hybrid_bad_x25519),
    };
    return cmocka_run_group_tests_name("sntrup761", tests, NULL, NULL);
}
