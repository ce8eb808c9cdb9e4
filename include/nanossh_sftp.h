/*
 * nanossh SFTP server: SFTP version 3 (draft-ietf-secsh-filexfer-02) as
 * OpenSSH's sftp-server speaks it, with the OpenSSH extensions of its
 * PROTOCOL file section 4 (posix-rename, statvfs, fstatvfs, hardlink,
 * fsync, lsetstat, limits, expand-path, copy-data, home-directory,
 * users-groups-by-id).
 *
 * Sans-I/O, like the engine: the caller feeds the bytes of one "sftp"
 * subsystem channel and takes the bytes to send back. Files are reached
 * through a table of callbacks (nssh_sftp_fs). The module never allocates:
 * the state (struct nssh_sftp) and both buffers belong to the caller, and
 * memory stays bounded whatever the client sends:
 *  - a READ is clipped to the room in the output buffer;
 *  - a WRITE is streamed to the write callback as its bytes arrive, so the
 *    input buffer need not hold a whole WRITE;
 *  - at most NSSH_SFTP_MAX_HANDLES handles are open;
 *  - any other request longer than the input buffer is skipped and
 *    answered with SSH_FX_FAILURE; a length above NSSH_SFTP_MAX_MSG ends
 *    the session with NSSH_SFTP_ERR_TOO_LONG (sticky).
 * Requests are answered in the order they arrive, each reply carrying its
 * request's id, so any number may be in flight (OpenSSH keeps 64).
 *
 * Handles are 8 opaque bytes: a slot index and a tag derived from a
 * per-slot generation and the caller's seed; a closed, stale or forged
 * handle is refused with SSH_FX_FAILURE ("Invalid handle").
 *
 * Freestanding: needs only memcpy, memmove, memset, memcmp, strlen from the
 * C library (no stdio, malloc or clock).
 */
#ifndef NANOSSH_SFTP_H
#define NANOSSH_SFTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef NSSH_USER_OPTS
#include NSSH_USER_OPTS
#endif

/* ---- compile-time limits (override with -D) ---------------------------- */

/* Handles open at once (files and directories). */
#ifndef NSSH_SFTP_MAX_HANDLES
#define NSSH_SFTP_MAX_HANDLES 32
#endif
/* Longest path accepted, including the terminating NUL; longer paths are
 * answered with SSH_FX_FAILURE. Each handle keeps its path (for logs and
 * fstatvfs), so the state grows with MAX_HANDLES * PATH_MAX. */
#ifndef NSSH_SFTP_PATH_MAX
#define NSSH_SFTP_PATH_MAX 1024
#endif
/* Longest directory entry name returned by readdir (with its NUL). */
#ifndef NSSH_SFTP_NAME_MAX
#define NSSH_SFTP_NAME_MAX 256
#endif
/* Longest message length field accepted at all (OpenSSH: 256 KiB). */
#ifndef NSSH_SFTP_MAX_MSG
#define NSSH_SFTP_MAX_MSG (256u * 1024u)
#endif
/* Smallest buffers nssh_sftp_init accepts. The input buffer must hold any
 * non-WRITE request the client sends (two paths, attributes); the output
 * buffer one NAME reply entry with its long name, or a status. */
#define NSSH_SFTP_MIN_INBUF (2u * NSSH_SFTP_PATH_MAX + 128u)
#define NSSH_SFTP_MIN_OUTBUF (2u * NSSH_SFTP_PATH_MAX + 256u)
/* Largest READ data the server returns, and WRITE it advertises (limits). */
#ifndef NSSH_SFTP_MAX_READ
#define NSSH_SFTP_MAX_READ (NSSH_SFTP_MAX_MSG - 1024u)
#endif

/* ---- protocol numbers (draft-ietf-secsh-filexfer-02 section 3, 7) ------- */

enum {
    SSH_FXP_INIT = 1, SSH_FXP_VERSION = 2, SSH_FXP_OPEN = 3,
    SSH_FXP_CLOSE = 4, SSH_FXP_READ = 5, SSH_FXP_WRITE = 6,
    SSH_FXP_LSTAT = 7, SSH_FXP_FSTAT = 8, SSH_FXP_SETSTAT = 9,
    SSH_FXP_FSETSTAT = 10, SSH_FXP_OPENDIR = 11, SSH_FXP_READDIR = 12,
    SSH_FXP_REMOVE = 13, SSH_FXP_MKDIR = 14, SSH_FXP_RMDIR = 15,
    SSH_FXP_REALPATH = 16, SSH_FXP_STAT = 17, SSH_FXP_RENAME = 18,
    SSH_FXP_READLINK = 19, SSH_FXP_SYMLINK = 20,
    SSH_FXP_STATUS = 101, SSH_FXP_HANDLE = 102, SSH_FXP_DATA = 103,
    SSH_FXP_NAME = 104, SSH_FXP_ATTRS = 105,
    SSH_FXP_EXTENDED = 200, SSH_FXP_EXTENDED_REPLY = 201
};

