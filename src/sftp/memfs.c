/*
 * In-memory filesystem: the layout of the caller's block, nodes, entries
 * and FAT-style block chains. File data lives in NSSH_MEMFS_BLOCK-byte
 * blocks; next[b] is the block after b in its file, MEMFS_NONE at the end,
 * MEMFS_FREE when b is unused.
 */
#include <string.h>

#include "memfs_int.h"

#define BLK NSSH_MEMFS_BLOCK

int nssh_memfs_init(nssh_memfs *m, void *mem, size_t len, uint32_t max_nodes,
                    uint32_t uid, uint32_t gid)
{
    uintptr_t a = (uintptr_t)mem, skip = (8 - (a & 7)) & 7;
    size_t fixed, i;
    memset(m, 0, sizeof(*m));
    if (len < skip || max_nodes < 1)
        return -1;
    len -= skip;
    fixed = (size_t)max_nodes *
            (sizeof(struct memfs_inode) + sizeof(struct memfs_dirent));
    fixed = (fixed + 7) & ~(size_t)7;
    if (len < fixed + 4 * (BLK + sizeof(uint32_t)))
        return -1;
    m->mem = (uint8_t *)mem + skip;
    m->mem_len = len;
    m->n_nodes = max_nodes;
    m->ino = (struct memfs_inode *)(void *)m->mem;
    m->ent = (struct memfs_dirent *)(void *)(m->ino + max_nodes);
    m->n_blocks = (uint32_t)((len - fixed) / (BLK + sizeof(uint32_t)));
    m->next = (uint32_t *)(void *)(m->mem + fixed);
    m->data = (uint8_t *)(m->next + m->n_blocks);
    m->free_blocks = m->n_blocks;
    m->uid = uid;
    m->gid = gid;
    m->c_ino = MEMFS_NONE;
    for (i = 0; i < max_nodes; i++) {
        m->ino[i].type = T_FREE;
        m->ent[i].parent = MEMFS_NONE;
    }
    for (i = 0; i < m->n_blocks; i++)
        m->next[i] = MEMFS_FREE;
    memfs_new_inode(m, T_DIR, 0755);   /* the root, inode 0 */
    m->ino[MEMFS_ROOT].nlink = 1;
    m->cwd[0] = '/';
    return 0;
}

void nssh_memfs_set_time(nssh_memfs *m, uint32_t now) { m->now = now; }

uint32_t memfs_new_inode(nssh_memfs *m, int type, uint32_t mode)
{
    uint32_t i;
    for (i = 0; i < m->n_nodes; i++) {
        struct memfs_inode *n = &m->ino[i];
        if (n->type != T_FREE)
            continue;
        memset(n, 0, sizeof(*n));
        n->type = (uint8_t)type;
        n->mode = mode & 07777u;
        n->uid = m->uid;
        n->gid = m->gid;
        n->atime = n->mtime = m->now;
        n->first = MEMFS_NONE;
        return i;
    }
    return MEMFS_NONE;
}

void memfs_release(nssh_memfs *m, uint32_t ino)
{
    struct memfs_inode *n = &m->ino[ino];
    if (n->nlink || n->opens || ino == MEMFS_ROOT)
        return;
    memfs_truncate(m, ino, 0);
    n->type = T_FREE;
}

uint32_t memfs_lookup(const nssh_memfs *m, uint32_t dir, const char *name,
                      size_t n)
{
    uint32_t i;
    if (n >= NSSH_MEMFS_NAME_MAX)
        return MEMFS_NONE;
    for (i = 0; i < m->n_nodes; i++) {
        const struct memfs_dirent *e = &m->ent[i];
        if (e->parent == dir && !memcmp(e->name, name, n) && !e->name[n])
            return i;
    }
    return MEMFS_NONE;
}

uint32_t memfs_new_entry(nssh_memfs *m, uint32_t dir, const char *name,
                         uint32_t ino)
{
    uint32_t i;
    size_t n = strlen(name);
    if (n >= NSSH_MEMFS_NAME_MAX || !n)
        return MEMFS_NONE;
    for (i = 0; i < m->n_nodes; i++) {
        struct memfs_dirent *e = &m->ent[i];
        if (e->parent != MEMFS_NONE)
            continue;
        e->parent = dir;
        e->ino = ino;
        memcpy(e->name, name, n + 1);
        m->ino[ino].nlink++;
        m->ino[dir].mtime = m->now;
        return i;
    }
    return MEMFS_NONE;
}

uint32_t memfs_dir_entry(const nssh_memfs *m, uint32_t dir)
{
    uint32_t i;
    if (dir == MEMFS_ROOT)
        return MEMFS_NONE;
    for (i = 0; i < m->n_nodes; i++)
        if (m->ent[i].parent != MEMFS_NONE && m->ent[i].ino == dir)
            return i;
    return MEMFS_NONE;
}

/* The block holding file block number fbn of ino (MEMFS_NONE past the
 * chain). Sequential access hits the cache. */
static uint32_t block_at(nssh_memfs *m, uint32_t ino, uint32_t fbn)
{
    uint32_t b = m->ino[ino].first, k = 0;
    if (m->c_ino == ino && m->c_fbn <= fbn) {
        b = m->c_blk;
        k = m->c_fbn;
    }
    while (b != MEMFS_NONE && k < fbn) {
        b = m->next[b];
        k++;
    }
    if (b != MEMFS_NONE) {
        m->c_ino = ino;
        m->c_fbn = fbn;
        m->c_blk = b;
    }
    return b;
}

