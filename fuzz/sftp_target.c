/*
 * The SFTP fuzz target's body: a server with small buffers (the firmware
 * sizes) over a small in-memory filesystem, so that clipping, streaming,
 * handle limits and running out of space are all reachable.
 */
#include <string.h>

#include "nanossh_memfs.h"
#include "nanossh_sftp.h"
#include "sftp_target.h"

static nssh_sftp srv;
static nssh_memfs mfs;
static uint8_t mem[96 * 1024];
static uint8_t inbuf[NSSH_SFTP_MIN_INBUF];
static uint8_t outbuf[NSSH_SFTP_MIN_OUTBUF + 512];

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

/* Every reply is uint32 length || type ..., lengths add up exactly, and a
 * reply never spans two output calls. */
static int drain(void)
{
    const uint8_t *p;
    size_t n = nssh_sftp_output(&srv, &p), off = 0;
    if (n > sizeof(outbuf) || (n && (p < outbuf || p + n > outbuf + sizeof(outbuf))))
        return 1;
    while (off < n) {
        uint32_t len;
        if (n - off < 5)
            return 1;
        len = be32(p + off);
        if (len < 1 || len > n - off - 4)
            return 1;
        if (p[off + 4] != SSH_FXP_VERSION && (p[off + 4] < SSH_FXP_STATUS ||
                                              p[off + 4] > SSH_FXP_EXTENDED_REPLY))
            return 1;
        off += 4 + (size_t)len;
    }
    nssh_sftp_consume(&srv, n);
    return 0;
}

int sftp_fuzz_run(const uint8_t *data, size_t len)
{
    nssh_sftp_config cfg;
    uint32_t split = len ? data[0] : 0;
    size_t off = len ? 1 : 0;
    int stuck = 0;
    long used;
    if (nssh_memfs_init(&mfs, mem, sizeof(mem), 48, 0, 0) < 0)
        return 1;
    memset(&cfg, 0, sizeof(cfg));
    cfg.fs = nssh_memfs_fs();
    cfg.fs_user = &mfs;
    cfg.inbuf = inbuf;
    cfg.inbuf_len = sizeof(inbuf);
    cfg.outbuf = outbuf;
    cfg.outbuf_len = sizeof(outbuf);
    cfg.handle_seed = 0x12345678u;
    if (nssh_sftp_init(&srv, &cfg) < 0)
        return 1;
    while (off < len) {
        size_t k = len - off;
        if (split) {
            size_t lim = 1 + (split * 37u + off) % (split * 4u + 1u);
            if (k > lim)
                k = lim;
        }
        used = nssh_sftp_input(&srv, data + off, k);
        if (used < 0)
            break;
        off += (size_t)used;
        if (drain())
            return 1;
        /* No progress twice in a row with an empty output buffer would be
         * a hang. */
        stuck = used == 0 ? stuck + 1 : 0;
        if (stuck > 2)
            return 1;
    }
    if (!nssh_sftp_error(&srv)) {
        nssh_sftp_input(&srv, NULL, 0);
        if (drain())
            return 1;
    }
    nssh_sftp_end(&srv);
    return nssh_sftp_error(&srv);
}
