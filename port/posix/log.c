/*
 * Log lines go to syslog or to stderr. On stderr a line is written with a
 * single write() so lines from several connection processes never mix.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "nanossh.h"
#include "log.h"

static int cur_level = LL_INFO;
static int use_stderr = 1;
static const char *cur_ident = "nanosshd";
static int cur_facility = LOG_AUTH;
static int err_fd = STDERR_FILENO;

void log_setup(const char *ident, int level, int to_stderr, int facility)
{
    cur_ident = ident ? ident : "nanosshd";
    cur_level = level;
    cur_facility = facility;
    use_stderr = to_stderr;
    if (!use_stderr)
        openlog(cur_ident, LOG_PID, cur_facility);
}

void log_init(const char *ident, int level, int to_stderr)
{
    log_setup(ident, level, to_stderr, LOG_AUTH);
}

void log_set_level(int level) { cur_level = level; }

void log_reopen(void)
{
    if (!use_stderr) {
        closelog();
        openlog(cur_ident, LOG_PID, cur_facility);
    }
}

/* Before a chroot: connect to syslog now, since /dev/log will not be
 * there to connect to later. */
void log_connect_now(void)
{
    if (!use_stderr) {
        closelog();
        openlog(cur_ident, LOG_PID | LOG_NDELAY, cur_facility);
    }
}

int log_level(void) { return cur_level; }

int log_to_stderr(void) { return use_stderr; }

void log_set_fd(int fd) { err_fd = fd; }

int log_enabled(int level) { return level != LL_QUIET && level <= cur_level; }

static const char *prefix(int level)
{
    switch (level) {
    case LL_FATAL: return "fatal: ";
    case LL_ERROR: return "error: ";
    case LL_DEBUG1: return "debug1: ";
    case LL_DEBUG2: return "debug2: ";
    case LL_DEBUG3: return "debug3: ";
    default: return "";
    }
}

static int priority(int level)
{
    switch (level) {
    case LL_FATAL: return LOG_CRIT;
    case LL_ERROR: return LOG_ERR;
    case LL_INFO:
    case LL_VERBOSE: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

/* Control characters from peers (user names, version lines) must not
 * reach a terminal or forge log lines. */
static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

void vlogit(int level, const char *fmt, va_list ap)
{
    char msg[2048], line[2200];
    int saved = errno, n;
    if (!log_enabled(level))
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    sanitize(msg);
    if (use_stderr) {
        n = snprintf(line, sizeof(line), "%s%s\n", prefix(level), msg);
        if (n > (int)sizeof(line) - 1)
            n = sizeof(line) - 1;
        if (write(err_fd, line, (size_t)n) < 0) {
            /* nowhere left to report it */
        }
    } else {
        syslog(priority(level), "%s%s", prefix(level), msg);
    }
    errno = saved;
}

/* LogVerbose (sshd_config(5)): pattern lists matched against
 * "file.c:function():line" force that line out whatever the level. */
static char *const *verbose_pats;
static size_t n_verbose;

void log_set_verbose(char *const *patterns, size_t n)
{
    verbose_pats = patterns;
    n_verbose = n;
}

/* One comma-separated list, '!' negating, as sshd's match_pattern_list. */
static int list_matches(const char *tag, const char *list)
{
    char pat[256];
    int got = 0;
    while (*list) {
        size_t n = strcspn(list, ",");
        int neg = *list == '!';
        if (n - (size_t)neg < sizeof(pat)) {
            memcpy(pat, list + neg, n - (size_t)neg);
            pat[n - (size_t)neg] = 0;
            if (fnmatch(pat, tag, 0) == 0) {
                if (neg)
                    return 0;
                got = 1;
            }
        }
        list += n;
        if (*list == ',')
            list++;
    }
    return got;
}

void logit_at(const char *file, const char *func, int line, int level,
              const char *fmt, ...)
{
    char tag[160], fmt2[1024];
    const char *base = strrchr(file, '/');
    size_t i;
    va_list ap;
    int forced = 0, saved;
    va_start(ap, fmt);
    if (log_enabled(level) || !n_verbose) {
        vlogit(level, fmt, ap);
        va_end(ap);
        return;
    }
    snprintf(tag, sizeof(tag), "%.48s:%.48s():%d", base ? base + 1 : file,
             func, line);
    for (i = 0; i < n_verbose && !forced; i++)
        forced = list_matches(tag, verbose_pats[i]);
    if (forced) {
        saved = cur_level;
        cur_level = level;   /* this one line, at its own level */
        snprintf(fmt2, sizeof(fmt2), "%s: %s", tag, fmt);
        vlogit(level, fmt2, ap);
        cur_level = saved;
    }
    va_end(ap);
}

void logit(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlogit(level, fmt, ap);
    va_end(ap);
}

static const char *const level_names[] = {
    "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG1", "DEBUG2", "DEBUG3"
};

int log_level_from_name(const char *s, int *level)
{
    size_t i;
    if (!s)
        return NSSH_ERR_FORMAT;
    if (!strcasecmp(s, "DEBUG")) {
        *level = LL_DEBUG1;
        return 0;
    }
    for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (!strcasecmp(s, level_names[i])) {
            *level = (int)i;
            return 0;
        }
    return NSSH_ERR_FORMAT;
}

const char *log_level_name(int level)
{
    if (level < 0 || level > LL_DEBUG3)
        return "?";
    return level_names[level];
}
