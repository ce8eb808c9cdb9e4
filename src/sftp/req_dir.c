/*
 * Directories (filexfer-02 section 6.7): OPENDIR, READDIR, and the long
 * name each NAME entry carries, which OpenSSH's "ls -l" prints as is
 * (the shape of "ls -l": mode, links, owner, group, size, date, name).
 */
#include <string.h>

#include "sftp_int.h"

void sftp_req_opendir(nssh_sftp *s, req *q)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    void *h = NULL;
    int rc, slot = -1;
    if ((rc = sftp_get_path(&q->r, s->path1)) < 0) {
        sftp_reply_result(s, q->id, rc);
        return;
    }
    rc = fs->opendir && fs->readdir
             ? fs->opendir(s->cfg.fs_user, s->path1, &h)
             : -SSH_FX_OP_UNSUPPORTED;
    if (rc == 0 && (slot = sftp_handle_new(s, 2, h, s->path1, 0)) < 0) {
        if (fs->closedir)
            fs->closedir(s->cfg.fs_user, h);
        rc = -SSH_FX_FAILURE;
    }
    sftp_event(s, NSSH_SFTP_EV_OPENDIR, q->id, "opendir", s->path1, NULL);
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_handle(s, q->id, slot);
}

void sftp_req_readdir(nssh_sftp *s, req *q)
{
    int slot = sftp_handle_get(s, &q->r, 2), rc = 0;
    nssh_sftp_handle *e;
    uint32_t count = 0;
    size_t count_at;
    char line[SFTP_ENTRY_ROOM];
    wr w;
    if (slot < 0) {
        sftp_reply_status(s, q->id,
                     slot == -2 ? SSH_FX_BAD_MESSAGE : SSH_FX_FAILURE);
        return;
    }
    e = &s->handles[slot];
    sftp_reply_begin(s, &w, SSH_FXP_NAME, q->id);
    count_at = w.len;
    wr_u32(&w, 0);
    while (count < SFTP_READDIR_MAX && w.cap - w.len >= SFTP_ENTRY_ROOM) {
        nssh_sftp_attrs a;
        uint32_t before = e->cookie;
        size_t n;
        memset(&a, 0, sizeof(a));
        rc = s->cfg.fs->readdir(s->cfg.fs_user, e->h, &e->cookie, s->name,
                                sizeof(s->name), &a);
        if (rc < 0)
            break;
        s->name[sizeof(s->name) - 1] = 0;
        n = sftp_longname(s, line, sizeof(line), s->name, &a);
        if (w.cap - w.len < 4 + strlen(s->name) + 4 + n + 32) {
            e->cookie = before;   /* cannot happen with the room kept */
            break;
        }
        wr_cstring(&w, s->name);
        wr_string(&w, line, n);
        sftp_put_attrs(&w, &a);
        count++;
    }
    if (!count) {
        sftp_reply_result(s, q->id, rc < 0 ? rc : -SSH_FX_FAILURE);
        return;
    }
    put_be32(w.p + count_at, count);
    sftp_reply_end(s, &w, q->id);
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil(uint32_t days, unsigned *y, unsigned *m, unsigned *d)
{
    uint32_t z = days + 719468u;         /* days since 0000-03-01 */
    uint32_t era = z / 146097u, doe = z - era * 146097u;
    uint32_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint32_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint32_t mp = (5u * doy + 2u) / 153u;
    *d = doy - (153u * mp + 2u) / 5u + 1u;
    *m = mp < 10u ? mp + 3u : mp - 9u;
    *y = yoe + era * 400u + (*m <= 2u);
}

static char *put_str(char *p, char *end, const char *t, size_t width)
{
    size_t n = strlen(t), i;
    for (i = 0; i < n && p < end; i++)
        *p++ = t[i];
    for (; i < width && p < end; i++)
        *p++ = ' ';
    return p;
}

/* Right-aligned number in width. */
static char *put_num(char *p, char *end, uint64_t v, size_t width)
{
    char t[24];
    size_t n = sftp_fmt_u64(t, v);
    while (width > n && p < end) {
        *p++ = ' ';
        width--;
    }
    t[n] = 0;
    return put_str(p, end, t, 0);
}

static char *put_id(nssh_sftp *s, char *p, char *end, uint32_t id, int group)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    char t[33];
    int (*f)(void *, uint32_t, char *, size_t) = group ? fs->group_name
                                                       : fs->user_name;
    if (f && f(s->cfg.fs_user, id, t, sizeof(t)) == 0) {
        t[sizeof(t) - 1] = 0;
        if (strlen(t) > 8)
            t[8] = 0;
        return put_str(p, end, t, 8);
    }
    t[sftp_fmt_u64(t, id)] = 0;
    return put_str(p, end, t, 8);
}

size_t sftp_longname(nssh_sftp *s, char *out, size_t cap, const char *name,
                const nssh_sftp_attrs *a)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char *p = out, *end = out + cap;
    char mode[11] = "----------", date[13];
    uint32_t m = a->perm, t = a->mtime;
    unsigned y, mo, d, i;
    switch (m & NSSH_SFTP_S_IFMT) {
    case NSSH_SFTP_S_IFDIR: mode[0] = 'd'; break;
    case NSSH_SFTP_S_IFLNK: mode[0] = 'l'; break;
    case 0020000u: mode[0] = 'c'; break;
    case 0060000u: mode[0] = 'b'; break;
    case 0010000u: mode[0] = 'p'; break;
    case 0140000u: mode[0] = 's'; break;
    default: break;
    }
    for (i = 0; i < 9; i++)
        if (m & (0400u >> i))
            mode[1 + i] = "rwxrwxrwx"[i];
    if (m & 04000u)
        mode[3] = mode[3] == 'x' ? 's' : 'S';
    if (m & 02000u)
        mode[6] = mode[6] == 'x' ? 's' : 'S';
    if (m & 01000u)
        mode[9] = mode[9] == 'x' ? 't' : 'T';
    civil(t / 86400u, &y, &mo, &d);
    memcpy(date, mon + 3 * (mo - 1), 3);
    date[3] = ' ';
    date[4] = d < 10 ? ' ' : (char)('0' + d / 10);
    date[5] = (char)('0' + d % 10);
    date[6] = ' ';
    date[7] = (char)('0' + (t % 86400u) / 36000u);
    date[8] = (char)('0' + (t % 86400u) / 3600u % 10u);
    date[9] = ':';
    date[10] = (char)('0' + (t % 3600u) / 600u);
    date[11] = (char)('0' + (t % 600u) / 60u);
    date[12] = 0;
    (void)y;
    p = put_str(p, end, mode, 11);
    p = put_num(p, end, (m & NSSH_SFTP_S_IFMT) == NSSH_SFTP_S_IFDIR ? 2 : 1, 3);
    p = put_str(p, end, " ", 1);
    p = put_id(s, p, end, a->uid, 0);
    p = put_str(p, end, " ", 1);
    p = put_id(s, p, end, a->gid, 1);
    p = put_str(p, end, " ", 1);
    p = put_num(p, end, a->size, 8);
    p = put_str(p, end, " ", 1);
    p = put_str(p, end, date, 13);
    p = put_str(p, end, name, 0);
    return (size_t)(p - out);
}
