/*
 * Detaching, the pid file and the restart on SIGHUP (daemon.c).
 */
#ifndef NSSHD_DAEMON_H
#define NSSHD_DAEMON_H

#include "opts.h"

/* Detach from the terminal (fork, setsid); stderr stays when logging there. */
int daemon_detach(const daemon_opts *o);
int pidfile_write(const char *path);
void pidfile_remove(const char *path);
/* SIGHUP: run the program with -t on the same arguments; when the
 * configuration is good, exec it again in this process (in the
 * foreground, as it is already detached). Returns only on failure. */
void daemon_restart(const daemon_opts *o);

#endif
