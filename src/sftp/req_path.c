/*
 * Requests naming paths (filexfer-02 sections 6.5 to 6.10): STAT, LSTAT,
 * SETSTAT, REMOVE, MKDIR, RMDIR, REALPATH, RENAME, READLINK, SYMLINK.
 */
#include <string.h>

#include "sftp_int.h"

#define FS(s) ((s)->cfg.fs)
#define U(s) ((s)->cfg.fs_user)

/* One path argument, or the status already answered (returns -1). */
static int one_path(nssh_sftp *s, req *q, char *dst)
{
    int rc = sftp_get_path(&q->r, dst);
    if (rc < 0) {
        sftp_reply_result(s, q->id, rc);
        return -1;
    }
    return 0;
}

static void log_path(nssh_sftp *s, int type, uint32_t id, const char *name,
                     const char *p1, const char *p2, uint32_t mode, int rc)
{
    sftp_event_status(s, type, id, name, p1, p2, mode, rc < 0 ? -rc : 0);
}

void sftp_req_stat(nssh_sftp *s, req *q, int follow)
{
    nssh_sftp_attrs a;
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    memset(&a, 0, sizeof(a));
    rc = FS(s)->stat ? FS(s)->stat(U(s), s->path1, follow, &a)
                     : -SSH_FX_OP_UNSUPPORTED;
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_attrs(s, q->id, &a);
}

/* SETSTAT (follow 1) and lsetstat@openssh.com (follow 0). */
void sftp_req_setstat(nssh_sftp *s, req *q, int follow)
{
    nssh_sftp_attrs a;
    nssh_sftp_event ev;
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    if (sftp_get_attrs(&q->r, &a) < 0) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    rc = FS(s)->setstat ? FS(s)->setstat(U(s), s->path1, follow, &a)
                        : -SSH_FX_OP_UNSUPPORTED;
    if (s->cfg.event) {
        memset(&ev, 0, sizeof(ev));
        ev.type = NSSH_SFTP_EV_SETSTAT;
        ev.id = q->id;
        ev.name = follow ? "setstat" : "lsetstat";
        ev.path = s->path1;
        ev.attrs = &a;
        ev.status = rc < 0 ? -rc : 0;
        s->cfg.event(s->cfg.event_user, &ev);
    }
    sftp_reply_result(s, q->id, rc);
}

void sftp_req_remove(nssh_sftp *s, req *q)
{
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    rc = FS(s)->remove ? FS(s)->remove(U(s), s->path1) : -SSH_FX_OP_UNSUPPORTED;
    log_path(s, NSSH_SFTP_EV_REMOVE, q->id, "remove", s->path1, NULL, 0, rc);
    sftp_reply_result(s, q->id, rc);
}

void sftp_req_mkdir(nssh_sftp *s, req *q)
{
    nssh_sftp_attrs a;
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    if (sftp_get_attrs(&q->r, &a) < 0) {
        sftp_reply_status(s, q->id, SSH_FX_BAD_MESSAGE);
        return;
    }
    rc = FS(s)->mkdir ? FS(s)->mkdir(U(s), s->path1, &a) : -SSH_FX_OP_UNSUPPORTED;
    log_path(s, NSSH_SFTP_EV_MKDIR, q->id, "mkdir", s->path1, NULL,
             a.flags & SSH_FILEXFER_ATTR_PERMISSIONS ? a.perm & 07777u : 0777u,
             rc);
    sftp_reply_result(s, q->id, rc);
}

void sftp_req_rmdir(nssh_sftp *s, req *q)
{
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    rc = FS(s)->rmdir ? FS(s)->rmdir(U(s), s->path1) : -SSH_FX_OP_UNSUPPORTED;
    log_path(s, NSSH_SFTP_EV_RMDIR, q->id, "rmdir", s->path1, NULL, 0, rc);
    sftp_reply_result(s, q->id, rc);
}

void sftp_req_realpath(nssh_sftp *s, req *q)
{
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    if (!s->path1[0])
        sftp_str_copy(s->path1, sizeof(s->path1), ".");   /* "" means "." */
    rc = FS(s)->realpath
             ? FS(s)->realpath(U(s), s->path1, s->path2, sizeof(s->path2))
             : -SSH_FX_OP_UNSUPPORTED;
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_name1(s, q->id, s->path2);
}

/* RENAME (posix 0) and posix-rename@openssh.com (posix 1). */
void sftp_req_rename(nssh_sftp *s, req *q, int posix)
{
    nssh_sftp_event ev;
    int rc;
    if (one_path(s, q, s->path1) < 0 || one_path(s, q, s->path2) < 0)
        return;
    rc = FS(s)->rename ? FS(s)->rename(U(s), s->path1, s->path2, posix)
                       : -SSH_FX_OP_UNSUPPORTED;
    if (s->cfg.event) {
        memset(&ev, 0, sizeof(ev));
        ev.type = NSSH_SFTP_EV_RENAME;
        ev.id = q->id;
        ev.name = posix ? "posix-rename" : "rename";
        ev.path = s->path1;
        ev.path2 = s->path2;
        ev.flags = (uint32_t)posix;
        ev.status = rc < 0 ? -rc : 0;
        s->cfg.event(s->cfg.event_user, &ev);
    }
    sftp_reply_result(s, q->id, rc);
}

void sftp_req_readlink(nssh_sftp *s, req *q)
{
    int rc;
    if (one_path(s, q, s->path1) < 0)
        return;
    rc = FS(s)->readlink
             ? FS(s)->readlink(U(s), s->path1, s->path2, sizeof(s->path2))
             : -SSH_FX_OP_UNSUPPORTED;
    if (rc < 0)
        sftp_reply_result(s, q->id, rc);
    else
        sftp_reply_name1(s, q->id, s->path2);
}

/* OpenSSH sends (and its server reads) the target first, then the link
 * path: the reverse of the draft's order (PROTOCOL section 4.1). */
void sftp_req_symlink(nssh_sftp *s, req *q)
{
    int rc;
    if (one_path(s, q, s->path1) < 0 || one_path(s, q, s->path2) < 0)
        return;
    rc = FS(s)->symlink ? FS(s)->symlink(U(s), s->path1, s->path2)
                        : -SSH_FX_OP_UNSUPPORTED;
    log_path(s, NSSH_SFTP_EV_SYMLINK, q->id, "symlink", s->path1, s->path2, 0,
             rc);
    sftp_reply_result(s, q->id, rc);
}
