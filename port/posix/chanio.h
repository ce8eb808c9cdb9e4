/*
 * Bytes between session channels and child fds; the end of a session
 * (chanio.c).
 */
#ifndef NSSH_POSIX_CHANIO_H
#define NSSH_POSIX_CHANIO_H

#include "conn.h"

/* Write pending client data to the child. */
int chanio_to_child(pconn *s, uint32_t ch);
/* Read child output (fd ready) into the channel while it has room. */
int chanio_from_child(pconn *s, uint32_t ch, ostream *os);
/* Send what is held back; finish the session when the child is done. */
int chanio_progress(pconn *s, uint32_t ch);
/* SIGCHLD: reap children and note their status. */
void chanio_reap(pconn *s);

#endif
