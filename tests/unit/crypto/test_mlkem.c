/*
 * ML-KEM-768 and mlkem768x25519-sha256: the Keccak functions against
 * OpenSSL's SHA-3 and SHAKE, ML-KEM-768 against known answers from an
 * independent implementation (vectors/mlkem_vectors.h, made by
 * vectors/gen_mlkem.mjs), the encapsulation key check, implicit
 * rejection, and the hybrid table: layout on the wire, the shared secret
 * SHA-256(K_PQ || K_CL), round trips and refused peer values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "nanossh.h"
#include "ossl.h"
#include "pq/keccak.h"
#include "pq/mlkem768.h"
#include "vectors/mlkem_vectors.h"
#include "mlkem_kat.h"

#define N_KATS (sizeof(mlkem_kats) / sizeof(mlkem_kats[0]))

/* OpenSSL's answer for a SHA-3 or SHAKE function. */
static void ossl_digest(const EVP_MD *md, const uint8_t *in, size_t len,
                        uint8_t *out, size_t outlen)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    assert_non_null(c);
    assert_int_equal(EVP_DigestInit_ex(c, md, NULL), 1);
    assert_int_equal(EVP_DigestUpdate(c, in, len), 1);
    if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
        assert_int_equal(EVP_DigestFinalXOF(c, out, outlen), 1);
    else
        assert_int_equal(EVP_DigestFinal_ex(c, out, NULL), 1);
    EVP_MD_CTX_free(c);
}

/* Every input length across several rate boundaries, and SHAKE output
 * squeezed in uneven pieces. */
static void test_keccak_vs_openssl(void **state)
{
    uint8_t in[600], got[500], want[500];
    size_t len, off, step;
    pq_keccak k;

    (void)state;
    for (len = 0; len < sizeof(in); len++)
        in[len] = (uint8_t)(len * 13 + 7);
    for (len = 0; len <= sizeof(in); len += (len < 350 ? 1 : 37)) {
        pq_sha3_256(got, in, len / 3, in + len / 3, len - len / 3);
        ossl_digest(EVP_sha3_256(), in, len, want, 32);
        assert_memory_equal(got, want, 32);
        pq_sha3_512(got, in, len, NULL, 0);
        ossl_digest(EVP_sha3_512(), in, len, want, 64);
        assert_memory_equal(got, want, 64);
        pq_shake256(got, 300, in, len, NULL, 0);
        ossl_digest(EVP_shake256(), in, len, want, 300);
        assert_memory_equal(got, want, 300);

        pq_keccak_init(&k, PQ_SHAKE128_RATE);
        for (off = 0; off < len; off += step) {
            step = len - off < 29 ? len - off : 29;
            pq_keccak_absorb(&k, in + off, step);
        }
        pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
        for (off = 0; off < sizeof(got); off += step) {
            step = sizeof(got) - off < 61 ? sizeof(got) - off : 61;
            pq_keccak_squeeze(&k, got + off, step);
        }
        ossl_digest(EVP_shake128(), in, len, want, sizeof(want));
        assert_memory_equal(got, want, sizeof(want));
    }
}

static const mlkem_alg mlkem768 = {
    MLKEM768_PK_BYTES, MLKEM768_SK_BYTES, MLKEM768_CT_BYTES,
    mlkem768_keypair_derand, mlkem768_encaps_derand, mlkem768_decaps,
};

/* The first vector byte for byte. */
static void test_kat_full(void **state)
{
    static uint8_t pk[MLKEM768_PK_BYTES], sk[MLKEM768_SK_BYTES];
    static uint8_t ct[MLKEM768_CT_BYTES];
    mlkem_kat_view v = MLKEM_KAT_VIEW(&mlkem_kats[0]);

    (void)state;
    mlkem_check_full(&mlkem768, &v, mlkem_kat0_pk, mlkem_kat0_sk, mlkem_kat0_ct,
                     pk, sk, ct);
}

/* Every vector: keys, ciphertext, secret, and the rejection secret. */
static void test_kat_all(void **state)
{
    static uint8_t pk[MLKEM768_PK_BYTES], sk[MLKEM768_SK_BYTES];
    static uint8_t ct[MLKEM768_CT_BYTES];
    size_t i;

    (void)state;
    for (i = 0; i < N_KATS; i++) {
        mlkem_kat_view v = MLKEM_KAT_VIEW(&mlkem_kats[i]);

        mlkem_check_kat(&mlkem768, &v, pk, sk, ct);
    }
}

/* FIPS 203 section 7.2: an ek with a coefficient >= q is refused. */
static void test_encaps_modulus_check(void **state)
{
    static const unsigned where[] = { 0, 1, 255, 256, 511, 766, 767 };
    static const unsigned bad[] = { 3329, 3330, 4095 };
    static uint8_t pk[MLKEM768_PK_BYTES], ct[MLKEM768_CT_BYTES];
    uint8_t ss[32];
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
        for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
            memcpy(pk, mlkem_kat0_pk, sizeof(pk));
            mlkem_set_coeff(pk, where[i], bad[j]);
            assert_int_equal(mlkem768_encaps_derand(ct, ss, pk, mlkem_kats[0].m),
                             NSSH_ERR_KEX_VALUE);
            /* q - 1 is still a valid coefficient */
            mlkem_set_coeff(pk, where[i], 3328);
            assert_int_equal(mlkem768_encaps_derand(ct, ss, pk, mlkem_kats[0].m), 0);
        }
}

