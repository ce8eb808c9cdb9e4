/*
 * Handles (filexfer-02 section 6.2: opaque strings of at most 256 bytes).
 * Ours are 8 bytes: the slot index and a tag mixing the slot's generation
 * (bumped at every close) with the caller's seed. A client can name only
 * its own open handles; a closed one stops working even when its slot is
 * reused, and guessing another needs the seed.
 */
#include <string.h>

#include "sftp_int.h"

static uint32_t tag_of(const nssh_sftp *s, int slot)
{
    uint32_t x = ((uint32_t)s->handles[slot].gen << 16) ^ (uint32_t)slot ^
                 s->cfg.handle_seed;
    /* An invertible mix so neighbouring generations look unrelated. */
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

void sftp_handle_encode(const nssh_sftp *s, int slot, uint8_t out[SFTP_HANDLE_LEN])
{
    put_be32(out, (uint32_t)slot);
    put_be32(out + 4, tag_of(s, slot));
}

int sftp_handle_new(nssh_sftp *s, int kind, void *h, const char *path,
               uint32_t pflags)
{
    int i;
    for (i = 0; i < NSSH_SFTP_MAX_HANDLES; i++) {
        nssh_sftp_handle *e = &s->handles[i];
        if (e->kind)
            continue;
        e->kind = (uint8_t)kind;
        e->h = h;
        e->pflags = pflags;
        e->cookie = 0;
        e->bytes_read = e->bytes_written = 0;
        sftp_str_copy(e->path, sizeof(e->path), path);
        return i;
    }
    return -1;
}

int sftp_handle_find(const nssh_sftp *s, const uint8_t *p, size_t n, int kind)
{
    uint32_t slot;
    if (n != SFTP_HANDLE_LEN)
        return -1;
    slot = be32(p);
    if (slot >= NSSH_SFTP_MAX_HANDLES || !s->handles[slot].kind ||
        be32(p + 4) != tag_of(s, (int)slot))
        return -1;
    if (kind && s->handles[slot].kind != kind)
        return -1;
    return (int)slot;
}

int sftp_handle_get(const nssh_sftp *s, rd *r, int kind)
{
    const uint8_t *p;
    size_t n;
    if (rd_string(r, &p, &n) < 0)
        return -2;
    return sftp_handle_find(s, p, n, kind);
}

int sftp_handle_close(nssh_sftp *s, int slot, uint32_t id)
{
    nssh_sftp_handle *e = &s->handles[slot];
    const nssh_sftp_fs *fs = s->cfg.fs;
    nssh_sftp_event ev;
    int rc = 0;
    memset(&ev, 0, sizeof(ev));
    if (e->kind == 1) {
        rc = fs->close ? fs->close(s->cfg.fs_user, e->h) : 0;
        ev.type = NSSH_SFTP_EV_CLOSE;
        ev.bytes_read = e->bytes_read;
        ev.bytes_written = e->bytes_written;
    } else {
        rc = fs->closedir ? fs->closedir(s->cfg.fs_user, e->h) : 0;
        ev.type = NSSH_SFTP_EV_CLOSEDIR;
    }
    ev.id = id;
    ev.name = "close";
    ev.path = e->path;
    ev.status = rc < 0 ? -rc : 0;
    if (s->cfg.event)
        s->cfg.event(s->cfg.event_user, &ev);
    e->kind = 0;
    e->h = NULL;
    e->gen++;
    return rc;
}
