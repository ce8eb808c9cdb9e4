/*
 * Login records as sshd keeps them on Linux (loginrec.c): a utmp entry
 * while a pty session runs, wtmp entries at its start and end, and the
 * user's lastlog slot, so who(1), last(1) and lastlog(8) see nanosshd's
 * sessions. Writing them needs root; without it they are skipped.
 */
#ifndef NSSH_POSIX_LOGINREC_H
#define NSSH_POSIX_LOGINREC_H

#include <stddef.h>
#include <sys/types.h>

/* A pty session began: utmp USER_PROCESS and wtmp for tty ("/dev/pts/N")
 * and pid, and the lastlog slot of uid. host is the client's address. */
void loginrec_login(const char *user, uid_t uid, pid_t pid, const char *tty,
                    const char *host);
/* It ended: the utmp entry becomes DEAD_PROCESS, and wtmp says so. */
void loginrec_logout(pid_t pid, const char *tty);
/* sshd's "Last login: <ctime> from <host>\r\n" from uid's lastlog slot
 * into out; "" when it holds no earlier login. */
void loginrec_last_message(uid_t uid, char *out, size_t cap);

#endif
