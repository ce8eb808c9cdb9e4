/*
 * Small file helpers shared by the adapter.
 */
#ifndef NSSH_POSIX_FILES_H
#define NSSH_POSIX_FILES_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole regular file (at most max bytes) into a malloc'ed buffer
 * with a NUL after the data. The one whole-file reader of the tree: a
 * FIFO, device or directory in place of the file is refused without
 * blocking. On failure why (may be NULL) gets "path: reason". */
int file_read(const char *path, size_t max, char **out, size_t *len,
              char *why, size_t why_cap);
/* Write data to path atomically (temporary file, fsync, rename) with mode;
 * fails if path exists and excl is set. */
int file_write(const char *path, const void *data, size_t len, mode_t mode,
               int excl);
/* mkdir -p with mode for the directories it creates. */
int dir_make(const char *path, mode_t mode);

#endif
