/* moduli(5) parsing, and a group exchange that uses a parsed group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "moduli.h"

static char *prime_hex(BIGNUM *(*f)(BIGNUM *))
{
    BIGNUM *bn = f(NULL);
    char *h = BN_bn2hex(bn);
    BN_free(bn);
    return h;
}

static void test_parse_good_and_bad(void **st)
{
    char *h2048 = prime_hex(BN_get_rfc3526_prime_2048);
    char *h3072 = prime_hex(BN_get_rfc3526_prime_3072);
    size_t len = 4 * strlen(h2048) + strlen(h3072) + 1024, bad = 0;
    char *text = malloc(len);
    nssh_modulus *m = NULL;
    long n;
    uint8_t first[4] = { 0xff, 0xff, 0xff, 0xff };
    (void)st;
    snprintf(text, len,
             "#    $OpenBSD: moduli,v 1.0\n"
             "20230101000000 2 6 100 2047 2 %s\n"
             "20230101000000 2 6 100 3071 5 %s\n"
             "20230101000000 4 6 100 2047 2 %s\n"   /* not a safe prime: skipped */
             "20230101000000 2 2 100 2047 2 %s\n"   /* no Miller-Rabin: skipped */
             "20230101000000 2 6 100 4095 2 %s\n"   /* size disagrees: skipped */
             "garbage line\n"
             "20230101000000 2 6 100 2047 2 ZZ\n",
             h2048, h3072, h2048, h2048, h2048);
    n = moduli_parse(text, strlen(text), &m, &bad);
    assert_int_equal(n, 2);
    assert_int_equal(bad, 5);
    assert_int_equal(m[0].bits, 2048);
    assert_int_equal(m[0].plen, 256);
    assert_int_equal(m[0].g, 2);
    assert_memory_equal(m[0].p, first, 4);
    assert_int_equal(m[1].bits, 3072);
    assert_int_equal(m[1].plen, 384);
    assert_int_equal(m[1].g, 5);
    moduli_free(m, (size_t)n);
    free(text);
    OPENSSL_free(h2048);
    OPENSSL_free(h3072);
}

static void test_empty(void **st)
{
    nssh_modulus *m = NULL;
    (void)st;
    assert_int_equal(moduli_parse("", 0, &m, NULL), 0);
    moduli_free(m, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good_and_bad),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests_name("moduli", tests, NULL, NULL);
}
