/*
 * The privilege-separation IPC decoder (cmd/nanosshd/privsep/ipc.c): what
 * the monitor reads from the sandboxed child. Every message type
 * round-trips; every truncation, an unknown type, an over-long field, a
 * NUL inside a user name, a boolean other than 0 or 1, a byte left over
 * and a frame length of 0 or above the bound are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc.h"

static uint8_t buf[IPC_MAX];

static ipc_bytes B(const char *s)
{
    ipc_bytes b = { (const uint8_t *)s, strlen(s) };
    return b;
}

/* The messages of a login, one of each type. */
static ipc_msg sample(int type)
{
    ipc_msg m;
    memset(&m, 0, sizeof(m));
    m.type = (uint8_t)type;
    m.index = 1;
    m.user = B("alice");
    m.method = B("publickey");
    m.alg = B("ssh-ed25519");
    m.blob = B("\0\0\0\x0bssh-ed25519");
    m.blob.n = 15;
    m.data = B("0123456789abcdef0123456789abcdef");
    m.sig = B("sig");
    m.secret = B("hunter2");
    m.text = B("bye");
    m.flag = 1;
    m.verdict = 1;
    m.reason = 14;
    m.methods = 7;
    m.max_tries = 6;
    m.rekey_bytes = 0x100000000ull;
    m.rekey_seconds = 3600;
    m.n_resp = 2;
    m.resp[0] = B("314159");
    m.resp[1] = B("");
    return m;
}

static const int types[] = { IPC_SIGN, IPC_AUTHREQ, IPC_PUBKEY, IPC_VERIFY,
                             IPC_PASSWORD, IPC_RESULT, IPC_EXPORT, IPC_ANSWER,
                             IPC_KBDINT, IPC_COMPLETE };

static void test_round_trip(void **state)
{
    size_t i;
    ipc_msg in, out;
    long n;
    (void)state;
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        in = sample(types[i]);
        n = ipc_encode(&in, buf, sizeof(buf));
        assert_true(n > 5);
        assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), 0);
        assert_int_equal(out.type, types[i]);
    }
    in = sample(IPC_PUBKEY);
    n = ipc_encode(&in, buf, sizeof(buf));
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), 0);
    assert_int_equal(out.user.n, 5);
    assert_memory_equal(out.user.p, "alice", 5);
    assert_int_equal(out.blob.n, 15);
    assert_int_equal(out.flag, 1);
    in = sample(IPC_ANSWER);
    n = ipc_encode(&in, buf, sizeof(buf));
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), 0);
    assert_int_equal(out.reason, 14);
    assert_true(out.rekey_bytes == 0x100000000ull);
    assert_int_equal(out.rekey_seconds, 3600);
}

static void test_truncated_and_extra(void **state)
{
    size_t i, cut;
    ipc_msg in, out;
    long n;
    (void)state;
    assert_int_equal(ipc_decode(buf, 0, &out), NSSH_ERR_FORMAT);
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        in = sample(types[i]);
        n = ipc_encode(&in, buf, sizeof(buf));
        for (cut = 0; cut < (size_t)n - 4; cut++)
            assert_int_equal(ipc_decode(buf + 4, cut, &out), NSSH_ERR_FORMAT);
        buf[n] = 0;   /* one byte left over */
        assert_int_equal(ipc_decode(buf + 4, (size_t)n - 3, &out), NSSH_ERR_FORMAT);
    }
}

static void test_bad_fields(void **state)
{
    ipc_msg in, out;
    char longname[NSSH_USER_MAX + 2];
    uint8_t nul_user[] = { IPC_AUTHREQ, 0, 0, 0, 3, 'a', 0, 'b', 0, 0, 0, 0 };
    uint8_t huge[] = { IPC_AUTHREQ, 0xff, 0xff, 0xff, 0xf0, 'a' };
    uint8_t unknown[] = { 99, 0, 0, 0, 0 };
    long n;
    (void)state;
    /* A user name over the bound. */
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    in = sample(IPC_AUTHREQ);
    in.user = B(longname);
    n = ipc_encode(&in, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), NSSH_ERR_FORMAT);
    /* An exchange hash over the bound. */
    in = sample(IPC_SIGN);
    in.data.p = buf + 100000;
    in.data.n = IPC_DATA_MAX + 1;
    n = ipc_encode(&in, buf, 100000);
    assert_true(n > 0);
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), NSSH_ERR_FORMAT);
    assert_int_equal(ipc_decode(nul_user, sizeof(nul_user), &out), NSSH_ERR_FORMAT);
    assert_int_equal(ipc_decode(huge, sizeof(huge), &out), NSSH_ERR_FORMAT);
    assert_int_equal(ipc_decode(unknown, sizeof(unknown), &out), NSSH_ERR_FORMAT);
    /* A boolean that is neither 0 nor 1. */
    in = sample(IPC_PUBKEY);
    n = ipc_encode(&in, buf, sizeof(buf));
    buf[n - 1] = 2;
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), NSSH_ERR_FORMAT);
    buf[n - 1] = 1;
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), 0);
}

