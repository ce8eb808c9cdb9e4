/*
 * The SFTP server module over the in-memory filesystem, driven by the
 * test client in sftp_client.h: every request type and extension,
 * pipelining, hostile input, a start directory, running out of space.
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
static uint32_t next_id = 1;
static creply version;

static int setup(void **st)
{
    (void)st;
    assert_int_equal(h_init(&H, 4u << 20, 256, 70000, 70000), 0);
    c_begin(&M, SSH_FXP_INIT, 0);
    c_u32(&M, 3);
    c_end(&M);
    assert_int_equal(h_send(&H, &M), 0);
    assert_true(h_next(&H, &version));
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    h_free(&H);
    return 0;
}

/* Send what M holds and return the one reply, checking its id. */
static creply one(uint32_t id)
{
    creply r = { 0 };
    assert_int_equal(h_send(&H, &M), 0);
    assert_true(h_next(&H, &r));
    if (r.id != id)
        fprintf(stderr, "reply type %u id %u for request %u\n", r.type, r.id, id);
    assert_int_equal(r.id, id);
    return r;
}

static int status_of(const creply *r)
{
    assert_int_equal(r->type, SSH_FXP_STATUS);
    return (int)g32(r->p);
}

typedef struct hnd {
    uint8_t b[64];
    size_t n;
} hnd;

static hnd handle_of(const creply *r)
{
    hnd h;
    assert_int_equal(r->type, SSH_FXP_HANDLE);
    h.n = g32(r->p);
    assert_true(h.n <= sizeof(h.b));
    memcpy(h.b, r->p + 4, h.n);
    return h;
}

static creply path_req(uint8_t type, const char *path)
{
    uint32_t id = next_id++;
    c_begin(&M, type, id);
    c_cstr(&M, path);
    c_end(&M);
    return one(id);
}

static creply open_req(const char *path, uint32_t pflags, uint32_t perm)
{
    uint32_t id = next_id++;
    c_begin(&M, SSH_FXP_OPEN, id);
    c_cstr(&M, path);
    c_u32(&M, pflags);
    c_attrs_perm(&M, perm);
    c_end(&M);
    return one(id);
}

static creply handle_req(uint8_t type, const hnd *h)
{
    uint32_t id = next_id++;
    c_begin(&M, type, id);
    c_str(&M, h->b, h->n);
    c_end(&M);
    return one(id);
}

static creply write_req(const hnd *h, uint64_t off, const void *p, size_t n)
{
    uint32_t id = next_id++;
    c_begin(&M, SSH_FXP_WRITE, id);
    c_str(&M, h->b, h->n);
    c_u64(&M, off);
    c_str(&M, p, n);
    c_end(&M);
    return one(id);
}

static creply read_req(const hnd *h, uint64_t off, uint32_t len)
{
    uint32_t id = next_id++;
    c_begin(&M, SSH_FXP_READ, id);
    c_str(&M, h->b, h->n);
    c_u64(&M, off);
    c_u32(&M, len);
    c_end(&M);
    return one(id);
}

static creply ext_begin_end(const char *name, void (*args)(cmsg *, void *),
                            void *arg)
{
    uint32_t id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, name);
    if (args)
        args(&M, arg);
    c_end(&M);
    return one(id);
}

static void two_paths(cmsg *m, void *arg)
{
    const char *const *p = arg;
    c_cstr(m, p[0]);
    c_cstr(m, p[1]);
}

static void one_path(cmsg *m, void *arg) { c_cstr(m, arg); }

/* The string at p (n bytes left) equals s. */
static void assert_name1(const creply *r, const char *s)
{
    assert_int_equal(r->type, SSH_FXP_NAME);
    assert_int_equal(g32(r->p), 1);
    assert_int_equal(g32(r->p + 4), strlen(s));
    assert_memory_equal(r->p + 8, s, strlen(s));
}

