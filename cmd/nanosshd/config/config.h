/*
 * Internal to the configuration code: the keyword table and the helpers
 * its rows use.
 *
 * Map:
 *   config.c        lines, words, dispatch to the keyword table
 *   config_file.c   files, Include, collecting Match blocks
 *   config_table.c  the keywords: one row each, defaults, -T order
 *   config_kw.c     keyword types (yes/no, numbers, times, strings, lists)
 *   config_net.c    Port, ListenAddress, HostKey, MaxStartups, PidFile,
 *                   RekeyLimit, LogLevel, AuthorizedKeysFile, AcceptEnv
 *   config_algs.c   KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms,
 *                   PubkeyAcceptedAlgorithms (+, -, ^ lists)
 *   config_match.c  Match criteria: checked at load, evaluated per connection
 *   config_show.c   -T output of the keywords with their own storage
 *   config_pkauth.c PubkeyAuthOptions
 *   config_timeout.c ChannelTimeout, UnusedConnectionTimeout
 *
 * Adding a keyword: a field in daemon_opts (opts.h) and one row in
 * config_table.c. Yes/no, numbers, times, strings and word lists need
 * nothing else (the KW_* macros there); a keyword with its own syntax
 * gives a parse function with the kw_fn signature, and a show and, when
 * Match may set it, a reset function.
 */
#ifndef NSSHD_CONFIG_H
#define NSSHD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "opts.h"

/* Words on one line, and bytes, at most. */
#define CFG_ARGS_MAX 64
#define CFG_LINE_MAX 4096

/* Parse the words after the keyword into o. Scalars keep their first
 * value. err gets the reason (without file and line). */
typedef int (*kw_fn)(daemon_opts *o, char **av, size_t ac, char *err,
                     size_t cap);
/* Back to "not set" (before a Match block's first value for it). */
typedef void (*kw_reset_fn)(daemon_opts *o);
/* -T: print "keyword value" lines; name is the keyword in lower case. */
typedef void (*kw_show_fn)(const daemon_opts *o, const char *name, FILE *f);

enum {
    KT_CUSTOM = 0,   /* parse / reset / show functions */
    KT_YESNO,        /* int: 1 yes, 0 no, -1 unset */
    KT_NUM,          /* long: 0..lim, -1 unset */
    KT_TIME,         /* long seconds ("1h30m"), 0..lim, -1 unset */
    KT_ENUM,         /* int: a value of names[], -1 unset */
    KT_STR,          /* char *: NULL unset; "none" gives "" with KW_NONE */
    KT_LIST,         /* strlist: words accumulate over lines */
    KT_FIXED         /* a feature nanosshd lacks: only the value "fixed" */
};

/* Row flags. */
#define KW_MATCH 0x01u   /* allowed in a Match block */
#define KW_NONE 0x02u    /* KT_STR: "none" means none */
#define KW_FIRST 0x04u   /* KT_LIST: the first line wins, later ones ignored */
#define KW_RAW 0x08u     /* one argument: the rest of the line as written */
#define KW_NAMEVAL 0x10u /* KT_LIST: each word is NAME=value */
#define KW_WORDS 0x20u   /* KT_STR: several words, kept joined by one space */

typedef struct kw_name {
    const char *name;
    int value;
} kw_name;

typedef struct keyword {
    const char *name;
    unsigned char type;         /* KT_* */
    unsigned char flags;        /* KW_* */
    unsigned char min_args, max_args;
    size_t off;                 /* typed rows: offsetof(daemon_opts, field) */
    long lim;                   /* KT_NUM, KT_TIME: largest value */
    long def;                   /* KT_YESNO, KT_NUM, KT_TIME, KT_ENUM default */
    const kw_name *names;       /* KT_ENUM, NULL-terminated */
    const char *fixed;          /* KT_FIXED: the one value accepted */
    const char *sdef;           /* KT_STR: the default, or NULL for none */
    kw_fn parse;                /* KT_CUSTOM */
    kw_reset_fn reset;          /* KT_CUSTOM with KW_MATCH */
    kw_show_fn show;            /* KT_CUSTOM */
} keyword;

