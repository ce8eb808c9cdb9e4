/*
 * ML-DSA-44 (FIPS 204): key generation, signing and verification
 * (algorithms 2, 3, 6, 7 and 8) over mldsa_poly.c, with k = l = 4.
 *
 * Encodings (section 7.2):
 *   pk  = rho || SimpleBitPack(t1, 10 bits) x k                 1312 bytes
 *   sk  = rho || K || tr || BitPack(s1, s2: 3 bits) x (l + k)
 *         || BitPack(t0, 13 bits) x k                            2560 bytes
 *   sig = c~ || BitPack(z, 18 bits) x l || HintBitPack(h)        2420 bytes
 * The matrix A^ is sampled one entry at a time where it is used and the
 * secret vectors are decoded from sk when needed, so that neither is
 * stored: what is on the stack is the masking vector, w and a few
 * polynomials.
 */
#include <string.h>

#include "nanossh.h"
#include "keccak.h"
#include "mldsa44.h"
#include "mldsa_poly.h"

#define K 4
#define L 4
#define ETA_BYTES 96u                   /* 3 bits per coefficient */
#define T0_BYTES 416u                   /* 13 bits */
#define T1_BYTES 320u                   /* 10 bits */
#define Z_BYTES 576u                    /* 18 bits */
#define W1_BYTES 192u                   /* 6 bits */
#define CTILDE_BYTES 32u                /* lambda / 4 */
#define TR_BYTES 64u

#define SK_K 32u
#define SK_TR 64u
#define SK_S1 128u
#define SK_S2 (SK_S1 + L * ETA_BYTES)
#define SK_T0 (SK_S2 + K * ETA_BYTES)
#define SIG_Z CTILDE_BYTES
#define SIG_H (SIG_Z + L * Z_BYTES)

_Static_assert(SK_T0 + K * T0_BYTES == MLDSA44_SK_BYTES, "sk size");
_Static_assert(32u + K * T1_BYTES == MLDSA44_PK_BYTES, "pk size");
_Static_assert(SIG_H + MLDSA_OMEGA + K == MLDSA44_SIG_BYTES, "sig size");

/* Row r of A^ o v (v in the NTT domain), still in the NTT domain. Used by
 * keygen (v = s1^), sign (y^) and verify (z^). */
static void matvec_row(mldsa_poly *out, const uint8_t rho[32],
                       const mldsa_poly v[L], unsigned r)
{
    mldsa_poly a;
    unsigned s;

    memset(out, 0, sizeof(*out));
    for (s = 0; s < L; s++) {
        mldsa_sample_a(&a, rho, (uint8_t)r, (uint8_t)s);
        mldsa_pointwise_acc(out, &a, &v[s]);
    }
}

/* Centred representative in (-q/2, q/2] of c in [0, q). */
static void center(mldsa_poly *p)
{
    unsigned i;

    for (i = 0; i < MLDSA_N; i++)
        p->c[i] -= ((MLDSA_Q - 1) / 2 - p->c[i]) >> 31 & MLDSA_Q;
}

