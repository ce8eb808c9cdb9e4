/*
 * ML-DSA-44 (FIPS 204) against known answers from an independent
 * implementation (vectors/mldsa_vectors.h, made by vectors/gen_mldsa.mjs
 * with @noble/post-quantum): keys, deterministic and hedged signatures,
 * verification of noble's signatures; then refusals: a changed
 * signature, message, context or key, malformed hints, z out of range,
 * an over-long context; and the stack each function takes.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "nanossh.h"
#include "pq/mldsa44.h"
#include "vectors/mldsa_vectors.h"

#define N_KATS (sizeof(mldsa_kats) / sizeof(mldsa_kats[0]))
#define SIG_H (32u + 4u * 576u)   /* hints inside a signature */

static uint8_t pk[MLDSA44_PK_BYTES], sk[MLDSA44_SK_BYTES];
static uint8_t sig[MLDSA44_SIG_BYTES];

static void sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
    assert_int_equal(EVP_Digest(in, len, out, NULL, EVP_sha256(), NULL), 1);
}

static int verify_kat0(const uint8_t *s, const uint8_t *key)
{
    return mldsa44_verify(s, NULL, 0, NULL, 0, key);
}

/* The first vector byte for byte (empty message and context, rnd zero). */
static void test_kat_full(void **state)
{
    const mldsa_kat *v = &mldsa_kats[0];

    (void)state;
    assert_int_equal(mldsa44_keypair_derand(pk, sk, v->xi), 0);
    assert_memory_equal(pk, mldsa_kat0_pk, sizeof(pk));
    assert_memory_equal(sk, mldsa_kat0_sk, sizeof(sk));
    assert_int_equal(mldsa44_sign_derand(sig, NULL, 0, NULL, 0, sk, v->rnd), 0);
    assert_memory_equal(sig, mldsa_kat0_sig, sizeof(sig));
    assert_int_equal(verify_kat0(mldsa_kat0_sig, mldsa_kat0_pk), 0);
}

/* Every vector: keys, the signature, and noble's signature verifying. */
static void test_kat_all(void **state)
{
    uint8_t h[32];
    size_t i;

    (void)state;
    for (i = 0; i < N_KATS; i++) {
        const mldsa_kat *v = &mldsa_kats[i];

        assert_int_equal(mldsa44_keypair_derand(pk, sk, v->xi), 0);
        sha256(pk, sizeof(pk), h);
        assert_memory_equal(h, v->pk_sha256, 32);
        sha256(sk, sizeof(sk), h);
        assert_memory_equal(h, v->sk_sha256, 32);
        assert_int_equal(mldsa44_sign_derand(sig, v->msg, v->msg_len, v->ctx,
                                             v->ctx_len, sk, v->rnd), 0);
        sha256(sig, sizeof(sig), h);
        assert_memory_equal(h, v->sig_sha256, 32);
        assert_int_equal(mldsa44_verify(sig, v->msg, v->msg_len, v->ctx,
                                        v->ctx_len, pk), 0);
        /* another context is another message */
        if (v->ctx_len)
            assert_int_equal(mldsa44_verify(sig, v->msg, v->msg_len, v->ctx,
                                            v->ctx_len - 1, pk),
                             NSSH_ERR_SIGNATURE);
        else
            assert_int_equal(mldsa44_verify(sig, v->msg, v->msg_len,
                                            (const uint8_t *)"x", 1, pk),
                             NSSH_ERR_SIGNATURE);
    }
}

/* Hedged signing: another rnd, another signature, both valid. */
static void test_hedged(void **state)
{
    static uint8_t sig2[MLDSA44_SIG_BYTES];
    uint8_t rnd[32];
    const uint8_t msg[] = "hedged";

    (void)state;
    memset(rnd, 0x5a, sizeof(rnd));
    assert_int_equal(mldsa44_keypair_derand(pk, sk, mldsa_kats[2].xi), 0);
    assert_int_equal(mldsa44_sign_derand(sig, msg, 6, NULL, 0, sk, rnd), 0);
    rnd[31] ^= 1;
    assert_int_equal(mldsa44_sign_derand(sig2, msg, 6, NULL, 0, sk, rnd), 0);
    assert_memory_not_equal(sig, sig2, sizeof(sig));
    assert_int_equal(mldsa44_verify(sig, msg, 6, NULL, 0, pk), 0);
    assert_int_equal(mldsa44_verify(sig2, msg, 6, NULL, 0, pk), 0);
}

