/*
 * nanossh-probe's diagnosis on crafted server byte streams, without a
 * network: the engine (client role) reads them, the probe names what is
 * wrong. Each case asserts the cause code, the message, the field and the
 * offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probe.h"

static opts o = { .host = "test", .port = "22", .timeout_s = 1 };

typedef struct bytes {
    uint8_t p[4096];
    size_t n;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put32(bytes *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(b, x, 4);
}

static void put_str(bytes *b, const char *s)
{
    put32(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}

/* A clear-text packet around payload (RFC 4253 section 6). */
static void packet(bytes *out, const bytes *payload, int padlen)
{
    uint8_t pad[32] = { 0 };
    if (padlen < 0) {
        padlen = 8 - (int)((5 + payload->n) % 8);
        if (padlen < 4)
            padlen += 8;
    }
    put32(out, (uint32_t)(1 + payload->n + (size_t)padlen));
    out->p[out->n++] = (uint8_t)padlen;
    put(out, payload->p, payload->n);
    put(out, pad, (size_t)padlen);
}

static void kexinit(bytes *k, uint32_t kex_claim_extra)
{
    static const char *const lists[10] = { "curve25519-sha256", "ssh-ed25519",
        "aes128-ctr", "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none",
        "none", "", "" };
    uint8_t cookie[16] = { 0 };
    int i;
    k->n = 0;
    k->p[k->n++] = 20;
    put(k, cookie, 16);
    for (i = 0; i < 10; i++) {
        put32(k, (uint32_t)strlen(lists[i]) + (i == 0 ? kex_claim_extra : 0));
        put(k, lists[i], strlen(lists[i]));
    }
    k->p[k->n++] = 0;
    put32(k, 0);
}

static run *feed(const bytes *b)
{
    run *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    assert_int_equal(run_init(r, &o), 0);
    run_feed(r, b->p, b->n);
    run_feed_end(r);
    diagnose(r);
    return r;
}

static void done(run *r)
{
    run_free(r);
    free(r);
}

static void version(bytes *b)
{
    b->n = 0;
    put(b, "SSH-2.0-Test_1\r\n", 16);
}

static void test_kexinit_overclaim(void **state)
{
    bytes b, k;
    run *r;
    (void)state;
    version(&b);
    kexinit(&k, 1000);
    packet(&b, &k, -1);
    r = feed(&b);
    assert_true(r->f.set);
    assert_string_equal(r->f.cause, "field-overrun");
    assert_string_equal(r->f.message, "SSH_MSG_KEXINIT");
    assert_string_equal(r->f.field, "kex_algorithms");
    assert_int_equal(r->f.offset, 17);
    assert_non_null(strstr(r->f.text, "claims 1017 bytes but only"));
    done(r);
}

static void test_padding_too_small(void **state)
{
    bytes b, k;
    run *r;
    (void)state;
    version(&b);
    k.n = 0;
    k.p[k.n++] = 2;     /* SSH_MSG_IGNORE */
    put_str(&k, "xx");  /* 7 bytes: 5 + 7 + 4 = 16 */
    packet(&b, &k, 3);  /* 4 + 1 + 7 + 3 = 15: not aligned either */
    r = feed(&b);
    assert_true(r->f.set);
    assert_string_equal(r->f.cause, "framing");
    assert_string_equal(r->f.field, "packet_length");
    done(r);
    version(&b);
    k.n = 0;
    k.p[k.n++] = 2;
    put_str(&k, "xxxxxx");  /* 11 bytes: 4 + 1 + 11 + 0 = 16 */
    packet(&b, &k, 0);
    r = feed(&b);
    assert_string_equal(r->f.cause, "framing");
    assert_string_equal(r->f.field, "padding_length");
    assert_int_equal(r->f.offset, 16 + 4);
    done(r);
}

static void test_absurd_length(void **state)
{
    bytes b;
    run *r;
    (void)state;
    version(&b);
    put32(&b, 0x7ffffff8u);
    put(&b, "\x04\x02xxxxxxxxxx", 12);
    r = feed(&b);
    assert_string_equal(r->f.cause, "framing");
    assert_string_equal(r->f.field, "packet_length");
    assert_non_null(strstr(r->f.text, "packet_length 2147483640 is absurd"));
    assert_int_equal(r->f.offset, 16);
    done(r);
}

static void test_close_after_kexinit(void **state)
{
    bytes b, k;
    run *r;
    (void)state;
    version(&b);
    kexinit(&k, 0);
    packet(&b, &k, -1);
    r = feed(&b);
    assert_string_equal(r->f.cause, "closed-without-disconnect");
    assert_non_null(strstr(r->f.text, "expected to send SSH_MSG_KEX_ECDH_REPLY"));
    assert_non_null(strstr(r->f.text, "\"SSH-2.0-Test_1\""));
    assert_string_equal(r->negotiated[0], "curve25519-sha256");
    done(r);
}

static void test_disconnect(void **state)
{
    bytes b, k;
    run *r;
    (void)state;
    version(&b);
    k.n = 0;
    k.p[k.n++] = 1;
    put32(&k, 12);
    put_str(&k, "too many");
    put_str(&k, "");
    packet(&b, &k, -1);
    r = feed(&b);
    assert_string_equal(r->f.cause, "disconnect");
    assert_non_null(strstr(r->f.text, "reason 12 (SSH_DISCONNECT_TOO_MANY_CONNECTIONS)"));
    assert_non_null(strstr(r->f.text, "\"too many\""));
    done(r);
}

static void test_old_version(void **state)
{
    bytes b;
    run *r;
    (void)state;
    b.n = 0;
    put(&b, "SSH-1.5-Ancient\r\n", 17);
    r = feed(&b);
    assert_string_equal(r->f.cause, "bad-version");
    assert_non_null(strstr(r->f.text, "protocol major versions differ"));
    done(r);
}

static void test_disconnect_overclaims(void **state)
{
    bytes b, k;
    run *r;
    (void)state;
    version(&b);
    k.n = 0;
    k.p[k.n++] = 1;
    put32(&k, 2);
    put32(&k, 500);     /* description: claims 500 bytes */
    put(&k, "short", 5);
    packet(&b, &k, -1);
    r = feed(&b);
    assert_string_equal(r->f.cause, "disconnect");
    assert_string_equal(r->f.message, "SSH_MSG_DISCONNECT");
    assert_string_equal(r->f.field, "description");
    assert_int_equal(r->f.offset, 5);
    assert_non_null(strstr(r->f.text, "reason 2 (SSH_DISCONNECT_PROTOCOL_ERROR)"));
    assert_non_null(strstr(r->f.text, "The DISCONNECT itself is malformed: "
                                      "SSH_MSG_DISCONNECT's field \"description\" "
                                      "claims 500 bytes but only 5 remain"));
    done(r);
}

static void test_nothing(void **state)
{
    bytes b;
    run *r;
    (void)state;
    b.n = 0;
    r = feed(&b);
    assert_string_equal(r->f.cause, "closed-before-banner");
    done(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kexinit_overclaim),
        cmocka_unit_test(test_padding_too_small),
        cmocka_unit_test(test_absurd_length),
        cmocka_unit_test(test_close_after_kexinit),
        cmocka_unit_test(test_disconnect),
        cmocka_unit_test(test_old_version),
        cmocka_unit_test(test_disconnect_overclaims),
        cmocka_unit_test(test_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