int mldsa44_keypair_derand(uint8_t pk[1312], uint8_t sk[2560],
                           const uint8_t seed[32])
{
    uint8_t in[34], g[128];
    mldsa_poly s1[L], t, s2, t1;
    unsigned i;

    /* (rho, rho', K) = H(xi || k || l, 128) */
    memcpy(in, seed, 32);
    in[32] = K;
    in[33] = L;
    pq_shake256(g, sizeof(g), in, sizeof(in), NULL, 0);
    MLDSA_PUBLIC(g, 32);                /* rho: part of pk */
    memcpy(pk, g, 32);
    memcpy(sk, g, 32);
    memcpy(sk + SK_K, g + 96, 32);
    for (i = 0; i < L; i++) {
        mldsa_sample_eta(&s1[i], g + 32, (uint16_t)i);
        mldsa_pack(sk + SK_S1 + i * ETA_BYTES, &s1[i], 3, MLDSA_ETA, 1);
        mldsa_ntt(&s1[i]);
    }
    for (i = 0; i < K; i++) {
        mldsa_sample_eta(&s2, g + 32, (uint16_t)(L + i));
        mldsa_pack(sk + SK_S2 + i * ETA_BYTES, &s2, 3, MLDSA_ETA, 1);
        matvec_row(&t, g, s1, i);
        mldsa_invntt(&t);
        mldsa_add(&t, &s2);
        mldsa_freeze(&t);
        mldsa_power2round(&t1, &t, &t);
        mldsa_pack(pk + 32 + i * T1_BYTES, &t1, 10, 0, 0);
        mldsa_pack(sk + SK_T0 + i * T0_BYTES, &t, 13, 1 << (MLDSA_D - 1), 1);
    }
    pq_shake256(sk + SK_TR, TR_BYTES, pk, MLDSA44_PK_BYTES, NULL, 0);
    nssh_wipe(g, sizeof(g));
    nssh_wipe(in, sizeof(in));
    nssh_wipe(s1, sizeof(s1));
    nssh_wipe(&s2, sizeof(s2));
    nssh_wipe(&t, sizeof(t));
    return 0;
}

/* mu = H(tr || M', 64) with M' = 0 || |ctx| || ctx || M (algorithm 2). */
static void message_hash(uint8_t mu[64], const uint8_t tr[64],
                         const uint8_t *msg, size_t len, const uint8_t *ctx,
                         size_t ctx_len)
{
    uint8_t pre[2] = { 0, (uint8_t)ctx_len };
    pq_keccak k;

    pq_keccak_init(&k, PQ_SHAKE256_RATE);
    pq_keccak_absorb(&k, tr, TR_BYTES);
    pq_keccak_absorb(&k, pre, sizeof(pre));
    if (ctx_len)
        pq_keccak_absorb(&k, ctx, ctx_len);
    if (len)
        pq_keccak_absorb(&k, msg, len);
    pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
    pq_keccak_squeeze(&k, mu, 64);
}

/* c~ = H(mu || w1Encode(w1), 32). */
static void commit_hash(uint8_t ctilde[32], const uint8_t mu[64],
                        const uint8_t w1[K * W1_BYTES])
{
    pq_shake256(ctilde, CTILDE_BYTES, mu, 64, w1, K * W1_BYTES);
}

/* p = NTT^-1(c^ o NTT(BitUnpack(enc))), into [0, q). */
static void times_c(mldsa_poly *p, const mldsa_poly *chat, const uint8_t *enc,
                    unsigned bits, int32_t b)
{
    mldsa_unpack(p, enc, bits, b, 1);
    mldsa_ntt(p);
    mldsa_pointwise(p, chat, p);
    mldsa_invntt(p);
    mldsa_freeze(p);
}

/* The state of one signing attempt: kept together to wipe it at once. */
typedef struct sign_state {
    mldsa_poly yhat[L], w[K], chat, t, u;
    uint8_t h[K][MLDSA_N];
    uint8_t w1[K * W1_BYTES];
} sign_state;

/* One candidate (algorithm 7, steps 11-31) for the mask at nonce kappa;
 * z goes to sig. Returns 1 when it was rejected. */
