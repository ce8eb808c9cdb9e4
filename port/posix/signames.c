/*
 * Signal names for exit-signal and signal requests.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "signames.h"

static const struct { const char *name; int sig; } names[] = {
    { "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE },
    { "HUP", SIGHUP }, { "ILL", SIGILL }, { "INT", SIGINT },
    { "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "QUIT", SIGQUIT },
    { "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
    { "USR2", SIGUSR2 },
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

int signame_to_num(const char *name, size_t n)
{
    size_t i;
    for (i = 0; i < N_NAMES; i++)
        if (strlen(names[i].name) == n && !memcmp(names[i].name, name, n))
            return names[i].sig;
    return 0;
}

const char *signame_from_num(int sig)
{
    size_t i;
    const char *s;
    for (i = 0; i < N_NAMES; i++)
        if (names[i].sig == sig)
            return names[i].name;
    s = sigabbrev_np(sig);
    return s ? s : "UNKNOWN";
}
