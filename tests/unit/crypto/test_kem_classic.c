/*
 * Classic key exchanges as KEMs: ECDH on P-256/384/521 (RFC 5656) against
 * the RFC 5903 section 8 vectors, finite-field DH on the RFC 3526 groups
 * (RFC 8268) against vectors/dh_vectors.h (made by vectors/gen_dh.py with
 * Python's own arithmetic), round trips, and refusal of invalid peer
 * values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "nanossh.h"
#include "nanossh_ossl.h"
#include "dh.h"
#include "vectors/dh_vectors.h"

#define BIG 1024

/* ---- helpers ------------------------------------------------------------- */

/* Hex (spaces allowed) into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v = 0;
        if (*s == ' ')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            v = (*s | 0x20) - 'a' + 10;
        else
            fail_msg("bad hex digit '%c'", *s);
        if (hi < 0) {
            hi = v;
            continue;
        }
        assert_true(n < cap);
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    assert_int_equal(hi, -1);
    return n;
}

/* A random source that hands out fixed bytes, then fails. */
typedef struct feed {
    uint8_t buf[2 * BIG];
    size_t len, pos;
} feed;

static int feed_rng(void *user, uint8_t *out, size_t len)
{
    feed *f = user;
    if (f->len - f->pos < len)
        return NSSH_ERR_RNG;
    memcpy(out, f->buf + f->pos, len);
    f->pos += len;
    return 0;
}

static void feed_hex(feed *f, const char *hex)
{
    f->len += unhex(hex, f->buf + f->len, sizeof(f->buf) - f->len);
}

static void feed_bytes(feed *f, uint8_t b, size_t n)
{
    assert_true(f->len + n <= sizeof(f->buf));
    memset(f->buf + f->len, b, n);
    f->len += n;
}

static const nssh_kem *const classic[] = {
    &nssh_ossl_ecdh_nistp256, &nssh_ossl_ecdh_nistp384,
    &nssh_ossl_ecdh_nistp521, &nssh_ossl_dh_group14_sha256,
    &nssh_ossl_dh_group16_sha512, &nssh_ossl_dh_group18_sha512,
    &nssh_ossl_dh_group14_sha1,
};
#define N_CLASSIC (sizeof(classic) / sizeof(classic[0]))

/* encaps and decaps both refuse this peer value. */
static void refuse(const nssh_kem *k, const uint8_t *bad)
{
    uint8_t pk[BIG], sk[BIG], ct[BIG], ss[BIG];
    assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);
    assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), NSSH_ERR_KEX_VALUE);
    assert_int_equal(k->decaps(ss, bad, sk), NSSH_ERR_KEX_VALUE);
}

/* ---- every KEM ----------------------------------------------------------- */

static void test_round_trip(void **st)
{
    size_t i;
    (void)st;
    for (i = 0; i < N_CLASSIC; i++) {
        const nssh_kem *k = classic[i];
        uint8_t pk[BIG], sk[BIG], ct[BIG], ss1[BIG], ss2[BIG];
        assert_true(k->ss_len <= BIG && k->pk_len <= BIG && k->ct_len <= BIG);
        assert_true(k->flags & NSSH_KEM_SS_MPINT);
        assert_int_equal(k->keypair(pk, sk, nssh_ossl_rng, NULL), 0);
        assert_int_equal(k->encaps(ct, ss1, pk, nssh_ossl_rng, NULL), 0);
        assert_int_equal(k->decaps(ss2, ct, sk), 0);
        assert_memory_equal(ss1, ss2, k->ss_len);
        assert_memory_not_equal(pk, ct, k->pk_len);
    }
}

static void test_names_and_lists(void **st)
{
    static const char *const want[] = {
        "curve25519-sha256@libssh.org", "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256",
    };
    size_t i, j = 0;
    (void)st;
    for (i = 0; i < N_CLASSIC; i++)
        assert_ptr_equal(nssh_ossl_kem_by_name(classic[i]->name), classic[i]);
    /* The default list keeps this order (others may come first); the
     * SHA-1 group and the NIST curves are found by name only. */
    for (i = 0; nssh_ossl_kems[i]; i++) {
        assert_ptr_not_equal(nssh_ossl_kems[i], &nssh_ossl_dh_group14_sha1);
        assert_null(strstr(nssh_ossl_kems[i]->name, "ecdh-sha2-nistp"));
        if (j < 5 && strcmp(nssh_ossl_kems[i]->name, want[j]) == 0)
            j++;
    }
    assert_int_equal(j, 5);
}

