/*
 * The known-answer checks shared by the ML-KEM-768 and ML-KEM-1024 tests:
 * one vector byte for byte, every vector through SHA-256 of keys and
 * ciphertext, the shared secret and the implicit-rejection secret of a
 * ciphertext with one bit flipped (FIPS 203 algorithm 18), and the
 * coefficient writer used to build encapsulation keys that must fail the
 * modulus check of section 7.2. Included by one test file each (cmocka
 * must be included first).
 */
#ifndef NSSH_TEST_MLKEM_KAT_H
#define NSSH_TEST_MLKEM_KAT_H

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

/* One parameter set: its sizes and its three derandomised functions. */
typedef struct mlkem_alg {
    size_t pk_len, sk_len, ct_len;
    int (*keypair)(uint8_t *pk, uint8_t *sk, const uint8_t *d, const uint8_t *z);
    int (*encaps)(uint8_t *ct, uint8_t *ss, const uint8_t *pk, const uint8_t *m);
    int (*decaps)(uint8_t *ss, const uint8_t *ct, const uint8_t *sk);
} mlkem_alg;

/* The fields of one generated vector (both vector headers have them). */
typedef struct mlkem_kat_view {
    const uint8_t *d, *z, *m, *pk_sha256, *sk_sha256, *ct_sha256, *ss;
    unsigned bad_byte, bad_bit;
    const uint8_t *ss_reject;
} mlkem_kat_view;

#define MLKEM_KAT_VIEW(v)                                                    \
    ((mlkem_kat_view){ (v)->d, (v)->z, (v)->m, (v)->pk_sha256,               \
                       (v)->sk_sha256, (v)->ct_sha256, (v)->ss,              \
                       (v)->bad_byte, (v)->bad_bit, (v)->ss_reject })

static void mlkem_kat_sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
    assert_int_equal(EVP_Digest(in, len, out, NULL, EVP_sha256(), NULL), 1);
}

/* The first vector, whose keys and ciphertext are given whole. pk, sk and
 * ct are the caller's buffers of the algorithm's sizes. */
static void mlkem_check_full(const mlkem_alg *a, const mlkem_kat_view *v,
                             const uint8_t *pk0, const uint8_t *sk0,
                             const uint8_t *ct0, uint8_t *pk, uint8_t *sk,
                             uint8_t *ct)
{
    uint8_t ss[32], ss2[32];

    assert_int_equal(a->keypair(pk, sk, v->d, v->z), 0);
    assert_memory_equal(pk, pk0, a->pk_len);
    assert_memory_equal(sk, sk0, a->sk_len);
    assert_int_equal(a->encaps(ct, ss, pk, v->m), 0);
    assert_memory_equal(ct, ct0, a->ct_len);
    assert_memory_equal(ss, v->ss, 32);
    assert_int_equal(a->decaps(ss2, ct0, sk0), 0);
    assert_memory_equal(ss2, v->ss, 32);
}

/* One vector: keys, ciphertext, secret, and the rejection secret. */
static void mlkem_check_kat(const mlkem_alg *a, const mlkem_kat_view *v,
                            uint8_t *pk, uint8_t *sk, uint8_t *ct)
{
    uint8_t ss[32], ss2[32], h[32];

    assert_int_equal(a->keypair(pk, sk, v->d, v->z), 0);
    mlkem_kat_sha256(pk, a->pk_len, h);
    assert_memory_equal(h, v->pk_sha256, 32);
    mlkem_kat_sha256(sk, a->sk_len, h);
    assert_memory_equal(h, v->sk_sha256, 32);
    assert_int_equal(a->encaps(ct, ss, pk, v->m), 0);
    mlkem_kat_sha256(ct, a->ct_len, h);
    assert_memory_equal(h, v->ct_sha256, 32);
    assert_memory_equal(ss, v->ss, 32);
    assert_int_equal(a->decaps(ss2, ct, sk), 0);
    assert_memory_equal(ss2, v->ss, 32);
    /* a flipped bit is not an error: the secret is J(z || c') */
    ct[v->bad_byte] ^= (uint8_t)(1u << v->bad_bit);
    assert_int_equal(a->decaps(ss2, ct, sk), 0);
    assert_memory_equal(ss2, v->ss_reject, 32);
}

/* Set coefficient idx of ek's t^ (12-bit packing, FIPS 203 ByteEncode_12)
 * to val. */
static void mlkem_set_coeff(uint8_t *ek, unsigned idx, unsigned val)
{
    uint8_t *p = ek + 3 * (idx / 2);

    if (idx % 2 == 0) {
        p[0] = (uint8_t)val;
        p[1] = (uint8_t)((p[1] & 0xf0) | (val >> 8));
    } else {
        p[1] = (uint8_t)((p[1] & 0x0f) | ((val & 0x0f) << 4));
        p[2] = (uint8_t)(val >> 4);
    }
}

#endif