/* ---- config.c ------------------------------------------------------------- */
/* One line into buf (CFG_LINE_MAX bytes; CR LF cut): *kw is the keyword and
 * *rest what follows it. Returns 1 for a keyword line, 0 for a blank or
 * comment line, or a negative error (err says why). */
int config_prepare(const char *line, char *buf, const char **kw, char **rest,
                   char *err, size_t cap);
/* "source: line N: why" into err; returns e. */
int config_line_error(char *err, size_t cap, const char *source,
                      unsigned lineno, const char *why, int e);
/* Split in place into words (blanks separate, "double quotes" group, an
 * unquoted '#' starting a word ends the line). */
int config_split(char *s, char **av, size_t max, size_t *ac);
/* One line, global (in_match 0) or from a Match block. err gets the
 * reason without file and line. */
int config_apply(daemon_opts *o, const char *line, int in_match, char *err,
                 size_t cap);

/* ---- config_table.c ------------------------------------------------------ */
extern const keyword config_keywords[];
extern const size_t config_n_keywords;
/* Row of a keyword (case-insensitive), or NULL. */
const keyword *config_keyword(const char *name);
/* Is name a keyword of OpenSSH's sshd that nanosshd does not have? */
int config_known_elsewhere(const char *name);
/* Defaults of the typed rows for what is still unset. */
void config_defaults(daemon_opts *o);

/* ---- config_kw.c ---------------------------------------------------------- */
int kw_parse_typed(const keyword *k, daemon_opts *o, char **av, size_t ac,
                   char *err, size_t cap);
void kw_reset_typed(const keyword *k, daemon_opts *o);
void kw_show_typed(const keyword *k, const daemon_opts *o, const char *name,
                   FILE *f);
/* "kw: invalid value "v"." */
int kw_bad_value(const char *kw, const char *v, char *err, size_t cap);
int strlist_add(strlist *l, const char *v);
void strlist_free(strlist *l);

/* ---- config_srclimit.c ------------------------------------------------------ */
int kw_persource_startups(daemon_opts *o, char **av, size_t ac, char *err,
                          size_t cap);
