/*
 * Single-process mode: one epoll loop for every connection (single.c).
 */
#ifndef NSSHD_SINGLE_H
#define NSSHD_SINGLE_H

#include "listener.h"
#include "opts.h"
#include "hostkeys.h"

/* Options single-process mode cannot honour (Match: one configuration is
 * shared by all connections); logged. 0 when none. */
int single_check(const daemon_opts *o);
/* Accept and serve every connection in this process until SIGTERM or
 * SIGINT; raises the soft limit on open files to the hard one. Only the
 * user the daemon runs as may log in (auth/authcb.c). */
int single_run(listener *l, daemon_opts *o, const hostkey_set *hk);

#endif
