/*
 * Pseudo-terminals: allocation, modes, window size, ownership (pty.c).
 */
#ifndef NSSH_POSIX_PTY_H
#define NSSH_POSIX_PTY_H

#include "conn.h"

int pty_open(session *ss, const uint8_t *modes, size_t modes_len);
int pty_resize(session *ss);
/* Give the terminal to the user (root only), as login does. */
void pty_own(const session *ss, const user_info *u);
void pty_release(session *ss);

#endif