static void test_version(void **st)
{
    creply r = { 0 };
    const char *want[] = { "posix-rename@openssh.com", "statvfs@openssh.com",
                           "fstatvfs@openssh.com", "hardlink@openssh.com",
                           "fsync@openssh.com", "lsetstat@openssh.com",
                           "limits@openssh.com", "expand-path@openssh.com",
                           "copy-data", "home-directory" };
    size_t i;
    (void)st;
    r = version;
    assert_int_equal(r.type, SSH_FXP_VERSION);
    assert_int_equal(g32(r.p), 3);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_non_null(memmem(r.p, r.n, want[i], strlen(want[i])));
    /* memfs has no user names: users-groups-by-id is not offered */
    assert_null(memmem(r.p, r.n, "users-groups", 12));
    /* a second INIT is a protocol error */
    c_begin(&M, SSH_FXP_INIT, 0);
    c_u32(&M, 3);
    c_end(&M);
    assert_int_equal(h_send(&H, &M), NSSH_SFTP_ERR_PROTOCOL);
}

static void test_file_roundtrip(void **st)
{
    creply r = { 0 };
    hnd f;
    uint8_t data[100000];
    size_t i, got = 0;
    (void)st;
    for (i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + (i >> 9));
    f = handle_of((r = open_req("/a.bin", SSH_FXF_WRITE | SSH_FXF_CREAT |
                                              SSH_FXF_TRUNC, 0640), &r));
    for (i = 0; i < sizeof(data); i += 32768) {
        size_t k = sizeof(data) - i < 32768 ? sizeof(data) - i : 32768;
        r = write_req(&f, i, data + i, k);
        assert_int_equal(status_of(&r), SSH_FX_OK);
    }
    r = handle_req(SSH_FXP_FSTAT, &f);
    assert_int_equal(r.type, SSH_FXP_ATTRS);
    assert_int_equal(g32(r.p) & 0xf, 0xf);
    assert_int_equal(g64(r.p + 4), sizeof(data));
    assert_int_equal(g32(r.p + 20), NSSH_SFTP_S_IFREG | 0640);
    r = handle_req(SSH_FXP_CLOSE, &f);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    /* closed: the handle is dead */
    r = handle_req(SSH_FXP_CLOSE, &f);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    f = handle_of((r = open_req("/a.bin", SSH_FXF_READ, 0), &r));
    while (got < sizeof(data)) {
        r = read_req(&f, got, 0xffffffffu);   /* hostile length: clipped */
        assert_int_equal(r.type, SSH_FXP_DATA);
        assert_true(g32(r.p) > 0 && g32(r.p) <= NSSH_SFTP_MAX_READ);
        assert_memory_equal(r.p + 4, data + got, g32(r.p));
        got += g32(r.p);
    }
    r = read_req(&f, got, 10);
    assert_int_equal(status_of(&r), SSH_FX_EOF);
    r = handle_req(SSH_FXP_CLOSE, &f);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_STAT, "/a.bin");
    assert_int_equal(r.type, SSH_FXP_ATTRS);
    assert_int_equal(g64(r.p + 4), sizeof(data));
    r = path_req(SSH_FXP_STAT, "/nope");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    /* EXCL on an existing file fails; append writes at the end */
    r = open_req("/a.bin", SSH_FXF_WRITE | SSH_FXF_CREAT | SSH_FXF_EXCL, 0600);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    f = handle_of((r = open_req("/a.bin", SSH_FXF_WRITE | SSH_FXF_APPEND, 0), &r));
    r = write_req(&f, 0, "tail", 4);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    /* fsetstat: size and mode */
    {
        uint32_t id = next_id++;
        c_begin(&M, SSH_FXP_FSETSTAT, id);
        c_str(&M, f.b, f.n);
        c_u32(&M, SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_PERMISSIONS);
        c_u64(&M, 10);
        c_u32(&M, 0600);
        c_end(&M);
        r = one(id);
        assert_int_equal(status_of(&r), SSH_FX_OK);
    }
    r = handle_req(SSH_FXP_CLOSE, &f);
    r = path_req(SSH_FXP_LSTAT, "/a.bin");
    assert_int_equal(g64(r.p + 4), 10);
    assert_int_equal(g32(r.p + 20), NSSH_SFTP_S_IFREG | 0600);
    /* setstat times */
    {
        uint32_t id = next_id++;
        c_begin(&M, SSH_FXP_SETSTAT, id);
        c_cstr(&M, "/a.bin");
        c_u32(&M, SSH_FILEXFER_ATTR_ACMODTIME);
        c_u32(&M, 1000);
        c_u32(&M, 2000);
        c_end(&M);
        r = one(id);
        assert_int_equal(status_of(&r), SSH_FX_OK);
    }
    r = path_req(SSH_FXP_STAT, "/a.bin");
    assert_int_equal(g32(r.p + 24), 1000);
    assert_int_equal(g32(r.p + 28), 2000);
    r = path_req(SSH_FXP_REMOVE, "/a.bin");
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_REMOVE, "/a.bin");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
}

