/*
 * The child of a session: pty or pipes, user identity, environment, exec
 * (spawn.c).
 */
#ifndef NSSH_POSIX_SPAWN_H
#define NSSH_POSIX_SPAWN_H

#include "conn.h"

int spawn_session(srv *s, uint32_t ch, const char *command);

#endif
