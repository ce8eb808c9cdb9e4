/*
 * ML-KEM-768 (FIPS 203): K-PKE (section 5) and the KEM built on it
 * (section 6), parameters k = 3, eta1 = eta2 = 2, du = 10, dv = 4.
 *
 * Key layout (section 6.1): ek = ByteEncode_12(t^) || rho;
 * dk = ByteEncode_12(s^) || ek || H(ek) || z.
 * The matrix A^ is sampled one entry at a time while it is used, so it
 * never needs its own 4.5 KiB of stack.
 */
#include <string.h>

#include "nanossh.h"
#include "keccak.h"
#include "mlkem_poly.h"
#include "mlkem768.h"

#define K 3
#define POLY_BYTES 384u                    /* ByteEncode_12 of one poly */
#define PKE_SK_BYTES (K * POLY_BYTES)      /* 1152 */
#define DU 10u
#define DV 4u
#define U_BYTES (K * 32u * DU)             /* 960 */
#define OFF_EK PKE_SK_BYTES                /* ek inside dk */
#define OFF_H (OFF_EK + MLKEM768_PK_BYTES) /* H(ek) inside dk */
#define OFF_Z (OFF_H + 32u)                /* z inside dk */

typedef struct polyvec {
    mlkem_poly p[K];
} polyvec;

/* Row i of A^ o v, or of A^T o v when transposed, where
 * A^[i][j] = SampleNTT(rho || j || i) (algorithms 13 and 14). One row at
 * a time: A is never stored, and a caller that wants one row of the
 * product keeps one polynomial, not a vector. */
static void matvec_row(mlkem_poly *out, const uint8_t rho[32],
                       const polyvec *v, unsigned i, int transposed)
{
    mlkem_poly a;
    unsigned j;

    memset(out, 0, sizeof(*out));
    for (j = 0; j < K; j++) {
        if (transposed)
            mlkem_sample_ntt(&a, rho, (uint8_t)i, (uint8_t)j);
        else
            mlkem_sample_ntt(&a, rho, (uint8_t)j, (uint8_t)i);
        mlkem_basemul_acc(out, &a, &v->p[j]);
    }
}

static void matvec(polyvec *out, const uint8_t rho[32], const polyvec *v,
                   int transposed)
{
    unsigned i;

    for (i = 0; i < K; i++)
        matvec_row(&out->p[i], rho, v, i, transposed);
}

/* K-PKE.KeyGen (algorithm 13). */
static void pke_keygen(uint8_t ek[MLKEM768_PK_BYTES],
                       uint8_t dk[PKE_SK_BYTES], const uint8_t d[32])
{
    uint8_t in[33], g[64];
    polyvec s, e, t;
    unsigned i;

    /* (rho, sigma) = G(d || k): the k byte separates parameter sets. */
    memcpy(in, d, 32);
    in[32] = K;
    pq_sha3_512(g, in, sizeof(in), NULL, 0);
    for (i = 0; i < K; i++) {
        mlkem_sample_cbd2(&s.p[i], g + 32, (uint8_t)i);
        mlkem_sample_cbd2(&e.p[i], g + 32, (uint8_t)(K + i));
        mlkem_ntt(&s.p[i]);
        mlkem_ntt(&e.p[i]);
    }
    matvec(&t, g, &s, 0);
    for (i = 0; i < K; i++) {
        mlkem_add(&t.p[i], &e.p[i]);
        mlkem_encode(ek + i * POLY_BYTES, &t.p[i], 12);
        mlkem_encode(dk + i * POLY_BYTES, &s.p[i], 12);
    }
    memcpy(ek + PKE_SK_BYTES, g, 32);
    nssh_wipe(in, sizeof(in));
    nssh_wipe(g, sizeof(g));
    nssh_wipe(&s, sizeof(s));
    nssh_wipe(&e, sizeof(e));
}

/* K-PKE.Encrypt (algorithm 14). Each row of u is finished and encoded
 * before the next, and t^ is decoded from ek one polynomial at a time
 * (values reduced as decode_ek does): besides y, four polynomials of
 * stack instead of three vectors, about 2.5 KiB less at the deepest point
 * of a server's key exchange. */
static void pke_encrypt(uint8_t ct[MLKEM768_CT_BYTES],
                        const uint8_t ek[MLKEM768_PK_BYTES],
                        const uint8_t m[32], const uint8_t r[32])
{
    const uint8_t *rho = ek + PKE_SK_BYTES;
    polyvec y;
    mlkem_poly w, e, v;
    unsigned i;

    for (i = 0; i < K; i++) {
        mlkem_sample_cbd2(&y.p[i], r, (uint8_t)i);
        mlkem_ntt(&y.p[i]);
    }
    /* u = NTT^-1(A^T o y) + e1, row by row */
    for (i = 0; i < K; i++) {
        matvec_row(&w, rho, &y, i, 1);
        mlkem_invntt(&w);
        mlkem_sample_cbd2(&e, r, (uint8_t)(K + i));
        mlkem_add(&w, &e);
        mlkem_encode(ct + i * 32u * DU, &w, DU);
    }
    /* v = NTT^-1(t^T o y) + e2 + Decompress_1(m) */
    memset(&v, 0, sizeof(v));
    for (i = 0; i < K; i++) {
        (void)mlkem_decode12(&w, ek + i * POLY_BYTES);
        mlkem_basemul_acc(&v, &w, &y.p[i]);
    }
    mlkem_invntt(&v);
    mlkem_sample_cbd2(&e, r, (uint8_t)(2 * K));
    mlkem_add(&v, &e);
    mlkem_decode(&e, m, 1);
    mlkem_add(&v, &e);
    mlkem_encode(ct + U_BYTES, &v, DV);
    nssh_wipe(&y, sizeof(y));
    nssh_wipe(&w, sizeof(w));
    nssh_wipe(&e, sizeof(e));
    nssh_wipe(&v, sizeof(v));
}

