/*
 * Internals of the SFTP server module (include/nanossh_sftp.h).
 *
 * Map:
 *   server.c    init, the input state machine (message framing, streamed
 *               WRITE), output buffer, end
 *   reply.c     reply encoders (STATUS, HANDLE, DATA, NAME, ATTRS) and the
 *               attribute codec (filexfer-02 section 5)
 *   handles.c   handle slots: opaque 8-byte strings, lookup, close
 *   dispatch.c  request type to handler, policy (allow list, read-only)
 *   req_file.c  OPEN, CLOSE, READ, WRITE, FSTAT, FSETSTAT
 *   req_path.c  STAT, LSTAT, SETSTAT, REMOVE, MKDIR, RMDIR, REALPATH,
 *               RENAME, READLINK, SYMLINK
 *   req_dir.c   OPENDIR, READDIR and the ls -l long name
 *   req_ext.c   EXTENDED: the OpenSSH extensions (PROTOCOL section 4)
 *   ext_copy.c  copy-data, users-groups-by-id, home-directory, expand-path
 *   names.c     request names, status texts
 */
#ifndef NSSH_SFTP_INT_H
#define NSSH_SFTP_INT_H

#include "nanossh_sftp.h"
#include "buf.h"

/* The protocol version served (draft-ietf-secsh-filexfer-02). */
#define SFTP_VERSION 3u
/* Handle strings: uint32 slot index, uint32 tag. */
#define SFTP_HANDLE_LEN 8u
/* Entries per READDIR reply at most (as OpenSSH's server). */
#define SFTP_READDIR_MAX 100u
/* Room one NAME entry can take: name, long name, attributes. */
#define SFTP_ENTRY_ROOM (2u * NSSH_SFTP_NAME_MAX + 160u)

/* Input phases (server.c). */
enum {
    PH_HEAD = 0,   /* uint32 length, byte type, uint32 id */
    PH_BODY,       /* the rest of a request into inbuf */
    PH_READY,      /* a whole request waits for output room */
    PH_SKIP,       /* discarding an oversized or refused message */
    PH_WHEAD,      /* WRITE: handle, offset, data length */
    PH_WDATA,      /* WRITE: data streamed to the backend */
    PH_WDONE       /* WRITE: status waits for output room */
};

/* One request being handled: the parsed head and a reader over the rest. */
typedef struct req {
    uint8_t type;
    uint32_t id;
    rd r;          /* after the id */
} req;

/* reply.c: each appends one whole message to the output buffer. They
 * fail silently into a FAILURE status only if room was misjudged. */
size_t sftp_out_room(const nssh_sftp *s);
void sftp_out_compact(nssh_sftp *s);
/* Begin a reply of type for id: returns a writer over the free room with
 * the length field reserved. */
void sftp_reply_begin(nssh_sftp *s, wr *w, uint8_t type, uint32_t id);
/* Back-patch the length and commit the bytes (or a FAILURE status when
 * the writer overflowed). */
void sftp_reply_end(nssh_sftp *s, wr *w, uint32_t id);
void sftp_reply_status(nssh_sftp *s, uint32_t id, int code);
/* code given as a callback result (0 or negated status). */
void sftp_reply_result(nssh_sftp *s, uint32_t id, int rc);
void sftp_reply_handle(nssh_sftp *s, uint32_t id, int slot);
void sftp_reply_attrs(nssh_sftp *s, uint32_t id, const nssh_sftp_attrs *a);
/* NAME with one entry (REALPATH, READLINK, expand-path, home-directory). */
void sftp_reply_name1(nssh_sftp *s, uint32_t id, const char *name);
void sftp_put_attrs(wr *w, const nssh_sftp_attrs *a);
/* 0, or NSSH_ERR_FORMAT (extended attribute pairs are read and dropped). */
int sftp_get_attrs(rd *r, nssh_sftp_attrs *a);
/* A path argument into dst (NUL-terminated): 0, -SSH_FX_BAD_MESSAGE when
 * malformed, -SSH_FX_FAILURE when too long or holding a NUL. */
