/*
 * RevokedKeys: the KRL reader (PROTOCOL.krl) on KRLs built here field by
 * field, hostile ones included (truncations at every byte, bad lengths,
 * unknown or critical sections, out-of-order hashes, serial 0, bitmaps
 * past 2^64, random byte flips), and the plain key list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "krl.h"

/* ---- a little writer for building KRLs ---- */
typedef struct wb {
    uint8_t b[4096];
    size_t n;
} wb;

static void u8(wb *w, uint8_t v) { w->b[w->n++] = v; }
static void u32(wb *w, uint32_t v)
{
    u8(w, (uint8_t)(v >> 24)); u8(w, (uint8_t)(v >> 16));
    u8(w, (uint8_t)(v >> 8)); u8(w, (uint8_t)v);
}
static void u64(wb *w, uint64_t v) { u32(w, (uint32_t)(v >> 32)); u32(w, (uint32_t)v); }
static void raw(wb *w, const void *p, size_t n) { if (n) memcpy(w->b + w->n, p, n); w->n += n; }
static void str(wb *w, const void *p, size_t n) { u32(w, (uint32_t)n); raw(w, p, n); }
static void cstr(wb *w, const char *s) { str(w, s, strlen(s)); }
static void sec(wb *w, uint8_t type, const wb *body) { u8(w, type); str(w, body->b, body->n); }

static void header(wb *w)
{
    w->n = 0;
    raw(w, "SSHKRL\n\0", 8);
    u32(w, 1);          /* format version */
    u64(w, 7);          /* krl_version */
    u64(w, 1700000000); /* generated_date */
    u64(w, 0);          /* flags */
    str(w, "", 0);      /* reserved */
    cstr(w, "test");    /* comment */
}

/* Two ed25519 public key blobs and a CA key blob (RFC 8709). */
static uint8_t key_a[51], key_b[51], ca[51], ca2[51];

static void make_key(uint8_t *k, uint8_t fill)
{
    static const uint8_t pre[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd',
                                   '2', '5', '5', '1', '9', 0, 0, 0, 32 };
    memcpy(k, pre, sizeof(pre));
    memset(k + sizeof(pre), fill, 32);
}

static int setup(void **st)
{
    (void)st;
    make_key(key_a, 0x11);
    make_key(key_b, 0x22);
    make_key(ca, 0x33);
    make_key(ca2, 0x44);
    return 0;
}

static krl_query plain(const uint8_t *k)
{
    krl_query q = { .key = k, .key_len = 51 };
    return q;
}

static krl_query cert(const uint8_t *cak, uint64_t serial, const char *id)
{
    krl_query q = { .key = key_b, .key_len = 51, .ca_key = cak, .ca_len = 51,
                    .serial = serial, .key_id = id,
                    .key_id_len = id ? strlen(id) : 0 };
    return q;
}

static int check(const wb *w, krl_query q)
{
    char why[128];
    memset(why, 'x', sizeof(why));
    int r = krl_check(w->b, w->n, &q, why, sizeof(why));
    assert_non_null(memchr(why, 0, sizeof(why)));
    if (r < 0)
        assert_true(why[0] != 0);   /* a refusal says why */
    return r;
}

static void test_empty_and_header(void **st)
{
    wb w;
    (void)st;
    header(&w);
    assert_int_equal(check(&w, plain(key_a)), KRL_OK);
    assert_true(krl_is_krl(w.b, w.n));
    w.b[11] = 2;   /* format version 2 */
    assert_true(check(&w, plain(key_a)) < 0);
    header(&w);
    w.b[0] = 'X';
    assert_true(check(&w, plain(key_a)) < 0);
    assert_false(krl_is_krl(w.b, w.n));
}

static void test_explicit_key(void **st)
{
    wb w, s = { .n = 0 };
    (void)st;
    header(&w);
    str(&s, key_a, sizeof(key_a));
    sec(&w, 2, &s);
    assert_int_equal(check(&w, plain(key_a)), KRL_REVOKED);
    assert_int_equal(check(&w, plain(key_b)), KRL_OK);
    /* a certificate whose certified key is revoked is revoked too */
    {
        krl_query q = cert(ca, 5, NULL);
        q.key = key_a;
        assert_int_equal(check(&w, q), KRL_REVOKED);
    }
    /* a blob that is not a key */
    s.n = 0;
    str(&s, "\0\0\0\0", 4);
    header(&w);
    sec(&w, 2, &s);
    assert_true(check(&w, plain(key_a)) < 0);
}

