/*
 * An in-memory filesystem for the SFTP server (nanossh_sftp.h): files,
 * directories, symbolic and hard links in one caller-provided block of
 * memory, with no allocation, no clock and no C library beyond mem* and
 * str*. Made for firmware (a RAM disk served over SFTP) and for tests.
 *
 * The block is split into a node table (max_nodes inodes and as many
 * directory entries) and fixed-size data blocks of NSSH_MEMFS_BLOCK bytes
 * chained FAT-style. Running out of blocks or nodes answers SSH_FX_FAILURE;
 * nothing outside the block is ever touched.
 *
 * Paths are resolved from the current directory (the start directory
 * given to nssh_memfs_chdir); ".." at "/" stays at "/", so no path leaves
 * the filesystem. One user owns everything (uid and gid from init);
 * permission bits are kept and reported, and a file without its owner
 * write bit cannot be opened for writing.
 *
 * Serving it on an "sftp" subsystem channel, all memory static:
 *
 *   static uint8_t disk[64 * 1024], in[NSSH_SFTP_MIN_INBUF],
 *                  out[NSSH_SFTP_MIN_OUTBUF + 2048];
 *   static nssh_memfs fs;
 *   static nssh_sftp sftp;
 *   nssh_memfs_init(&fs, disk, sizeof(disk), 32, 0, 0);
 *   cfg.fs = nssh_memfs_fs(); cfg.fs_user = &fs;
 *   cfg.inbuf = in; cfg.inbuf_len = sizeof(in);
 *   cfg.outbuf = out; cfg.outbuf_len = sizeof(out);
 *   nssh_sftp_init(&sftp, &cfg);
 *   on channel data: n = nssh_sftp_input(&sftp, data, len), then send
 *   nssh_sftp_output(), nssh_sftp_consume(), and feed data + n again;
 *   on channel close: nssh_sftp_end(&sftp).
 */
#ifndef NANOSSH_MEMFS_H
#define NANOSSH_MEMFS_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_sftp.h"

#ifndef NSSH_MEMFS_BLOCK
#define NSSH_MEMFS_BLOCK 512u
#endif
/* Longest name of one directory entry, with its NUL. */
#ifndef NSSH_MEMFS_NAME_MAX
#define NSSH_MEMFS_NAME_MAX 64u
#endif
/* Symbolic links followed while resolving one path. */
#define NSSH_MEMFS_MAX_LINKS 8

/* Per-node cost in the block, to size it: one inode and one entry. */
#define NSSH_MEMFS_NODE_COST (48u + NSSH_MEMFS_NAME_MAX)

typedef struct nssh_memfs {
    uint8_t *mem;
    size_t mem_len;
    uint32_t n_nodes, n_blocks, free_blocks, hint;
    struct memfs_inode *ino;
    struct memfs_dirent *ent;
    uint32_t *next;            /* block chain; MEMFS_FREE when free */
    uint8_t *data;
    uint32_t uid, gid;
    uint32_t now;              /* seconds since 1970, from the caller */
    /* read/write position cache: inode, file block number, block */
    uint32_t c_ino, c_fbn, c_blk;
    char cwd[NSSH_SFTP_PATH_MAX];
    char work[NSSH_SFTP_PATH_MAX];     /* path being resolved */
    char canon[NSSH_SFTP_PATH_MAX];    /* its canonical form */
    char tmp[NSSH_SFTP_PATH_MAX];
} nssh_memfs;

/*
 * Format mem (len bytes) as an empty filesystem with at most max_nodes
 * files, directories and links (the root counts). Returns 0, or -1 when
 * the block is too small for the nodes and a few data blocks.
 */
int nssh_memfs_init(nssh_memfs *m, void *mem, size_t len, uint32_t max_nodes,
                    uint32_t uid, uint32_t gid);
/* The clock used for new files' times (seconds since 1970). */
void nssh_memfs_set_time(nssh_memfs *m, uint32_t now);
/* Set the current (start) directory; it must exist. 0 or -SSH_FX_*. */
int nssh_memfs_chdir(nssh_memfs *m, const char *path);
/* The callback table; fs_user is the nssh_memfs. */
const nssh_sftp_fs *nssh_memfs_fs(void);

#endif
