/*
 * SSH_FXP_EXTENDED (filexfer-02 section 8) and the OpenSSH extensions
 * (OpenSSH PROTOCOL section 4): each is offered in VERSION, under its name
 * and version string, only when the backend has what it needs.
 */
#include <string.h>

#include "sftp_int.h"

static void ext_posix_rename(nssh_sftp *s, req *q) { sftp_req_rename(s, q, 1); }
static void ext_lsetstat(nssh_sftp *s, req *q) { sftp_req_setstat(s, q, 0); }

static void reply_statvfs(nssh_sftp *s, uint32_t id, int rc,
                          const nssh_sftp_statvfs *v)
{
    wr w;
    if (rc < 0) {
        sftp_reply_result(s, id, rc);
        return;
    }
    /* PROTOCOL 4.4: eleven uint64 fields, struct statvfs order. */
    sftp_reply_begin(s, &w, SSH_FXP_EXTENDED_REPLY, id);
    wr_u64(&w, v->bsize);
    wr_u64(&w, v->frsize);
    wr_u64(&w, v->blocks);
    wr_u64(&w, v->bfree);
    wr_u64(&w, v->bavail);
    wr_u64(&w, v->files);
    wr_u64(&w, v->ffree);
    wr_u64(&w, v->favail);
    wr_u64(&w, v->fsid);
    wr_u64(&w, v->flag);
    wr_u64(&w, v->namemax);
    sftp_reply_end(s, &w, id);
}

static void ext_statvfs(nssh_sftp *s, req *q)
{
    nssh_sftp_statvfs v;
    int rc = sftp_get_path(&q->r, s->path1);
    memset(&v, 0, sizeof(v));
    if (rc == 0)
        rc = s->cfg.fs->statvfs(s->cfg.fs_user, s->path1, &v);
    reply_statvfs(s, q->id, rc, &v);
}

/* By the handle's path: the backends need no per-handle variant. */
static void ext_fstatvfs(nssh_sftp *s, req *q)
{
    nssh_sftp_statvfs v;
    int slot = sftp_handle_get(s, &q->r, 0), rc;
    memset(&v, 0, sizeof(v));
    if (slot < 0)
        rc = slot == -2 ? -SSH_FX_BAD_MESSAGE : -SSH_FX_FAILURE;
    else
        rc = s->cfg.fs->statvfs(s->cfg.fs_user, s->handles[slot].path, &v);
    reply_statvfs(s, q->id, rc, &v);
}

static void ext_fsync(nssh_sftp *s, req *q)
{
    int slot = sftp_handle_get(s, &q->r, 1);
    if (slot < 0) {
        sftp_reply_status(s, q->id, slot == -2 ? SSH_FX_BAD_MESSAGE : SSH_FX_FAILURE);
        return;
    }
    sftp_reply_result(s, q->id, s->cfg.fs->fsync(s->cfg.fs_user,
                                            s->handles[slot].h));
}

/* PROTOCOL 4.8: four uint64s. Writes are streamed, so any WRITE up to a
 * whole message is fine; READs are clipped to the output buffer. */
static void ext_limits(nssh_sftp *s, req *q)
{
    wr w;
    uint64_t rmax = s->cfg.outbuf_len - 64;
    if (rmax > NSSH_SFTP_MAX_READ)
        rmax = NSSH_SFTP_MAX_READ;
    sftp_reply_begin(s, &w, SSH_FXP_EXTENDED_REPLY, q->id);
    wr_u64(&w, NSSH_SFTP_MAX_MSG);
    wr_u64(&w, rmax);
    wr_u64(&w, NSSH_SFTP_MAX_MSG - 1024u);
    wr_u64(&w, NSSH_SFTP_MAX_HANDLES);
    sftp_reply_end(s, &w, q->id);
}

typedef struct ext {
    const char *name, *version;
    int bit;
    void (*run)(nssh_sftp *s, req *q);
    int need;          /* NEED_*: the callbacks it needs */
} ext;

enum { NEED_RENAME, NEED_STATVFS, NEED_HARDLINK, NEED_FSYNC, NEED_SETSTAT,
       NEED_NONE, NEED_REALPATH, NEED_RW, NEED_HOME, NEED_NAMES };