static void hashes_section(wb *w, uint8_t type, const uint8_t *k1,
                           const uint8_t *k2)
{
    uint8_t h1[32], h2[32];
    size_t hl = type == 3 ? 20 : 32;
    wb s = { .n = 0 };
    if (type == 3) {
        SHA1(k1, 51, h1);
        SHA1(k2, 51, h2);
    } else {
        SHA256(k1, 51, h1);
        SHA256(k2, 51, h2);
    }
    if (memcmp(h1, h2, hl) < 0) {
        str(&s, h1, hl);
        str(&s, h2, hl);
    } else {
        str(&s, h2, hl);
        str(&s, h1, hl);
    }
    sec(w, type, &s);
}

static void test_fingerprints(void **st)
{
    uint8_t t;
    (void)st;
    for (t = 3; t <= 5; t += 2) {
        wb w;
        header(&w);
        hashes_section(&w, t, key_a, ca);
        assert_int_equal(check(&w, plain(key_a)), KRL_REVOKED);
        assert_int_equal(check(&w, plain(key_b)), KRL_OK);
        /* out of order: swap the two hashes */
        {
            size_t hl = t == 3 ? 20 : 32, first = w.n - 2 * (4 + hl) + 4;
            uint8_t tmp[32];
            memcpy(tmp, w.b + first, hl);
            memcpy(w.b + first, w.b + first + hl + 4, hl);
            memcpy(w.b + first + hl + 4, tmp, hl);
            assert_true(check(&w, plain(key_b)) < 0);
        }
    }
    {   /* wrong hash length */
        wb w, s = { .n = 0 };
        uint8_t h[31] = { 0 };
        header(&w);
        str(&s, h, sizeof(h));
        sec(&w, 5, &s);
        assert_true(check(&w, plain(key_a)) < 0);
    }
}

/* A certificates section for cak (NULL: any CA) holding sub. */
static void cert_section(wb *w, const uint8_t *cak, const wb *sub)
{
    wb s = { .n = 0 };
    str(&s, cak, cak ? 51 : 0);
    str(&s, "", 0);
    raw(&s, sub->b, sub->n);
    sec(w, 1, &s);
}

static void test_serial_list_and_range(void **st)
{
    wb w, sub = { .n = 0 }, d = { .n = 0 };
    (void)st;
    u64(&d, 10);
    u64(&d, 1000);
    sec(&sub, 0x20, &d);
    d.n = 0;
    u64(&d, 100);
    u64(&d, 200);
    sec(&sub, 0x21, &d);
    header(&w);
    cert_section(&w, ca, &sub);
    assert_int_equal(check(&w, cert(ca, 10, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 1000, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 150, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 200, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 201, NULL)), KRL_OK);
    assert_int_equal(check(&w, cert(ca, 11, NULL)), KRL_OK);
    assert_int_equal(check(&w, cert(ca2, 10, NULL)), KRL_OK);   /* other CA */
    assert_int_equal(check(&w, plain(key_b)), KRL_OK);          /* no cert */
    /* range with lo > hi, lo 0, or a trailing byte; list with serial 0 */
    {
        static const uint64_t bad[][2] = { { 5, 4 }, { 0, 4 } };
        size_t i;
        for (i = 0; i < 2; i++) {
            sub.n = d.n = 0;
            u64(&d, bad[i][0]);
            u64(&d, bad[i][1]);
            sec(&sub, 0x21, &d);
            header(&w);
            cert_section(&w, ca, &sub);
            assert_true(check(&w, cert(ca, 3, NULL)) < 0);
        }
        sub.n = d.n = 0;
        u64(&d, 1);
        u64(&d, 4);
        u8(&d, 0);
        sec(&sub, 0x21, &d);
        header(&w);
        cert_section(&w, ca, &sub);
        assert_true(check(&w, cert(ca, 3, NULL)) < 0);
        sub.n = d.n = 0;
        u64(&d, 0);
        sec(&sub, 0x20, &d);
        header(&w);
        cert_section(&w, ca, &sub);
        assert_true(check(&w, cert(ca, 3, NULL)) < 0);
        sub.n = d.n = 0;
        u32(&d, 9);   /* a list that is not whole uint64s */
        sec(&sub, 0x20, &d);
        header(&w);
        cert_section(&w, ca, &sub);
        assert_true(check(&w, cert(ca, 3, NULL)) < 0);
    }
}

