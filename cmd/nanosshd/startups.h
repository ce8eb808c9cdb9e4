/*
 * MaxStartups: random early drop of unauthenticated connections
 * (startups.c).
 */
#ifndef NSSHD_STARTUPS_H
#define NSSHD_STARTUPS_H

#include <stddef.h>

#include "opts.h"

typedef struct startups {
    int *fds;                   /* read ends, one per pending connection */
    size_t n, cap;
} startups;

void startups_init(startups *st);
void startups_free(startups *st);
/* Should a new connection be dropped now (random early drop)? */
int startups_drop(const startups *st, const daemon_opts *o);
/* A new pending connection: *child_end is the write end for its process. */
int startups_add(startups *st, int *child_end);
/* That read end reported EOF: the connection authenticated or ended. */
void startups_forget(startups *st, int fd);
/* In a connection's process: keep the write end; close it once the user
 * is authenticated. */
void startups_child(int fd);
void startups_authenticated(void);

#endif
