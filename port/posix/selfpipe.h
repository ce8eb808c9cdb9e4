/*
 * Signals into the poll loop: a handler writes the signal number into a
 * non-blocking pipe whose read end the loop watches.
 */
#ifndef NSSH_POSIX_SELFPIPE_H
#define NSSH_POSIX_SELFPIPE_H

/* Open the pipe (closing a previous one) and catch the listed signals
 * (0-terminated). Returns the read end or a negative error. */
int selfpipe_open(const int *signals);
/* Drain the pipe; returns a bit mask (1u << signo) of signals seen. */
unsigned selfpipe_drain(int fd);
/* Close it and put the caught signals back to their defaults. */
void selfpipe_close(void);
/* Default dispositions and an empty mask, for a process about to exec. */
void signals_reset(void);

#endif