static void bitmap(wb *sub, uint64_t off, const uint8_t *mp, size_t n)
{
    wb d = { .n = 0 };
    u64(&d, off);
    str(&d, mp, n);
    sec(sub, 0x22, &d);
}

static void test_serial_bitmap(void **st)
{
    /* bits 0, 3 and 9: serials off+0, off+3, off+9 */
    static const uint8_t mp[] = { 0x02, 0x09 };
    static const uint8_t neg[] = { 0x82, 0x09 };
    static const uint8_t lead0[] = { 0x00, 0x02, 0x09 };
    static const uint8_t top[] = { 0x00, 0x80 };   /* bit 7, well formed */
    wb w, sub = { .n = 0 };
    (void)st;
    bitmap(&sub, 1000, mp, sizeof(mp));
    header(&w);
    cert_section(&w, ca, &sub);
    assert_int_equal(check(&w, cert(ca, 1000, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 1003, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 1009, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 1001, NULL)), KRL_OK);
    assert_int_equal(check(&w, cert(ca, 999, NULL)), KRL_OK);
    assert_int_equal(check(&w, cert(ca, 1010, NULL)), KRL_OK);
    assert_int_equal(check(&w, cert(ca, 1000 + 4096, NULL)), KRL_OK);
    sub.n = 0;
    bitmap(&sub, 10, top, sizeof(top));
    header(&w);
    cert_section(&w, ca, &sub);
    assert_int_equal(check(&w, cert(ca, 17, NULL)), KRL_REVOKED);
    /* negative, needless leading zero, serial 0, past 2^64 */
    sub.n = 0;
    bitmap(&sub, 1, neg, sizeof(neg));
    header(&w);
    cert_section(&w, ca, &sub);
    assert_true(check(&w, cert(ca, 1, NULL)) < 0);
    sub.n = 0;
    bitmap(&sub, 1, lead0, sizeof(lead0));
    header(&w);
    cert_section(&w, ca, &sub);
    assert_true(check(&w, cert(ca, 1, NULL)) < 0);
    sub.n = 0;
    bitmap(&sub, 0, mp, sizeof(mp));
    header(&w);
    cert_section(&w, ca, &sub);
    assert_true(check(&w, cert(ca, 3, NULL)) < 0);
    sub.n = 0;
    bitmap(&sub, UINT64_MAX - 5, mp, sizeof(mp));
    header(&w);
    cert_section(&w, ca, &sub);
    assert_true(check(&w, cert(ca, 3, NULL)) < 0);
}

static void test_key_id_and_any_ca(void **st)
{
    wb w, sub = { .n = 0 }, d = { .n = 0 };
    (void)st;
    cstr(&d, "alice@example");
    cstr(&d, "bob");
    sec(&sub, 0x23, &d);
    header(&w);
    cert_section(&w, NULL, &sub);   /* every CA */
    assert_int_equal(check(&w, cert(ca, 5, "bob")), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca2, 5, "alice@example")), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 5, "bo")), KRL_OK);
    assert_int_equal(check(&w, cert(ca, 5, "bobby")), KRL_OK);
    assert_int_equal(check(&w, cert(ca, 5, NULL)), KRL_OK);
    header(&w);
    cert_section(&w, ca2, &sub);
    assert_int_equal(check(&w, cert(ca, 5, "bob")), KRL_OK);
    assert_int_equal(check(&w, cert(ca2, 5, "bob")), KRL_REVOKED);
}

static void extension(wb *w, uint8_t type, int critical)
{
    wb d = { .n = 0 };
    cstr(&d, "future@example.org");
    u8(&d, (uint8_t)critical);
    cstr(&d, "body");
    sec(w, type, &d);
}