/* ---- ECDH ------------------------------------------------------------------ */

/* RFC 5903 section 8: i, g^i, r, g^r and x(g^ir) for each curve. */
static const struct ec_vec {
    const nssh_kem *kem;
    const char *i, *gix, *giy, *r, *grx, *gry, *girx;
} ec_vecs[] = {
    { &nssh_ossl_ecdh_nistp256,
      "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
      "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
      "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
      "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
      "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
      "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
      "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE" },
    { &nssh_ossl_ecdh_nistp384,
      "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
      "E35B5380 41E649EE 3FAEF896 783AB194",
      "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
      "DE3AC808 ACB4BDB4 C88732AE E95F41AA",
      "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
      "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
      "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
      "E0308312 916B8ED2 960E4BD5 5A7448FC",
      "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
      "0D1AC43A 0336DEF9 6FDA41D0 774A3571",
      "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
      "F83FA401 42209DFF 5EAAD96D B9E6386C",
      "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
      "D6031355 69B9E9D0 9CF5D4A2 70F59746" },
    { &nssh_ossl_ecdh_nistp521,
      "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0"
      "95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D"
      "4A52",
      "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE"
      "E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C"
      "ED3E",
      "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A"
      "D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F"
      "9582",
      "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E"
      "9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168"
      "5EB9",
      "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21"
      "9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9"
      "460F",
      "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87"
      "220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F"
      "C56A",
      "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04"
      "D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3"
      "DDEA" },
};

/* 0x04 || x || y */
static size_t point(const char *x, const char *y, uint8_t *out)
{
    size_t n;
    out[0] = 4;
    n = unhex(x, out + 1, BIG);
    return 1 + n + unhex(y, out + 1 + n, BIG);
}

static void test_ecdh_rfc5903(void **st)
{
    size_t v;
    (void)st;
    for (v = 0; v < sizeof(ec_vecs) / sizeof(ec_vecs[0]); v++) {
        const struct ec_vec *t = &ec_vecs[v];
        const nssh_kem *k = t->kem;
        uint8_t gi[BIG], gr[BIG], i[BIG], girx[BIG];
        uint8_t pk[BIG], sk[BIG], ct[BIG], ss[BIG];
        feed f = { .len = 0 };
        assert_int_equal(point(t->gix, t->giy, gi), k->pk_len);
        assert_int_equal(point(t->grx, t->gry, gr), k->ct_len);
        assert_int_equal(unhex(t->i, i, BIG), k->sk_len);
        assert_int_equal(unhex(t->girx, girx, BIG), k->ss_len);
        /* initiator: keypair from i, then the responder's g^r */
        feed_hex(&f, t->i);
        assert_int_equal(k->keypair(pk, sk, feed_rng, &f), 0);
        assert_memory_equal(pk, gi, k->pk_len);
        assert_memory_equal(sk, i, k->sk_len);
        assert_int_equal(k->decaps(ss, gr, sk), 0);
        assert_memory_equal(ss, girx, k->ss_len);
        /* responder: ephemeral r against g^i */
        memset(&f, 0, sizeof(f));
        feed_hex(&f, t->r);
        assert_int_equal(k->encaps(ct, ss, gi, feed_rng, &f), 0);
        assert_memory_equal(ct, gr, k->ct_len);
        assert_memory_equal(ss, girx, k->ss_len);
    }
}

/* Scalars out of [1, n-1] are drawn again; bits above the order's length
 * are cleared; a source that never yields a valid scalar is an error. */
static void test_ecdh_scalar_draw(void **st)
{
    size_t v;
    (void)st;
    for (v = 0; v < sizeof(ec_vecs) / sizeof(ec_vecs[0]); v++) {
        const struct ec_vec *t = &ec_vecs[v];
        const nssh_kem *k = t->kem;
        uint8_t gi[BIG], pk[BIG], sk[BIG];
        feed f = { .len = 0 };
        point(t->gix, t->giy, gi);
        feed_bytes(&f, 0x00, k->sk_len);   /* zero */
        feed_bytes(&f, 0xff, k->sk_len);   /* >= n (after masking, too) */
        feed_hex(&f, t->i);
        if (k == &nssh_ossl_ecdh_nistp521)
            f.buf[f.len - k->sk_len] |= 0xfe;   /* above bit 521: ignored */
        assert_int_equal(k->keypair(pk, sk, feed_rng, &f), 0);
        assert_int_equal(f.pos, f.len);
        assert_memory_equal(pk, gi, k->pk_len);
        memset(&f, 0, sizeof(f));
        feed_bytes(&f, 0x00, sizeof(f.buf));
        assert_int_equal(k->keypair(pk, sk, feed_rng, &f), NSSH_ERR_RNG);
    }
}

