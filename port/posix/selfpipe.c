/*
 * The self-pipe for SIGCHLD, SIGTERM and friends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "nanossh.h"
#include "selfpipe.h"

static int pipe_fds[2] = { -1, -1 };
static int caught[16];

static void on_signal(int sig)
{
    unsigned char b = (unsigned char)sig;
    int saved = errno;
    if (pipe_fds[1] >= 0 && write(pipe_fds[1], &b, 1) < 0) {
        /* pipe full: a wake-up is already pending */
    }
    errno = saved;
}

int selfpipe_open(const int *signals)
{
    struct sigaction sa;
    size_t i;
    selfpipe_close();
    if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) < 0)
        return NSSH_ERR_INTERNAL;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    for (i = 0; signals[i] && i < sizeof(caught) / sizeof(caught[0]) - 1; i++) {
        caught[i] = signals[i];
        sigaction(signals[i], &sa, NULL);
    }
    caught[i] = 0;
    return pipe_fds[0];
}

unsigned selfpipe_drain(int fd)
{
    unsigned char buf[64];
    unsigned mask = 0;
    ssize_t n, i;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (i = 0; i < n; i++)
            if (buf[i] < 32)
                mask |= 1u << buf[i];
    return mask;
}

void selfpipe_close(void)
{
    size_t i;
    for (i = 0; caught[i]; i++)
        signal(caught[i], SIG_DFL);
    caught[0] = 0;
    if (pipe_fds[0] >= 0)
        close(pipe_fds[0]);
    if (pipe_fds[1] >= 0)
        close(pipe_fds[1]);
    pipe_fds[0] = pipe_fds[1] = -1;
}

void signals_reset(void)
{
    sigset_t none;
    int sig;
    for (sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
