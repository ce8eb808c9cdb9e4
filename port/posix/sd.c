/*
 * systemd's socket activation and readiness messages, without libsystemd:
 * the protocols of sd_listen_fds(3) (LISTEN_PID, LISTEN_FDS, sockets from
 * fd 3 on) and sd_notify(3) (a datagram to $NOTIFY_SOCKET).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nanossh.h"
#include "sd.h"
#include "log.h"

#define SD_FIRST_FD 3

int sd_sockets(int *fds, size_t max)
{
    const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
    struct stat st;
    long count, i;
    char *end;
    if (!pid || !n || strtol(pid, &end, 10) != (long)getpid() || *end)
        return 0;
    count = strtol(n, &end, 10);
    if (*end || count <= 0 || (size_t)count > max)
        return count == 0 ? 0 : NSSH_ERR_FORMAT;
    for (i = 0; i < count; i++) {
        int fd = SD_FIRST_FD + (int)i;
        if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
            return NSSH_ERR_FORMAT;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fds[i] = fd;
    }
    return (int)count;
}

void sd_sockets_keep(void)
{
    char buf[32];
    /* A restart by exec keeps the sockets and the pid, maybe not the one
     * systemd gave: this process may have detached since. */
    if (getenv("LISTEN_FDS")) {
        snprintf(buf, sizeof(buf), "%ld", (long)getpid());
        setenv("LISTEN_PID", buf, 1);
    }
}

void sd_notify_state(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    size_t len;
    int fd;
    if (!path || (path[0] != '/' && path[0] != '@') ||
        (len = strlen(path)) >= sizeof(sa.sun_path))
        return;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, len);
    if (sa.sun_path[0] == '@')
        sa.sun_path[0] = 0;   /* abstract namespace */
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
        log_debug("sd_notify %s: %s", state, strerror(errno));
    close(fd);
}
