/*
 * The SFTP module's filesystem callbacks over POSIX calls, for
 * internal-sftp. They run as the authenticated user, so the kernel's
 * permission checks are the policy; errno values map to SFTP status codes
 * as OpenSSH's sftp-server maps them. File handles are descriptors (plus
 * one, so none is NULL); directory handles are DIR pointers.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include "sftp_posix.h"

static int fx(int e)
{
    switch (e) {
    case 0: return 0;
    case ENOENT: case ENOTDIR: case EBADF: case ELOOP:
        return -SSH_FX_NO_SUCH_FILE;
    case EPERM: case EACCES: case EFAULT:
        return -SSH_FX_PERMISSION_DENIED;
    case ENAMETOOLONG: case EINVAL:
        return -SSH_FX_BAD_MESSAGE;
    case ENOSYS:
        return -SSH_FX_OP_UNSUPPORTED;
    default:
        return -SSH_FX_FAILURE;
    }
}

static int fx_errno(int rc) { return rc < 0 ? fx(errno) : 0; }

static int fd_of(void *h) { return (int)((intptr_t)h - 1); }

static void to_attrs(const struct stat *st, nssh_sftp_attrs *a)
{
    memset(a, 0, sizeof(*a));
    a->flags = SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID |
               SSH_FILEXFER_ATTR_PERMISSIONS | SSH_FILEXFER_ATTR_ACMODTIME;
    a->size = (uint64_t)st->st_size;
    a->uid = st->st_uid;
    a->gid = st->st_gid;
    a->perm = st->st_mode;
    a->atime = (uint32_t)st->st_atime;
    a->mtime = (uint32_t)st->st_mtime;
}

static int px_open(void *u, const char *path, uint32_t pflags,
                   const nssh_sftp_attrs *a, void **fh)
{
    int flags = O_CLOEXEC | O_NOCTTY, fd;
    mode_t mode = a->flags & SSH_FILEXFER_ATTR_PERMISSIONS ? a->perm & 0777
                                                           : 0666;
    if ((pflags & SSH_FXF_READ) && (pflags & SSH_FXF_WRITE))
        flags |= O_RDWR;
    else if (pflags & SSH_FXF_WRITE)
        flags |= O_WRONLY;
    else
        flags |= O_RDONLY;
    if (pflags & SSH_FXF_APPEND)
        flags |= O_APPEND;
    if (pflags & SSH_FXF_CREAT)
        flags |= O_CREAT;
    if (pflags & SSH_FXF_TRUNC)
        flags |= O_TRUNC;
    if (pflags & SSH_FXF_EXCL)
        flags |= O_EXCL;
    if ((fd = open(path, flags, mode)) < 0)
        return fx(errno);
    *fh = (void *)(intptr_t)(fd + 1);
    return 0;
}

static int px_read(void *u, void *fh, uint64_t off, uint8_t *buf, size_t len,
                   size_t *got)
{
    ssize_t n;
    do
        n = pread(fd_of(fh), buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return fx(errno);
    *got = (size_t)n;
    return 0;
}

static int px_write(void *u, void *fh, uint64_t off, const uint8_t *buf,
                    size_t len)
{
    while (len) {
        ssize_t n = pwrite(fd_of(fh), buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? fx(errno) : -SSH_FX_FAILURE;
        buf += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

static int px_close(void *u, void *fh)
{
    return fx_errno(close(fd_of(fh)));
}

static int px_stat(void *u, const char *path, int follow, nssh_sftp_attrs *a)
{
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) < 0)
        return fx(errno);
    to_attrs(&st, a);
    return 0;
}

static int px_fstat(void *u, void *fh, nssh_sftp_attrs *a)
{
    struct stat st;
    if (fstat(fd_of(fh), &st) < 0)
        return fx(errno);
    to_attrs(&st, a);
    return 0;
}

/* The attributes present, in sftp-server's order: size, mode, times,
 * owner. fd >= 0 works on the open file, else on path. */
