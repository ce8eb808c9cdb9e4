/*
 * Socket work done as the user (sshd's temporarily_use_uid): the agent
 * directory and socket, streamlocal listeners, connections to a Unix
 * socket. A daemon running as root does it in a short-lived child that
 * takes the user's uid, gid and groups for good, so the connection's
 * process never changes identity and a path the user controls is never
 * followed with root's rights; the child hands a descriptor back over a
 * socket pair (SCM_RIGHTS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forward.h"

/* The child's answer: fn's result, and the descriptor when it is one
 * (> 0). */
static void send_result(int sock, int r)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { &r, sizeof(r) };
    struct msghdr m;
    struct cmsghdr *c;
    memset(&m, 0, sizeof(m));
    memset(cbuf, 0, sizeof(cbuf));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (r > 0) {
        m.msg_control = cbuf;
        m.msg_controllen = sizeof(cbuf);
        c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &r, sizeof(int));
    }
    while (sendmsg(sock, &m, 0) < 0 && errno == EINTR)
        ;
}

static int recv_result(int sock)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov;
    struct msghdr m;
    struct cmsghdr *c;
    int r = -EIO, fd = -1;
    ssize_t n;
    iov.iov_base = &r;
    iov.iov_len = sizeof(r);
    memset(&m, 0, sizeof(m));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = sizeof(cbuf);
    while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(r))
        return -EIO;
    for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
    if (r <= 0) {
        if (fd >= 0)
            close(fd);
        return r;
    }
    /* A result that claims a descriptor must come with one. */
    return fd >= 0 ? fd : -EIO;
}

int asuser_run(const user_info *u, int (*fn)(void *arg), void *arg)
{
    int sp[2], r, st;
    pid_t pid;
    if (geteuid() != 0)
        return fn(arg);   /* only our own user gets here */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return -errno;
    if ((pid = fork()) < 0) {
        r = -errno;
        close(sp[0]);
        close(sp[1]);
        return r;
    }
    if (pid == 0) {
        close(sp[0]);
        signal(SIGPIPE, SIG_IGN);
        if (initgroups(u->name, u->gid) < 0 || setgid(u->gid) < 0 ||
            setuid(u->uid) < 0 || (u->uid != 0 && setuid(0) == 0))
            r = -EPERM;
        else
            r = fn(arg);
        send_result(sp[1], r);
        _exit(0);
    }
    close(sp[1]);
    r = recv_result(sp[0]);
    close(sp[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return r;
}
