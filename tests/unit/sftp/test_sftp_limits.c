/*
 * Bounded memory and hostile framing: the smallest buffers the module
 * accepts, WRITEs far larger than the input buffer fed a byte at a time,
 * READs clipped to the output buffer, oversized and malformed messages,
 * and a filesystem that runs out of space.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sftp_client.h"

static harness H;
static cmsg M;

static void start(size_t mem, uint32_t nodes, size_t in, size_t out)
{
    creply r = { 0 };
    assert_int_equal(h_init(&H, mem, nodes, in, out), 0);
    c_begin(&M, SSH_FXP_INIT, 0);
    c_u32(&M, 3);
    c_end(&M);
    assert_int_equal(h_send(&H, &M), 0);
    assert_true(h_next(&H, &r));
    assert_int_equal(r.type, SSH_FXP_VERSION);
}

static int teardown(void **st)
{
    (void)st;
    h_free(&H);
    return 0;
}

static creply one(uint32_t id)
{
    creply r = { 0 };
    assert_int_equal(h_send(&H, &M), 0);
    assert_true(h_next(&H, &r));
    assert_int_equal(r.id, id);
    return r;
}

static int status_of(const creply *r)
{
    assert_int_equal(r->type, SSH_FXP_STATUS);
    return (int)g32(r->p);
}

static void open_file(uint32_t id, const char *path, uint32_t pflags,
                      uint8_t h[8])
{
    creply r = { 0 };
    c_begin(&M, SSH_FXP_OPEN, id);
    c_cstr(&M, path);
    c_u32(&M, pflags);
    c_u32(&M, 0);
    c_end(&M);
    r = one(id);
    assert_int_equal(r.type, SSH_FXP_HANDLE);
    assert_int_equal(g32(r.p), 8);
    memcpy(h, r.p + 4, 8);
}

static void test_init_refuses_small_buffers(void **st)
{
    nssh_sftp s;
    nssh_sftp_config cfg;
    uint8_t in[NSSH_SFTP_MIN_INBUF], out[NSSH_SFTP_MIN_OUTBUF];
    (void)st;
    memset(&cfg, 0, sizeof(cfg));
    cfg.fs = nssh_memfs_fs();
    cfg.inbuf = in;
    cfg.inbuf_len = sizeof(in) - 1;
    cfg.outbuf = out;
    cfg.outbuf_len = sizeof(out);
    assert_int_equal(nssh_sftp_init(&s, &cfg), NSSH_SFTP_ERR_CONFIG);
    cfg.inbuf_len = sizeof(in);
    cfg.outbuf_len = sizeof(out) - 1;
    assert_int_equal(nssh_sftp_init(&s, &cfg), NSSH_SFTP_ERR_CONFIG);
    cfg.outbuf_len = sizeof(out);
    assert_int_equal(nssh_sftp_init(&s, &cfg), 0);
    cfg.fs = NULL;
    assert_int_equal(nssh_sftp_init(&s, &cfg), NSSH_SFTP_ERR_CONFIG);
    assert_int_equal(nssh_sftp_error(&s), NSSH_SFTP_ERR_CONFIG);
}

/* 200 KiB WRITEs through an input buffer of about 2 KiB, one byte per
 * call, then READs clipped to an output buffer of about 2 KiB. */
