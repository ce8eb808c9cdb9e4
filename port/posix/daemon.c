/*
 * Detaching from the terminal and the pid file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posix.h"
#include "files.h"

int daemon_detach(const daemon_opts *o)
{
    pid_t pid = fork();
    int fd;
    if (pid < 0)
        return NSSH_ERR_INTERNAL;
    if (pid > 0)
        _exit(0);
    if (setsid() < 0 || chdir("/") < 0)
        return NSSH_ERR_INTERNAL;
    if ((fd = open("/dev/null", O_RDWR)) >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        if (!o->log_stderr)
            dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    return 0;
}

int pidfile_write(const char *path)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (file_write(path, buf, (size_t)n, 0644, 0) < 0) {
        log_error("Couldn't create pid file \"%s\"", path);
        return NSSH_ERR_INTERNAL;
    }
    return 0;
}

void pidfile_remove(const char *path)
{
    char *data = NULL;
    size_t len;
    /* Only our own: a restarted or second daemon may have replaced it. */
    if (file_read(path, 64, &data, &len) == 0 && atol(data) == (long)getpid())
        unlink(path);
    free(data);
}
