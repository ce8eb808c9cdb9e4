/*
 * Request types to handlers (filexfer-02 section 6), with the server's
 * policy in front: the allow list (sftp-server -P/-p) and read-only mode
 * (-R) answer SSH_FX_PERMISSION_DENIED, as sftp-server does. An unknown
 * type gets SSH_FX_OP_UNSUPPORTED.
 */
#include <string.h>

#include "sftp_int.h"

/* Requests that change the filesystem (refused when read-only). */
static const uint32_t changes =
    (1u << NSSH_SFTP_REQ_WRITE) | (1u << NSSH_SFTP_REQ_SETSTAT) |
    (1u << NSSH_SFTP_REQ_FSETSTAT) | (1u << NSSH_SFTP_REQ_REMOVE) |
    (1u << NSSH_SFTP_REQ_MKDIR) | (1u << NSSH_SFTP_REQ_RMDIR) |
    (1u << NSSH_SFTP_REQ_RENAME) | (1u << NSSH_SFTP_REQ_SYMLINK) |
    (1u << NSSH_SFTP_REQ_POSIX_RENAME) | (1u << NSSH_SFTP_REQ_HARDLINK) |
    (1u << NSSH_SFTP_REQ_FSYNC) | (1u << NSSH_SFTP_REQ_LSETSTAT) |
    (1u << NSSH_SFTP_REQ_COPY_DATA);

void sftp_event_status(nssh_sftp *s, int type, uint32_t id, const char *name,
                       const char *path, const char *path2, uint32_t mode,
                       int status)
{
    nssh_sftp_event ev;
    if (!s->cfg.event)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.id = id;
    ev.name = name;
    ev.path = path;
    ev.path2 = path2;
    ev.mode = mode;
    ev.status = status;
    s->cfg.event(s->cfg.event_user, &ev);
}

void sftp_event(nssh_sftp *s, int type, uint32_t id, const char *name,
                const char *path, const char *path2)
{
    sftp_event_status(s, type, id, name, path, path2, 0, 0);
}

int sftp_allowed(nssh_sftp *s, int bit, uint32_t id)
{
    uint32_t m = 1u << bit;
    const char *name = nssh_sftp_request_name(bit);
    sftp_event(s, NSSH_SFTP_EV_REQUEST, id, name, NULL, NULL);
    if ((!s->cfg.allowed || (s->cfg.allowed & m)) &&
        !(s->cfg.read_only && (changes & m)))
        return 1;
    sftp_event(s, NSSH_SFTP_EV_DENIED, id, name, NULL, NULL);
    return 0;
}

int sftp_refuse_change(nssh_sftp *s, uint32_t id)
{
    if (!s->cfg.read_only)
        return 0;
    sftp_reply_status(s, id, SSH_FX_PERMISSION_DENIED);
    return 1;
}

/* Request type to its policy bit; -1 for types this table does not
 * handle. */
static int bit_of(uint8_t type)
{
    static const signed char bits[] = {
        [SSH_FXP_OPEN] = NSSH_SFTP_REQ_OPEN,
        [SSH_FXP_CLOSE] = NSSH_SFTP_REQ_CLOSE,
        [SSH_FXP_READ] = NSSH_SFTP_REQ_READ,
        [SSH_FXP_WRITE] = NSSH_SFTP_REQ_WRITE,
        [SSH_FXP_LSTAT] = NSSH_SFTP_REQ_LSTAT,
        [SSH_FXP_FSTAT] = NSSH_SFTP_REQ_FSTAT,
        [SSH_FXP_SETSTAT] = NSSH_SFTP_REQ_SETSTAT,
        [SSH_FXP_FSETSTAT] = NSSH_SFTP_REQ_FSETSTAT,
        [SSH_FXP_OPENDIR] = NSSH_SFTP_REQ_OPENDIR,
        [SSH_FXP_READDIR] = NSSH_SFTP_REQ_READDIR,
        [SSH_FXP_REMOVE] = NSSH_SFTP_REQ_REMOVE,
        [SSH_FXP_MKDIR] = NSSH_SFTP_REQ_MKDIR,
        [SSH_FXP_RMDIR] = NSSH_SFTP_REQ_RMDIR,
        [SSH_FXP_REALPATH] = NSSH_SFTP_REQ_REALPATH,
        [SSH_FXP_STAT] = NSSH_SFTP_REQ_STAT,
        [SSH_FXP_RENAME] = NSSH_SFTP_REQ_RENAME,
        [SSH_FXP_READLINK] = NSSH_SFTP_REQ_READLINK,
        [SSH_FXP_SYMLINK] = NSSH_SFTP_REQ_SYMLINK,
    };
    if (type >= SSH_FXP_OPEN && type <= SSH_FXP_SYMLINK)
        return bits[type];
    return -1;
}

void sftp_dispatch(nssh_sftp *s, req *q)
{
    int bit;
    if (q->type == SSH_FXP_EXTENDED) {
        sftp_req_extended(s, q);   /* its own policy check, by extension name */
        return;
    }
    bit = bit_of(q->type);
    if (bit < 0) {
        nssh_sftp_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.type = NSSH_SFTP_EV_UNKNOWN;
        ev.id = q->id;
        ev.flags = q->type;
        ev.status = SSH_FX_OP_UNSUPPORTED;
        if (s->cfg.event)
            s->cfg.event(s->cfg.event_user, &ev);
        sftp_reply_status(s, q->id, SSH_FX_OP_UNSUPPORTED);
        return;
    }
    if (!sftp_allowed(s, bit, q->id)) {
        sftp_reply_status(s, q->id, SSH_FX_PERMISSION_DENIED);
        return;
    }
    switch (q->type) {
    case SSH_FXP_OPEN: sftp_req_open(s, q); break;
    case SSH_FXP_CLOSE: sftp_req_close(s, q); break;
    case SSH_FXP_READ: sftp_req_read(s, q); break;
    case SSH_FXP_LSTAT: sftp_req_stat(s, q, 0); break;
    case SSH_FXP_FSTAT: sftp_req_fstat(s, q); break;
    case SSH_FXP_SETSTAT: sftp_req_setstat(s, q, 1); break;
    case SSH_FXP_FSETSTAT: sftp_req_fsetstat(s, q); break;
    case SSH_FXP_OPENDIR: sftp_req_opendir(s, q); break;
    case SSH_FXP_READDIR: sftp_req_readdir(s, q); break;
    case SSH_FXP_REMOVE: sftp_req_remove(s, q); break;
    case SSH_FXP_MKDIR: sftp_req_mkdir(s, q); break;
    case SSH_FXP_RMDIR: sftp_req_rmdir(s, q); break;
    case SSH_FXP_REALPATH: sftp_req_realpath(s, q); break;
    case SSH_FXP_STAT: sftp_req_stat(s, q, 1); break;
    case SSH_FXP_RENAME: sftp_req_rename(s, q, 0); break;
    case SSH_FXP_READLINK: sftp_req_readlink(s, q); break;
    case SSH_FXP_SYMLINK: sftp_req_symlink(s, q); break;
    default:
        /* WRITE is streamed by server.c and never gets here. */
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        break;
    }
}