/* keyboard-interactive: the answers, their bound, and a round of
 * prompts from the monitor. */
static void test_kbdint(void **state)
{
    static char store[IPC_TEXT_MAX];
    ipc_msg in, out;
    nssh_kbdint q, r;
    long n;
    (void)state;
    in = sample(IPC_KBDINT);
    n = ipc_encode(&in, buf, sizeof(buf));
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), 0);
    assert_int_equal(out.n_resp, 2);
    assert_int_equal(out.resp[0].n, 6);
    assert_memory_equal(out.resp[0].p, "314159", 6);
    assert_int_equal(out.resp[1].n, 0);
    /* More answers than a round can have prompts. */
    in.n_resp = NSSH_KBDINT_PROMPTS_MAX;
    n = ipc_encode(&in, buf, sizeof(buf));
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), 0);
    buf[4 + 1 + 4 + 5 + 4 + 9 + 1 + 3] = NSSH_KBDINT_PROMPTS_MAX + 1;
    assert_int_equal(ipc_decode(buf + 4, (size_t)n - 4, &out), NSSH_ERR_FORMAT);
    /* A round. */
    memset(&q, 0, sizeof(q));
    q.name = "";
    q.instruction = "Enter the codes.\n";
    q.n_prompts = 2;
    q.prompt[0].text = "First code: ";
    q.prompt[0].echo = 1;
    q.prompt[1].text = "Second code: ";
    n = ipc_round_encode(&q, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(ipc_round_decode(buf, (size_t)n, &r, store, sizeof(store)), 0);
    assert_int_equal(r.n_prompts, 2);
    assert_string_equal(r.instruction, "Enter the codes.\n");
    assert_string_equal(r.prompt[0].text, "First code: ");
    assert_int_equal(r.prompt[0].echo, 1);
    assert_string_equal(r.prompt[1].text, "Second code: ");
    assert_int_equal(r.prompt[1].echo, 0);
    assert_int_equal(ipc_round_decode(buf, (size_t)n - 1, &r, store,
                                      sizeof(store)), NSSH_ERR_FORMAT);
    assert_int_equal(ipc_round_decode(buf, (size_t)n, &r, store, 20),
                     NSSH_ERR_FORMAT);
    q.n_prompts = NSSH_KBDINT_PROMPTS_MAX + 1;
    assert_true(ipc_round_encode(&q, buf, sizeof(buf)) < 0);
}

static void test_frames(void **state)
{
    int sv[2];
    size_t len;
    uint8_t zero[4] = { 0, 0, 0, 0 };
    uint8_t big[4] = { 0x7f, 0xff, 0xff, 0xff };
    ipc_msg in = sample(IPC_AUTHREQ), out;
    long n;
    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    n = ipc_encode(&in, buf, sizeof(buf));
    assert_int_equal(ipc_send(sv[0], buf, (size_t)n), 0);
    assert_int_equal(ipc_recv(sv[1], buf, sizeof(buf), &len), 0);
    assert_int_equal(ipc_decode(buf, len, &out), 0);
    assert_int_equal(write(sv[0], zero, 4), 4);
    assert_int_equal(ipc_recv(sv[1], buf, sizeof(buf), &len), NSSH_ERR_FORMAT);
    assert_int_equal(write(sv[0], big, 4), 4);
    assert_int_equal(ipc_recv(sv[1], buf, sizeof(buf), &len), NSSH_ERR_FORMAT);
    close(sv[0]);
    assert_int_equal(ipc_recv(sv[1], buf, sizeof(buf), &len), NSSH_ERR_EOF);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_and_extra),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_kbdint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