static void test_extensions_and_unknown(void **st)
{
    wb w, sub = { .n = 0 }, d = { .n = 0 };
    (void)st;
    header(&w);
    extension(&w, 255, 0);
    assert_int_equal(check(&w, plain(key_a)), KRL_OK);
    header(&w);
    extension(&w, 255, 1);
    assert_true(check(&w, plain(key_a)) < 0);
    extension(&sub, 0x39, 0);
    header(&w);
    cert_section(&w, ca, &sub);
    assert_int_equal(check(&w, cert(ca, 1, NULL)), KRL_OK);
    sub.n = 0;
    extension(&sub, 0x39, 1);
    header(&w);
    cert_section(&w, ca, &sub);
    assert_true(check(&w, cert(ca, 1, NULL)) < 0);
    sub.n = 0;
    sec(&sub, 0x24, &d);   /* unknown certificate subsection */
    header(&w);
    cert_section(&w, ca, &sub);
    assert_true(check(&w, cert(ca, 1, NULL)) < 0);
    header(&w);
    sec(&w, 6, &d);        /* unknown section */
    assert_true(check(&w, plain(key_a)) < 0);
    header(&w);
    str(&d, key_a, sizeof(key_a));
    sec(&w, 4, &d);        /* signature: refused, as OpenSSH 9.4+ does */
    assert_true(check(&w, plain(key_a)) < 0);
}

/* A revoked key followed by garbage: the list is invalid, not "revoked
 * then fine", and certainly not "not revoked". */
static void test_fails_closed_after_match(void **st)
{
    wb w, s = { .n = 0 };
    (void)st;
    header(&w);
    str(&s, key_b, sizeof(key_b));
    sec(&w, 2, &s);
    u8(&w, 2);
    u32(&w, 1000);   /* claims more than there is */
    assert_true(check(&w, plain(key_a)) < 0);
    assert_true(check(&w, plain(key_b)) < 0);
}

/* Every prefix of a full KRL: the header's or a section's end cut
 * anywhere is an error, never a read past the buffer (ASan watches the
 * exact-size copies). */
static void full_krl(wb *w)
{
    wb sub = { .n = 0 }, d = { .n = 0 }, s = { .n = 0 };
    static const uint8_t mp[] = { 0x02, 0x09 };
    header(w);
    str(&s, key_a, sizeof(key_a));
    sec(w, 2, &s);
    hashes_section(w, 3, ca2, ca);
    hashes_section(w, 5, ca2, ca);
    u64(&d, 42);
    sec(&sub, 0x20, &d);
    d.n = 0;
    u64(&d, 50);
    u64(&d, 60);
    sec(&sub, 0x21, &d);
    bitmap(&sub, 70, mp, sizeof(mp));
    d.n = 0;
    cstr(&d, "id");
    sec(&sub, 0x23, &d);
    extension(&sub, 0x39, 0);
    cert_section(w, ca, &sub);
    extension(w, 255, 0);
}

static void test_every_truncation(void **st)
{
    wb w;
    size_t n;
    (void)st;
    full_krl(&w);
    assert_int_equal(check(&w, cert(ca, 55, NULL)), KRL_REVOKED);
    assert_int_equal(check(&w, cert(ca, 43, NULL)), KRL_OK);
    for (n = 0; n < w.n; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        krl_query q = cert(ca, 55, "id");
        char why[96];
        int r;
        memcpy(copy, w.b, n);
        r = krl_check(copy, n, &q, why, sizeof(why));
        free(copy);
        /* A cut at a section boundary is a shorter valid KRL. */
        if (r >= 0) {
            assert_true(n >= 8 + 4 + 24 + 4 + 8);
            continue;
        }
        assert_true(why[0] != 0);
    }
}

/* Random byte flips: any answer but a crash or an out-of-range value. */
static void test_random_flips(void **st)
{
    wb w;
    unsigned seed = 12345, i, j;
    (void)st;
    full_krl(&w);
    for (i = 0; i < 20000; i++) {
        uint8_t *copy = malloc(w.n);
        krl_query q = cert(ca, 55, "id");
        int r;
        memcpy(copy, w.b, w.n);
        for (j = 0; j < 1 + i % 4; j++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % w.n] ^= (uint8_t)(1u << ((seed >> 4) % 8));
        }
        r = krl_check(copy, w.n, &q, NULL, 0);
        assert_true(r == KRL_OK || r == KRL_REVOKED || r < 0);
        free(copy);
    }
}

/* Made by OpenSSH's ssh-keygen: "ssh-keygen -k -f krl -s ca.pub spec" with
 * serial: 5, 100-300, 1000, 1002, 1004, 1006, 1010-1011 and id:
 * mallory@example, then "ssh-keygen -k -u -f krl k1.pub". ssh-keygen
 * picked a list, a range and a bitmap for those serials. */
