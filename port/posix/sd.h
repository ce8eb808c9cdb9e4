/*
 * systemd: socket activation and sd_notify, without libsystemd (sd.c).
 */
#ifndef NSSH_POSIX_SD_H
#define NSSH_POSIX_SD_H

#include <stddef.h>

/* Sockets passed by socket activation (LISTEN_PID, LISTEN_FDS): how many
 * were written to fds (0 when none), or a negative error. */
int sd_sockets(int *fds, size_t max);
/* Before restarting by exec: the passed sockets stay this pid's. */
void sd_sockets_keep(void);
/* "READY=1", "STOPPING=1", ... to $NOTIFY_SOCKET when set. */
void sd_notify_state(const char *state);

#endif