/* Status codes. Filesystem callbacks return 0 or the negated code. */
enum {
    SSH_FX_OK = 0, SSH_FX_EOF = 1, SSH_FX_NO_SUCH_FILE = 2,
    SSH_FX_PERMISSION_DENIED = 3, SSH_FX_FAILURE = 4,
    SSH_FX_BAD_MESSAGE = 5, SSH_FX_NO_CONNECTION = 6,
    SSH_FX_CONNECTION_LOST = 7, SSH_FX_OP_UNSUPPORTED = 8
};

/* SSH_FXP_OPEN pflags. */
#define SSH_FXF_READ   0x01u
#define SSH_FXF_WRITE  0x02u
#define SSH_FXF_APPEND 0x04u
#define SSH_FXF_CREAT  0x08u
#define SSH_FXF_TRUNC  0x10u
#define SSH_FXF_EXCL   0x20u

/* Attribute flags (section 5). */
#define SSH_FILEXFER_ATTR_SIZE        0x00000001u
#define SSH_FILEXFER_ATTR_UIDGID      0x00000002u
#define SSH_FILEXFER_ATTR_PERMISSIONS 0x00000004u
#define SSH_FILEXFER_ATTR_ACMODTIME   0x00000008u
#define SSH_FILEXFER_ATTR_EXTENDED    0x80000000u

/* File type bits within permissions (the POSIX S_IF* values). */
#define NSSH_SFTP_S_IFMT  0170000u
#define NSSH_SFTP_S_IFDIR 0040000u
#define NSSH_SFTP_S_IFREG 0100000u
#define NSSH_SFTP_S_IFLNK 0120000u

/* statvfs@openssh.com f_flag bits. */
#define NSSH_SFTP_ST_RDONLY 1u
#define NSSH_SFTP_ST_NOSUID 2u

typedef struct nssh_sftp_attrs {
    uint32_t flags;            /* SSH_FILEXFER_ATTR_* present */
    uint64_t size;
    uint32_t uid, gid;
    uint32_t perm;             /* type bits and mode */
    uint32_t atime, mtime;     /* seconds since 1970 */
} nssh_sftp_attrs;

typedef struct nssh_sftp_statvfs {
    uint64_t bsize, frsize, blocks, bfree, bavail, files, ffree, favail;
    uint64_t fsid, flag, namemax;
} nssh_sftp_statvfs;

/* ---- filesystem callbacks ---------------------------------------------- */

/*
 * Every callback returns 0 on success or a negated SSH_FX_* status (for
 * example -SSH_FX_NO_SUCH_FILE). Paths are NUL-terminated, exactly as the
 * client sent them (relative ones are relative to the backend's current
 * directory). A NULL callback makes its request answer
 * SSH_FX_OP_UNSUPPORTED (and an extension that needs it is not offered).
 * Callbacks MUST NOT call back into the module.
 */
typedef struct nssh_sftp_fs {
    /* pflags: SSH_FXF_*; a: the attributes of OPEN (mode when created). */
    int (*open)(void *user, const char *path, uint32_t pflags,
                const nssh_sftp_attrs *a, void **fh);
    /* Up to len bytes at off; *got = 0 means end of file. */
    int (*read)(void *user, void *fh, uint64_t off, uint8_t *buf, size_t len,
                size_t *got);
    /* All len bytes at off (or at the end with SSH_FXF_APPEND). */
    int (*write)(void *user, void *fh, uint64_t off, const uint8_t *buf,
                 size_t len);
    int (*close)(void *user, void *fh);
    /* follow: 1 for STAT, 0 for LSTAT. */
    int (*stat)(void *user, const char *path, int follow, nssh_sftp_attrs *a);
    int (*fstat)(void *user, void *fh, nssh_sftp_attrs *a);
    /* Apply the attributes present in a->flags (follow: 0 for lsetstat). */
    int (*setstat)(void *user, const char *path, int follow,
                   const nssh_sftp_attrs *a);
    int (*fsetstat)(void *user, void *fh, const nssh_sftp_attrs *a);
    int (*opendir)(void *user, const char *path, void **dh);
    /* The next entry: 0 with name and a filled, or -SSH_FX_EOF at the end.
     * *cookie starts at 0 and is the backend's to use as a cursor. */
    int (*readdir)(void *user, void *dh, uint32_t *cookie, char *name,
                   size_t cap, nssh_sftp_attrs *a);
    int (*closedir)(void *user, void *dh);
    int (*remove)(void *user, const char *path);
    /* posix: 0 for SSH_FXP_RENAME (fails when newpath exists), 1 for
     * posix-rename@openssh.com (replaces it). */
    int (*rename)(void *user, const char *oldpath, const char *newpath,
                  int posix);
    int (*mkdir)(void *user, const char *path, const nssh_sftp_attrs *a);
    int (*rmdir)(void *user, const char *path);
    /* The canonical absolute form of path ("." is the current directory). */
    int (*realpath)(void *user, const char *path, char *out, size_t cap);
    int (*readlink)(void *user, const char *path, char *out, size_t cap);
    /* Creates linkpath pointing at target. */
    int (*symlink)(void *user, const char *target, const char *linkpath);
    int (*hardlink)(void *user, const char *oldpath, const char *newpath);
    int (*fsync)(void *user, void *fh);
    int (*statvfs)(void *user, const char *path, nssh_sftp_statvfs *v);
    /* Optional: names for users-groups-by-id and ls -l lines; home
     * directories for home-directory and "~" in expand-path. */
    int (*user_name)(void *user, uint32_t uid, char *out, size_t cap);
    int (*group_name)(void *user, uint32_t gid, char *out, size_t cap);
    int (*home_dir)(void *user, const char *username, char *out, size_t cap);
} nssh_sftp_fs;

