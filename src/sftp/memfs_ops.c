/*
 * The in-memory filesystem's nssh_sftp_fs callbacks. Handles are node
 * numbers (plus one, so none is NULL); a file opened with SSH_FXF_APPEND
 * carries APPEND_BIT. An open file keeps its node alive after REMOVE, as
 * POSIX does.
 */
#include <string.h>

#include "memfs_int.h"

#define APPEND_BIT ((uintptr_t)1 << 30)

static void *to_h(uint32_t ino, int append)
{
    return (void *)(((uintptr_t)ino + 1) | (append ? APPEND_BIT : 0));
}
static uint32_t ino_of(void *h)
{
    return (uint32_t)((((uintptr_t)h) & ~APPEND_BIT) - 1);
}

static int mf_open(void *u, const char *path, uint32_t pflags,
                   const nssh_sftp_attrs *a, void **fh)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, 1, &r);
    uint32_t ino;
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE) {
        if (!(pflags & SSH_FXF_CREAT))
            return -SSH_FX_NO_SUCH_FILE;
        ino = memfs_new_inode(m, T_FILE, a->flags & SSH_FILEXFER_ATTR_PERMISSIONS
                                             ? a->perm : 0666u);
        if (ino == MEMFS_NONE)
            return -SSH_FX_FAILURE;
        if (memfs_new_entry(m, r.parent, r.leaf, ino) == MEMFS_NONE) {
            memfs_release(m, ino);
            return -SSH_FX_FAILURE;
        }
    } else {
        ino = r.ino;
        if ((pflags & SSH_FXF_CREAT) && (pflags & SSH_FXF_EXCL))
            return -SSH_FX_FAILURE;   /* EEXIST */
        if (m->ino[ino].type != T_FILE)
            return -SSH_FX_FAILURE;
        if ((pflags & (SSH_FXF_WRITE | SSH_FXF_APPEND)) &&
            !(m->ino[ino].mode & 0200u))
            return -SSH_FX_PERMISSION_DENIED;
        if ((pflags & SSH_FXF_READ) && !(m->ino[ino].mode & 0400u))
            return -SSH_FX_PERMISSION_DENIED;
        if ((pflags & SSH_FXF_TRUNC) && (rc = memfs_truncate(m, ino, 0)) < 0)
            return rc;
    }
    m->ino[ino].opens++;
    *fh = to_h(ino, (pflags & SSH_FXF_APPEND) != 0);
    return 0;
}

static int mf_read(void *u, void *fh, uint64_t off, uint8_t *buf, size_t len,
                   size_t *got)
{
    return memfs_read(u, ino_of(fh), off, buf, len, got);
}

static int mf_write(void *u, void *fh, uint64_t off, const uint8_t *buf,
                    size_t len)
{
    nssh_memfs *m = u;
    uint32_t ino = ino_of(fh);
    if ((uintptr_t)fh & APPEND_BIT)
        off = m->ino[ino].size;
    return memfs_write(m, ino, off, buf, len);
}

static int mf_close(void *u, void *fh)
{
    nssh_memfs *m = u;
    uint32_t ino = ino_of(fh);
    if (m->ino[ino].opens)
        m->ino[ino].opens--;
    memfs_release(m, ino);
    return 0;
}

static int mf_stat(void *u, const char *path, int follow, nssh_sftp_attrs *a)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, follow, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    memfs_attrs(m, r.ino, a);
    return 0;
}

static int mf_fstat(void *u, void *fh, nssh_sftp_attrs *a)
{
    memfs_attrs(u, ino_of(fh), a);
    return 0;
}