/* Any flipped bit of the signature, message or key is refused. */
static void test_tampered(void **state)
{
    static uint8_t s[MLDSA44_SIG_BYTES], k[MLDSA44_PK_BYTES];
    uint8_t msg[1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(s); i += 7) {
        memcpy(s, mldsa_kat0_sig, sizeof(s));
        s[i] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(verify_kat0(s, mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    }
    for (i = 0; i < sizeof(k); i += 5) {
        memcpy(k, mldsa_kat0_pk, sizeof(k));
        k[i] ^= (uint8_t)(1u << (i % 8));
        assert_int_equal(verify_kat0(mldsa_kat0_sig, k), NSSH_ERR_SIGNATURE);
    }
    msg[0] = 0;
    assert_int_equal(mldsa44_verify(mldsa_kat0_sig, msg, 1, NULL, 0,
                                    mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
}

/* Hostile encodings: hints out of order or past omega, dirty padding, a
 * z coefficient out of range, contexts over 255 bytes. */
static void test_hostile(void **state)
{
    static uint8_t s[MLDSA44_SIG_BYTES];
    uint8_t *h = s + SIG_H, ctx[256];
    unsigned i, n;

    (void)state;
    memcpy(s, mldsa_kat0_sig, sizeof(s));
    n = h[80 + 3];       /* hints used */
    assert_true(n >= 2 && n <= 80);
    /* counts going backwards */
    h[80 + 1] = (uint8_t)(h[80] == 0 ? 0 : h[80] - 1);
    if (h[80] != 0)
        assert_int_equal(verify_kat0(s, mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    memcpy(s, mldsa_kat0_sig, sizeof(s));
    h[80 + 3] = 81;      /* past omega */
    assert_int_equal(verify_kat0(s, mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    memcpy(s, mldsa_kat0_sig, sizeof(s));
    if (n < 80) {        /* padding after the last index must be zero */
        h[79] = 1;
        assert_int_equal(verify_kat0(s, mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    }
    memcpy(s, mldsa_kat0_sig, sizeof(s));
    for (i = 0; i < 4 && h[80 + i] < 2; i++)
        ;
    if (i < 4) {         /* two equal indices in one polynomial */
        unsigned first = i ? h[80 + i - 1] : 0;
        h[first + 1] = h[first];
        assert_int_equal(verify_kat0(s, mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    }
    /* z = gamma1 - 0x3ffff... : first 18-bit field all ones gives
     * z = 2^17 - 2^18 + 1 = -(2^17 - 1), beyond gamma1 - beta. */
    memcpy(s, mldsa_kat0_sig, sizeof(s));
    s[32] = 0xff;
    s[33] = 0xff;
    s[34] |= 0x03;
    assert_int_equal(verify_kat0(s, mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    memset(ctx, 0, sizeof(ctx));
    assert_int_equal(mldsa44_verify(mldsa_kat0_sig, NULL, 0, ctx, 256,
                                    mldsa_kat0_pk), NSSH_ERR_SIGNATURE);
    assert_int_equal(mldsa44_sign_derand(s, NULL, 0, ctx, 256, mldsa_kat0_sk,
                                         mldsa_kats[0].rnd), NSSH_ERR_STATE);
}

/* ---- stack use: each function on a painted stack of its own ---------- */
#define STACK_SIZE (256u * 1024u)
#define PAINT 0xa5

static int which;

static void *run_one(void *arg)
{
    (void)arg;
    if (which == 0)
        mldsa44_keypair_derand(pk, sk, mldsa_kats[3].xi);
    else if (which == 1)
        mldsa44_sign_derand(sig, mldsa_kats[3].msg, mldsa_kats[3].msg_len,
                            NULL, 0, sk, mldsa_kats[3].rnd);
    else
        mldsa44_verify(sig, mldsa_kats[3].msg, mldsa_kats[3].msg_len, NULL, 0, pk);
    return NULL;
}

static size_t stack_used(int w)
{
    uint8_t *stk = aligned_alloc(4096, STACK_SIZE);
    pthread_attr_t a;
    pthread_t t;
    size_t i;

    assert_non_null(stk);
    memset(stk, PAINT, STACK_SIZE);
    which = w;
    assert_int_equal(pthread_attr_init(&a), 0);
    assert_int_equal(pthread_attr_setstack(&a, stk, STACK_SIZE), 0);
    assert_int_equal(pthread_create(&t, &a, run_one, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&a);
    for (i = 0; i < STACK_SIZE && stk[i] == PAINT; i++)
        ;
    free(stk);
    return STACK_SIZE - i;
}

static void test_stack(void **state)
{
    static const char *const names[] = { "keygen", "sign", "verify" };
    size_t used[3];
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        used[i] = stack_used(i);
        printf("mldsa44 %s: %zu bytes of stack (with the thread's start)\n",
               names[i], used[i]);
    }
    assert_int_equal(mldsa44_verify(sig, mldsa_kats[3].msg,
                                    mldsa_kats[3].msg_len, NULL, 0, pk), 0);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__OPTIMIZE_SIZE__)
    /* the bounds mldsa44.h states, with some room for the thread */
    assert_true(used[0] < 16u * 1024u);
    assert_true(used[1] < 24u * 1024u);
    assert_true(used[2] < 18u * 1024u);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_full),
        cmocka_unit_test(test_kat_all),
        cmocka_unit_test(test_hedged),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