static uint32_t alloc_block(nssh_memfs *m)
{
    uint32_t i, b;
    if (!m->free_blocks)
        return MEMFS_NONE;
    for (i = 0; i < m->n_blocks; i++) {
        b = (m->hint + i) % m->n_blocks;
        if (m->next[b] == MEMFS_FREE) {
            m->next[b] = MEMFS_NONE;
            m->free_blocks--;
            m->hint = b + 1;
            memset(m->data + (size_t)b * BLK, 0, BLK);
            return b;
        }
    }
    return MEMFS_NONE;
}

/* Make the chain of ino at least nblocks long (new blocks zeroed). */
static int grow(nssh_memfs *m, uint32_t ino, uint64_t nblocks)
{
    struct memfs_inode *n = &m->ino[ino];
    uint64_t have = (n->size + BLK - 1) / BLK;
    uint32_t last = have ? block_at(m, ino, (uint32_t)(have - 1)) : MEMFS_NONE;
    if (nblocks > m->n_blocks)
        return -SSH_FX_FAILURE;
    if (nblocks - (nblocks > have ? have : nblocks) > m->free_blocks)
        return -SSH_FX_FAILURE;   /* out of space: refuse before changing */
    for (; have < nblocks; have++) {
        uint32_t b = alloc_block(m);
        if (b == MEMFS_NONE)
            return -SSH_FX_FAILURE;
        if (last == MEMFS_NONE)
            n->first = b;
        else
            m->next[last] = b;
        last = b;
    }
    return 0;
}

int memfs_truncate(nssh_memfs *m, uint32_t ino, uint64_t size)
{
    struct memfs_inode *n = &m->ino[ino];
    uint64_t keep;
    uint32_t b, nx;
    int rc;
    /* Larger than the whole store cannot fit (and a size near 2^64 would
     * wrap the block count below). */
    if (size > (uint64_t)m->n_blocks * BLK)
        return -SSH_FX_FAILURE;
    keep = (size + BLK - 1) / BLK;
    if (size > n->size) {
        if ((rc = grow(m, ino, keep)) < 0)
            return rc;
        /* Bytes past the old end in its last block must read as zero. */
        if (n->size % BLK && (b = block_at(m, ino, (uint32_t)(n->size / BLK))) !=
                                 MEMFS_NONE)
            memset(m->data + (size_t)b * BLK + n->size % BLK, 0,
                   BLK - n->size % BLK);
        n->size = size;
        return 0;
    }
    m->c_ino = MEMFS_NONE;
    if (keep) {
        b = block_at(m, ino, (uint32_t)(keep - 1));
        nx = m->next[b];
        m->next[b] = MEMFS_NONE;
    } else {
        nx = n->first;
        n->first = MEMFS_NONE;
    }
    while (nx != MEMFS_NONE) {
        b = nx;
        nx = m->next[b];
        m->next[b] = MEMFS_FREE;
        m->free_blocks++;
    }
    m->c_ino = MEMFS_NONE;
    n->size = size;
    return 0;
}

int memfs_read(nssh_memfs *m, uint32_t ino, uint64_t off, uint8_t *buf,
               size_t len, size_t *got)
{
    struct memfs_inode *n = &m->ino[ino];
    size_t done = 0;
    *got = 0;
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    while (done < len) {
        uint64_t at = off + done;
        uint32_t b = block_at(m, ino, (uint32_t)(at / BLK));
        size_t in = (size_t)(at % BLK), k = BLK - in;
        if (b == MEMFS_NONE)
            return -SSH_FX_FAILURE;
        if (k > len - done)
            k = len - done;
        memcpy(buf + done, m->data + (size_t)b * BLK + in, k);
        done += k;
    }
    *got = done;
    n->atime = m->now;
    return 0;
}

int memfs_write(nssh_memfs *m, uint32_t ino, uint64_t off, const uint8_t *buf,
                size_t len)
{
    struct memfs_inode *n = &m->ino[ino];
    uint64_t end = off + len;
    size_t done = 0;
    int rc;
    if (end < off)
        return -SSH_FX_FAILURE;
    if (end > n->size && (rc = memfs_truncate(m, ino, end)) < 0)
        return rc;
    while (done < len) {
        uint64_t at = off + done;
        uint32_t b = block_at(m, ino, (uint32_t)(at / BLK));
        size_t in = (size_t)(at % BLK), k = BLK - in;
        if (b == MEMFS_NONE)
            return -SSH_FX_FAILURE;
        if (k > len - done)
            k = len - done;
        memcpy(m->data + (size_t)b * BLK + in, buf + done, k);
        done += k;
    }
    n->mtime = m->now;
    return 0;
}

void memfs_attrs(const nssh_memfs *m, uint32_t ino, nssh_sftp_attrs *a)
{
    const struct memfs_inode *n = &m->ino[ino];
    static const uint32_t types[] = { 0, NSSH_SFTP_S_IFREG, NSSH_SFTP_S_IFDIR,
                                      NSSH_SFTP_S_IFLNK };
    memset(a, 0, sizeof(*a));
    a->flags = SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID |
               SSH_FILEXFER_ATTR_PERMISSIONS | SSH_FILEXFER_ATTR_ACMODTIME;
    a->size = n->size;
    a->uid = n->uid;
    a->gid = n->gid;
    a->perm = types[n->type & 3] | n->mode;
    a->atime = n->atime;
    a->mtime = n->mtime;
}
