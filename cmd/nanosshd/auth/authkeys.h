/*
 * authorized_keys: find a key and its options (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT). A line with an option nanossh does not know is refused as a
 * whole, never half-honoured.
 */
#ifndef NSSHD_AUTHKEYS_H
#define NSSHD_AUTHKEYS_H

#include <stddef.h>
#include <stdint.h>

#define AUTHKEYS_MAX_ENV 16
#define AUTHKEYS_MAX_PERMIT 16

typedef struct authkey_opts {
    int restrict_all;     /* "restrict": everything below off unless re-allowed */
    int no_pty;           /* no-pty (or restrict without pty) */
    int no_port_forwarding;
    int no_agent_forwarding;
    int no_x11_forwarding;
    int no_user_rc;
    int no_touch_required;   /* no-touch-required: security key without touch */
    int verify_required;     /* verify-required: security key PIN/biometric */
    char *command;        /* command="..." (malloc'ed, NULL if none) */
    char *from;           /* from="pattern-list" as written */
    char *env[AUTHKEYS_MAX_ENV];   /* environment="NAME=value" */
    size_t n_env;
    char *permitopen[AUTHKEYS_MAX_PERMIT];    /* permitopen="host:port" */
    size_t n_permitopen;
    char *permitlisten[AUTHKEYS_MAX_PERMIT];  /* permitlisten="[host:]port" */
    size_t n_permitlisten;
    char *comment;        /* the key's comment, if any */
    int64_t expiry;       /* expiry-time (the earliest given): seconds
                             since 1970, 64-bit past 2038; 0 for none */
    int cert_authority;   /* cert-authority: the key is a CA for user
                             certificates (certauth.c), not a user key */
    char *principals;     /* principals="name,...": with cert-authority */
} authkey_opts;

enum {
    AUTHKEYS_MATCH = 1,      /* key found and allowed; *opts filled */
    AUTHKEYS_NOMATCH = 0,    /* key not in the file (or file missing) */
    AUTHKEYS_REFUSED = -1    /* key found but refused (unknown option,
                                from= mismatch, bad syntax); why says why */
};

/*
 * Look for the public key blob (key_type as in the blob) in an
 * authorized_keys file's contents. remote_addr is the client's address as
 * text ("127.0.0.1", "::1") for from=; remote_host may be NULL. On
 * AUTHKEYS_MATCH opts is filled (free with authkeys_opts_free); line_no
 * gets the matching line. why (may be NULL) gets a reason on refusal or a
 * note on skipped malformed lines.
 */
int authkeys_find(const char *data, size_t len, const char *key_type,
                  const uint8_t *blob, size_t blob_len, const char *remote_addr,
                  const char *remote_host, authkey_opts *opts,
                  unsigned *line_no, char *why, size_t why_cap);

/* Same, reading the file at path. Missing or unreadable file: NOMATCH with
 * why set. */
int authkeys_find_file(const char *path, const char *key_type,
                       const uint8_t *blob, size_t blob_len,
                       const char *remote_addr, const char *remote_host,
                       authkey_opts *opts, unsigned *line_no, char *why,
                       size_t why_cap);

void authkeys_opts_free(authkey_opts *opts);

/* authkeys_merge.c: *out = the options of a key that succeeded after
 * one with options a (NULL: b is the first, copied), as sshd merges them
 * (restrictions accumulate, earliest expiry, a's lists first). 0, or -1
 * with *err set ("forced command options do not match") and out empty. */
int authkeys_opts_merge(const authkey_opts *a, const authkey_opts *b,
                        authkey_opts *out, const char **err);

/*
 * As authkeys_find, for a CA key: only lines with cert-authority count
 * (authkeys_find skips them, as sshd does: a CA key is not a user key).
 * With resume (may be NULL) the scan starts at byte *resume and line
 * *line_no (both 0 at first) and leaves them after the deciding line, so
 * a caller can go on to the next cert-authority line for the same CA, as
 * sshd tries every line. authkeys_find_ca_file reads the whole file.
 */
int authkeys_find_ca(const char *data, size_t len, const char *key_type,
                     const uint8_t *blob, size_t blob_len,
                     const char *remote_addr, const char *remote_host,
                     authkey_opts *opts, size_t *resume, unsigned *line_no,
                     char *why, size_t why_cap);
int authkeys_find_ca_file(const char *path, const char *key_type,
                          const uint8_t *blob, size_t blob_len,
                          const char *remote_addr, const char *remote_host,
                          authkey_opts *opts, unsigned *line_no, char *why,
                          size_t why_cap);

/* Largest authorized_keys file read. */
#define AUTHKEYS_FILE_MAX (4u << 20)

/* expiry-time's "YYYYMMDD[HHMM[SS]][Z]" (sshd's parse_absolute_time):
 * local time, or UTC with the Z. 0 and *t set, or -1 when malformed. */
int authkeys_parse_time(const char *v, int64_t *t);

#endif