static void test_streamed_write_clipped_read(void **st)
{
    static uint8_t data[200000];
    static uint8_t back[200000];
    uint8_t h[8];
    creply r = { 0 };
    size_t i, got = 0;
    (void)st;
    start(1u << 20, 32, NSSH_SFTP_MIN_INBUF, NSSH_SFTP_MIN_OUTBUF);
    for (i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i % 251);
    open_file(1, "/big", SSH_FXF_READ | SSH_FXF_WRITE | SSH_FXF_CREAT, h);
    c_begin(&M, SSH_FXP_WRITE, 2);
    c_str(&M, h, 8);
    c_u64(&M, 0);
    c_str(&M, data, sizeof(data));
    c_end(&M);
    for (i = 0; i < M.n; i++)
        assert_int_equal(nssh_sftp_input(&H.s, M.b + i, 1), 1);
    M.n = 0;
    h_drain(&H);
    assert_true(h_next(&H, &r));
    assert_int_equal(r.id, 2);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    /* trailing bytes after a WRITE's data are skipped (pkg/sftp) */
    c_begin(&M, SSH_FXP_WRITE, 3);
    c_str(&M, h, 8);
    c_u64(&M, sizeof(data));
    c_str(&M, "tail", 4);
    c_bytes(&M, "garbage-after-data", 18);
    c_end(&M);
    r = one(3);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    while (got < sizeof(data)) {
        c_begin(&M, SSH_FXP_READ, 4);
        c_str(&M, h, 8);
        c_u64(&M, got);
        c_u32(&M, (uint32_t)(sizeof(data) - got < 65536 ? sizeof(data) - got
                                                         : 65536));
        c_end(&M);
        r = one(4);
        assert_int_equal(r.type, SSH_FXP_DATA);
        assert_true(g32(r.p) > 0 && g32(r.p) < NSSH_SFTP_MIN_OUTBUF);
        memcpy(back + got, r.p + 4, g32(r.p));
        got += g32(r.p);
    }
    assert_memory_equal(back, data, sizeof(data));
    c_begin(&M, SSH_FXP_READ, 5);
    c_str(&M, h, 8);
    c_u64(&M, sizeof(data));
    c_u32(&M, 100);
    c_end(&M);
    r = one(5);
    assert_int_equal(r.type, SSH_FXP_DATA);
    assert_int_equal(g32(r.p), 4);
    assert_memory_equal(r.p + 4, "tail", 4);
}

/* A request that cannot be held is skipped and answered; the stream goes
 * on. A length beyond NSSH_SFTP_MAX_MSG ends the session. */
static void test_oversized_and_bad_lengths(void **st)
{
    static char path[8000];
    creply r = { 0 };
    (void)st;
    start(1u << 20, 32, NSSH_SFTP_MIN_INBUF, NSSH_SFTP_MIN_OUTBUF);
    memset(path, 'a', sizeof(path) - 1);
    c_begin(&M, SSH_FXP_STAT, 1);
    c_cstr(&M, path);
    c_end(&M);
    c_begin(&M, SSH_FXP_STAT, 2);
    c_cstr(&M, "/");
    c_end(&M);
    assert_int_equal(h_send(&H, &M), 0);
    assert_true(h_next(&H, &r));
    assert_int_equal(r.id, 1);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    assert_true(h_next(&H, &r));
    assert_int_equal(r.id, 2);
    assert_int_equal(r.type, SSH_FXP_ATTRS);
    /* a path longer than NSSH_SFTP_PATH_MAX that fits the buffer */
    path[NSSH_SFTP_PATH_MAX + 10] = 0;
    H.cfg.inbuf_len = 70000;
    c_begin(&M, SSH_FXP_REMOVE, 3);
    c_cstr(&M, path);
    c_end(&M);
    r = one(3);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* 4 GiB message length: a clean sticky error, no allocation */
    c_u32(&M, 0xffffffffu);
    c_u8(&M, SSH_FXP_READ);
    c_u32(&M, 4);
    assert_int_equal(h_send(&H, &M), NSSH_SFTP_ERR_TOO_LONG);
    assert_int_equal(nssh_sftp_input(&H.s, (const uint8_t *)"x", 1),
                     NSSH_SFTP_ERR_TOO_LONG);
    h_free(&H);

    /* a length too short for type and id */
    start(1u << 20, 32, NSSH_SFTP_MIN_INBUF, NSSH_SFTP_MIN_OUTBUF);
    c_u32(&M, 1);
    c_u8(&M, SSH_FXP_STAT);
    c_u32(&M, 0);
    assert_int_equal(h_send(&H, &M), NSSH_SFTP_ERR_PROTOCOL);
    h_free(&H);

    /* a request before INIT */
    assert_int_equal(h_init(&H, 1u << 20, 32, 70000, 70000), 0);
    c_begin(&M, SSH_FXP_STAT, 9);
    c_cstr(&M, "/");
    c_end(&M);
    assert_int_equal(h_send(&H, &M), NSSH_SFTP_ERR_PROTOCOL);
    assert_false(h_next(&H, &r));
}

/* Filling the filesystem: writes fail with SSH_FX_FAILURE, statvfs shows
 * no free block, and after a remove everything works again. */
