/*
 * utmp, wtmp and lastlog through glibc's utmp API and the lastlog file,
 * the way OpenSSH's loginrec.c fills them on Linux: ut_line is the tty
 * without "/dev/", ut_id its last four characters, ut_host the client's
 * address (UseDNS no); a logout keeps line and id and clears the rest.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <lastlog.h>
#include <paths.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include "loginrec.h"
#include "log.h"

/* Copy a C string into a utmp field, which has no terminating NUL when
 * full. */
static void field(char *dst, size_t cap, const char *src)
{
    memset(dst, 0, cap);
    memcpy(dst, src, strnlen(src, cap));
}

static void base_entry(struct utmp *ut, short type, pid_t pid, const char *tty)
{
    const char *line = strncmp(tty, "/dev/", 5) ? tty : tty + 5;
    size_t n = strlen(line);
    struct timeval tv;
    memset(ut, 0, sizeof(*ut));
    ut->ut_type = type;
    ut->ut_pid = pid;
    field(ut->ut_line, sizeof(ut->ut_line), line);
    /* sshd's line_abbrevname: the last sizeof(ut_id) characters. */
    field(ut->ut_id, sizeof(ut->ut_id),
          n > sizeof(ut->ut_id) ? line + n - sizeof(ut->ut_id) : line);
    gettimeofday(&tv, NULL);
    ut->ut_tv.tv_sec = (int32_t)tv.tv_sec;
    ut->ut_tv.tv_usec = (int32_t)tv.tv_usec;
}

static void write_utmp(const struct utmp *ut)
{
    int ok;
    setutent();
    ok = pututline(ut) != NULL;
    endutent();
    if (!ok)
        log_debug("utmp: could not write the entry for %.32s: %s",
                  ut->ut_line, strerror(errno));
    updwtmp(_PATH_WTMP, ut);
}

static void write_lastlog(uid_t uid, const char *line, const char *host)
{
    struct lastlog ll;
    int fd = open(_PATH_LASTLOG, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_debug("lastlog: open %s: %s", _PATH_LASTLOG, strerror(errno));
        return;
    }
    memset(&ll, 0, sizeof(ll));
    ll.ll_time = (int32_t)time(NULL);
    field(ll.ll_line, sizeof(ll.ll_line), line);
    field(ll.ll_host, sizeof(ll.ll_host), host);
    if (pwrite(fd, &ll, sizeof(ll), (off_t)uid * (off_t)sizeof(ll)) !=
        (ssize_t)sizeof(ll))
        log_debug("lastlog: write for uid %lu: %s", (unsigned long)uid,
                  strerror(errno));
    close(fd);
}

void loginrec_login(const char *user, uid_t uid, pid_t pid, const char *tty,
                    const char *host)
{
    struct utmp ut;
    struct in6_addr a6;
    struct in_addr a4;
    if (geteuid() != 0 || !tty[0])
        return;
    base_entry(&ut, USER_PROCESS, pid, tty);
    field(ut.ut_user, sizeof(ut.ut_user), user);
    field(ut.ut_host, sizeof(ut.ut_host), host);
    if (inet_pton(AF_INET, host, &a4) == 1)
        memcpy(ut.ut_addr_v6, &a4, sizeof(a4));
    else if (inet_pton(AF_INET6, host, &a6) == 1)
        memcpy(ut.ut_addr_v6, &a6, sizeof(a6));
    write_utmp(&ut);
    write_lastlog(uid, ut.ut_line, host);
}

void loginrec_logout(pid_t pid, const char *tty)
{
    struct utmp ut;
    if (geteuid() != 0 || !tty[0])
        return;
    base_entry(&ut, DEAD_PROCESS, pid, tty);
    write_utmp(&ut);
}

void loginrec_last_message(uid_t uid, char *out, size_t cap)
{
    struct lastlog ll;
    char when[64], host[sizeof(ll.ll_host) + 1];
    time_t t;
    int fd = open(_PATH_LASTLOG, O_RDONLY | O_CLOEXEC);
    out[0] = 0;
    if (fd < 0)
        return;
    if (pread(fd, &ll, sizeof(ll), (off_t)uid * (off_t)sizeof(ll)) !=
        (ssize_t)sizeof(ll) || ll.ll_time == 0) {
        close(fd);
        return;
    }
    close(fd);
    t = (time_t)ll.ll_time;
    /* ctime(3) without its newline, as sshd prints it. */
    if (!ctime_r(&t, when))
        return;
    when[strcspn(when, "\n")] = 0;
    memcpy(host, ll.ll_host, sizeof(ll.ll_host));
    host[sizeof(ll.ll_host)] = 0;
    if (host[0])
        snprintf(out, cap, "Last login: %s from %s\r\n", when, host);
    else
        snprintf(out, cap, "Last login: %s\r\n", when);
}