/* Names listed in one READDIR reply, joined by '|'. */
static void list_dir(const char *path, char *out, size_t cap)
{
    creply r = { 0 };
    hnd d = handle_of((r = path_req(SSH_FXP_OPENDIR, path), &r));
    out[0] = 0;
    for (;;) {
        const uint8_t *p;
        uint32_t n, i;
        r = handle_req(SSH_FXP_READDIR, &d);
        if (r.type == SSH_FXP_STATUS) {
            assert_int_equal(status_of(&r), SSH_FX_EOF);
            break;
        }
        assert_int_equal(r.type, SSH_FXP_NAME);
        n = g32(r.p);
        p = r.p + 4;
        for (i = 0; i < n; i++) {
            uint32_t l = g32(p), ll, fl;
            strncat(out, (const char *)p + 4, l);
            strcat(out, "|");
            p += 4 + l;
            ll = g32(p);
            /* long name: "drwxr-xr-x" or "-rw-r--r--" first, name last */
            assert_true(ll > 10 && (p[4] == 'd' || p[4] == '-' || p[4] == 'l'));
            p += 4 + ll;
            fl = g32(p);
            p += 4 + (fl & 1 ? 8 : 0) + (fl & 2 ? 8 : 0) + (fl & 4 ? 4 : 0) +
                 (fl & 8 ? 8 : 0);
        }
        assert_true(p == r.p + r.n);
    }
    r = handle_req(SSH_FXP_CLOSE, &d);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    (void)cap;
}

static void test_dirs_links(void **st)
{
    creply r = { 0 };
    char names[2048];
    uint32_t id;
    hnd f;
    const char *ren[2];
    (void)st;
    id = next_id++;
    c_begin(&M, SSH_FXP_MKDIR, id);
    c_cstr(&M, "/d");
    c_attrs_perm(&M, 0755);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_MKDIR, "/d");   /* no attrs: malformed */
    assert_int_equal(status_of(&r), SSH_FX_BAD_MESSAGE);
    f = handle_of((r = open_req("/d/x", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644), &r));
    write_req(&f, 0, "hello", 5);
    handle_req(SSH_FXP_CLOSE, &f);
    list_dir("/d", names, sizeof(names));
    assert_string_equal(names, ".|..|x|");
    /* RENAME refuses to replace; posix-rename replaces */
    f = handle_of((r = open_req("/d/y", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644), &r));
    handle_req(SSH_FXP_CLOSE, &f);
    id = next_id++;
    c_begin(&M, SSH_FXP_RENAME, id);
    c_cstr(&M, "/d/x");
    c_cstr(&M, "/d/y");
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    ren[0] = "/d/x";
    ren[1] = "/d/y";
    r = ext_begin_end("posix-rename@openssh.com", two_paths, ren);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_STAT, "/d/y");
    assert_int_equal(g64(r.p + 4), 5);
    /* symlink: OpenSSH order, target first */
    id = next_id++;
    c_begin(&M, SSH_FXP_SYMLINK, id);
    c_cstr(&M, "y");
    c_cstr(&M, "/d/l");
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_READLINK, "/d/l");
    assert_name1(&r, "y");
    r = path_req(SSH_FXP_STAT, "/d/l");
    assert_int_equal(g32(r.p + 20) & NSSH_SFTP_S_IFMT, NSSH_SFTP_S_IFREG);
    r = path_req(SSH_FXP_LSTAT, "/d/l");
    assert_int_equal(g32(r.p + 20) & NSSH_SFTP_S_IFMT, NSSH_SFTP_S_IFLNK);
    r = path_req(SSH_FXP_REALPATH, "/d/l");
    assert_name1(&r, "/d/y");
    /* hardlink, then remove one name: the other keeps the data */
    ren[0] = "/d/y";
    ren[1] = "/d/h";
    r = ext_begin_end("hardlink@openssh.com", two_paths, ren);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_REMOVE, "/d/y");
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_STAT, "/d/h");
    assert_int_equal(g64(r.p + 4), 5);
    r = path_req(SSH_FXP_STAT, "/d/l");   /* dangling now */
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    /* lsetstat on the link itself */
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "lsetstat@openssh.com");
    c_cstr(&M, "/d/l");
    c_u32(&M, SSH_FILEXFER_ATTR_ACMODTIME);
    c_u32(&M, 5);
    c_u32(&M, 6);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    list_dir("/d", names, sizeof(names));
    assert_string_equal(names, ".|..|l|h|");
    r = path_req(SSH_FXP_RMDIR, "/d");
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);   /* not empty */
    r = path_req(SSH_FXP_REMOVE, "/d/l");
    r = path_req(SSH_FXP_REMOVE, "/d/h");
    r = path_req(SSH_FXP_REMOVE, "/d");   /* a directory */
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    r = path_req(SSH_FXP_RMDIR, "/d");
    assert_int_equal(status_of(&r), SSH_FX_OK);
    r = path_req(SSH_FXP_OPENDIR, "/d");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    r = path_req(SSH_FXP_REALPATH, ".");
    assert_name1(&r, "/");
    r = path_req(SSH_FXP_REALPATH, "");
    assert_name1(&r, "/");
}