static int apply(nssh_memfs *m, uint32_t ino, const nssh_sftp_attrs *a)
{
    struct memfs_inode *n = &m->ino[ino];
    int rc;
    if (a->flags & SSH_FILEXFER_ATTR_SIZE) {
        if (n->type != T_FILE)
            return -SSH_FX_FAILURE;
        if ((rc = memfs_truncate(m, ino, a->size)) < 0)
            return rc;
    }
    if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS)
        n->mode = a->perm & 07777u;
    if (a->flags & SSH_FILEXFER_ATTR_UIDGID) {
        /* One owner: giving files away is refused, as chown(2) would. */
        if (a->uid != m->uid || a->gid != m->gid)
            return -SSH_FX_PERMISSION_DENIED;
    }
    if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) {
        n->atime = a->atime;
        n->mtime = a->mtime;
    }
    return 0;
}

static int mf_setstat(void *u, const char *path, int follow,
                      const nssh_sftp_attrs *a)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, follow, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    return apply(m, r.ino, a);
}

static int mf_fsetstat(void *u, void *fh, const nssh_sftp_attrs *a)
{
    return apply(u, ino_of(fh), a);
}

static int mf_opendir(void *u, const char *path, void **dh)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, 1, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (m->ino[r.ino].type != T_DIR)
        return -SSH_FX_FAILURE;
    if (!(m->ino[r.ino].mode & 0400u))
        return -SSH_FX_PERMISSION_DENIED;
    m->ino[r.ino].opens++;
    *dh = to_h(r.ino, 0);
    return 0;
}

/* Cookie 0 and 1 are "." and ".."; then entry index + 2. */
static int mf_readdir(void *u, void *dh, uint32_t *cookie, char *name,
                      size_t cap, nssh_sftp_attrs *a)
{
    nssh_memfs *m = u;
    uint32_t dir = ino_of(dh), i;
    if (m->ino[dir].type != T_DIR)
        return -SSH_FX_EOF;   /* removed while open */
    if (*cookie < 2) {
        uint32_t e = memfs_dir_entry(m, dir);
        uint32_t which = *cookie == 0 || e == MEMFS_NONE ? dir : m->ent[e].parent;
        mcopy(name, cap, *cookie == 0 ? "." : "..");
        memfs_attrs(m, which, a);
        (*cookie)++;
        return 0;
    }
    for (i = *cookie - 2; i < m->n_nodes; i++) {
        const struct memfs_dirent *e = &m->ent[i];
        if (e->parent != dir)
            continue;
        mcopy(name, cap, e->name);
        memfs_attrs(m, e->ino, a);
        *cookie = i + 3;
        return 0;
    }
    *cookie = m->n_nodes + 2;
    return -SSH_FX_EOF;
}

static int mf_closedir(void *u, void *dh)
{
    nssh_memfs *m = u;
    uint32_t dir = ino_of(dh);
    if (m->ino[dir].opens)
        m->ino[dir].opens--;
    memfs_release(m, dir);
    return 0;
}

/* Remove the name of entry e; the node goes when unused. */
static void unlink_entry(nssh_memfs *m, uint32_t e)
{
    uint32_t ino = m->ent[e].ino;
    m->ino[m->ent[e].parent].mtime = m->now;
    m->ent[e].parent = MEMFS_NONE;
    m->ino[ino].nlink--;
    memfs_release(m, ino);
}

static int mf_remove(void *u, const char *path)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, 0, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (m->ino[r.ino].type == T_DIR || r.ent == MEMFS_NONE)
        return -SSH_FX_FAILURE;
    unlink_entry(m, r.ent);
    return 0;
}

static int dir_empty(const nssh_memfs *m, uint32_t dir)
{
    uint32_t i;
    for (i = 0; i < m->n_nodes; i++)
        if (m->ent[i].parent == dir)
            return 0;
    return 1;
}

/* Is dir inside (or equal to) anc? */
static int within(const nssh_memfs *m, uint32_t dir, uint32_t anc)
{
    while (dir != MEMFS_ROOT) {
        uint32_t e;
        if (dir == anc)
            return 1;
        e = memfs_dir_entry(m, dir);
        if (e == MEMFS_NONE)
            return 0;
        dir = m->ent[e].parent;
    }
    return anc == MEMFS_ROOT;
}

