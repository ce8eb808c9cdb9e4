/*
 * The application: the firmware's device application (port/device) as it
 * is, one dev_session per connection slot: public-key login of the one
 * user, a shell (pty or not) and exec with the device's commands, and the
 * "sftp" subsystem on a RAM filesystem (the SFTP module's memfs).
 *
 * The device application starts and releases the engine itself
 * (dev_session_start / dev_session_end); the adapter moves the bytes and
 * dev_session_tick lets it move output along after every event.
 */
#include <stdlib.h>
#include <string.h>

#include "lwipd.h"
#include "device.h"
#include "nanossh_memfs.h"

/* The RAM filesystem: 4 MiB (no microcontroller's limit here), 64 files
 * and directories. */
#define RAMFS_SIZE (4u * 1024u * 1024u)
#define RAMFS_NODES 64u

typedef struct app {
    lwipd *d;
    nssh_lwip_server *srv;
    dev_params params;
    uint8_t auth_key[32];           /* the authorized ssh-ed25519 key */
    nssh_memfs memfs;
    uint8_t *ramfs;
    dev_session *sessions;          /* one per slot */
    size_t n;
} app;

static uint64_t hook_millis(void *user)
{
    app *a = user;
    return nssh_lwip_now(a->srv);
}

/* What the `mem` command shows; stack figures are the firmware's alone. */
static void hook_mem(void *user, dev_mem *m)
{
    app *a = user;
    nssh_sftp_statvfs v;
    m->static_ram = a->n * dev_session_bytes();
    if (nssh_memfs_fs()->statvfs(&a->memfs, "/", &v) == 0) {
        m->ramfs_total = (size_t)(v.blocks * v.frsize);
        m->ramfs_free = (size_t)(v.bfree * v.frsize);
    }
}

static void hook_log(void *user, const char *line)
{
    app *a = user;
    lwipd_log(a->d, NSSH_LOG_INFO, "%s", line);
}

static nssh_conn *open_conn(void *ap, nssh_lwip_conn *lc, uint64_t now_ms)
{
    app *a = ap;
    dev_session *s = &a->sessions[lc - lc->srv->conns];
    lc->app_user = s;
    if (dev_session_start(s, &a->params, lc->mem, lc->mem_len, now_ms) < 0) {
        dev_session_end(s);
        return NULL;
    }
    return s->conn;
}

static void pump(void *ap, nssh_lwip_conn *lc, uint64_t now_ms)
{
    (void)ap;
    dev_session_tick(lc->app_user, now_ms);
}

static void close_conn(void *ap, nssh_lwip_conn *lc)
{
    (void)ap;
    dev_session_end(lc->app_user);
}

static void log_hook(void *ap, int level, const char *text)
{
    app *a = ap;
    lwipd_log(a->d, level, "%s", text);
}

const nssh_lwip_hooks lwipd_app_hooks = {
    .open = open_conn,
    .pump = pump,
    .close = close_conn,
    .log = log_hook,
};

/* The 32-byte key of an ssh-ed25519 blob (RFC 8709 section 4). */
static int ed25519_key(const uint8_t *blob, size_t len, uint8_t key[32])
{
    static const uint8_t head[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd',
                                    '2', '5', '5', '1', '9', 0, 0, 0, 32 };
    if (len != sizeof(head) + 32 || memcmp(blob, head, sizeof(head)))
        return -1;
    memcpy(key, blob + sizeof(head), 32);
    return 0;
}

int lwipd_app_init(lwipd *d, nssh_lwip_server *srv, size_t n_conns,
                   void **out)
{
    app *a = calloc(1, sizeof(*a));
    if (!a)
        return -1;
    a->d = d;
    a->srv = srv;
    a->n = n_conns;
    if (ed25519_key(d->auth_blob, d->auth_blob_len, a->auth_key) < 0) {
        lwipd_log(d, NSSH_LOG_ERROR, "the device application accepts an "
                  "ssh-ed25519 authorized key only");
        free(a);
        return -1;
    }
    a->ramfs = aligned_alloc(16, RAMFS_SIZE);
    a->sessions = aligned_alloc(16, n_conns * sizeof(dev_session));
    if (!a->ramfs || !a->sessions ||
        nssh_memfs_init(&a->memfs, a->ramfs, RAMFS_SIZE, RAMFS_NODES, 0, 0) < 0) {
        lwipd_app_free(a);
        return -1;
    }
    memset(a->sessions, 0, n_conns * sizeof(dev_session));
    a->params.base = &d->tmpl;
    a->params.login = d->user;
    a->params.auth_keys = (const uint8_t (*)[32])a->auth_key;
    a->params.n_auth_keys = 1;
    a->params.sha256 = d->sha256;
    a->params.fs = nssh_memfs_fs();
    a->params.fs_user = &a->memfs;
    a->params.hostname = "nanossh-lwip";
    a->params.millis = hook_millis;
    a->params.mem = hook_mem;
    a->params.log = hook_log;
    a->params.user = a;
    *out = a;
    return 0;
}

void lwipd_app_free(void *ap)
{
    app *a = ap;
    if (!a)
        return;
    free(a->sessions);
    free(a->ramfs);
    free(a);
}
