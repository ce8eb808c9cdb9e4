/*
 * internal-sftp: the SFTP server module (include/nanossh_sftp.h) on the
 * POSIX filesystem, run in a session's child process after it has become
 * the user, where sftp-server would have been exec'd.
 *
 *   sftp_posix.c  the nssh_sftp_fs callbacks over POSIX calls
 *   sftp_opts.c   internal-sftp's options
 *   sftp_child.c  its log lines and the serving loop
 */
#ifndef NSSH_POSIX_SFTP_H
#define NSSH_POSIX_SFTP_H

#include <stddef.h>
#include <sys/types.h>

#include "nanossh_sftp.h"

/* The user the backend serves (home-directory, expand-path "~"). */
typedef struct sftp_posix {
    const char *user;
    const char *home;
} sftp_posix;

const nssh_sftp_fs *sftp_posix_fs(void);

/* internal-sftp's options, parsed. */
typedef struct sftp_opts {
    const char *start_dir;
    int to_stderr;
    int facility;
    int level;
    uint32_t allowed;
    int read_only;
    int umask_set;
    mode_t umask_val;
} sftp_opts;

/* Parse command (copied into buf, which the strings point into); 0, or -1
 * with a sentence in err. */
int sftp_opts_parse(const char *command, sftp_opts *o, char *buf, size_t bcap,
                    char *err, size_t cap);

/* Is this command line internal-sftp (sshd's name for the built-in
 * server), with or without options? */
int sftp_internal_is(const char *command);

/* Check internal-sftp's options (sshd's -d -e -f -l -P -p -R -u), for the
 * configuration test; 0 or -1 with a sentence in err. */
int sftp_internal_check(const char *command, char *err, size_t cap);

/* internal-sftp's logging (-l, -f, -e) in the session's child, before
 * any chroot: lines go to log_fd when the daemon logs to stderr (-1:
 * syslog, connected at once), or to fd 2 with -e. 0, or -1 when the
 * options are bad (said on fd 2). */
int sftp_internal_log(const char *command, int log_fd);

/* Serve SFTP on in_fd/out_fd until the client closes (after
 * sftp_internal_log). Returns the process exit status. */
int sftp_internal_run(const char *command, int in_fd, int out_fd,
                      const char *user, const char *home, const char *peer);

#endif