static int apply(int fd, const char *path, int follow,
                 const nssh_sftp_attrs *a)
{
    int nf = follow ? 0 : AT_SYMLINK_NOFOLLOW;
    if (a->flags & SSH_FILEXFER_ATTR_SIZE) {
        if ((fd >= 0 ? ftruncate(fd, (off_t)a->size)
                     : truncate(path, (off_t)a->size)) < 0)
            return fx(errno);
    }
    if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS) {
        mode_t m = a->perm & 07777;
        if ((fd >= 0 ? fchmod(fd, m) : fchmodat(AT_FDCWD, path, m, nf)) < 0)
            return fx(errno);
    }
    if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) {
        struct timespec ts[2];
        ts[0].tv_sec = a->atime;
        ts[1].tv_sec = a->mtime;
        ts[0].tv_nsec = ts[1].tv_nsec = 0;
        if ((fd >= 0 ? futimens(fd, ts) : utimensat(AT_FDCWD, path, ts, nf)) < 0)
            return fx(errno);
    }
    if (a->flags & SSH_FILEXFER_ATTR_UIDGID) {
        if ((fd >= 0 ? fchown(fd, a->uid, a->gid)
                     : fchownat(AT_FDCWD, path, a->uid, a->gid, nf)) < 0)
            return fx(errno);
    }
    return 0;
}

static int px_setstat(void *u, const char *path, int follow,
                      const nssh_sftp_attrs *a)
{
    return apply(-1, path, follow, a);
}

static int px_fsetstat(void *u, void *fh, const nssh_sftp_attrs *a)
{
    return apply(fd_of(fh), "", 1, a);   /* path unused with an fd */
}

static int px_opendir(void *u, const char *path, void **dh)
{
    DIR *d = opendir(path);
    if (!d)
        return fx(errno);
    *dh = d;
    return 0;
}

static int px_readdir(void *u, void *dh, uint32_t *cookie, char *name,
                      size_t cap, nssh_sftp_attrs *a)
{
    DIR *d = dh;
    struct dirent *e;
    struct stat st;
    for (;;) {
        errno = 0;
        if (!(e = readdir(d)))
            return errno ? fx(errno) : -SSH_FX_EOF;
        if (strlen(e->d_name) >= cap)
            continue;   /* longer than the module's names: skipped */
        break;
    }
    snprintf(name, cap, "%s", e->d_name);
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        to_attrs(&st, a);
    else
        memset(a, 0, sizeof(*a));
    (*cookie)++;
    return 0;
}

static int px_closedir(void *u, void *dh) { return fx_errno(closedir(dh)); }

static int px_remove(void *u, const char *path) { return fx_errno(unlink(path)); }

/* SSH_FXP_RENAME must not replace newpath (filexfer-02 6.5): the kernel
 * checks that atomically with RENAME_NOREPLACE; where the filesystem
 * cannot, a hard link and unlink do it for files, as sftp-server does. */