static void test_extensions(void **st)
{
    creply r = { 0 };
    hnd f, g;
    uint32_t id;
    (void)st;
    r = ext_begin_end("statvfs@openssh.com", one_path, "/");
    assert_int_equal(r.type, SSH_FXP_EXTENDED_REPLY);
    assert_int_equal(r.n, 88);
    assert_int_equal(g64(r.p), NSSH_MEMFS_BLOCK);
    assert_true(g64(r.p + 16) > 1000);            /* blocks */
    assert_true(g64(r.p + 24) <= g64(r.p + 16));  /* bfree */
    r = ext_begin_end("statvfs@openssh.com", one_path, "/missing");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    r = ext_begin_end("limits@openssh.com", NULL, NULL);
    assert_int_equal(r.type, SSH_FXP_EXTENDED_REPLY);
    assert_int_equal(g64(r.p), NSSH_SFTP_MAX_MSG);
    assert_int_equal(g64(r.p + 24), NSSH_SFTP_MAX_HANDLES);
    f = handle_of((r = open_req("/src", SSH_FXF_READ | SSH_FXF_WRITE |
                                            SSH_FXF_CREAT, 0644), &r));
    write_req(&f, 0, "0123456789", 10);
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "fstatvfs@openssh.com");
    c_str(&M, f.b, f.n);
    c_end(&M);
    r = one(id);
    assert_int_equal(r.type, SSH_FXP_EXTENDED_REPLY);
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "fsync@openssh.com");
    c_str(&M, f.b, f.n);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    g = handle_of((r = open_req("/dst", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644), &r));
    /* copy-data: 4 bytes from offset 3, then the rest (length 0) */
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "copy-data");
    c_str(&M, f.b, f.n);
    c_u64(&M, 3);
    c_u64(&M, 4);
    c_str(&M, g.b, g.n);
    c_u64(&M, 0);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "copy-data");
    c_str(&M, f.b, f.n);
    c_u64(&M, 8);
    c_u64(&M, 0);
    c_str(&M, g.b, g.n);
    c_u64(&M, 4);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    /* the write-only target cannot be a source */
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "copy-data");
    c_str(&M, g.b, g.n);
    c_u64(&M, 0);
    c_u64(&M, 0);
    c_str(&M, f.b, f.n);
    c_u64(&M, 0);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    handle_req(SSH_FXP_CLOSE, &g);
    handle_req(SSH_FXP_CLOSE, &f);
    g = handle_of((r = open_req("/dst", SSH_FXF_READ, 0), &r));
    r = read_req(&g, 0, 100);
    assert_int_equal(g32(r.p), 6);
    assert_memory_equal(r.p + 4, "345689", 6);
    handle_req(SSH_FXP_CLOSE, &g);
    /* home-directory and expand-path from a start directory */
    id = next_id++;
    c_begin(&M, SSH_FXP_MKDIR, id);
    c_cstr(&M, "/home");
    c_attrs_none(&M);
    c_end(&M);
    one(id);
    id = next_id++;
    c_begin(&M, SSH_FXP_MKDIR, id);
    c_cstr(&M, "/home/u");
    c_attrs_none(&M);
    c_end(&M);
    one(id);
    assert_int_equal(nssh_memfs_chdir(&H.fs, "/home/u"), 0);
    r = ext_begin_end("home-directory", one_path, "");
    assert_name1(&r, "/home/u");
    r = ext_begin_end("home-directory", one_path, "root");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    r = ext_begin_end("expand-path@openssh.com", one_path, "~/x/../y");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);   /* no x */
    r = ext_begin_end("expand-path@openssh.com", one_path, "~/../u/z");
    assert_name1(&r, "/home/u/z");
    r = ext_begin_end("expand-path@openssh.com", one_path, "sub");
    assert_name1(&r, "/home/u/sub");
    r = ext_begin_end("no-such@example.com", one_path, "x");
    assert_int_equal(status_of(&r), SSH_FX_OP_UNSUPPORTED);
}

