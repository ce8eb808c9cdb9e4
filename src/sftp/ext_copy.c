/*
 * OpenSSH extensions that do more than forward one call (PROTOCOL section
 * 4): hardlink, copy-data, users-groups-by-id, home-directory and
 * expand-path.
 */
#include <string.h>

#include "sftp_int.h"

/* PROTOCOL 4.5: string oldpath, string newpath. */
void sftp_ext_hardlink(nssh_sftp *s, req *q)
{
    int rc = sftp_get_path(&q->r, s->path1);
    if (rc == 0)
        rc = sftp_get_path(&q->r, s->path2);
    if (rc == 0) {
        rc = s->cfg.fs->hardlink(s->cfg.fs_user, s->path1, s->path2);
        sftp_event(s, NSSH_SFTP_EV_HARDLINK, q->id, "hardlink", s->path1,
                   s->path2);
    }
    sftp_reply_result(s, q->id, rc);
}

/* PROTOCOL 4.10 (copy-data): string read handle, uint64 read offset,
 * uint64 length (0: to the end of file), string write handle, uint64 write
 * offset. Copied through the free part of the input buffer. */
void sftp_ext_copy_data(nssh_sftp *s, req *q)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    uint64_t roff, len, woff, done = 0;
    int rs, ws, rc = 0;
    uint8_t *buf = s->cfg.inbuf + s->in_len;
    size_t cap = s->cfg.inbuf_len - s->in_len;
    nssh_sftp_event ev;
    rs = sftp_handle_get(s, &q->r, 1);
    if (rs == -2 || rd_u64(&q->r, &roff) < 0 || rd_u64(&q->r, &len) < 0 ||
        (ws = sftp_handle_get(s, &q->r, 1)) == -2 || rd_u64(&q->r, &woff) < 0) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    if (rs < 0 || ws < 0) {
        sftp_reply_status(s, q->id, SSH_FX_FAILURE);
        return;
    }
    /* As sftp-server: the source must be readable, the target writable. */
    if (!(s->handles[rs].pflags & SSH_FXF_READ) ||
        !(s->handles[ws].pflags & SSH_FXF_WRITE)) {
        sftp_reply_status(s, q->id, SSH_FX_FAILURE);
        return;
    }
    while (!len || done < len) {
        size_t want = cap, got = 0;
        if (len && len - done < want)
            want = (size_t)(len - done);
        rc = fs->read(s->cfg.fs_user, s->handles[rs].h, roff + done, buf, want,
                      &got);
        if (rc < 0 || !got)
            break;
        rc = fs->write(s->cfg.fs_user, s->handles[ws].h, woff + done, buf,
                       got);
        if (rc < 0)
            break;
        done += got;
        s->handles[rs].bytes_read += got;
        s->handles[ws].bytes_written += got;
    }
    if (rc == -SSH_FX_EOF)
        rc = 0;
    /* A short source is only an error when a length was asked for. */
    if (rc == 0 && len && done < len)
        rc = -SSH_FX_EOF;
    memset(&ev, 0, sizeof(ev));
    ev.type = NSSH_SFTP_EV_COPY;
    ev.id = q->id;
    ev.name = "copy-data";
    ev.path = s->handles[rs].path;
    ev.path2 = s->handles[ws].path;
    ev.bytes_written = done;
    ev.status = rc < 0 ? -rc : 0;
    if (s->cfg.event)
        s->cfg.event(s->cfg.event_user, &ev);
    sftp_reply_result(s, q->id, rc);
}

/* A list of names, one string per id, inside one string; unknown ids give
 * empty names (PROTOCOL 4.11). */
static void put_names(nssh_sftp *s, wr *w, rd *ids, int group)
{
    int (*f)(void *, uint32_t, char *, size_t) =
        group ? s->cfg.fs->group_name : s->cfg.fs->user_name;
    size_t mark = wr_string_begin(w);
    uint32_t id;
    while (rd_left(ids) >= 4 && rd_u32(ids, &id) == 0) {
        char n[64];
        if (!f || f(s->cfg.fs_user, id, n, sizeof(n)) < 0)
            n[0] = 0;
        n[sizeof(n) - 1] = 0;
        wr_cstring(w, n);
    }
    wr_string_end(w, mark);
}

/* string uids (packed uint32s), string gids. */
void sftp_ext_users_groups(nssh_sftp *s, req *q)
{
    const uint8_t *u, *g;
    size_t un, gn;
    rd ur, gr;
    wr w;
    if (rd_string(&q->r, &u, &un) < 0 || rd_string(&q->r, &g, &gn) < 0 ||
        un % 4 || gn % 4) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    rd_init(&ur, u, un);
    rd_init(&gr, g, gn);
    sftp_reply_begin(s, &w, SSH_FXP_EXTENDED_REPLY, q->id);
    put_names(s, &w, &ur, 0);
    put_names(s, &w, &gr, 1);
    sftp_reply_end(s, &w, q->id);   /* too many ids to answer: FAILURE */
}

/* string username ("" for the current user) -> NAME (PROTOCOL 4.9). */
void sftp_ext_home_directory(nssh_sftp *s, req *q)
{
    int rc = sftp_get_path(&q->r, s->path1);
    if (rc == 0)
        rc = s->cfg.fs->home_dir(s->cfg.fs_user, s->path1, s->path2,
                                 sizeof(s->path2));
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_name1(s, q->id, s->path2);
}

/* expand-path: "~" and "~user" prefixes, then as REALPATH. */
void sftp_ext_expand_path(nssh_sftp *s, req *q)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    int rc = sftp_get_path(&q->r, s->path1);
    if (rc == 0 && s->path1[0] == '~') {
        char *rest = s->path1 + 1, user[64];
        size_t un = 0, hn;
        while (rest[un] && rest[un] != '/')
            un++;
        if (!fs->home_dir || un >= sizeof(user)) {
            rc = -SSH_FX_NO_SUCH_FILE;
        } else {
            memcpy(user, rest, un);
            user[un] = 0;
            rc = fs->home_dir(s->cfg.fs_user, user, s->path2,
                              sizeof(s->path2));
            hn = strlen(s->path2);
            if (rc == 0 && hn + strlen(rest + un) >= sizeof(s->path2))
                rc = -SSH_FX_FAILURE;
            if (rc == 0) {
                memcpy(s->path2 + hn, rest + un, strlen(rest + un) + 1);
                memcpy(s->path1, s->path2, strlen(s->path2) + 1);
            }
        }
    }
    if (rc == 0 && !s->path1[0])
        sftp_str_copy(s->path1, sizeof(s->path1), ".");
    if (rc == 0)
        rc = fs->realpath(s->cfg.fs_user, s->path1, s->path2,
                          sizeof(s->path2));
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_name1(s, q->id, s->path2);
}