static int mf_rename(void *u, const char *oldpath, const char *newpath,
                     int posix)
{
    nssh_memfs *m = u;
    mres a, b;
    int rc;
    if ((rc = memfs_resolve(m, oldpath, 0, &a)) < 0)
        return rc;
    if (a.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (a.ent == MEMFS_NONE)
        return -SSH_FX_FAILURE;   /* the root */
    if ((rc = memfs_resolve(m, newpath, 0, &b)) < 0)
        return rc;
    if (b.ino == a.ino)
        return 0;
    if (m->ino[a.ino].type == T_DIR && within(m, b.parent, a.ino))
        return -SSH_FX_FAILURE;   /* into itself */
    if (b.ino != MEMFS_NONE) {
        /* SSH_FXP_RENAME does not replace (filexfer-02 6.5); the POSIX
         * extension does, as rename(2). */
        if (!posix || b.ent == MEMFS_NONE)
            return -SSH_FX_FAILURE;
        if ((m->ino[b.ino].type == T_DIR) != (m->ino[a.ino].type == T_DIR))
            return -SSH_FX_FAILURE;
        if (m->ino[b.ino].type == T_DIR && !dir_empty(m, b.ino))
            return -SSH_FX_FAILURE;
        unlink_entry(m, b.ent);
    }
    if (strlen(b.leaf) >= NSSH_MEMFS_NAME_MAX || !b.leaf[0])
        return -SSH_FX_FAILURE;
    m->ino[m->ent[a.ent].parent].mtime = m->now;
    m->ent[a.ent].parent = b.parent;
    memcpy(m->ent[a.ent].name, b.leaf, sizeof(b.leaf));
    m->ino[b.parent].mtime = m->now;
    return 0;
}

/* A new node of type at a missing path. */
static int make(nssh_memfs *m, const char *path, int type, uint32_t mode,
                uint32_t *out)
{
    mres r;
    uint32_t ino;
    int rc = memfs_resolve(m, path, 0, &r);
    if (rc < 0)
        return rc;
    if (r.ino != MEMFS_NONE)
        return -SSH_FX_FAILURE;   /* EEXIST */
    if ((ino = memfs_new_inode(m, type, mode)) == MEMFS_NONE)
        return -SSH_FX_FAILURE;
    if (memfs_new_entry(m, r.parent, r.leaf, ino) == MEMFS_NONE) {
        memfs_release(m, ino);
        return -SSH_FX_FAILURE;
    }
    *out = ino;
    return 0;
}

static int mf_mkdir(void *u, const char *path, const nssh_sftp_attrs *a)
{
    uint32_t ino;
    return make(u, path, T_DIR,
                a->flags & SSH_FILEXFER_ATTR_PERMISSIONS ? a->perm : 0777u, &ino);
}

static int mf_rmdir(void *u, const char *path)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, 0, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (m->ino[r.ino].type != T_DIR || r.ent == MEMFS_NONE ||
        !dir_empty(m, r.ino))
        return -SSH_FX_FAILURE;
    unlink_entry(m, r.ent);
    return 0;
}

static int mf_realpath(void *u, const char *path, char *out, size_t cap)
{
    nssh_memfs *m = u;
    mres r;
    int rc = memfs_resolve(m, path, 1, &r);
    if (rc < 0)
        return rc;
    if (strlen(m->canon) >= cap)
        return -SSH_FX_FAILURE;
    mcopy(out, cap, m->canon);
    return 0;
}

