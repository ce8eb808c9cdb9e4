/*
 * Daemon logging: syslog (SyslogFacility, AUTH by default) or stderr, with sshd's LogLevel
 * names and its line shapes ("error: ...", "debug1: ...").
 */
#ifndef NSSH_POSIX_LOG_H
#define NSSH_POSIX_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum {
    LL_QUIET = 0,
    LL_FATAL,
    LL_ERROR,
    LL_INFO,
    LL_VERBOSE,
    LL_DEBUG1,
    LL_DEBUG2,
    LL_DEBUG3
};

/* Until log_init is called, INFO and above go to stderr. Syslog gets
 * ident (the program's name) with the pid, facility LOG_AUTH; log_setup
 * names the facility (SyslogFacility). */
void log_init(const char *ident, int level, int to_stderr);
void log_setup(const char *ident, int level, int to_stderr, int facility);
/* A connection's own LogLevel (Match). */
void log_set_level(int level);
/* Re-open syslog in a forked child (keeps the settings). */
void log_reopen(void);
/* Connect to syslog at once (before a chroot). */
void log_connect_now(void);
int log_level(void);
/* Are lines written to a file descriptor (stderr) rather than syslog? */
int log_to_stderr(void);
/* The descriptor "stderr" lines go to (STDERR_FILENO by default); a
 * session child keeps the daemon's log there (internal-sftp). */
void log_set_fd(int fd);
/* LogLevel name (QUIET ... DEBUG3, DEBUG for DEBUG1; case-insensitive)
 * to LL_*: 0, or NSSH_ERR_FORMAT. */
int log_level_from_name(const char *s, int *level);
/* The LogLevel name of an LL_* level ("?" for none). */
const char *log_level_name(int level);
/* Would a record at this level be written? */
int log_enabled(int level);

void logit(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vlogit(int level, const char *fmt, va_list ap);

/* LogVerbose: "file:function():line" pattern lists (sshd's syntax) that
 * force the lines of log_verbose and log_debug* below out whatever the
 * LogLevel. The array MUST outlive the logging. */
void log_set_verbose(char *const *patterns, size_t n);
/* A line that names where it was written (the macros below). */
void logit_at(const char *file, const char *func, int line, int level,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_fatal(...) logit(LL_FATAL, __VA_ARGS__)
#define log_error(...) logit(LL_ERROR, __VA_ARGS__)
#define log_info(...) logit(LL_INFO, __VA_ARGS__)
#define LOG_AT(l, ...) logit_at(__FILE__, __func__, __LINE__, l, __VA_ARGS__)
#define log_verbose(...) LOG_AT(LL_VERBOSE, __VA_ARGS__)
#define log_debug(...) LOG_AT(LL_DEBUG1, __VA_ARGS__)
#define log_debug2(...) LOG_AT(LL_DEBUG2, __VA_ARGS__)
#define log_debug3(...) LOG_AT(LL_DEBUG3, __VA_ARGS__)

#endif
