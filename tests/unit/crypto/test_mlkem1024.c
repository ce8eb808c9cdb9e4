/*
 * ML-KEM-1024 and the ML-KEM hybrids with NIST-curve ECDH
 * (draft-kampanakis-curdle-ssh-pq-ke): ML-KEM-1024 against known answers
 * from an independent implementation (vectors/mlkem1024_vectors.h, made
 * by vectors/gen_mlkem.mjs 1024), its encapsulation key and
 * decapsulation key checks; then mlkem768nistp256-sha256 and
 * mlkem1024nistp384-sha384: layout on the wire, the secret
 * HASH(K_PQ || x(ECDH)) recomputed outside the table, refused peer
 * values, and the default order. OpenSSL 3.0 has no ML-KEM (3.5 does),
 * so no differential test against it here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "nanossh.h"
#include "ossl.h"
#include "pq/mlkem768.h"
#include "pq/mlkem1024.h"
#include "vectors/mlkem1024_vectors.h"
#include "mlkem_kat.h"

#define N_KATS (sizeof(mlkem1024_kats) / sizeof(mlkem1024_kats[0]))

static void digest(const EVP_MD *md, const uint8_t *in, size_t len, uint8_t *out)
{
    assert_int_equal(EVP_Digest(in, len, out, NULL, md, NULL), 1);
}

static const mlkem_alg mlkem1024 = {
    MLKEM1024_PK_BYTES, MLKEM1024_SK_BYTES, MLKEM1024_CT_BYTES,
    mlkem1024_keypair_derand, mlkem1024_encaps_derand, mlkem1024_decaps,
};

static void test_kat_full(void **state)
{
    static uint8_t pk[MLKEM1024_PK_BYTES], sk[MLKEM1024_SK_BYTES];
    static uint8_t ct[MLKEM1024_CT_BYTES];
    mlkem_kat_view v = MLKEM_KAT_VIEW(&mlkem1024_kats[0]);

    (void)state;
    mlkem_check_full(&mlkem1024, &v, mlkem1024_kat0_pk, mlkem1024_kat0_sk,
                     mlkem1024_kat0_ct, pk, sk, ct);
}

/* Every vector: keys, ciphertext, secret, and the rejection secret. */
static void test_kat_all(void **state)
{
    static uint8_t pk[MLKEM1024_PK_BYTES], sk[MLKEM1024_SK_BYTES];
    static uint8_t ct[MLKEM1024_CT_BYTES];
    size_t i;

    (void)state;
    for (i = 0; i < N_KATS; i++) {
        mlkem_kat_view v = MLKEM_KAT_VIEW(&mlkem1024_kats[i]);

        mlkem_check_kat(&mlkem1024, &v, pk, sk, ct);
    }
}

/* FIPS 203 section 7.2 (every coefficient of all four polynomials) and
 * section 7.3 (H(ek) inside dk). */
static void test_key_checks(void **state)
{
    static const unsigned where[] = { 0, 1, 255, 256, 767, 768, 1022, 1023 };
    static uint8_t pk[MLKEM1024_PK_BYTES], ct[MLKEM1024_CT_BYTES];
    static uint8_t sk[MLKEM1024_SK_BYTES];
    uint8_t ss[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        memcpy(pk, mlkem1024_kat0_pk, sizeof(pk));
        mlkem_set_coeff(pk, where[i], 3329);
        assert_int_equal(mlkem1024_encaps_derand(ct, ss, pk, mlkem1024_kats[0].m),
                         NSSH_ERR_KEX_VALUE);
        mlkem_set_coeff(pk, where[i], 3328);
        assert_int_equal(mlkem1024_encaps_derand(ct, ss, pk, mlkem1024_kats[0].m), 0);
    }
    memcpy(sk, mlkem1024_kat0_sk, sizeof(sk));
    sk[1536 + 10] ^= 1;   /* inside the embedded ek */
    assert_int_equal(mlkem1024_decaps(ss, mlkem1024_kat0_ct, sk), NSSH_ERR_KEY);
}

/* ---- mlkem768nistp256-sha256, mlkem1024nistp384-sha384 -------------------- */

typedef struct hyb {
    const char *name;
    const nssh_kem *kem;
    int nid;
    size_t pq_pk, pq_ct, pq_sk, flen;
    const EVP_MD *(*md)(void);
} hyb;

static const hyb hybs[] = {
    { "mlkem768nistp256-sha256", &nssh_ossl_mlkem768nistp256_sha256,
      NID_X9_62_prime256v1, 1184, 1088, 2400, 32, EVP_sha256 },
    { "mlkem1024nistp384-sha384", &nssh_ossl_mlkem1024nistp384_sha384,
      NID_secp384r1, 1568, 1568, 3168, 48, EVP_sha384 },
};