static void test_out_of_space(void **st)
{
    static uint8_t chunk[32768];
    uint8_t h[8];
    creply r = { 0 };
    uint32_t id = 10, i;
    uint64_t off = 0;
    int full = 0;
    (void)st;
    start(64 * 1024, 8, 70000, 70000);
    open_file(1, "/fill", SSH_FXF_WRITE | SSH_FXF_CREAT, h);
    memset(chunk, 0xab, sizeof(chunk));
    for (i = 0; i < 10 && !full; i++) {
        c_begin(&M, SSH_FXP_WRITE, id);
        c_str(&M, h, 8);
        c_u64(&M, off);
        c_str(&M, chunk, sizeof(chunk));
        c_end(&M);
        r = one(id++);
        if (status_of(&r) == SSH_FX_FAILURE)
            full = 1;
        else
            off += sizeof(chunk);
    }
    assert_true(full);
    assert_true(off > 0);
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "statvfs@openssh.com");
    c_cstr(&M, "/");
    c_end(&M);
    r = one(id++);
    assert_int_equal(r.type, SSH_FXP_EXTENDED_REPLY);
    assert_true(g64(r.p + 24) < sizeof(chunk) / NSSH_MEMFS_BLOCK);  /* bfree */
    /* out of nodes too: 8 nodes, root and /fill used */
    for (i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof(name), "/d%u", i);
        c_begin(&M, SSH_FXP_MKDIR, id);
        c_cstr(&M, name);
        c_u32(&M, 0);
        c_end(&M);
        r = one(id++);
        assert_int_equal(status_of(&r), i < 6 ? SSH_FX_OK : SSH_FX_FAILURE);
    }
    c_begin(&M, SSH_FXP_CLOSE, id);
    c_str(&M, h, 8);
    c_end(&M);
    r = one(id++);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    c_begin(&M, SSH_FXP_REMOVE, id);
    c_cstr(&M, "/fill");
    c_end(&M);
    r = one(id++);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    open_file(id++, "/again", SSH_FXF_WRITE | SSH_FXF_CREAT, h);
    c_begin(&M, SSH_FXP_WRITE, id);
    c_str(&M, h, 8);
    c_u64(&M, 0);
    c_str(&M, chunk, sizeof(chunk));
    c_end(&M);
    r = one(id++);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    /* a size near 2^64 (the block count must not wrap) */
    c_begin(&M, SSH_FXP_FSETSTAT, id);
    c_str(&M, h, 8);
    c_u32(&M, SSH_FILEXFER_ATTR_SIZE);
    c_u64(&M, 0xffffffffffffff06ull);
    c_end(&M);
    r = one(id++);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* a sparse write far beyond the space: refused before anything changes */
    c_begin(&M, SSH_FXP_WRITE, id);
    c_str(&M, h, 8);
    c_u64(&M, 1ull << 40);
    c_str(&M, "x", 1);
    c_end(&M);
    r = one(id++);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
}

/* Handles left open when the channel ends are closed by nssh_sftp_end,
 * so a removed-but-open file's space comes back. */
static void test_end_closes_handles(void **st)
{
    static uint8_t chunk[20000];
    uint8_t h[8];
    creply r = { 0 };
    uint64_t before;
    (void)st;
    start(256 * 1024, 16, 70000, 70000);
    before = H.fs.free_blocks;
    open_file(1, "/o", SSH_FXF_WRITE | SSH_FXF_CREAT, h);
    c_begin(&M, SSH_FXP_WRITE, 2);
    c_str(&M, h, 8);
    c_u64(&M, 0);
    c_str(&M, chunk, sizeof(chunk));
    c_end(&M);
    r = one(2);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    c_begin(&M, SSH_FXP_REMOVE, 3);
    c_cstr(&M, "/o");
    c_end(&M);
    r = one(3);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    assert_true(H.fs.free_blocks < before);   /* still open: kept */
    nssh_sftp_end(&H.s);
    assert_int_equal(H.fs.free_blocks, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_refuses_small_buffers),
        cmocka_unit_test_teardown(test_streamed_write_clipped_read, teardown),
        cmocka_unit_test_teardown(test_oversized_and_bad_lengths, teardown),
        cmocka_unit_test_teardown(test_out_of_space, teardown),
        cmocka_unit_test_teardown(test_end_closes_handles, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
