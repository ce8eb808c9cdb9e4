/*
 * nanosshd's command line (sshd(8) flags).
 */
#ifndef NSSHD_ARGS_H
#define NSSHD_ARGS_H

#include "opts.h"

/* Parse sshd's flags. Prints usage or the error itself. Returns 0 (check
 * o->exit_now) or a negative error; *exit_code is what main should return
 * on error. */
int args_parse(daemon_opts *o, int argc, char **argv, int *exit_code);

#endif