static void test_ecdh_invalid_points(void **st)
{
    size_t v;
    (void)st;
    for (v = 0; v < sizeof(ec_vecs) / sizeof(ec_vecs[0]); v++) {
        const struct ec_vec *t = &ec_vecs[v];
        const nssh_kem *k = t->kem;
        uint8_t good[BIG], bad[BIG], longer[BIG];
        point(t->gix, t->giy, good);
        /* not on the curve: y changed */
        memcpy(bad, good, k->pk_len);
        bad[k->pk_len - 1] ^= 1;
        refuse(k, bad);
        /* (0, 0): the usual stand-in for infinity, not on the curve */
        memset(bad, 0, k->pk_len);
        bad[0] = 4;
        refuse(k, bad);
        /* the one-byte encoding of infinity, padded to the length */
        memset(bad, 0, k->pk_len);
        refuse(k, bad);
        /* compressed and hybrid forms are not what RFC 5656 sends */
        memcpy(bad, good, k->pk_len);
        bad[0] = 2;
        refuse(k, bad);
        bad[0] = 6;
        refuse(k, bad);
        /* coordinates at or above the field prime */
        memset(bad, 0xff, k->pk_len);
        bad[0] = 4;
        refuse(k, bad);
        /* wrong length: the front of a longer curve's point (the engine
         * refuses a string of the wrong length before the KEM sees it) */
        point(ec_vecs[(v + 1) % 3].gix, ec_vecs[(v + 1) % 3].giy, longer);
        if (ec_vecs[(v + 1) % 3].kem->pk_len > k->pk_len)
            refuse(k, longer);
        /* and the genuine point still works */
        {
            uint8_t ct[BIG], ss[BIG];
            assert_int_equal(k->encaps(ct, ss, good, nssh_ossl_rng, NULL), 0);
        }
    }
}

/* ---- finite-field DH ----------------------------------------------------- */

static const struct dh_vec {
    const nssh_kem *kem;
    const char *x, *y, *e, *f, *k;
} dh_vecs[] = {
    { &nssh_ossl_dh_group14_sha256, g14_x, g14_y, g14_e, g14_f, g14_k },
    { &nssh_ossl_dh_group14_sha1, g14_x, g14_y, g14_e, g14_f, g14_k },
    { &nssh_ossl_dh_group16_sha512, g16_x, g16_y, g16_e, g16_f, g16_k },
    { &nssh_ossl_dh_group18_sha512, g18_x, g18_y, g18_e, g18_f, g18_k },
};

static void test_dh_vectors(void **st)
{
    size_t v;
    (void)st;
    for (v = 0; v < sizeof(dh_vecs) / sizeof(dh_vecs[0]); v++) {
        const struct dh_vec *t = &dh_vecs[v];
        const nssh_kem *k = t->kem;
        uint8_t e[BIG], fv[BIG], kk[BIG], pk[BIG], sk[BIG], ct[BIG], ss[BIG];
        feed f = { .len = 0 };
        assert_int_equal(k->flags, NSSH_KEM_PK_MPINT | NSSH_KEM_SS_MPINT);
        assert_int_equal(unhex(t->e, e, BIG), k->pk_len);
        assert_int_equal(unhex(t->f, fv, BIG), k->ct_len);
        assert_int_equal(unhex(t->k, kk, BIG), k->ss_len);
        feed_hex(&f, t->x);
        assert_int_equal(f.len, k->sk_len);
        assert_int_equal(k->keypair(pk, sk, feed_rng, &f), 0);
        assert_memory_equal(pk, e, k->pk_len);
        assert_memory_equal(sk, f.buf, k->sk_len);
        assert_int_equal(k->decaps(ss, fv, sk), 0);
        assert_memory_equal(ss, kk, k->ss_len);
        memset(&f, 0, sizeof(f));
        feed_hex(&f, t->y);
        assert_int_equal(k->encaps(ct, ss, e, feed_rng, &f), 0);
        assert_memory_equal(ct, fv, k->ct_len);
        assert_memory_equal(ss, kk, k->ss_len);
    }
}

