/*
 * Pseudo-terminals for sessions that asked for one (RFC 4254 section 6.2):
 * a master kept by the daemon, a slave given to the child, the client's
 * terminal modes and window size applied to it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"
#include "ttymodes.h"

int pty_open(session *ss, const uint8_t *modes, size_t modes_len)
{
    struct termios t;
    int m, sl = -1;
    if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
        return NSSH_ERR_INTERNAL;
    if (grantpt(m) < 0 || unlockpt(m) < 0 ||
        ptsname_r(m, ss->tty, sizeof(ss->tty)) != 0 ||
        (sl = open(ss->tty, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
        goto fail;
    /* Start from the kernel's sane defaults; take what the client says. */
    if (tcgetattr(sl, &t) == 0) {
        if (ttymodes_apply(&t, modes, modes_len) < 0)
            log_debug("pty-req: truncated terminal modes ignored from there");
        tcsetattr(sl, TCSANOW, &t);
    }
    ioctl(sl, TIOCSWINSZ, &ss->ws);
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    ss->ptm = m;
    ss->pts = sl;
    return 0;
fail:
    if (sl >= 0)
        close(sl);
    close(m);
    ss->tty[0] = 0;
    return NSSH_ERR_INTERNAL;
}

int pty_resize(session *ss)
{
    if (ss->ptm < 0)
        return NSSH_ERR_STATE;
    return ioctl(ss->ptm, TIOCSWINSZ, &ss->ws) < 0 ? NSSH_ERR_INTERNAL : 0;
}

/* As login(1): the user owns the terminal, group tty may write to it. */
void pty_own(const session *ss, const user_info *u)
{
    struct group *g;
    gid_t gid = u->gid;
    mode_t mode = 0600;
    if (geteuid() != 0 || !ss->tty[0])
        return;
    if ((g = getgrnam("tty")) != NULL) {
        gid = g->gr_gid;
        mode = 0620;
    }
    if (chown(ss->tty, u->uid, gid) < 0 || chmod(ss->tty, mode) < 0)
        log_debug("could not give %s to %s", ss->tty, u->name);
}

void pty_release(session *ss)
{
    if (ss->tty[0] && geteuid() == 0 && ss->ptm >= 0) {
        /* Back to root before the number can be handed to someone else. */
        if (chown(ss->tty, 0, 0) < 0 || chmod(ss->tty, 0666) < 0) {
            /* devpts removes the node when the master closes anyway */
        }
    }
    if (ss->pts >= 0)
        close(ss->pts);
    if (ss->ptm >= 0)
        close(ss->ptm);
    ss->pts = ss->ptm = -1;
}
