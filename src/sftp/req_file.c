/*
 * File requests (filexfer-02 sections 6.3 to 6.4, 6.8, 6.9): OPEN,
 * CLOSE, READ, WRITE (streamed, see server.c), FSTAT, FSETSTAT.
 */
#include <string.h>

#include "sftp_int.h"

#define BAD_HANDLE SSH_FX_FAILURE   /* as sftp-server: "Invalid handle" */

static void *fs_user(const nssh_sftp *s) { return s->cfg.fs_user; }

void sftp_req_open(nssh_sftp *s, req *q)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    nssh_sftp_attrs a;
    nssh_sftp_event ev;
    uint32_t pflags;
    void *h = NULL;
    int rc, slot = -1;
    if ((rc = sftp_get_path(&q->r, s->path1)) < 0 || rd_u32(&q->r, &pflags) < 0 ||
        sftp_get_attrs(&q->r, &a) < 0) {
        sftp_reply_result(s, q->id, rc < 0 ? rc : -SSH_FX_BAD_MESSAGE);
        return;
    }
    memset(&ev, 0, sizeof(ev));
    ev.type = NSSH_SFTP_EV_OPEN;
    ev.id = q->id;
    ev.name = "open";
    ev.path = s->path1;
    ev.flags = pflags;
    ev.mode = a.flags & SSH_FILEXFER_ATTR_PERMISSIONS ? a.perm & 07777u : 0666u;
    if (s->cfg.read_only &&
        (pflags & (SSH_FXF_WRITE | SSH_FXF_APPEND | SSH_FXF_CREAT |
                   SSH_FXF_TRUNC)))
        rc = -SSH_FX_PERMISSION_DENIED;
    else if (!fs->open)
        rc = -SSH_FX_OP_UNSUPPORTED;
    else
        rc = fs->open(fs_user(s), s->path1, pflags, &a, &h);
    if (rc == 0 && (slot = sftp_handle_new(s, 1, h, s->path1, pflags)) < 0) {
        if (fs->close)
            fs->close(fs_user(s), h);
        rc = -SSH_FX_FAILURE;   /* too many handles */
    }
    ev.status = rc < 0 ? -rc : 0;
    if (s->cfg.event)
        s->cfg.event(s->cfg.event_user, &ev);
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_handle(s, q->id, slot);
}

void sftp_req_close(nssh_sftp *s, req *q)
{
    int slot = sftp_handle_get(s, &q->r, 0);
    if (slot < 0) {
        sftp_reply_status(s, q->id, slot == -2 ? SSH_FX_BAD_MESSAGE : BAD_HANDLE);
        return;
    }
    sftp_reply_result(s, q->id, sftp_handle_close(s, slot, q->id));
}

/* DATA: uint32 id, string data. The data is read straight into the
 * output buffer, clipped to its room and to NSSH_SFTP_MAX_READ. */
void sftp_req_read(nssh_sftp *s, req *q)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    int slot = sftp_handle_get(s, &q->r, 1);
    uint64_t off;
    uint32_t len;
    size_t room, got = 0;
    uint8_t *dst;
    wr w;
    int rc;
    if (slot == -2 || rd_u64(&q->r, &off) < 0 || rd_u32(&q->r, &len) < 0) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    if (slot < 0) {
        sftp_reply_status(s, q->id, BAD_HANDLE);
        return;
    }
    if (!fs->read) {
        sftp_reply_status(s, q->id, SSH_FX_OP_UNSUPPORTED);
        return;
    }
    room = sftp_out_room(s);
    room = room > 64 ? room - 64 : 0;
    if (len > room)
        len = (uint32_t)room;
    if (len > NSSH_SFTP_MAX_READ)
        len = NSSH_SFTP_MAX_READ;
    sftp_reply_begin(s, &w, SSH_FXP_DATA, q->id);
    wr_u32(&w, 0);   /* data length, set below */
    dst = wr_reserve(&w, len);
    if (!dst) {
        sftp_reply_status(s, q->id, SSH_FX_FAILURE);
        return;
    }
    rc = len ? fs->read(fs_user(s), s->handles[slot].h, off, dst, len, &got)
             : 0;
    if (rc < 0 || got == 0 || got > len) {
        sftp_reply_result(s, q->id, rc < 0 ? rc : -SSH_FX_EOF);
        return;
    }
    put_be32(w.p + 9, (uint32_t)got);
    w.len -= len - got;
    s->handles[slot].bytes_read += got;
    sftp_reply_end(s, &w, q->id);
}

int sftp_write_begin(nssh_sftp *s, int slot)
{
    if (!sftp_allowed(s, NSSH_SFTP_REQ_WRITE, s->w_id))
        return SSH_FX_PERMISSION_DENIED;
    if (slot < 0)
        return BAD_HANDLE;
    if (!s->cfg.fs->write)
        return SSH_FX_OP_UNSUPPORTED;
    return SSH_FX_OK;
}

void sftp_write_chunk(nssh_sftp *s, const uint8_t *p, size_t n)
{
    nssh_sftp_handle *e;
    int rc;
    if (s->w_status != SSH_FX_OK || !n)
        return;
    e = &s->handles[s->w_slot];
    rc = s->cfg.fs->write(fs_user(s), e->h, s->w_off, p, n);
    if (rc < 0) {
        s->w_status = -rc <= SSH_FX_OP_UNSUPPORTED ? -rc : SSH_FX_FAILURE;
        return;
    }
    s->w_off += n;
    e->bytes_written += n;
}

void sftp_req_fstat(nssh_sftp *s, req *q)
{
    nssh_sftp_attrs a;
    int slot = sftp_handle_get(s, &q->r, 1), rc;
    if (slot < 0) {
        sftp_reply_status(s, q->id, slot == -2 ? SSH_FX_BAD_MESSAGE : BAD_HANDLE);
        return;
    }
    memset(&a, 0, sizeof(a));
    rc = s->cfg.fs->fstat ? s->cfg.fs->fstat(fs_user(s), s->handles[slot].h, &a)
                          : -SSH_FX_OP_UNSUPPORTED;
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_attrs(s, q->id, &a);
}

void sftp_req_fsetstat(nssh_sftp *s, req *q)
{
    nssh_sftp_attrs a;
    nssh_sftp_event ev;
    int slot = sftp_handle_get(s, &q->r, 1), rc;
    if (slot == -2 || sftp_get_attrs(&q->r, &a) < 0) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    if (slot < 0) {
        sftp_reply_status(s, q->id, BAD_HANDLE);
        return;
    }
    rc = s->cfg.fs->fsetstat
             ? s->cfg.fs->fsetstat(fs_user(s), s->handles[slot].h, &a)
             : -SSH_FX_OP_UNSUPPORTED;
    memset(&ev, 0, sizeof(ev));
    ev.type = NSSH_SFTP_EV_SETSTAT;
    ev.id = q->id;
    ev.name = "fsetstat";
    ev.path = s->handles[slot].path;
    ev.attrs = &a;
    ev.status = rc < 0 ? -rc : 0;
    if (s->cfg.event)
        s->cfg.event(s->cfg.event_user, &ev);
    sftp_reply_result(s, q->id, rc);
}
