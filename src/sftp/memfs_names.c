/*
 * The in-memory filesystem's callbacks that work on names: REMOVE,
 * RENAME, MKDIR, RMDIR, REALPATH, READLINK, SYMLINK, hardlink, statvfs,
 * home-directory, and the start directory (nssh_memfs_chdir).
 */
#include <string.h>

#include "memfs_int.h"

/* Remove the name of entry e; the node goes when unused. */
static void unlink_entry(nssh_memfs *m, uint32_t e)
{
    uint32_t ino = m->ent[e].ino;
    m->ino[m->ent[e].parent].mtime = m->now;
    m->ent[e].parent = MEMFS_NONE;
    m->ino[ino].nlink--;
    memfs_release(m, ino);
}

int memfs_cb_remove(void *u, const char *path)
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

int memfs_cb_rename(void *u, const char *oldpath, const char *newpath,
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

int memfs_cb_mkdir(void *u, const char *path, const nssh_sftp_attrs *a)
{
    uint32_t ino;
    return make(u, path, T_DIR,
                a->flags & SSH_FILEXFER_ATTR_PERMISSIONS ? a->perm : 0777u, &ino);
}

int memfs_cb_rmdir(void *u, const char *path)
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

int memfs_cb_realpath(void *u, const char *path, char *out, size_t cap)
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

int memfs_cb_readlink(void *u, const char *path, char *out, size_t cap)
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

int memfs_cb_symlink(void *u, const char *target, const char *linkpath)
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
        memfs_cb_remove(m, linkpath);
        return rc;
    }
    return 0;
}

int memfs_cb_hardlink(void *u, const char *oldpath, const char *newpath)
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

int memfs_cb_statvfs(void *u, const char *path, nssh_sftp_statvfs *v)
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

int memfs_cb_home(void *u, const char *username, char *out, size_t cap)
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
