/*
 * internal-sftp: the SFTP server module (include/nanossh_sftp.h) on the
 * POSIX filesystem, run in a session's child process after it has become
 * the user, where sftp-server would have been exec'd.
 *
 *   sftp_posix.c  the nssh_sftp_fs callbacks over POSIX calls
 *   sftp_child.c  internal-sftp's options, log lines, the serving loop
 */
#ifndef NSSH_POSIX_SFTP_H
#define NSSH_POSIX_SFTP_H

#include "nanossh_sftp.h"

/* The user the backend serves (home-directory, expand-path "~"). */
typedef struct sftp_posix {
    const char *user;
    const char *home;
} sftp_posix;

const nssh_sftp_fs *sftp_posix_fs(void);

/* Is this command line internal-sftp (sshd's name for the built-in
 * server), with or without options? */
int sftp_internal_is(const char *command);

/* Check internal-sftp's options (sshd's -d -e -f -l -P -p -R -u), for the
 * configuration test; 0 or -1 with a sentence in err. */
int sftp_internal_check(const char *command, char *err, size_t cap);

/* Serve SFTP on in_fd/out_fd until the client closes; log lines go to
 * log_fd when the daemon logs to stderr (-1: syslog), or to fd 2 with -e.
 * Returns the process exit status. */
int sftp_internal_run(const char *command, int in_fd, int out_fd, int log_fd,
                      const char *user, const char *home, const char *peer);

#endif