int kw_netblock(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_penalties(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_penalty_exempt(daemon_opts *o, char **av, size_t ac, char *err,
                      size_t cap);
int kw_gex_max(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
void kw_reset_srclimit(daemon_opts *o);   /* every per-source value */
void kw_reset_penalty_exempt(daemon_opts *o);
/* sshd 9.8's defaults for what is unset. */
void srclimit_opts_finish(daemon_opts *o);
void show_persource_startups(const daemon_opts *o, const char *name, FILE *f);
void show_netblock(const daemon_opts *o, const char *name, FILE *f);
void show_penalties(const daemon_opts *o, const char *name, FILE *f);
void show_penalty_exempt(const daemon_opts *o, const char *name, FILE *f);
void show_gex_max(const daemon_opts *o, const char *name, FILE *f);

/* ---- config_net.c ---------------------------------------------------------- */
int kw_port(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_listen(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_hostkey(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_akfile(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_loglevel(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_rekey(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_ipqos(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_acceptenv(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_pidfile(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_startups(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
void kw_reset_akfile(daemon_opts *o);
void kw_reset_loglevel(daemon_opts *o);
void kw_reset_rekey(daemon_opts *o);
void kw_reset_ipqos(daemon_opts *o);
void kw_reset_acceptenv(daemon_opts *o);

/* ---- config_algs.c -------------------------------------------------------- */
int kw_kex_algs(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_ciphers(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_macs(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
int kw_hostkey_algs(daemon_opts *o, char **av, size_t ac, char *err,
                    size_t cap);
int kw_pubkey_algs(daemon_opts *o, char **av, size_t ac, char *err,
                   size_t cap);
void kw_reset_pubkey_algs(daemon_opts *o);
void kw_reset_ca_sign_algs(daemon_opts *o);
/* CASignatureAlgorithms: plain signature algorithms only. */
int kw_ca_sign_algs(daemon_opts *o, char **av, size_t ac, char *err,
                    size_t cap);
void show_ca_sign_algs(const daemon_opts *o, const char *name, FILE *f);
/* The backend's default lists for the keywords not given. */
void algs_defaults(daemon_opts *o);
void show_kex_algs(const daemon_opts *o, const char *name, FILE *f);
void show_ciphers(const daemon_opts *o, const char *name, FILE *f);
void show_macs(const daemon_opts *o, const char *name, FILE *f);
void show_hostkey_algs(const daemon_opts *o, const char *name, FILE *f);
void show_pubkey_algs(const daemon_opts *o, const char *name, FILE *f);

/* ---- config_pkauth.c: PubkeyAuthOptions ------------------------------------ */
int kw_pkauth_opts(daemon_opts *o, char **av, size_t ac, char *err, size_t cap);
void kw_reset_pkauth_opts(daemon_opts *o);
void show_pkauth_opts(const daemon_opts *o, const char *name, FILE *f);

/* ---- config_timeout.c: ChannelTimeout, UnusedConnectionTimeout ---------- */
int kw_chan_timeout(daemon_opts *o, char **av, size_t ac, char *err,
                    size_t cap);
void kw_reset_chan_timeout(daemon_opts *o);
void show_chan_timeout(const daemon_opts *o, const char *name, FILE *f);
int kw_unused_timeout(daemon_opts *o, char **av, size_t ac, char *err,
                      size_t cap);
void kw_reset_unused_timeout(daemon_opts *o);
void show_unused_timeout(const daemon_opts *o, const char *name, FILE *f);

/* ---- config_match.c ------------------------------------------------------- */
/* Check a Match line's criteria (the words after "Match"). */
int match_check(char **av, size_t ac, char *err, size_t cap);

/* ---- config_show.c ---------------------------------------------------------- */
void show_port(const daemon_opts *o, const char *name, FILE *f);
void show_listen(const daemon_opts *o, const char *name, FILE *f);
void show_hostkey(const daemon_opts *o, const char *name, FILE *f);
void show_akfile(const daemon_opts *o, const char *name, FILE *f);
void show_loglevel(const daemon_opts *o, const char *name, FILE *f);
void show_rekey(const daemon_opts *o, const char *name, FILE *f);
void show_ipqos(const daemon_opts *o, const char *name, FILE *f);
/* The IPQoS name of a TOS byte, NULL when it has none. */
const char *config_qos_name(int tos);
void show_acceptenv(const daemon_opts *o, const char *name, FILE *f);
void show_pidfile(const daemon_opts *o, const char *name, FILE *f);
void show_startups(const daemon_opts *o, const char *name, FILE *f);
void show_subsystem(const daemon_opts *o, const char *name, FILE *f);
void reset_subsystem(daemon_opts *o);
/* config_fwd.c: StreamLocalBindMask (an octal umask). */
int kw_streamlocal_mask(daemon_opts *o, char **av, size_t ac, char *err,
                        size_t cap);
void kw_reset_streamlocal_mask(daemon_opts *o);
void show_streamlocal_mask(const daemon_opts *o, const char *name, FILE *f);
void show_allow_tcp_fwd(const daemon_opts *o, const char *name, FILE *f);
void show_gateway_ports(const daemon_opts *o, const char *name, FILE *f);
void show_permit_open(const daemon_opts *o, const char *name, FILE *f);
void show_permit_listen(const daemon_opts *o, const char *name, FILE *f);
void show_password_auth(const daemon_opts *o, const char *name, FILE *f);
void show_kbdint_auth(const daemon_opts *o, const char *name, FILE *f);
void show_use_pam(const daemon_opts *o, const char *name, FILE *f);
void show_permit_root(const daemon_opts *o, const char *name, FILE *f);
void show_permit_user_env(const daemon_opts *o, const char *name, FILE *f);
void reset_allow_tcp_fwd(daemon_opts *o);
void reset_gateway_ports(daemon_opts *o);
void reset_permit_open(daemon_opts *o);
void reset_permit_listen(daemon_opts *o);
void reset_password_auth(daemon_opts *o);
void reset_kbdint_auth(daemon_opts *o);
void reset_permit_root(daemon_opts *o);

#endif
