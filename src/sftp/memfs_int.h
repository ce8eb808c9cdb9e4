/*
 * Internals of the in-memory filesystem (include/nanossh_memfs.h).
 *   memfs.c       format, nodes, block chains, file data
 *   memfs_path.c  path resolution (cwd, "..", symbolic links)
 *   memfs_ops.c   the nssh_sftp_fs callbacks
 */
#ifndef NSSH_MEMFS_INT_H
#define NSSH_MEMFS_INT_H

#include "nanossh_memfs.h"

#define MEMFS_NONE 0xffffffffu   /* no node, end of a block chain */
#define MEMFS_FREE 0xfffffffeu   /* free block */
#define MEMFS_ROOT 0u

enum { T_FREE = 0, T_FILE, T_DIR, T_LINK };

struct memfs_inode {
    uint8_t type;
    uint8_t pad;
    uint16_t nlink;
    uint32_t opens;
    uint32_t mode;               /* permission bits only */
    uint32_t uid, gid, atime, mtime;
    uint64_t size;
    uint32_t first;              /* first data block or MEMFS_NONE */
};

struct memfs_dirent {
    uint32_t parent;             /* directory inode, MEMFS_NONE when free */
    uint32_t ino;
    char name[NSSH_MEMFS_NAME_MAX];
};

/* Outcome of resolving a path. */
typedef struct mres {
    uint32_t parent;             /* directory holding the last component */
    uint32_t ino;                /* the node, MEMFS_NONE when missing */
    uint32_t ent;                /* its entry, MEMFS_NONE for the root */
    char leaf[NSSH_MEMFS_NAME_MAX];
} mres;

/* NUL-terminated copy clipped to cap. */
static inline void mcopy(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    while (src[n] && n + 1 < cap) {
        dst[n] = src[n];
        n++;
    }
    if (cap)
        dst[n] = 0;
}

/* memfs.c */
uint32_t memfs_new_inode(nssh_memfs *m, int type, uint32_t mode);
/* Drop an inode's data and free it when no name or open handle is left. */
void memfs_release(nssh_memfs *m, uint32_t ino);
uint32_t memfs_lookup(const nssh_memfs *m, uint32_t dir, const char *name,
                      size_t n);
uint32_t memfs_new_entry(nssh_memfs *m, uint32_t dir, const char *name,
                         uint32_t ino);
/* The entry naming directory dir (MEMFS_NONE for the root). */
uint32_t memfs_dir_entry(const nssh_memfs *m, uint32_t dir);
int memfs_read(nssh_memfs *m, uint32_t ino, uint64_t off, uint8_t *buf,
               size_t len, size_t *got);
int memfs_write(nssh_memfs *m, uint32_t ino, uint64_t off, const uint8_t *buf,
                size_t len);
int memfs_truncate(nssh_memfs *m, uint32_t ino, uint64_t size);
void memfs_attrs(const nssh_memfs *m, uint32_t ino, nssh_sftp_attrs *a);

/* memfs_path.c */
/* Resolve path (follow: the last component too). A missing last
 * component is no error (r->ino is MEMFS_NONE); m->canon gets the
 * canonical path. 0 or -SSH_FX_*. */
int memfs_resolve(nssh_memfs *m, const char *path, int follow, mres *r);

#endif