static void test_nist_tables(void **state)
{
    size_t i, j, pos768 = 99;

    (void)state;
    for (j = 0; nssh_ossl_kems[j]; j++)
        if (nssh_ossl_kems[j] == &nssh_ossl_mlkem768x25519_sha256)
            pos768 = j;
    for (i = 0; i < 2; i++) {
        const hyb *h = &hybs[i];
        const nssh_kem *k = nssh_ossl_kem_by_name(h->name);
        assert_ptr_equal(k, h->kem);
        assert_string_equal(k->name, h->name);
        assert_int_equal(k->pk_len, h->pq_pk + 1 + 2 * h->flen);
        assert_int_equal(k->ct_len, h->pq_ct + 1 + 2 * h->flen);
        assert_int_equal(k->sk_len, h->pq_sk + h->flen);
        assert_int_equal(k->ss_len, h->flen);
        assert_int_equal(k->hash->out_len, h->flen);
        assert_int_equal(k->flags, 0);   /* K is hashed as a string */
        assert_true(k->pk_len <= NSSH_KEM_PK_MAX && k->ct_len <= NSSH_KEM_CT_MAX &&
                    k->sk_len <= NSSH_KEM_SK_MAX && k->ss_len <= NSSH_KEM_SS_MAX);
        /* offered by default, right after mlkem768x25519-sha256 */
        assert_ptr_equal(nssh_ossl_kems[pos768 + 1 + i], k);
    }
}

/* x(d * Q) on the curve with OpenSSL's EC arithmetic, outside the table. */
static void raw_ecdh(int nid, const uint8_t *d, size_t flen, const uint8_t *q,
                     uint8_t *x_out)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    EC_POINT *p = EC_POINT_new(g), *r = EC_POINT_new(g);
    BIGNUM *bd = BN_bin2bn(d, (int)flen, NULL), *x = BN_new();

    assert_non_null(g);
    assert_int_equal(EC_POINT_oct2point(g, p, q, 1 + 2 * flen, NULL), 1);
    assert_int_equal(EC_POINT_mul(g, r, NULL, p, bd, NULL), 1);
    assert_int_equal(EC_POINT_get_affine_coordinates(g, r, x, NULL, NULL), 1);
    assert_int_equal(BN_bn2binpad(x, x_out, (int)flen), (int)flen);
    BN_free(bd);
    BN_free(x);
    EC_POINT_free(p);
    EC_POINT_free(r);
    EC_GROUP_free(g);
}

static int pq_decaps(size_t i, uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return i == 0 ? mlkem768_decaps(ss, ct, sk) : mlkem1024_decaps(ss, ct, sk);
}

/* Both sides agree; the secret is HASH(K_PQ || K_CL) with C_INIT = ek ||
 * point and S_REPLY = ciphertext || point, K_CL the x coordinate. */
static void test_nist_roundtrip(void **state)
{
    static uint8_t pk[NSSH_KEM_PK_MAX], sk[NSSH_KEM_SK_MAX], ct[NSSH_KEM_CT_MAX];
    uint8_t ss_s[48], ss_c[48], cat[32 + 48], want[48];
    size_t i;
    int round;

    (void)state;
    for (i = 0; i < 2; i++) {
        const hyb *h = &hybs[i];
        const nssh_kem *k = h->kem;
        for (round = 0; round < 3; round++) {
            assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);
            assert_int_equal(pk[h->pq_pk], 0x04);   /* uncompressed point */
            assert_int_equal(k->encaps(ct, ss_s, pk, nssh_ossl_rng, NULL), 0);
            assert_int_equal(ct[h->pq_ct], 0x04);
            assert_int_equal(k->decaps(ss_c, ct, sk), 0);
            assert_memory_equal(ss_s, ss_c, h->flen);

            assert_int_equal(pq_decaps(i, cat, ct, sk), 0);
            raw_ecdh(h->nid, sk + h->pq_sk, h->flen, ct + h->pq_ct, cat + 32);
            digest(h->md(), cat, 32 + h->flen, want);
            assert_memory_equal(ss_s, want, h->flen);
        }
    }
}

/* A peer's bad values: an ek failing the modulus check, a point not on
 * the curve or compressed, either way. */
static void test_nist_refuses(void **state)
{
    static uint8_t pk[NSSH_KEM_PK_MAX], sk[NSSH_KEM_SK_MAX], ct[NSSH_KEM_CT_MAX];
    static uint8_t bad[NSSH_KEM_PK_MAX];
    uint8_t ss[48];
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        const hyb *h = &hybs[i];
        const nssh_kem *k = h->kem;
        assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);

        memcpy(bad, pk, k->pk_len);
        mlkem_set_coeff(bad, 100, 4000);
        assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);
        memcpy(bad, pk, k->pk_len);
        bad[k->pk_len - 1] ^= 1;   /* y no longer on the curve */
        assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);
        memcpy(bad, pk, k->pk_len);
        bad[h->pq_pk] = 0x02;      /* compressed form is not allowed */
        assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);

        assert_int_equal(k->encaps(ct, ss, pk, nssh_ossl_rng, NULL), 0);
        ct[k->ct_len - 1] ^= 1;
        assert_int_equal(k->decaps(ss, ct, sk), NSSH_ERR_KEX_VALUE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_full),
        cmocka_unit_test(test_kat_all),
        cmocka_unit_test(test_key_checks),
        cmocka_unit_test(test_nist_tables),
        cmocka_unit_test(test_nist_roundtrip),
        cmocka_unit_test(test_nist_refuses),
    };
    return cmocka_run_group_tests_name("mlkem1024", tests, NULL, NULL);
}