/* ".." never leaves the filesystem: from a start directory, any number
 * of them ends at "/". */
static void test_dotdot_start_dir(void **st)
{
    creply r = { 0 };
    hnd f;
    (void)st;
    path_req(SSH_FXP_MKDIR, "/x");   /* malformed, ignored */
    {
        uint32_t id = next_id++;
        c_begin(&M, SSH_FXP_MKDIR, id);
        c_cstr(&M, "/jail");
        c_attrs_none(&M);
        c_end(&M);
        assert_int_equal(status_of((r = one(id), &r)), SSH_FX_OK);
    }
    assert_int_equal(nssh_memfs_chdir(&H.fs, "/jail"), 0);
    r = path_req(SSH_FXP_REALPATH, ".");
    assert_name1(&r, "/jail");
    r = path_req(SSH_FXP_REALPATH, "../../../../..");
    assert_name1(&r, "/");
    r = path_req(SSH_FXP_REALPATH, "../../../../../jail/./a/../b");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    r = path_req(SSH_FXP_REALPATH, "../../../../../jail/./b");
    assert_name1(&r, "/jail/b");
    f = handle_of((r = open_req("../../../../top", SSH_FXF_WRITE | SSH_FXF_CREAT,
                                0644), &r));
    handle_req(SSH_FXP_CLOSE, &f);
    r = path_req(SSH_FXP_STAT, "/top");
    assert_int_equal(r.type, SSH_FXP_ATTRS);
    r = path_req(SSH_FXP_STAT, "rel/../../top");
    assert_int_equal(status_of(&r), SSH_FX_NO_SUCH_FILE);
    /* a symlink loop is cut off */
    {
        uint32_t id = next_id++;
        c_begin(&M, SSH_FXP_SYMLINK, id);
        c_cstr(&M, "loop");
        c_cstr(&M, "loop");
        c_end(&M);
        assert_int_equal(status_of((r = one(id), &r)), SSH_FX_OK);
    }
    r = path_req(SSH_FXP_STAT, "loop");
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* the root cannot be removed, renamed or replaced */
    r = path_req(SSH_FXP_RMDIR, "/");
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    r = path_req(SSH_FXP_RMDIR, "..");
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
}

static void test_unknown_and_bad_handles(void **st)
{
    creply r = { 0 };
    hnd f, forged;
    uint32_t id;
    (void)st;
    id = next_id++;
    c_begin(&M, 77, id);
    c_cstr(&M, "whatever");
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OP_UNSUPPORTED);
    id = next_id++;
    c_begin(&M, SSH_FXP_STATUS, id);   /* a reply type as a request */
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_OP_UNSUPPORTED);
    f = handle_of((r = open_req("/h", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644), &r));
    /* forged tag, slot out of range, wrong length, a file handle used as a
     * directory */
    forged = f;
    forged.b[7] ^= 1;
    r = handle_req(SSH_FXP_FSTAT, &forged);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    r = write_req(&forged, 0, "x", 1);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    forged = f;
    forged.b[0] = 0xff;
    r = handle_req(SSH_FXP_CLOSE, &forged);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    forged.n = 3;
    r = handle_req(SSH_FXP_CLOSE, &forged);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    r = write_req(&forged, 0, "x", 1);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    r = handle_req(SSH_FXP_READDIR, &f);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* truncated requests */
    id = next_id++;
    c_begin(&M, SSH_FXP_READ, id);
    c_u32(&M, 1000);   /* handle length beyond the message */
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_BAD_MESSAGE);
    id = next_id++;
    c_begin(&M, SSH_FXP_OPEN, id);
    c_str(&M, "a\0b", 3);   /* NUL inside a path */
    c_u32(&M, SSH_FXF_READ);
    c_attrs_none(&M);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* WRITE whose data length disagrees with the message length */
    id = next_id++;
    c_begin(&M, SSH_FXP_WRITE, id);
    c_str(&M, f.b, f.n);
    c_u64(&M, 0);
    c_u32(&M, 100);
    c_bytes(&M, "abc", 3);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_BAD_MESSAGE);
    /* the handle still works; the old one dies after close and a new
     * handle in the same slot does not revive it */
    r = write_req(&f, 0, "ok", 2);
    assert_int_equal(status_of(&r), SSH_FX_OK);
    handle_req(SSH_FXP_CLOSE, &f);
    {
        hnd g = handle_of((r = open_req("/h", SSH_FXF_READ, 0), &r));
        assert_memory_equal(g.b, f.b, 4);           /* same slot */
        assert_memory_not_equal(g.b + 4, f.b + 4, 4);
        r = handle_req(SSH_FXP_FSTAT, &f);
        assert_int_equal(status_of(&r), SSH_FX_FAILURE);
        handle_req(SSH_FXP_CLOSE, &g);
    }
}