static int mf_readlink(void *u, const char *path, char *out, size_t cap)
{
    nssh_memfs *m = u;
    mres r;
    size_t got;
    int rc = memfs_resolve(m, path, 0, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (m->ino[r.ino].type != T_LINK || m->ino[r.ino].size >= cap)
        return -SSH_FX_FAILURE;
    if ((rc = memfs_read(m, r.ino, 0, (uint8_t *)out, cap - 1, &got)) < 0)
        return rc;
    out[got] = 0;
    return 0;
}

static int mf_symlink(void *u, const char *target, const char *linkpath)
{
    nssh_memfs *m = u;
    uint32_t ino;
    int rc;
    if (!target[0])
        return -SSH_FX_FAILURE;
    if ((rc = make(m, linkpath, T_LINK, 0777u, &ino)) < 0)
        return rc;
    if ((rc = memfs_write(m, ino, 0, (const uint8_t *)target,
                          strlen(target))) < 0) {
        mf_remove(m, linkpath);
        return rc;
    }
    return 0;
}

static int mf_hardlink(void *u, const char *oldpath, const char *newpath)
{
    nssh_memfs *m = u;
    mres a, b;
    int rc;
    if ((rc = memfs_resolve(m, oldpath, 0, &a)) < 0)
        return rc;
    if (a.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (m->ino[a.ino].type == T_DIR)
        return -SSH_FX_FAILURE;
    if ((rc = memfs_resolve(m, newpath, 0, &b)) < 0)
        return rc;
    if (b.ino != MEMFS_NONE)
        return -SSH_FX_FAILURE;
    if (memfs_new_entry(m, b.parent, b.leaf, a.ino) == MEMFS_NONE)
        return -SSH_FX_FAILURE;
    return 0;
}

/* Memory is always "on disk". */
static int mf_fsync(void *u, void *fh)
{
    (void)u;
    (void)fh;
    return 0;
}

static int mf_statvfs(void *u, const char *path, nssh_sftp_statvfs *v)
{
    nssh_memfs *m = u;
    uint32_t i, used = 0;
    mres r;
    int rc = memfs_resolve(m, path, 1, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    for (i = 0; i < m->n_nodes; i++)
        used += m->ino[i].type != T_FREE;
    memset(v, 0, sizeof(*v));
    v->bsize = v->frsize = NSSH_MEMFS_BLOCK;
    v->blocks = m->n_blocks;
    v->bfree = v->bavail = m->free_blocks;
    v->files = m->n_nodes;
    v->ffree = v->favail = m->n_nodes - used;
    v->fsid = 0x6d656d66u;   /* "memf" */
    v->namemax = NSSH_MEMFS_NAME_MAX - 1;
    return 0;
}

static int mf_home(void *u, const char *username, char *out, size_t cap)
{
    nssh_memfs *m = u;
    if (username[0])
        return -SSH_FX_NO_SUCH_FILE;   /* one user, who has no name */
    if (strlen(m->cwd) >= cap)
        return -SSH_FX_FAILURE;
    mcopy(out, cap, m->cwd);
    return 0;
}

int nssh_memfs_chdir(nssh_memfs *m, const char *path)
{
    mres r;
    int rc = memfs_resolve(m, path, 1, &r);
    if (rc < 0)
        return rc;
    if (r.ino == MEMFS_NONE)
        return -SSH_FX_NO_SUCH_FILE;
    if (m->ino[r.ino].type != T_DIR)
        return -SSH_FX_FAILURE;
    mcopy(m->cwd, sizeof(m->cwd), m->canon);
    return 0;
}

static const nssh_sftp_fs memfs_table = {
    .open = mf_open, .read = mf_read, .write = mf_write, .close = mf_close,
    .stat = mf_stat, .fstat = mf_fstat, .setstat = mf_setstat,
    .fsetstat = mf_fsetstat, .opendir = mf_opendir, .readdir = mf_readdir,
    .closedir = mf_closedir, .remove = mf_remove, .rename = mf_rename,
    .mkdir = mf_mkdir, .rmdir = mf_rmdir, .realpath = mf_realpath,
    .readlink = mf_readlink, .symlink = mf_symlink, .hardlink = mf_hardlink,
    .fsync = mf_fsync, .statvfs = mf_statvfs, .home_dir = mf_home,
};

const nssh_sftp_fs *nssh_memfs_fs(void) { return &memfs_table; }
