/*
 * pty-req terminal modes (RFC 4254 section 8) applied to termios, and
 * signal names (section 6.10).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "nanossh.h"
#include "signames.h"
#include "ttymodes.h"

/* opcode, uint32 big-endian argument */
static size_t op(uint8_t *p, uint8_t code, uint32_t arg)
{
    p[0] = code;
    p[1] = (uint8_t)(arg >> 24);
    p[2] = (uint8_t)(arg >> 16);
    p[3] = (uint8_t)(arg >> 8);
    p[4] = (uint8_t)arg;
    return 5;
}

static void test_modes(void **state)
{
    uint8_t m[128];
    size_t n = 0;
    struct termios t;
    (void)state;
    memset(&t, 0, sizeof(t));
    t.c_lflag = ECHO;
    n += op(m + n, 1, 3);       /* VINTR ^C */
    n += op(m + n, 3, 127);     /* VERASE DEL */
    n += op(m + n, 10, 255);    /* VSUSP: not set */
    n += op(m + n, 53, 0);      /* ECHO off */
    n += op(m + n, 51, 1);      /* ICANON on */
    n += op(m + n, 36, 1);      /* ICRNL */
    n += op(m + n, 42, 1);      /* IUTF8 (RFC 8160) */
    n += op(m + n, 72, 1);      /* ONLCR */
    n += op(m + n, 91, 1);      /* CS8 */
    n += op(m + n, 128, 38400); /* TTY_OP_ISPEED */
    n += op(m + n, 129, 115200);
    n += op(m + n, 99, 1);      /* unknown: skipped */
    m[n++] = 0;                 /* TTY_OP_END */
    n += op(m + n, 50, 1);      /* after the end: ignored */
    assert_int_equal(ttymodes_apply(&t, m, n), 0);
    assert_int_equal(t.c_cc[VINTR], 3);
    assert_int_equal(t.c_cc[VERASE], 127);
    assert_int_equal(t.c_cc[VSUSP], _POSIX_VDISABLE);
    assert_false(t.c_lflag & ECHO);
    assert_true(t.c_lflag & ICANON);
    assert_false(t.c_lflag & ISIG);
    assert_true(t.c_iflag & ICRNL);
    assert_true(t.c_iflag & IUTF8);
    assert_true(t.c_oflag & ONLCR);
    assert_int_equal(t.c_cflag & CSIZE, CS8);
    /* Linux keeps one speed for both directions: the last one set. */
    assert_int_equal(cfgetospeed(&t), B115200);
}

static void test_truncated_and_stop(void **state)
{
    uint8_t m[16];
    size_t n = 0;
    struct termios t;
    (void)state;
    memset(&t, 0, sizeof(t));
    n += op(m + n, 53, 1);
    m[n++] = 50;                /* ISIG with a 2-byte argument */
    m[n++] = 0;
    m[n++] = 0;
    assert_int_equal(ttymodes_apply(&t, m, n), NSSH_ERR_FORMAT);
    assert_true(t.c_lflag & ECHO);   /* what came before is applied */
    assert_false(t.c_lflag & ISIG);
    memset(&t, 0, sizeof(t));
    m[0] = 200;                 /* 160..255: stop */
    op(m + 1, 53, 1);
    assert_int_equal(ttymodes_apply(&t, m, 6), 0);
    assert_false(t.c_lflag & ECHO);
    assert_int_equal(ttymodes_apply(&t, m, 0), 0);
}

static void test_signames(void **state)
{
    (void)state;
    assert_int_equal(signame_to_num("HUP", 3), SIGHUP);
    assert_int_equal(signame_to_num("TERM", 4), SIGTERM);
    assert_int_equal(signame_to_num("USR2", 4), SIGUSR2);
    assert_int_equal(signame_to_num("KILLX", 4), SIGKILL);   /* length given */
    assert_int_equal(signame_to_num("SIGHUP", 6), 0);
    assert_int_equal(signame_to_num("BUS", 3), 0);            /* not in RFC 4254 */
    assert_int_equal(signame_to_num("", 0), 0);
    assert_string_equal(signame_from_num(SIGSEGV), "SEGV");
    assert_string_equal(signame_from_num(SIGKILL), "KILL");
    assert_string_equal(signame_from_num(SIGBUS), "BUS");
    assert_non_null(signame_from_num(1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_truncated_and_stop),
        cmocka_unit_test(test_signames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
