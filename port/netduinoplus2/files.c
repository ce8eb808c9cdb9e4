/*
 * The firmware's RAM filesystem: the SFTP module's memfs over a block in
 * the .ramfs section, which board.ld keeps apart from .data and .bss so
 * the RAM figures can leave the storage out. Its contents last until
 * reset.
 */
#include "fw.h"
#include "nanossh_memfs.h"

#ifndef FW_RAMFS_SIZE
#define FW_RAMFS_SIZE (72u * 1024u)
#endif
/* Files and directories at most, the root included. */
#ifndef FW_RAMFS_NODES
#define FW_RAMFS_NODES 32u
#endif

static uint8_t ramfs[FW_RAMFS_SIZE] __attribute__((section(".ramfs"), aligned(16)));
static nssh_memfs memfs;

int fw_fs_init(const nssh_sftp_fs **fs, void **user)
{
    if (nssh_memfs_init(&memfs, ramfs, sizeof(ramfs), FW_RAMFS_NODES, 0, 0) < 0)
        return -1;
    *fs = nssh_memfs_fs();
    *user = &memfs;
    return 0;
}

void fw_fs_usage(size_t *total, size_t *free_bytes)
{
    nssh_sftp_statvfs v;
    *total = *free_bytes = 0;
    if (nssh_memfs_fs()->statvfs(&memfs, "/", &v) == 0) {
        *total = (size_t)(v.blocks * v.frsize);
        *free_bytes = (size_t)(v.bfree * v.frsize);
    }
}