int sftp_get_path(rd *r, char *dst);

/* handles.c */
/* A free slot filled with kind, backend handle and path; -1 when full. */
int sftp_handle_new(nssh_sftp *s, int kind, void *h, const char *path,
               uint32_t pflags);
/* The slot named by the handle string, of kind (0: any); -1 if none. */
int sftp_handle_find(const nssh_sftp *s, const uint8_t *p, size_t n, int kind);
/* Read a handle string from r: the slot, -1 for a bad handle, -2 when
 * malformed. */
int sftp_handle_get(const nssh_sftp *s, rd *r, int kind);
void sftp_handle_encode(const nssh_sftp *s, int slot, uint8_t out[SFTP_HANDLE_LEN]);
/* Close the backend's handle, emit the close event; returns the callback
 * result. */
int sftp_handle_close(nssh_sftp *s, int slot, uint32_t id);

/* dispatch.c */
void sftp_dispatch(nssh_sftp *s, req *q);
/* Is the request bit allowed? Emits the denied event when not. */
int sftp_allowed(nssh_sftp *s, int bit, uint32_t id);
void sftp_event(nssh_sftp *s, int type, uint32_t id, const char *name,
                const char *path, const char *path2);
/* The same with the mode and the status (SSH_FX_*) of the outcome. */
void sftp_event_status(nssh_sftp *s, int type, uint32_t id, const char *name,
                       const char *path, const char *path2, uint32_t mode,
                       int status);
/* Answer -SSH_FX_PERMISSION_DENIED when read-only (returns 1 then). */
int sftp_refuse_change(nssh_sftp *s, uint32_t id);

/* handlers */
void sftp_req_open(nssh_sftp *s, req *q);
void sftp_req_close(nssh_sftp *s, req *q);
void sftp_req_read(nssh_sftp *s, req *q);
void sftp_req_fstat(nssh_sftp *s, req *q);
void sftp_req_fsetstat(nssh_sftp *s, req *q);
void sftp_req_stat(nssh_sftp *s, req *q, int follow);
void sftp_req_setstat(nssh_sftp *s, req *q, int follow);
void sftp_req_remove(nssh_sftp *s, req *q);
void sftp_req_mkdir(nssh_sftp *s, req *q);
void sftp_req_rmdir(nssh_sftp *s, req *q);
void sftp_req_realpath(nssh_sftp *s, req *q);
void sftp_req_rename(nssh_sftp *s, req *q, int posix);
void sftp_req_readlink(nssh_sftp *s, req *q);
void sftp_req_symlink(nssh_sftp *s, req *q);
void sftp_req_opendir(nssh_sftp *s, req *q);
void sftp_req_readdir(nssh_sftp *s, req *q);
void sftp_req_extended(nssh_sftp *s, req *q);
void sftp_ext_hardlink(nssh_sftp *s, req *q);
void sftp_ext_copy_data(nssh_sftp *s, req *q);
void sftp_ext_users_groups(nssh_sftp *s, req *q);
void sftp_ext_home_directory(nssh_sftp *s, req *q);
void sftp_ext_expand_path(nssh_sftp *s, req *q);
/* The VERSION reply with the extensions the backend supports. */
void sftp_reply_version(nssh_sftp *s);

/* req_file.c: WRITE is streamed by server.c through these. */
/* After the WRITE head: 0 to stream, or the status to answer. */
int sftp_write_begin(nssh_sftp *s, int slot);
void sftp_write_chunk(nssh_sftp *s, const uint8_t *p, size_t n);

/* req_dir.c */
/* ls -l style line for NAME replies (OpenSSH's client shows it). */
size_t sftp_longname(nssh_sftp *s, char *out, size_t cap, const char *name,
                const nssh_sftp_attrs *a);

/* Small string helpers (no stdio). */
size_t sftp_str_copy(char *dst, size_t cap, const char *src);
size_t sftp_fmt_u64(char *dst, uint64_t v);

#endif
