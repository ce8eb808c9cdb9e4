/*
 * SFTP replies and the attribute codec (draft-ietf-secsh-filexfer-02
 * sections 5 and 7). Replies are appended to the caller's output buffer;
 * server.c checks the room before a request is handled, so an overflow
 * here means a reply larger than expected and becomes a FAILURE status.
 */
#include <string.h>

#include "sftp_int.h"

size_t sftp_out_room(const nssh_sftp *s)
{
    return s->cfg.outbuf_len - s->out_off - s->out_len;
}

void sftp_out_compact(nssh_sftp *s)
{
    if (s->out_off) {
        memmove(s->cfg.outbuf, s->cfg.outbuf + s->out_off, s->out_len);
        s->out_off = 0;
    }
}

void sftp_reply_begin(nssh_sftp *s, wr *w, uint8_t type, uint32_t id)
{
    size_t end = s->out_off + s->out_len;
    wr_init(w, s->cfg.outbuf + end, s->cfg.outbuf_len - end);
    wr_u32(w, 0);   /* length, patched by sftp_reply_end */
    wr_u8(w, type);
    if (type != SSH_FXP_VERSION)
        wr_u32(w, id);
}

void sftp_reply_end(nssh_sftp *s, wr *w, uint32_t id)
{
    if (w->err) {
        sftp_reply_status(s, id, SSH_FX_FAILURE);
        return;
    }
    put_be32(w->p, (uint32_t)(w->len - 4));
    s->out_len += w->len;
}

void sftp_reply_status(nssh_sftp *s, uint32_t id, int code)
{
    wr w;
    sftp_reply_begin(s, &w, SSH_FXP_STATUS, id);
    wr_u32(&w, (uint32_t)code);
    wr_cstring(&w, nssh_sftp_status_text(code));
    wr_cstring(&w, "");   /* language tag */
    if (!w.err) {
        put_be32(w.p, (uint32_t)(w.len - 4));
        s->out_len += w.len;
    }
}

void sftp_reply_result(nssh_sftp *s, uint32_t id, int rc)
{
    int code = rc <= 0 ? -rc : SSH_FX_FAILURE;
    if (code > SSH_FX_OP_UNSUPPORTED)
        code = SSH_FX_FAILURE;
    sftp_reply_status(s, id, code);
}

void sftp_reply_handle(nssh_sftp *s, uint32_t id, int slot)
{
    wr w;
    uint8_t h[SFTP_HANDLE_LEN];
    sftp_handle_encode(s, slot, h);
    sftp_reply_begin(s, &w, SSH_FXP_HANDLE, id);
    wr_string(&w, h, sizeof(h));
    sftp_reply_end(s, &w, id);
}

void sftp_reply_attrs(nssh_sftp *s, uint32_t id, const nssh_sftp_attrs *a)
{
    wr w;
    sftp_reply_begin(s, &w, SSH_FXP_ATTRS, id);
    sftp_put_attrs(&w, a);
    sftp_reply_end(s, &w, id);
}

void sftp_reply_name1(nssh_sftp *s, uint32_t id, const char *name)
{
    wr w;
    nssh_sftp_attrs a;
    memset(&a, 0, sizeof(a));
    sftp_reply_begin(s, &w, SSH_FXP_NAME, id);
    wr_u32(&w, 1);
    wr_cstring(&w, name);
    wr_cstring(&w, name);   /* long name: the name itself, as sftp-server */
    sftp_put_attrs(&w, &a);
    sftp_reply_end(s, &w, id);
}

/* Section 5: flags, then only the fields the flags announce. */
void sftp_put_attrs(wr *w, const nssh_sftp_attrs *a)
{
    uint32_t f = a->flags & (SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID |
                             SSH_FILEXFER_ATTR_PERMISSIONS |
                             SSH_FILEXFER_ATTR_ACMODTIME);
    wr_u32(w, f);
    if (f & SSH_FILEXFER_ATTR_SIZE)
        wr_u64(w, a->size);
    if (f & SSH_FILEXFER_ATTR_UIDGID) {
        wr_u32(w, a->uid);
        wr_u32(w, a->gid);
    }
    if (f & SSH_FILEXFER_ATTR_PERMISSIONS)
        wr_u32(w, a->perm);
    if (f & SSH_FILEXFER_ATTR_ACMODTIME) {
        wr_u32(w, a->atime);
        wr_u32(w, a->mtime);
    }
}

int sftp_get_attrs(rd *r, nssh_sftp_attrs *a)
{
    uint32_t n, i;
    memset(a, 0, sizeof(*a));
    if (rd_u32(r, &a->flags) < 0)
        return NSSH_ERR_FORMAT;
    if ((a->flags & SSH_FILEXFER_ATTR_SIZE) && rd_u64(r, &a->size) < 0)
        return NSSH_ERR_FORMAT;
    if ((a->flags & SSH_FILEXFER_ATTR_UIDGID) &&
        (rd_u32(r, &a->uid) < 0 || rd_u32(r, &a->gid) < 0))
        return NSSH_ERR_FORMAT;
    if ((a->flags & SSH_FILEXFER_ATTR_PERMISSIONS) && rd_u32(r, &a->perm) < 0)
        return NSSH_ERR_FORMAT;
    if ((a->flags & SSH_FILEXFER_ATTR_ACMODTIME) &&
        (rd_u32(r, &a->atime) < 0 || rd_u32(r, &a->mtime) < 0))
        return NSSH_ERR_FORMAT;
    if (a->flags & SSH_FILEXFER_ATTR_EXTENDED) {
        /* extended_count pairs of strings: read and ignored. */
        if (rd_u32(r, &n) < 0)
            return NSSH_ERR_FORMAT;
        for (i = 0; i < n; i++) {
            const uint8_t *x;
            size_t xn;
            if (rd_string(r, &x, &xn) < 0 || rd_string(r, &x, &xn) < 0)
                return NSSH_ERR_FORMAT;
        }
    }
    a->flags &= ~SSH_FILEXFER_ATTR_EXTENDED;
    return 0;
}

int sftp_get_path(rd *r, char *dst)
{
    const uint8_t *p;
    size_t n;
    if (rd_string(r, &p, &n) < 0)
        return -SSH_FX_BAD_MESSAGE;
    if (n >= NSSH_SFTP_PATH_MAX || memchr(p, 0, n))
        return -SSH_FX_FAILURE;
    memcpy(dst, p, n);
    dst[n] = 0;
    return 0;
}