static const ext exts[] = {
    { "posix-rename@openssh.com", "1", NSSH_SFTP_REQ_POSIX_RENAME,
      ext_posix_rename, NEED_RENAME },
    { "statvfs@openssh.com", "2", NSSH_SFTP_REQ_STATVFS, ext_statvfs,
      NEED_STATVFS },
    { "fstatvfs@openssh.com", "2", NSSH_SFTP_REQ_FSTATVFS, ext_fstatvfs,
      NEED_STATVFS },
    { "hardlink@openssh.com", "1", NSSH_SFTP_REQ_HARDLINK, sftp_ext_hardlink,
      NEED_HARDLINK },
    { "fsync@openssh.com", "1", NSSH_SFTP_REQ_FSYNC, ext_fsync, NEED_FSYNC },
    { "lsetstat@openssh.com", "1", NSSH_SFTP_REQ_LSETSTAT, ext_lsetstat,
      NEED_SETSTAT },
    { "limits@openssh.com", "1", NSSH_SFTP_REQ_LIMITS, ext_limits, NEED_NONE },
    { "expand-path@openssh.com", "1", NSSH_SFTP_REQ_EXPAND_PATH,
      sftp_ext_expand_path, NEED_REALPATH },
    { "copy-data", "1", NSSH_SFTP_REQ_COPY_DATA, sftp_ext_copy_data, NEED_RW },
    { "home-directory", "1", NSSH_SFTP_REQ_HOME_DIRECTORY,
      sftp_ext_home_directory, NEED_HOME },
    { "users-groups-by-id@openssh.com", "1",
      NSSH_SFTP_REQ_USERS_GROUPS_BY_ID, sftp_ext_users_groups, NEED_NAMES },
};

static int offered(const nssh_sftp *s, const ext *e)
{
    const nssh_sftp_fs *fs = s->cfg.fs;
    switch (e->need) {
    case NEED_RENAME: return fs->rename != NULL;
    case NEED_STATVFS: return fs->statvfs != NULL;
    case NEED_HARDLINK: return fs->hardlink != NULL;
    case NEED_FSYNC: return fs->fsync != NULL;
    case NEED_SETSTAT: return fs->setstat != NULL;
    case NEED_REALPATH: return fs->realpath != NULL;
    case NEED_RW: return fs->read && fs->write;
    case NEED_HOME: return fs->home_dir != NULL;
    case NEED_NAMES: return fs->user_name || fs->group_name;
    default: return 1;
    }
}

/* Section 4: uint32 version, then extension-pair*: string name, string
 * data. */
void sftp_reply_version(nssh_sftp *s)
{
    wr w;
    size_t i;
    sftp_reply_begin(s, &w, SSH_FXP_VERSION, 0);
    wr_u32(&w, SFTP_VERSION);
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (!offered(s, &exts[i]))
            continue;
        wr_cstring(&w, exts[i].name);
        wr_cstring(&w, exts[i].version);
    }
    if (!w.err) {
        put_be32(w.p, (uint32_t)(w.len - 4));
        s->out_len += w.len;
    }
    s->version_sent = 1;
}

void sftp_req_extended(nssh_sftp *s, req *q)
{
    const uint8_t *name;
    size_t n, i;
    if (rd_string(&q->r, &name, &n) < 0) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        const ext *e = &exts[i];
        if (strlen(e->name) != n || memcmp(e->name, name, n) || !offered(s, e))
            continue;
        if (!sftp_allowed(s, e->bit, q->id)) {
            sftp_reply_status(s, q->id, SSH_FX_PERMISSION_DENIED);
            return;
        }
        e->run(s, q);
        return;
    }
    {
        nssh_sftp_event ev;
        char nm[64];
        size_t k = n < sizeof(nm) - 1 ? n : sizeof(nm) - 1;
        memcpy(nm, name, k);
        nm[k] = 0;
        memset(&ev, 0, sizeof(ev));
        ev.type = NSSH_SFTP_EV_UNKNOWN;
        ev.id = q->id;
        ev.flags = SSH_FXP_EXTENDED;
        ev.name = nm;   /* the extension's name (may hold anything) */
        ev.status = SSH_FX_OP_UNSUPPORTED;
        if (s->cfg.event)
            s->cfg.event(s->cfg.event_user, &ev);
    }
    sftp_reply_status(s, q->id, SSH_FX_OP_UNSUPPORTED);
}
