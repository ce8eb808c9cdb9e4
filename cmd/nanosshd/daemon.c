/*
 * Detaching from the terminal, the pid file, and the restart on SIGHUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "sd.h"
#include "files.h"
#include "selfpipe.h"

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
    if (file_read(path, 64, &data, &len, NULL, 0) == 0 && atol(data) == (long)getpid())
        unlink(path);
    free(data);
}

/* Run the program with the same arguments plus extra; the exit status,
 * or -1. */
static int run_check(const char *self, char **argv, const char *dir)
{
    pid_t pid = fork();
    int status, fd;
    if (pid < 0)
        return -1;
    if (pid == 0) {
        signals_reset();
        if (dir && chdir(dir) < 0)
            _exit(126);
        if ((fd = open("/dev/null", O_WRONLY)) >= 0)
            dup2(fd, STDOUT_FILENO);
        execv(self, argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void daemon_restart(const daemon_opts *o)
{
    const char *self;
    char **argv;
    size_t n = 0;
    int r;
    if (!o->argv || !o->argv[0])
        return;
    while (o->argv[n])
        n++;
    if (!(argv = calloc(n + 2, sizeof(*argv))))
        return;
    memcpy(argv, o->argv, n * sizeof(*argv));
    /* The path it was started by picks up an upgraded binary. */
    self = o->argv[0][0] == '/' ? o->argv[0] : "/proc/self/exe";
    argv[n] = "-t";
    log_info("Received SIGHUP; checking the configuration.");
    if ((r = run_check(self, argv, o->start_dir)) != 0) {
        log_error("SIGHUP: \"%s -t\" failed (status %d); keeping the running "
                  "configuration.", o->argv[0], r);
        free(argv);
        return;
    }
    log_info("Received SIGHUP; restarting.");
    /* Already detached: the new image must not fork again. Handlers
     * reset and close-on-exec fds close by themselves, so on failure
     * everything is still in place. */
    argv[n] = o->foreground ? NULL : "-D";
    sd_sockets_keep();
    if (o->start_dir && chdir(o->start_dir) < 0)
        log_debug("restart: chdir %s: %s", o->start_dir, strerror(errno));
    execv(self, argv);
    log_error("restart failed: %s", strerror(errno));
    free(argv);
}