static void test_handle_limit_out_of_order(void **st)
{
    creply r = { 0 };
    hnd h[NSSH_SFTP_MAX_HANDLES];
    int i;
    (void)st;
    for (i = 0; i < NSSH_SFTP_MAX_HANDLES; i++) {
        r = open_req("/many", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644);
        h[i] = handle_of(&r);
    }
    r = open_req("/many", SSH_FXF_WRITE, 0);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    r = path_req(SSH_FXP_OPENDIR, "/");
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* close in a scrambled order, each exactly once */
    for (i = 0; i < NSSH_SFTP_MAX_HANDLES; i++) {
        int k = (i * 7 + 3) % NSSH_SFTP_MAX_HANDLES;
        r = handle_req(SSH_FXP_CLOSE, &h[k]);
        assert_int_equal(status_of(&r), SSH_FX_OK);
        r = handle_req(SSH_FXP_CLOSE, &h[k]);
        assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    }
    r = path_req(SSH_FXP_OPENDIR, "/");
    assert_int_equal(r.type, SSH_FXP_HANDLE);
}

/* 10,000 requests sent before any reply is read: all answered, in order,
 * each with its id. */
static void test_pipeline_10000(void **st)
{
    static cmsg big;
    creply r = { 0 };
    uint32_t i, base = next_id;
    hnd f;
    (void)st;
    f = handle_of((r = open_req("/p", SSH_FXF_READ | SSH_FXF_WRITE |
                                          SSH_FXF_CREAT, 0644), &r));
    big.n = 0;
    for (i = 0; i < 10000; i++) {
        uint32_t id = base + i;
        switch (i % 4) {
        case 0:
            c_begin(&big, SSH_FXP_WRITE, id);
            c_str(&big, f.b, f.n);
            c_u64(&big, (uint64_t)(i / 4) * 8);
            c_str(&big, "abcdefgh", 8);
            break;
        case 1:
            c_begin(&big, SSH_FXP_READ, id);
            c_str(&big, f.b, f.n);
            c_u64(&big, (uint64_t)(i / 4) * 8);
            c_u32(&big, 8);
            break;
        case 2:
            c_begin(&big, SSH_FXP_STAT, id);
            c_cstr(&big, "/p");
            break;
        default:
            c_begin(&big, SSH_FXP_REALPATH, id);
            c_cstr(&big, "/./p");
            break;
        }
        c_end(&big);
    }
    assert_int_equal(h_feed(&H, big.b, big.n), 0);
    next_id = base + 10000;
    for (i = 0; i < 10000; i++) {
        assert_true(h_next(&H, &r));
        assert_int_equal(r.id, base + i);
        switch (i % 4) {
        case 0: assert_int_equal(status_of(&r), SSH_FX_OK); break;
        case 1:
            assert_int_equal(r.type, SSH_FXP_DATA);
            assert_memory_equal(r.p + 4, "abcdefgh", 8);
            break;
        case 2: assert_int_equal(r.type, SSH_FXP_ATTRS); break;
        default: assert_name1(&r, "/p"); break;
        }
    }
    assert_false(h_next(&H, &r));
    handle_req(SSH_FXP_CLOSE, &f);
}

