/*
 * The firmware's RAM filesystem: the SFTP module's memfs over the .ramfs
 * section, which board.ld sizes to whatever RAM the image leaves between
 * .bss and the stack (at least RAMFS_MIN, 64 KiB by default) and keeps
 * apart so the RAM figures can leave the storage out. Its contents last
 * until reset.
 */
#include "fw.h"
#include "nanossh_memfs.h"

/* Files and directories at most, the root included. */
#ifndef FW_RAMFS_NODES
#define FW_RAMFS_NODES 32u
#endif

extern uint8_t _sramfs[], _eramfs[];
static nssh_memfs memfs;

int fw_fs_init(const nssh_sftp_fs **fs, void **user)
{
    if (nssh_memfs_init(&memfs, _sramfs, (size_t)(_eramfs - _sramfs), FW_RAMFS_NODES,
                        0, 0) < 0)
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