static const uint8_t keygen_krl[245] = {
    0x53, 0x53, 0x48, 0x4b, 0x52, 0x4c, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x6b, 0x14, 0x2e, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x88, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00, 0x00, 0x0b, 0x73, 0x73, 0x68,
    0x2d, 0x65, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x00, 0x00, 0x00, 0x20,
    0xea, 0xda, 0x0f, 0x8f, 0x1e, 0xf3, 0x3e, 0x43, 0xf0, 0x45, 0xae, 0x73,
    0x5c, 0x06, 0x07, 0x8d, 0xee, 0x0b, 0x97, 0xab, 0xcd, 0xff, 0x19, 0x4a,
    0x1a, 0x2b, 0x4f, 0xba, 0x0b, 0x29, 0x82, 0xc6, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x05, 0x21, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x22, 0x00,
    0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00,
    0x00, 0x00, 0x02, 0x0c, 0x55, 0x23, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00,
    0x00, 0x0f, 0x6d, 0x61, 0x6c, 0x6c, 0x6f, 0x72, 0x79, 0x40, 0x65, 0x78,
    0x61, 0x6d, 0x70, 0x6c, 0x65, 0x02, 0x00, 0x00, 0x00, 0x37, 0x00, 0x00,
    0x00, 0x33, 0x00, 0x00, 0x00, 0x0b, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64,
    0x32, 0x35, 0x35, 0x31, 0x39, 0x00, 0x00, 0x00, 0x20, 0x9f, 0xa3, 0xaa,
    0x85, 0xd2, 0x90, 0x3b, 0x51, 0xe1, 0x3f, 0x6b, 0x01, 0x14, 0x0f, 0xa8,
    0x6f, 0xee, 0x9c, 0x61, 0x8e, 0x6c, 0xfb, 0xa1, 0x9d, 0x98, 0xcb, 0x54,
    0x40, 0x88, 0xbf, 0xbe, 0x8d,
};
static const uint8_t keygen_ca[51] = {
    0x00, 0x00, 0x00, 0x0b, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64, 0x32, 0x35,
    0x35, 0x31, 0x39, 0x00, 0x00, 0x00, 0x20, 0xea, 0xda, 0x0f, 0x8f, 0x1e,
    0xf3, 0x3e, 0x43, 0xf0, 0x45, 0xae, 0x73, 0x5c, 0x06, 0x07, 0x8d, 0xee,
    0x0b, 0x97, 0xab, 0xcd, 0xff, 0x19, 0x4a, 0x1a, 0x2b, 0x4f, 0xba, 0x0b,
    0x29, 0x82, 0xc6,
};
static const uint8_t keygen_k1[51] = {
    0x00, 0x00, 0x00, 0x0b, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64, 0x32, 0x35,
    0x35, 0x31, 0x39, 0x00, 0x00, 0x00, 0x20, 0x9f, 0xa3, 0xaa, 0x85, 0xd2,
    0x90, 0x3b, 0x51, 0xe1, 0x3f, 0x6b, 0x01, 0x14, 0x0f, 0xa8, 0x6f, 0xee,
    0x9c, 0x61, 0x8e, 0x6c, 0xfb, 0xa1, 0x9d, 0x98, 0xcb, 0x54, 0x40, 0x88,
    0xbf, 0xbe, 0x8d,
};

static void test_ssh_keygen_krl(void **st)
{
    static const uint64_t revoked[] = { 5, 100, 150, 300, 1000, 1002, 1004,
                                        1006, 1010, 1011 };
    static const uint64_t kept[] = { 1, 4, 6, 99, 301, 999, 1001, 1003,
                                     1005, 1007, 1008, 1009, 1012, 65536 };
    krl_query q = { .key = key_b, .key_len = 51, .ca_key = keygen_ca,
                    .ca_len = sizeof(keygen_ca) };
    size_t i;
    (void)st;
    for (i = 0; i < sizeof(revoked) / sizeof(revoked[0]); i++) {
        q.serial = revoked[i];
        assert_int_equal(krl_check(keygen_krl, sizeof(keygen_krl), &q, NULL, 0),
                         KRL_REVOKED);
    }
    for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        q.serial = kept[i];
        assert_int_equal(krl_check(keygen_krl, sizeof(keygen_krl), &q, NULL, 0),
                         KRL_OK);
    }
    q.serial = 7;
    q.key_id = "mallory@example";
    q.key_id_len = strlen(q.key_id);
    assert_int_equal(krl_check(keygen_krl, sizeof(keygen_krl), &q, NULL, 0),
                     KRL_REVOKED);
    q.ca_key = ca;   /* another CA: its certificate 5 is fine */
    q.serial = 5;
    q.key_id = NULL;
    q.key_id_len = 0;
    assert_int_equal(krl_check(keygen_krl, sizeof(keygen_krl), &q, NULL, 0),
                     KRL_OK);
    q.key = keygen_k1;   /* the plain key k1, in a certificate or not */
    q.key_len = sizeof(keygen_k1);
    assert_int_equal(krl_check(keygen_krl, sizeof(keygen_krl), &q, NULL, 0),
                     KRL_REVOKED);
    q.ca_key = NULL;
    assert_int_equal(krl_check(keygen_krl, sizeof(keygen_krl), &q, NULL, 0),
                     KRL_REVOKED);
}