static unsigned sign_attempt(sign_state *st, uint8_t *sig, const uint8_t *sk,
                             const uint8_t mu[64], const uint8_t rhopp[64],
                             uint16_t kappa)
{
    unsigned i, j, reject = 0, hints = 0;
    int32_t hi0, hi1, lo;

    for (i = 0; i < L; i++) {
        mldsa_sample_mask(&st->yhat[i], rhopp, (uint16_t)(kappa + i));
        mldsa_ntt(&st->yhat[i]);
    }
    for (i = 0; i < K; i++) {
        matvec_row(&st->w[i], sk, st->yhat, i);
        mldsa_invntt(&st->w[i]);
        mldsa_freeze(&st->w[i]);
        mldsa_highbits(&st->t, &st->w[i]);
        mldsa_pack(st->w1 + i * W1_BYTES, &st->t, 6, 0, 0);
    }
    commit_hash(sig, mu, st->w1);
    MLDSA_PUBLIC(sig, CTILDE_BYTES);     /* part of the signature */
    mldsa_sample_ball(&st->chat, sig);
    mldsa_ntt(&st->chat);

    /* z = y + c s1 */
    for (i = 0; i < L; i++) {
        times_c(&st->t, &st->chat, sk + SK_S1 + i * ETA_BYTES, 3, MLDSA_ETA);
        mldsa_sample_mask(&st->u, rhopp, (uint16_t)(kappa + i));
        mldsa_add(&st->t, &st->u);
        mldsa_freeze(&st->t);
        reject |= mldsa_norm_exceeds(&st->t, MLDSA_GAMMA1 - MLDSA_BETA);
        center(&st->t);
        mldsa_pack(sig + SIG_Z + i * Z_BYTES, &st->t, 18, MLDSA_GAMMA1, 1);
    }
    for (i = 0; i < K; i++) {
        /* r0 = LowBits(w - c s2) */
        times_c(&st->t, &st->chat, sk + SK_S2 + i * ETA_BYTES, 3, MLDSA_ETA);
        mldsa_sub(&st->w[i], &st->t);
        mldsa_freeze(&st->w[i]);
        for (j = 0; j < MLDSA_N; j++) {
            mldsa_decompose(&hi0, &lo, st->w[i].c[j]);
            st->u.c[j] = lo;
        }
        reject |= mldsa_norm_exceeds(&st->u, MLDSA_GAMMA2 - MLDSA_BETA);
        /* h = MakeHint(-c t0, w - c s2 + c t0) (algorithm 39) */
        times_c(&st->t, &st->chat, sk + SK_T0 + i * T0_BYTES, 13,
                1 << (MLDSA_D - 1));
        reject |= mldsa_norm_exceeds(&st->t, MLDSA_GAMMA2);
        mldsa_add(&st->t, &st->w[i]);
        mldsa_freeze(&st->t);
        for (j = 0; j < MLDSA_N; j++) {
            mldsa_decompose(&hi0, &lo, st->t.c[j]);
            mldsa_decompose(&hi1, &lo, st->w[i].c[j]);
            st->h[i][j] = (uint8_t)(((uint32_t)(hi0 ^ hi1) + 0xffffffffu) >> 31 ^ 1);
            hints += st->h[i][j];
        }
    }
    reject |= (uint32_t)(MLDSA_OMEGA - (int32_t)hints) >> 31;
    MLDSA_PUBLIC(&reject, sizeof(reject));
    return reject;
}

/* HintBitPack (algorithm 20) of an accepted h (now public). */
static void pack_hints(uint8_t out[MLDSA_OMEGA + K], const uint8_t h[K][MLDSA_N])
{
    unsigned i, j, n = 0;

    memset(out, 0, MLDSA_OMEGA + K);
    for (i = 0; i < K; i++) {
        for (j = 0; j < MLDSA_N; j++)
            if (h[i][j])
                out[n++] = (uint8_t)j;
        out[MLDSA_OMEGA + i] = (uint8_t)n;
    }
}

int mldsa44_sign_derand(uint8_t sig[2420], const uint8_t *msg, size_t len,
                        const uint8_t *ctx, size_t ctx_len,
                        const uint8_t sk[2560], const uint8_t rnd[32])
{
    uint8_t mu[64], rhopp[64];
    sign_state st;
    unsigned kappa;
    int e = NSSH_ERR_CRYPTO;

    if (ctx_len > MLDSA44_CTX_MAX || (ctx_len && !ctx) || (len && !msg))
        return NSSH_ERR_STATE;
    message_hash(mu, sk + SK_TR, msg, len, ctx, ctx_len);
    /* rho'' = H(K || rnd || mu, 64) */
    {
        pq_keccak k;

        pq_keccak_init(&k, PQ_SHAKE256_RATE);
        pq_keccak_absorb(&k, sk + SK_K, 32);
        pq_keccak_absorb(&k, rnd, 32);
        pq_keccak_absorb(&k, mu, sizeof(mu));
        pq_keccak_finish(&k, PQ_SUFFIX_SHAKE);
        pq_keccak_squeeze(&k, rhopp, sizeof(rhopp));
        nssh_wipe(&k, sizeof(k));
    }
    /* About 4.3 attempts on average; the nonce is 16 bits, so stop (with
     * a probability far below 2^-100 of ever getting there) before it
     * wraps. */
    for (kappa = 0; kappa + L <= 0xffffu; kappa += L) {
        if (!sign_attempt(&st, sig, sk, mu, rhopp, (uint16_t)kappa)) {
            MLDSA_PUBLIC(st.h, sizeof(st.h));
            pack_hints(sig + SIG_H, st.h);
            e = 0;
            break;
        }
    }
    if (e < 0)
        nssh_wipe(sig, MLDSA44_SIG_BYTES);
    nssh_wipe(&st, sizeof(st));
    nssh_wipe(rhopp, sizeof(rhopp));
    nssh_wipe(mu, sizeof(mu));
    return e;
}

