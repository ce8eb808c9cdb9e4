/*
 * The connection processes the listener has forked (startups.c): which
 * are still unauthenticated (MaxStartups, PerSourceMaxStartups, random
 * early drop), where each came from, and what each reports back.
 */
#ifndef NSSHD_STARTUPS_H
#define NSSHD_STARTUPS_H

#include <stddef.h>
#include <sys/types.h>

#include "opts.h"
#include "srclimit.h"

/* Bytes a connection process writes on its pipe to the listener. */
#define STARTUPS_MSG_AUTH 'A'   /* the user is authenticated */
#define STARTUPS_MSG_KEXDH 'K'  /* one finite-field DH exchange done */

typedef struct startup {
    pid_t pid;
    int fd;                     /* the pipe's read end; -1 once not pending */
    int authed;                 /* it said STARTUPS_MSG_AUTH */
    unsigned kex;               /* STARTUPS_MSG_KEXDH bytes so far */
    src_addr peer;              /* af 0 when unknown */
} startup;

typedef struct startups {
    startup *c;                 /* every live connection process */
    size_t n, cap;
    size_t pending;             /* those with fd >= 0 */
} startups;

void startups_init(startups *st);
void startups_free(startups *st);
/* Should a new connection be dropped now (random early drop)? */
int startups_drop(const startups *st, const daemon_opts *o);
/* Pending connections from peer's net block (PerSourceNetBlockSize). */
size_t startups_from(const startups *st, const daemon_opts *o,
                     const src_addr *peer);
/* A new pending connection: *child_end is the write end for its process;
 * set the pid with startups_set_pid once forked, or startups_undo. */
int startups_add(startups *st, const src_addr *peer, int *child_end);
void startups_set_pid(startups *st, pid_t pid);
void startups_undo(startups *st);
/* The read end fd is readable: reads what the process said and copies
 * the peer into *peer; on EOF or STARTUPS_MSG_AUTH the connection is no
 * longer pending. Returns how many DH exchanges to charge now: every one
 * after the connection's first (a client has no need to exchange keys
 * again before it logs in). */
unsigned startups_read(startups *st, int fd, src_addr *peer);
/* pid exited: 1 and its entry's peer, authed flag and the DH exchanges
 * still to charge (those not read yet, and the first one when the user
 * never logged in), and the entry is gone; 0 when pid is not ours. */
int startups_reaped(startups *st, pid_t pid, src_addr *peer, int *authed,
                    unsigned *kex);

/* In a connection's process: keep the write end; tell the listener of
 * each DH exchange and of the login, then close it. */
void startups_child(int fd);
void startups_kexdh(unsigned total);
void startups_authenticated(void);

#endif