/* FIPS 203 section 7.3: a dk whose embedded ek does not match H(ek). */
static void test_decaps_hash_check(void **state)
{
    static uint8_t sk[MLKEM768_SK_BYTES];
    uint8_t ss[32];

    (void)state;
    memcpy(sk, mlkem_kat0_sk, sizeof(sk));
    sk[1152 + 10] ^= 1;
    assert_int_equal(mlkem768_decaps(ss, mlkem_kat0_ct, sk), NSSH_ERR_KEY);
}

/* ---- mlkem768x25519-sha256 ------------------------------------------- */

static const nssh_kem *hybrid(void)
{
    const nssh_kem *k = nssh_ossl_kem_by_name("mlkem768x25519-sha256");

    assert_ptr_equal(k, &nssh_ossl_mlkem768x25519_sha256);
    return k;
}

static void test_hybrid_table(void **state)
{
    const nssh_kem *k = hybrid();

    (void)state;
    assert_ptr_equal(nssh_ossl_kems[0], k);   /* preferred by default */
    assert_ptr_equal(k->hash, &nssh_ossl_sha256);
    assert_int_equal(k->pk_len, 1184 + 32);
    assert_int_equal(k->ct_len, 1088 + 32);
    assert_int_equal(k->sk_len, 2400 + 32);
    assert_int_equal(k->ss_len, 32);
    assert_int_equal(k->flags, 0);   /* K is hashed as a string */
    assert_true(k->pk_len <= NSSH_KEM_PK_MAX && k->ct_len <= NSSH_KEM_CT_MAX &&
                k->sk_len <= NSSH_KEM_SK_MAX && k->ss_len <= NSSH_KEM_SS_MAX);
}

/* X25519 with OpenSSL directly, for an answer the table did not make. */
static void raw_x25519(const uint8_t *sk, const uint8_t *peer, uint8_t *out)
{
    EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
    EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);
    size_t n = 32;

    assert_non_null(c);
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, b), 1);
    assert_int_equal(EVP_PKEY_derive(c, out, &n), 1);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

/* Both sides agree, and the secret is SHA-256(K_PQ || K_CL) with
 * C_INIT = ek || X25519 key and S_REPLY = ciphertext || X25519 key. */
static void test_hybrid_roundtrip(void **state)
{
    const nssh_kem *k = hybrid();
    static uint8_t pk[1216], sk[2432], ct[1120];
    uint8_t ss_s[32], ss_c[32], k_pq[32], k_cl[32], cat[64], want[32];
    int round;

    (void)state;
    for (round = 0; round < 5; round++) {
        assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);
        assert_int_equal(k->encaps(ct, ss_s, pk, nssh_ossl_rng, NULL), 0);
        assert_int_equal(k->decaps(ss_c, ct, sk), 0);
        assert_memory_equal(ss_s, ss_c, 32);

        assert_int_equal(mlkem768_decaps(k_pq, ct, sk), 0);
        raw_x25519(sk + 2400, ct + 1088, k_cl);
        memcpy(cat, k_pq, 32);
        memcpy(cat + 32, k_cl, 32);
        mlkem_kat_sha256(cat, sizeof(cat), want);
        assert_memory_equal(ss_s, want, 32);
    }
}

/* A peer's bad values: an ek failing the modulus check, a low-order
 * X25519 point (all-zero result, RFC 8731 section 3) either way. */
static void test_hybrid_refuses(void **state)
{
    const nssh_kem *k = hybrid();
    static uint8_t pk[1216], sk[2432], ct[1120], bad[1216];
    uint8_t ss[32];

    (void)state;
    assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);

    memcpy(bad, pk, sizeof(bad));
    mlkem_set_coeff(bad, 100, 4000);
    assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);

    memcpy(bad, pk, sizeof(bad));
    memset(bad + 1184, 0, 32);
    assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);

    assert_int_equal(k->encaps(ct, ss, pk, nssh_ossl_rng, NULL), 0);
    memset(ct + 1088, 0, 32);
    assert_int_equal(k->decaps(ss, ct, sk), NSSH_ERR_KEX_VALUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keccak_vs_openssl),
        cmocka_unit_test(test_kat_full),
        cmocka_unit_test(test_kat_all),
        cmocka_unit_test(test_encaps_modulus_check),
        cmocka_unit_test(test_decaps_hash_check),
        cmocka_unit_test(test_hybrid_table),
        cmocka_unit_test(test_hybrid_roundtrip),
        cmocka_unit_test(test_hybrid_refuses),
    };
    return cmocka_run_group_tests_name("mlkem", tests, NULL, NULL);
}