/* ---- events (for logs shaped like sftp-server's) ----------------------- */

enum {
    NSSH_SFTP_EV_OPEN = 1,     /* path, pflags, mode; status */
    NSSH_SFTP_EV_CLOSE,        /* path, bytes_read, bytes_written */
    NSSH_SFTP_EV_OPENDIR,      /* path */
    NSSH_SFTP_EV_CLOSEDIR,     /* path */
    NSSH_SFTP_EV_SETSTAT,      /* path (or the handle's), attrs */
    NSSH_SFTP_EV_REMOVE,       /* path */
    NSSH_SFTP_EV_MKDIR,        /* path, mode */
    NSSH_SFTP_EV_RMDIR,        /* path */
    NSSH_SFTP_EV_RENAME,       /* path -> path2 (posix: flags 1) */
    NSSH_SFTP_EV_SYMLINK,      /* path (target) <- path2 (link) */
    NSSH_SFTP_EV_HARDLINK,     /* path -> path2 */
    NSSH_SFTP_EV_COPY,         /* path -> path2, bytes_written */
    NSSH_SFTP_EV_DENIED,       /* request refused by policy: name */
    NSSH_SFTP_EV_UNKNOWN,      /* unknown request: flags is its type; for
                                * SSH_FXP_EXTENDED name is the extension */
    NSSH_SFTP_EV_REQUEST       /* any request (debug): name */
};

typedef struct nssh_sftp_event {
    int type;                  /* NSSH_SFTP_EV_* */
    uint32_t id;               /* the request's id */
    const char *name;          /* request name ("open", "statvfs", ...) */
    const char *path, *path2;  /* NULL when not relevant */
    uint32_t flags;            /* OPEN pflags; 1 for posix-rename */
    uint32_t mode;             /* permissions given, when flags say so */
    const nssh_sftp_attrs *attrs;
    uint64_t bytes_read, bytes_written;
    int status;                /* the SSH_FX_* answered */
} nssh_sftp_event;

/* ---- the server ------------------------------------------------------- */

/* Request bits, for allow/deny policies (sftp-server -P/-p names). */
enum {
    NSSH_SFTP_REQ_OPEN = 0, NSSH_SFTP_REQ_CLOSE, NSSH_SFTP_REQ_READ,
    NSSH_SFTP_REQ_WRITE, NSSH_SFTP_REQ_LSTAT, NSSH_SFTP_REQ_FSTAT,
    NSSH_SFTP_REQ_SETSTAT, NSSH_SFTP_REQ_FSETSTAT, NSSH_SFTP_REQ_OPENDIR,
    NSSH_SFTP_REQ_READDIR, NSSH_SFTP_REQ_REMOVE, NSSH_SFTP_REQ_MKDIR,
    NSSH_SFTP_REQ_RMDIR, NSSH_SFTP_REQ_REALPATH, NSSH_SFTP_REQ_STAT,
    NSSH_SFTP_REQ_RENAME, NSSH_SFTP_REQ_READLINK, NSSH_SFTP_REQ_SYMLINK,
    NSSH_SFTP_REQ_POSIX_RENAME, NSSH_SFTP_REQ_STATVFS,
    NSSH_SFTP_REQ_FSTATVFS, NSSH_SFTP_REQ_HARDLINK, NSSH_SFTP_REQ_FSYNC,
    NSSH_SFTP_REQ_LSETSTAT, NSSH_SFTP_REQ_LIMITS,
    NSSH_SFTP_REQ_EXPAND_PATH, NSSH_SFTP_REQ_COPY_DATA,
    NSSH_SFTP_REQ_HOME_DIRECTORY, NSSH_SFTP_REQ_USERS_GROUPS_BY_ID,
    NSSH_SFTP_REQ_COUNT
};
#define NSSH_SFTP_REQ_ALL ((1u << NSSH_SFTP_REQ_COUNT) - 1u)

