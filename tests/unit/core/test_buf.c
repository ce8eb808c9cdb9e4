/* The reader and writer (RFC 4251 section 5 data types) and name-lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "internal.h"

static void test_read_types(void **st)
{
    static const uint8_t in[] = { 1, 0, 0, 0, 0x2a, 0, 0, 0, 1, 0, 0, 0, 2,
                                  0, 0, 0, 3, 'a', 'b', 'c', 0 };
    rd r;
    uint8_t b;
    int v;
    uint32_t u;
    uint64_t q;
    const uint8_t *s;
    size_t n;
    (void)st;
    rd_init(&r, in, sizeof(in));
    assert_int_equal(rd_bool(&r, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(rd_u32(&r, &u), 0);
    assert_int_equal(u, 42);
    assert_int_equal(rd_u64(&r, &q), 0);
    assert_true(q == ((1ull << 32) | 2));
    assert_int_equal(rd_string(&r, &s, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "abc", 3);
    assert_int_equal(rd_end(&r), NSSH_ERR_FORMAT);   /* one byte left */
    assert_int_equal(rd_u8(&r, &b), 0);
    assert_int_equal(rd_end(&r), 0);
    assert_int_equal(rd_u8(&r, &b), NSSH_ERR_FORMAT);
}

static void test_string_overrun(void **st)
{
    static const uint8_t in[] = { 0, 0, 0, 9, 'x', 'y' };
    static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'x' };
    rd r;
    const uint8_t *s;
    size_t n;
    (void)st;
    rd_init(&r, in, sizeof(in));
    assert_int_equal(rd_string(&r, &s, &n), NSSH_ERR_FORMAT);
    assert_int_equal(r.pos, 0);   /* a failed get consumes nothing */
    rd_init(&r, huge, sizeof(huge));
    assert_int_equal(rd_string(&r, &s, &n), NSSH_ERR_FORMAT);
    rd_init(&r, in, 3);
    assert_int_equal(rd_string(&r, &s, &n), NSSH_ERR_FORMAT);
}

static void test_mpint_rules(void **st)
{
    /* RFC 4251 section 5 examples and the encodings that must be refused. */
    static const uint8_t ok1[] = { 0, 0, 0, 2, 0x00, 0x80 };          /* 0x80 */
    static const uint8_t ok0[] = { 0, 0, 0, 0 };                      /* zero */
    static const uint8_t neg[] = { 0, 0, 0, 1, 0x80 };                /* negative */
    static const uint8_t lead[] = { 0, 0, 0, 2, 0x00, 0x7f };         /* needless 0 */
    static const uint8_t zero1[] = { 0, 0, 0, 1, 0x00 };              /* zero, long */
    rd r;
    const uint8_t *m;
    size_t n;
    (void)st;
    rd_init(&r, ok1, sizeof(ok1));
    assert_int_equal(rd_mpint(&r, &m, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0], 0x80);
    rd_init(&r, ok0, sizeof(ok0));
    assert_int_equal(rd_mpint(&r, &m, &n), 0);
    assert_int_equal(n, 0);
    rd_init(&r, neg, sizeof(neg));
    assert_int_equal(rd_mpint(&r, &m, &n), NSSH_ERR_FORMAT);
    rd_init(&r, lead, sizeof(lead));
    assert_int_equal(rd_mpint(&r, &m, &n), NSSH_ERR_FORMAT);
    rd_init(&r, zero1, sizeof(zero1));
    assert_int_equal(rd_mpint(&r, &m, &n), NSSH_ERR_FORMAT);
}

static void test_write_and_overflow(void **st)
{
    uint8_t buf[32];
    static const uint8_t mag[] = { 0x00, 0x00, 0x9a, 0x37 };
    static const uint8_t want[] = { 7, 0, 0, 0, 3, 0, 0x9a, 0x37, 0, 0, 0, 2, 'h', 'i' };
    wr w;
    size_t mark;
    (void)st;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, 7);
    wr_mpint(&w, mag, sizeof(mag));
    mark = wr_string_begin(&w);
    wr_bytes(&w, "hi", 2);
    wr_string_end(&w, mark);
    assert_int_equal(w.err, 0);
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(buf, want, sizeof(want));
    /* Overflow is sticky and nothing is written past the end. */
    wr_init(&w, buf, 6);
    wr_u32(&w, 1);
    wr_u32(&w, 2);
    wr_u8(&w, 3);
    assert_int_equal(w.err, NSSH_ERR_NOSPACE);
    assert_int_equal(w.len, 4);
}

static void test_namelists(void **st)
{
    static const char l[] = "a,bb,,ccc";
    size_t pos = 0, en;
    const uint8_t *e;
    int count = 0;
    (void)st;
    assert_true(namelist_has((const uint8_t *)l, strlen(l), "bb"));
    assert_true(namelist_has((const uint8_t *)l, strlen(l), "ccc"));
    assert_false(namelist_has((const uint8_t *)l, strlen(l), "b"));
    assert_false(namelist_has((const uint8_t *)l, strlen(l), "cc"));
    while (namelist_next((const uint8_t *)l, strlen(l), &pos, &e, &en))
        count++;
    assert_int_equal(count, 4);
    assert_false(namelist_has((const uint8_t *)"", 0, "a"));
}

static void test_ct_and_fmt(void **st)
{
    char out[16];
    (void)st;
    assert_int_equal(nssh_ct_cmp("abcd", "abcd", 4), 0);
    assert_int_not_equal(nssh_ct_cmp("abcd", "abce", 4), 0);
    assert_int_equal(nssh_fmt(out, sizeof(out), "%u-%s-%.*s", 42u, "x", 2, "yzw"), 7);
    assert_string_equal(out, "42-x-yz");
    /* truncation still terminates and reports the full length */
    assert_int_equal(nssh_fmt(out, 4, "%s", "abcdef"), 6);
    assert_string_equal(out, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_types),
        cmocka_unit_test(test_string_overrun),
        cmocka_unit_test(test_mpint_rules),
        cmocka_unit_test(test_write_and_overflow),
        cmocka_unit_test(test_namelists),
        cmocka_unit_test(test_ct_and_fmt),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