static void test_plain_list(void **st)
{
    static const char text[] =
        "# revoked keys\n"
        "\n"
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBERERERERERERERERERERERERERERERERERERERERER alice\n"
        "   ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMz\r\n";
    char why[128];
    krl_query q = plain(key_a);
    (void)st;
    assert_int_equal(krl_check_list(text, strlen(text), &q, why, sizeof(why)),
                     KRL_REVOKED);
    q = plain(key_b);
    assert_int_equal(krl_check_list(text, strlen(text), &q, why, sizeof(why)),
                     KRL_OK);
    q = cert(ca, 1, NULL);   /* listed CA key revokes its certificates */
    assert_int_equal(krl_check_list(text, strlen(text), &q, why, sizeof(why)),
                     KRL_REVOKED);
    q = cert(ca2, 1, NULL);
    assert_int_equal(krl_check_list(text, strlen(text), &q, why, sizeof(why)),
                     KRL_OK);
    /* a line that is not a key, or whose type disagrees with the blob */
    q = plain(key_b);
    assert_true(krl_check_list("garbage\n", 8, &q, why, sizeof(why)) < 0);
    assert_true(why[0] != 0);
    {
        static const char wrong[] =
            "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBERERERERERERERERERERERERERERERERERERERERER\n";
        assert_true(krl_check_list(wrong, strlen(wrong), &q, why, sizeof(why)) < 0);
    }
}

static void test_files(void **st)
{
    char path[] = "/tmp/nssh_krlXXXXXX", why[256];
    wb w, s = { .n = 0 };
    FILE *f;
    int fd;
    (void)st;
    assert_int_equal(krl_file_check_key("none", key_a, 51, why, sizeof(why)), KRL_OK);
    assert_int_equal(krl_file_check_key(NULL, key_a, 51, why, sizeof(why)), KRL_OK);
    assert_true(krl_file_check_key("/nonexistent/krl", key_a, 51, why,
                                   sizeof(why)) < 0);
    assert_non_null(strstr(why, "/nonexistent/krl"));
    assert_true(krl_file_check_key("/tmp", key_a, 51, why, sizeof(why)) < 0);
    header(&w);
    str(&s, key_a, sizeof(key_a));
    sec(&w, 2, &s);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    fwrite(w.b, 1, w.n, f);
    fclose(f);
    assert_int_equal(krl_file_check_key(path, key_a, 51, why, sizeof(why)),
                     KRL_REVOKED);
    assert_int_equal(krl_file_check_key(path, key_b, 51, why, sizeof(why)),
                     KRL_OK);
    assert_int_equal(krl_file_check_cert(path, ca, 51, 9, "x", key_a, 51, why,
                                         sizeof(why)), KRL_REVOKED);
    assert_int_equal(krl_file_check_cert(path, ca, 51, 9, "x", key_b, 51, why,
                                         sizeof(why)), KRL_OK);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_header),
        cmocka_unit_test(test_explicit_key),
        cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_serial_list_and_range),
        cmocka_unit_test(test_serial_bitmap),
        cmocka_unit_test(test_key_id_and_any_ca),
        cmocka_unit_test(test_extensions_and_unknown),
        cmocka_unit_test(test_fails_closed_after_match),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_random_flips),
        cmocka_unit_test(test_ssh_keygen_krl),
        cmocka_unit_test(test_plain_list),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
