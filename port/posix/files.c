/*
 * Reading and writing small files (keys, pid file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nanossh.h"
#include "files.h"

static int read_fail(char *why, size_t cap, const char *path,
                     const char *text, int e)
{
    if (why && cap)
        snprintf(why, cap, "%s: %s", path, text);
    return e;
}

int file_read(const char *path, size_t max, char **out, size_t *len,
              char *why, size_t why_cap)
{
    struct stat st;
    char *buf;
    size_t got = 0;
    ssize_t r;
    int fd;
    /* O_NONBLOCK: a FIFO planted in place of the file must not hang us;
     * fstat then refuses it. */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return read_fail(why, why_cap, path, strerror(errno), NSSH_ERR_FORMAT);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return read_fail(why, why_cap, path, "not a regular file",
                         NSSH_ERR_FORMAT);
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return read_fail(why, why_cap, path, "file too large", NSSH_ERR_FORMAT);
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        close(fd);
        return read_fail(why, why_cap, path, "out of memory", NSSH_ERR_NOSPACE);
    }
    while (got < (size_t)st.st_size) {
        r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;                   /* shrank while reading: use what is there */
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    *out = buf;
    *len = got;
    return 0;
}

int file_write(const char *path, const void *data, size_t len, mode_t mode,
               int excl)
{
    char tmp[4096];
    const char *p = data;
    ssize_t w;
    int fd, e = NSSH_ERR_FORMAT;
    if (excl && access(path, F_OK) == 0) {
        errno = EEXIST;
        return NSSH_ERR_FORMAT;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return NSSH_ERR_NOSPACE;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
        return NSSH_ERR_FORMAT;
    while (len > 0) {
        w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto out;
        p += w;
        len -= (size_t)w;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
        goto out;
    if (close(fd) < 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (excl ? link(tmp, path) < 0 : rename(tmp, path) < 0)
        goto out;
    e = 0;
out:
    if (fd >= 0)
        close(fd);
    if (e < 0 || excl)
        unlink(tmp);
    return e;
}

int dir_make(const char *path, mode_t mode)
{
    char buf[4096], *p;
    struct stat st;
    if (strlen(path) >= sizeof(buf) || !path[0])
        return NSSH_ERR_NOSPACE;
    strcpy(buf, path);
    for (p = buf + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return NSSH_ERR_FORMAT;
            *p = c;
            if (!c)
                break;
        }
    }
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : NSSH_ERR_FORMAT;
}