/* K-PKE.Decrypt (algorithm 15). */
static void pke_decrypt(uint8_t m[32], const uint8_t dk[PKE_SK_BYTES],
                        const uint8_t ct[MLKEM768_CT_BYTES])
{
    polyvec u, s;
    mlkem_poly v, w;
    unsigned i;

    memset(&w, 0, sizeof(w));
    for (i = 0; i < K; i++) {
        mlkem_decode(&u.p[i], ct + i * 32u * DU, DU);
        mlkem_ntt(&u.p[i]);
        (void)mlkem_decode12(&s.p[i], dk + i * POLY_BYTES);
        mlkem_basemul_acc(&w, &s.p[i], &u.p[i]);
    }
    mlkem_invntt(&w);
    mlkem_decode(&v, ct + U_BYTES, DV);
    mlkem_sub(&v, &w);
    mlkem_encode(m, &v, 1);
    nssh_wipe(&u, sizeof(u));
    nssh_wipe(&s, sizeof(s));
    nssh_wipe(&v, sizeof(v));
    nssh_wipe(&w, sizeof(w));
}

/* Nonzero when a coefficient of t^ in ek is not below q (the modulus
 * check of section 7.2), one polynomial at a time. */
static unsigned check_ek(const uint8_t ek[MLKEM768_PK_BYTES])
{
    mlkem_poly t;
    unsigned i, bad = 0;

    for (i = 0; i < K; i++)
        bad |= mlkem_decode12(&t, ek + i * POLY_BYTES);
    return bad;
}

int mlkem768_keypair_derand(uint8_t pk[1184], uint8_t sk[2400],
                            const uint8_t d[32], const uint8_t z[32])
{
    pke_keygen(pk, sk, d);
    memcpy(sk + OFF_EK, pk, MLKEM768_PK_BYTES);
    pq_sha3_256(sk + OFF_H, pk, MLKEM768_PK_BYTES, NULL, 0);
    memcpy(sk + OFF_Z, z, 32);
    return 0;
}

int mlkem768_encaps_derand(uint8_t ct[1088], uint8_t ss[32],
                           const uint8_t pk[1184], const uint8_t m[32])
{
    uint8_t h[32], g[64];

    /* Modulus check (section 7.2): ek must re-encode to itself. */
    if (check_ek(pk) != 0)
        return NSSH_ERR_KEX_VALUE;
    /* (K, r) = G(m || H(ek)) */
    pq_sha3_256(h, pk, MLKEM768_PK_BYTES, NULL, 0);
    pq_sha3_512(g, m, 32, h, sizeof(h));
    pke_encrypt(ct, pk, m, g + 32);
    memcpy(ss, g, 32);
    nssh_wipe(g, sizeof(g));
    return 0;
}

/* 0xff when diff is nonzero, 0 otherwise, without a branch. */
static uint8_t nonzero_mask(uint8_t diff)
{
    uint32_t ne = ((uint32_t)diff + 0xffu) >> 8;

#if defined(__GNUC__)
    /* Keep the compiler from turning the select below into a branch. */
    __asm__("" : "+r"(ne));
#endif
    return (uint8_t)(0u - ne);
}

int mlkem768_decaps(uint8_t ss[32], const uint8_t ct[1088],
                    const uint8_t sk[2400])
{
    const uint8_t *ek = sk + OFF_EK, *h = sk + OFF_H, *z = sk + OFF_Z;
    uint8_t hh[32], m[32], g[64], rej[32], ct2[MLKEM768_CT_BYTES];
    uint8_t diff = 0, mask;
    unsigned i;

    /* Hash check of dk (section 7.3); ek and H(ek) are public. */
    pq_sha3_256(hh, ek, MLKEM768_PK_BYTES, NULL, 0);
    if (memcmp(hh, h, sizeof(hh)) != 0)
        return NSSH_ERR_KEY;
    pke_decrypt(m, sk, ct);
    pq_sha3_512(g, m, sizeof(m), h, 32);
    /* Implicit rejection value J(z || c) = SHAKE256(z || c, 32). */
    pq_shake256(rej, sizeof(rej), z, 32, ct, MLKEM768_CT_BYTES);
    pke_encrypt(ct2, ek, m, g + 32);
    for (i = 0; i < MLKEM768_CT_BYTES; i++)
        diff |= (uint8_t)(ct[i] ^ ct2[i]);
    mask = nonzero_mask(diff);
    for (i = 0; i < 32; i++)
        ss[i] = (uint8_t)(g[i] ^ (mask & (g[i] ^ rej[i])));
    nssh_wipe(m, sizeof(m));
    nssh_wipe(g, sizeof(g));
    nssh_wipe(rej, sizeof(rej));
    nssh_wipe(ct2, sizeof(ct2));
    return 0;
}