/* HintBitUnpack (algorithm 21): 0, or -1 when malformed (indices not
 * strictly increasing within a polynomial, counts out of order or past
 * omega, padding not zero). */
static int unpack_hints(uint8_t h[K][MLDSA_N], const uint8_t in[MLDSA_OMEGA + K])
{
    unsigned i, n = 0, first, end;

    memset(h, 0, K * MLDSA_N);
    for (i = 0; i < K; i++) {
        end = in[MLDSA_OMEGA + i];
        if (end < n || end > MLDSA_OMEGA)
            return -1;
        for (first = n; n < end; n++) {
            if (n > first && in[n - 1] >= in[n])
                return -1;
            h[i][in[n]] = 1;
        }
    }
    for (; n < MLDSA_OMEGA; n++)
        if (in[n])
            return -1;
    return 0;
}

int mldsa44_verify(const uint8_t sig[2420], const uint8_t *msg, size_t len,
                   const uint8_t *ctx, size_t ctx_len, const uint8_t pk[1312])
{
    uint8_t h[K][MLDSA_N], w1[K * W1_BYTES], mu[64], ctilde[32];
    mldsa_poly zhat[L], chat, w, t;
    unsigned i, j, bad = 0;

    if (!sig || !pk || ctx_len > MLDSA44_CTX_MAX || (ctx_len && !ctx) ||
        (len && !msg))
        return NSSH_ERR_SIGNATURE;
    if (unpack_hints(h, sig + SIG_H) < 0)
        return NSSH_ERR_SIGNATURE;
    for (i = 0; i < L; i++) {
        mldsa_unpack(&zhat[i], sig + SIG_Z + i * Z_BYTES, 18, MLDSA_GAMMA1, 1);
        bad |= mldsa_norm_exceeds(&zhat[i], MLDSA_GAMMA1 - MLDSA_BETA);
        mldsa_ntt(&zhat[i]);
    }
    if (bad)
        return NSSH_ERR_SIGNATURE;
    pq_shake256(mu, TR_BYTES, pk, MLDSA44_PK_BYTES, NULL, 0);    /* tr */
    message_hash(mu, mu, msg, len, ctx, ctx_len);
    mldsa_sample_ball(&chat, sig);
    mldsa_ntt(&chat);
    for (i = 0; i < K; i++) {
        /* w'_approx = NTT^-1(A^ o z^ - c^ o NTT(t1 2^d)) */
        matvec_row(&w, pk, zhat, i);
        mldsa_unpack(&t, pk + 32 + i * T1_BYTES, 10, 0, 0);
        for (j = 0; j < MLDSA_N; j++)
            t.c[j] <<= MLDSA_D;
        mldsa_ntt(&t);
        mldsa_pointwise(&t, &chat, &t);
        mldsa_sub(&w, &t);
        mldsa_invntt(&w);
        mldsa_freeze(&w);
        mldsa_use_hint(&t, &w, h[i]);
        mldsa_pack(w1 + i * W1_BYTES, &t, 6, 0, 0);
    }
    commit_hash(ctilde, mu, w1);
    return memcmp(ctilde, sig, CTILDE_BYTES) == 0 ? 0 : NSSH_ERR_SIGNATURE;
}