/* The group's prime from OpenSSL; group 14's also against the generator's. */
static void group_prime(const nssh_kem *k, uint8_t *p)
{
    BIGNUM *bp = k->pk_len == 256 ? BN_get_rfc3526_prime_2048(NULL)
               : k->pk_len == 512 ? BN_get_rfc3526_prime_4096(NULL)
                                  : BN_get_rfc3526_prime_8192(NULL);
    assert_non_null(bp);
    assert_int_equal(BN_bn2binpad(bp, p, k->pk_len), k->pk_len);
    BN_free(bp);
    if (k->pk_len == 256) {
        uint8_t q[256];
        unhex(g14_p, q, sizeof(q));
        assert_memory_equal(p, q, 256);
    }
}

/* Add small to a big-endian number in place (no carry out expected). */
static void add_small(uint8_t *v, size_t n, int delta)
{
    int carry = delta;
    while (n-- > 0 && carry != 0) {
        int s = v[n] + carry;
        v[n] = (uint8_t)s;
        carry = s < 0 ? -1 : s >> 8;
    }
}

static void test_dh_invalid_values(void **st)
{
    size_t v;
    (void)st;
    for (v = 0; v < N_CLASSIC; v++) {
        const nssh_kem *k = classic[v];
        size_t n = k->pk_len;
        uint8_t p[BIG], bad[BIG], ct[BIG], ss[BIG];
        if (!(k->flags & NSSH_KEM_PK_MPINT) || n < 2 || n > BIG)
            continue;
        group_prime(k, p);
        memset(bad, 0, n);           /* 0 */
        refuse(k, bad);
        bad[n - 1] = 1;              /* 1 */
        refuse(k, bad);
        memcpy(bad, p, n);           /* p - 1 */
        add_small(bad, n, -1);
        refuse(k, bad);
        refuse(k, p);                /* p */
        memcpy(bad, p, n);           /* p + 1 */
        add_small(bad, n, 1);
        refuse(k, bad);
        memset(bad, 0xff, n);        /* 2^bits - 1 > p */
        refuse(k, bad);
        /* the edges just inside are accepted: 2 and p - 2 */
        memset(bad, 0, n);
        bad[n - 1] = 2;
        assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), 0);
        memcpy(bad, p, n);
        add_small(bad, n, -2);
        assert_int_equal(k->encaps(ct, ss, bad, nssh_ossl_rng, NULL), 0);
    }
}

/* The helper kept for group exchange (RFC 4419) takes any (p, g). */
static void test_dh_helper(void **st)
{
    uint8_t p[256], g = 2, one = 1, x[64], y[64], e[256], f[256], k1[256], k2[256];
    uint8_t even[256];
    (void)st;
    unhex(g14_p, p, sizeof(p));
    assert_int_equal(dh_keypair(p, 256, &g, 1, x, 64, e, nssh_ossl_rng, NULL), 0);
    assert_true(x[0] & 0x80);
    assert_int_equal(dh_keypair(p, 256, &g, 1, y, 64, f, nssh_ossl_rng, NULL), 0);
    assert_int_equal(dh_shared(p, 256, x, 64, f, k1), 0);
    assert_int_equal(dh_shared(p, 256, y, 64, e, k2), 0);
    assert_memory_equal(k1, k2, 256);
    /* unusable groups and arguments */
    assert_int_equal(dh_keypair(p, 256, &one, 1, x, 64, e, nssh_ossl_rng, NULL),
                     NSSH_ERR_KEX_VALUE);
    memcpy(even, p, sizeof(even));
    even[255] ^= 1;
    assert_int_equal(dh_keypair(even, 256, &g, 1, x, 64, e, nssh_ossl_rng, NULL),
                     NSSH_ERR_KEX_VALUE);
    assert_int_equal(dh_keypair(p, 256, &g, 1, x, 256, e, nssh_ossl_rng, NULL),
                     NSSH_ERR_INTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_names_and_lists),
        cmocka_unit_test(test_ecdh_rfc5903),
        cmocka_unit_test(test_ecdh_scalar_draw),
        cmocka_unit_test(test_ecdh_invalid_points),
        cmocka_unit_test(test_dh_vectors),
        cmocka_unit_test(test_dh_invalid_values),
        cmocka_unit_test(test_dh_helper),
    };
    return cmocka_run_group_tests_name("kem_classic", tests, NULL, NULL);
}
