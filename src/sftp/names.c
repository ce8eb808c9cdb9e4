/*
 * Names: request names as sftp-server's -P, -p and -Q use them, status
 * messages as OpenSSH's sftp-server words them, and small string helpers
 * (the module has no stdio).
 */
#include <string.h>

#include "sftp_int.h"

static const char *const req_names[NSSH_SFTP_REQ_COUNT] = {
    "open", "close", "read", "write", "lstat", "fstat", "setstat",
    "fsetstat", "opendir", "readdir", "remove", "mkdir", "rmdir",
    "realpath", "stat", "rename", "readlink", "symlink", "posix-rename",
    "statvfs", "fstatvfs", "hardlink", "fsync", "lsetstat", "limits",
    "expand-path", "copy-data", "home-directory", "users-groups-by-id"
};

int nssh_sftp_request_bit(const char *name)
{
    size_t n = strlen(name);
    int i;
    for (i = 0; i < NSSH_SFTP_REQ_COUNT; i++)
        if (strlen(req_names[i]) == n && !memcmp(req_names[i], name, n))
            return i;
    return -1;
}

const char *nssh_sftp_request_name(int bit)
{
    return bit >= 0 && bit < NSSH_SFTP_REQ_COUNT ? req_names[bit] : NULL;
}

const char *nssh_sftp_status_text(int code)
{
    static const char *const t[] = {
        "Success", "End of file", "No such file", "Permission denied",
        "Failure", "Bad message", "No connection", "Connection lost",
        "Operation unsupported"
    };
    return code >= 0 && code <= SSH_FX_OP_UNSUPPORTED ? t[code]
                                                      : "Unknown error";
}

size_t sftp_str_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (!cap)
        return 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
    return n;
}

/* Decimal digits of v at dst (no NUL); returns their count. */
size_t sftp_fmt_u64(char *dst, uint64_t v)
{
    char t[20];
    size_t n = 0, i;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        dst[i] = t[n - 1 - i];
    return n;
}
