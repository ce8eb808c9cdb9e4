/*
 * Running an administrator's helper program for authentication, as sshd
 * does for AuthorizedKeysCommand and AuthorizedPrincipalsCommand
 * (sshd_config(5)): no shell, an absolute program path that only root
 * can change, a named unprivileged user, bounded in time and output.
 *
 *   authcmd_split    the command line into argv (sshd's quoting rules)
 *   authcmd_expand   sshd's %-tokens in one argument
 *   authcmd_run      check the program, fork, drop to the user, exec,
 *                    collect stdout (stderr goes to the log), reap
 */
#ifndef NSSHD_AUTHCMD_H
#define NSSHD_AUTHCMD_H

#include <stddef.h>

#define AUTHCMD_MAX_ARGS 64
/* Defaults when the caller passes 0. sshd waits without a limit; a
 * bound keeps one stuck helper from holding a login (or, in
 * single-process mode, the daemon) past these. */
#define AUTHCMD_DEFAULT_TIMEOUT_MS 30000u
#define AUTHCMD_DEFAULT_MAX_OUTPUT (1024u * 1024u)

/* One %-token: %key becomes value. */
typedef struct authcmd_token {
    char key;
    const char *value;
} authcmd_token;

/*
 * Split line into words as sshd's argv_split does: blanks separate
 * words; "..." and '...' quote (no nesting, the other quote is literal
 * inside); a backslash escapes a quote, a backslash or a blank (and is
 * kept before any other character). Words are written NUL-terminated into
 * store; argv gets up to max pointers into it. Returns the number of words,
 * or -1 (unbalanced quote, too many words, store too small).
 */
int authcmd_split(const char *line, char *store, size_t store_cap,
                  char **argv, size_t max);

/*
 * Expand %x tokens of tmpl into out: %% is one '%', %x one of toks. An
 * unknown token, a trailing '%' or overflow: -1 with why set (sshd
 * refuses such a configuration too), else the length written.
 */
long authcmd_expand(const char *tmpl, const authcmd_token *toks, size_t n,
                    char *out, size_t cap, char *why, size_t why_cap);

typedef struct authcmd_req {
    const char *tag;        /* "AuthorizedKeysCommand": the log's prefix */
    const char *command;    /* the configured line, unexpanded */
    const char *run_as;     /* the user to run as (already %u-expanded) */
    const authcmd_token *toks;  /* tokens allowed in the arguments */
    size_t n_toks;
    /* Appended as the only argument when the line has none (sshd passes
     * the user name to an AuthorizedKeysCommand given without arguments);
     * NULL for none. */
    const char *default_arg;
    unsigned timeout_ms;    /* 0: AUTHCMD_DEFAULT_TIMEOUT_MS */
    size_t max_output;      /* 0: AUTHCMD_DEFAULT_MAX_OUTPUT */
} authcmd_req;

/*
 * Run req's command and collect what it prints on stdout. The program
 * path must be absolute, and it and every directory above it owned by
 * root and not writable by group or others (sshd's safe_path with uid
 * 0). When the daemon is root the child takes run_as's uid, gid
 * and groups; otherwise run_as must be the daemon's own user. The child
 * gets stdin from /dev/null, a minimal environment (PATH, USER, LOGNAME,
 * HOME, LANG), and its stderr lines are logged. Past the time bound it
 * is killed by its PID; more output than the bound also kills it.
 *
 * Returns 0 when the command exited with status 0 within the bounds;
 * then *out is a malloc'ed NUL-terminated buffer of *out_len bytes for the
 * caller to free. Otherwise a negative NSSH_ERR_* code, *out NULL, and
 * the reason logged in sshd's words (callers then refuse, as sshd does).
 */
int authcmd_run(const authcmd_req *req, char **out, size_t *out_len);

#endif