static int px_rename(void *u, const char *oldpath, const char *newpath,
                     int posix)
{
    struct stat st;
    if (posix)
        return fx_errno(rename(oldpath, newpath));
    if (renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return fx(errno);
    if (lstat(oldpath, &st) < 0)
        return fx(errno);
    if (S_ISREG(st.st_mode)) {
        if (link(oldpath, newpath) < 0)
            return fx(errno);
        return fx_errno(unlink(oldpath));
    }
    if (lstat(newpath, &st) == 0)
        return -SSH_FX_FAILURE;
    return fx_errno(rename(oldpath, newpath));
}

static int px_mkdir(void *u, const char *path, const nssh_sftp_attrs *a)
{
    mode_t m = a->flags & SSH_FILEXFER_ATTR_PERMISSIONS ? a->perm & 07777 : 0777;
    return fx_errno(mkdir(path, m));
}

static int px_rmdir(void *u, const char *path) { return fx_errno(rmdir(path)); }

/* realpath(3), allowing a missing last component (a name about to be
 * created), as OpenSSH's server does. */
static int px_realpath(void *u, const char *path, char *out, size_t cap)
{
    char buf[PATH_MAX], dir[PATH_MAX];
    const char *slash, *base;
    if (realpath(path, buf)) {
        if (strlen(buf) >= cap)
            return -SSH_FX_FAILURE;
        snprintf(out, cap, "%s", buf);
        return 0;
    }
    if (errno != ENOENT)
        return fx(errno);
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return -SSH_FX_NO_SUCH_FILE;
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if (!realpath(dir, buf))
        return fx(errno);
    if ((size_t)snprintf(out, cap, "%s%s%s", buf, strcmp(buf, "/") ? "/" : "",
                         base) >= cap)
        return -SSH_FX_FAILURE;
    return 0;
}

static int px_readlink(void *u, const char *path, char *out, size_t cap)
{
    ssize_t n = readlink(path, out, cap - 1);
    if (n < 0)
        return fx(errno);
    out[n] = 0;
    return 0;
}

static int px_symlink(void *u, const char *target, const char *linkpath)
{
    return fx_errno(symlink(target, linkpath));
}

static int px_hardlink(void *u, const char *oldpath, const char *newpath)
{
    return fx_errno(link(oldpath, newpath));
}

static int px_fsync(void *u, void *fh) { return fx_errno(fsync(fd_of(fh))); }

static int px_statvfs(void *u, const char *path, nssh_sftp_statvfs *v)
{
    struct statvfs st;
    if (statvfs(path, &st) < 0)
        return fx(errno);
    v->bsize = st.f_bsize;
    v->frsize = st.f_frsize;
    v->blocks = st.f_blocks;
    v->bfree = st.f_bfree;
    v->bavail = st.f_bavail;
    v->files = st.f_files;
    v->ffree = st.f_ffree;
    v->favail = st.f_favail;
    v->fsid = st.f_fsid;
    v->flag = (st.f_flag & ST_RDONLY ? NSSH_SFTP_ST_RDONLY : 0) |
              (st.f_flag & ST_NOSUID ? NSSH_SFTP_ST_NOSUID : 0);
    v->namemax = st.f_namemax;
    return 0;
}

static int px_user_name(void *u, uint32_t uid, char *out, size_t cap)
{
    struct passwd *pw = getpwuid(uid);
    if (!pw)
        return -SSH_FX_NO_SUCH_FILE;
    snprintf(out, cap, "%s", pw->pw_name);
    return 0;
}

static int px_group_name(void *u, uint32_t gid, char *out, size_t cap)
{
    struct group *gr = getgrgid(gid);
    if (!gr)
        return -SSH_FX_NO_SUCH_FILE;
    snprintf(out, cap, "%s", gr->gr_name);
    return 0;
}

static int px_home_dir(void *u, const char *username, char *out, size_t cap)
{
    const sftp_posix *p = u;
    const char *home;
    struct passwd *pw;
    if (!username[0] || (p->user && !strcmp(username, p->user))) {
        home = p->home;
    } else {
        if (!(pw = getpwnam(username)))
            return -SSH_FX_NO_SUCH_FILE;
        home = pw->pw_dir;
    }
    if (!home || strlen(home) >= cap)
        return -SSH_FX_FAILURE;
    snprintf(out, cap, "%s", home);
    return 0;
}

static const nssh_sftp_fs posix_table = {
    .open = px_open, .read = px_read, .write = px_write, .close = px_close,
    .stat = px_stat, .fstat = px_fstat, .setstat = px_setstat,
    .fsetstat = px_fsetstat, .opendir = px_opendir, .readdir = px_readdir,
    .closedir = px_closedir, .remove = px_remove, .rename = px_rename,
    .mkdir = px_mkdir, .rmdir = px_rmdir, .realpath = px_realpath,
    .readlink = px_readlink, .symlink = px_symlink, .hardlink = px_hardlink,
    .fsync = px_fsync, .statvfs = px_statvfs, .user_name = px_user_name,
    .group_name = px_group_name, .home_dir = px_home_dir,
};

const nssh_sftp_fs *sftp_posix_fs(void) { return &posix_table; }