static void test_policy(void **st)
{
    creply r = { 0 };
    hnd f;
    (void)st;
    H.s.cfg.read_only = 1;
    r = open_req("/ro", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644);
    assert_int_equal(status_of(&r), SSH_FX_PERMISSION_DENIED);
    r = path_req(SSH_FXP_REMOVE, "/ro");
    assert_int_equal(status_of(&r), SSH_FX_PERMISSION_DENIED);
    r = path_req(SSH_FXP_STAT, "/");
    assert_int_equal(r.type, SSH_FXP_ATTRS);
    H.s.cfg.read_only = 0;
    H.s.cfg.allowed = NSSH_SFTP_REQ_ALL & ~(1u << NSSH_SFTP_REQ_MKDIR) &
                      ~(1u << NSSH_SFTP_REQ_STATVFS);
    {
        uint32_t id = next_id++;
        c_begin(&M, SSH_FXP_MKDIR, id);
        c_cstr(&M, "/no");
        c_attrs_none(&M);
        c_end(&M);
        r = one(id);
        assert_int_equal(status_of(&r), SSH_FX_PERMISSION_DENIED);
    }
    r = ext_begin_end("statvfs@openssh.com", one_path, "/");
    assert_int_equal(status_of(&r), SSH_FX_PERMISSION_DENIED);
    f = handle_of((r = open_req("/ok", SSH_FXF_WRITE | SSH_FXF_CREAT, 0644), &r));
    handle_req(SSH_FXP_CLOSE, &f);
    H.s.cfg.allowed = 0;
    assert_int_equal(nssh_sftp_request_bit("posix-rename"),
                     NSSH_SFTP_REQ_POSIX_RENAME);
    assert_int_equal(nssh_sftp_request_bit("bogus"), -1);
    assert_string_equal(nssh_sftp_request_name(NSSH_SFTP_REQ_COPY_DATA),
                        "copy-data");
}

static int names_user(void *u, uint32_t id, char *out, size_t cap)
{
    (void)u;
    if (id != 1000)
        return -SSH_FX_NO_SUCH_FILE;
    snprintf(out, cap, "alice");
    return 0;
}

static int names_group(void *u, uint32_t id, char *out, size_t cap)
{
    (void)u;
    if (id != 1000)
        return -SSH_FX_NO_SUCH_FILE;
    snprintf(out, cap, "staff");
    return 0;
}

/* users-groups-by-id@openssh.com with a backend that knows names: one
 * string per id, empty for unknown ones; too many ids to answer gives a
 * status, not an overflow. */
static void test_users_groups(void **st)
{
    static nssh_sftp_fs fs;
    creply r;
    uint32_t id, i;
    const uint8_t *p;
    (void)st;
    fs = *nssh_memfs_fs();
    fs.user_name = names_user;
    fs.group_name = names_group;
    H.s.cfg.fs = &fs;
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "users-groups-by-id@openssh.com");
    c_u32(&M, 12);
    c_u32(&M, 1000);
    c_u32(&M, 5);
    c_u32(&M, 1000);
    c_u32(&M, 4);
    c_u32(&M, 1000);
    c_end(&M);
    r = one(id);
    assert_int_equal(r.type, SSH_FXP_EXTENDED_REPLY);
    p = r.p;
    assert_int_equal(g32(p), 4 + 5 + 4 + 0 + 4 + 5);
    assert_memory_equal(p + 4, "\0\0\0\5alice\0\0\0\0\0\0\0\5alice", 22);
    p += 4 + g32(p);
    assert_int_equal(g32(p), 9);
    assert_memory_equal(p + 4, "\0\0\0\5staff", 9);
    /* 10000 ids: the reply would not fit the output buffer */
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "users-groups-by-id@openssh.com");
    c_u32(&M, 4 * 10000);
    for (i = 0; i < 10000; i++)
        c_u32(&M, 1000);
    c_u32(&M, 0);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_FAILURE);
    /* a uid list that is not a whole number of uint32s */
    id = next_id++;
    c_begin(&M, SSH_FXP_EXTENDED, id);
    c_cstr(&M, "users-groups-by-id@openssh.com");
    c_str(&M, "abc", 3);
    c_u32(&M, 0);
    c_end(&M);
    r = one(id);
    assert_int_equal(status_of(&r), SSH_FX_BAD_MESSAGE);
    H.s.cfg.fs = nssh_memfs_fs();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extensions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dotdot_start_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_bad_handles, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_handle_limit_out_of_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_10000, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_groups, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