typedef struct nssh_sftp_config {
    const nssh_sftp_fs *fs;
    void *fs_user;
    /* Optional event sink. */
    void (*event)(void *user, const nssh_sftp_event *ev);
    void *event_user;
    uint8_t *inbuf;            /* at least NSSH_SFTP_MIN_INBUF bytes */
    size_t inbuf_len;
    uint8_t *outbuf;           /* at least NSSH_SFTP_MIN_OUTBUF bytes */
    size_t outbuf_len;
    /* Requests answered (bit NSSH_SFTP_REQ_x set); 0 means all. Others
     * get SSH_FX_PERMISSION_DENIED, as sftp-server's -P/-p do. */
    uint32_t allowed;
    int read_only;             /* sftp-server -R: refuse every change */
    /* Mixed into handle tags (a random value makes them unguessable). */
    uint32_t handle_seed;
} nssh_sftp_config;

/* Sticky errors (negative). */
enum {
    NSSH_SFTP_ERR_CONFIG = -1,    /* bad configuration to init */
    NSSH_SFTP_ERR_TOO_LONG = -2,  /* a length above NSSH_SFTP_MAX_MSG */
    NSSH_SFTP_ERR_PROTOCOL = -3   /* a request before INIT, a second INIT */
};

/* One open handle; private to the module. */
typedef struct nssh_sftp_handle {
    uint8_t kind;              /* 0 free, 1 file, 2 directory */
    uint16_t gen;              /* bumped at every close */
    uint32_t pflags;
    void *h;                   /* the backend's handle */
    uint32_t cookie;           /* readdir cursor */
    uint64_t bytes_read, bytes_written;
    char path[NSSH_SFTP_PATH_MAX];
} nssh_sftp_handle;

/* The state; every field is private. May be static. */
typedef struct nssh_sftp {
    nssh_sftp_config cfg;
    int err;                   /* sticky NSSH_SFTP_ERR_*, 0 */
    int version_sent;
    /* input assembly */
    uint32_t need;             /* bytes still wanted for the current phase */
    uint32_t msg_len;          /* the current message's length field */
    uint32_t msg_left;         /* bytes of the message not yet consumed */
    size_t in_len;             /* bytes held in inbuf */
    int phase;
    /* streaming WRITE */
    uint32_t w_id;
    int w_status;
    int w_slot;
    uint64_t w_off;
    uint32_t w_data_left;
    /* output: pending bytes are outbuf[out_off .. out_off + out_len) */
    size_t out_off, out_len;
    nssh_sftp_handle handles[NSSH_SFTP_MAX_HANDLES];
    char path1[NSSH_SFTP_PATH_MAX];
    char path2[NSSH_SFTP_PATH_MAX];
    char name[NSSH_SFTP_NAME_MAX];
    uint64_t requests;         /* answered so far */
} nssh_sftp;

/* Size of the state, for callers that reserve raw memory. */
#define NSSH_SFTP_STATE_SIZE sizeof(nssh_sftp)

/* 0, or NSSH_SFTP_ERR_CONFIG for missing fs or too small buffers. */
int nssh_sftp_init(nssh_sftp *s, const nssh_sftp_config *cfg);

/*
 * Feed received channel bytes. Returns how many were consumed, or the
 * sticky negative error. Requests are processed during this call, as far
 * as the output buffer's room allows: when it returns fewer than len (or
 * a whole request is waiting), send what nssh_sftp_output gives, consume
 * it, and call again with the rest (len may be 0). A caller with flow
 * control (an SSH channel window) should reopen the window only by the
 * bytes consumed, so memory stays bounded end to end.
 */
long nssh_sftp_input(nssh_sftp *s, const uint8_t *p, size_t len);

/* Bytes waiting to be sent: returns their count, *p points at them. */
size_t nssh_sftp_output(nssh_sftp *s, const uint8_t **p);
/* n of those bytes were sent. */
void nssh_sftp_consume(nssh_sftp *s, size_t n);

/* Close every handle still open (the channel ended); logs each close. */
void nssh_sftp_end(nssh_sftp *s);

/* The sticky error, 0 while healthy. */
int nssh_sftp_error(const nssh_sftp *s);

/* Request name (as in sftp-server's -P/-p/-Q) to its NSSH_SFTP_REQ_* bit
 * number; -1 when unknown. */
int nssh_sftp_request_bit(const char *name);
/* The bit number's name, or NULL. */
const char *nssh_sftp_request_name(int bit);

/* The SSH_FX_* code's message text ("No such file" ...). */
const char *nssh_sftp_status_text(int code);

#endif
