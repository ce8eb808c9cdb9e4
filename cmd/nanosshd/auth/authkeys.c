/*
 * authorized_keys (sshd(8) AUTHORIZED_KEYS FILE FORMAT): one key per line,
 * "[options] type base64 [comment]"; blank lines and lines starting with
 * '#' are ignored. The first line holding the offered key decides: its
 * options are applied, or the key is refused when an option is unknown or
 * from= does not match. Lines that cannot be parsed are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authkeys_int.h"
#include "pattern.h"
#include "files.h"
#include "nanossh_ossl.h"

typedef struct fields {
    const char *opts;            /* NULL when the line has none */
    size_t opts_n;
    const char *type;
    size_t type_n;
    uint8_t *blob;               /* decoded key, in the caller's buffer */
    size_t blob_n;
    const char *comment;
    size_t comment_n;
} fields;

static size_t skip_ws(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i;
}

static size_t token_end(const char *p, size_t n, size_t i)
{
    while (i < n && p[i] != ' ' && p[i] != '\t')
        i++;
    return i;
}

/* "type base64 [comment]" at p: 0, or -1 when p does not hold a key whose
 * blob names the same type as the line. */
static int key_part(const char *p, size_t n, fields *f, uint8_t *buf, size_t cap)
{
    size_t t_end = token_end(p, n, 0), b, b_end, c;
    char name[128];
    long got;

    b = skip_ws(p, n, t_end);
    b_end = token_end(p, n, b);
    if (t_end == 0 || b == t_end || b_end == b)
        return -1;
    got = nssh_ossl_base64_decode(p + b, b_end - b, buf, cap);
    if (got < 0 || nssh_ossl_blob_type(buf, (size_t)got, name, sizeof(name)) < 0 ||
        strlen(name) != t_end || memcmp(name, p, t_end) != 0)
        return -1;
    f->type = p;
    f->type_n = t_end;
    f->blob = buf;
    f->blob_n = (size_t)got;
    c = skip_ws(p, n, b_end);
    f->comment = p + c;
    f->comment_n = n - c;
    while (f->comment_n > 0 && (f->comment[f->comment_n - 1] == ' ' ||
                                f->comment[f->comment_n - 1] == '\t'))
        f->comment_n--;
    return 0;
}

/* Split a line into options and key. The options end at the first blank
 * outside double quotes (inside them, \" does not end the quote). */
static int split_line(const char *p, size_t n, fields *f, uint8_t *buf,
                      const char **err)
{
    size_t i = 0;
    int quoted = 0;

    memset(f, 0, sizeof(*f));
    if (key_part(p, n, f, buf, n) == 0)
        return 0;
    for (; i < n && (quoted || (p[i] != ' ' && p[i] != '\t')); i++) {
        if (quoted && p[i] == '\\' && i + 1 < n && p[i + 1] == '"')
            i++;
        else if (p[i] == '"')
            quoted = !quoted;
    }
    if (quoted) {
        *err = "unterminated quote in the options";
        return -1;
    }
    f->opts = p;
    f->opts_n = i;
    i = skip_ws(p, n, i);
    if (key_part(p + i, n - i, f, buf, n) < 0) {
        *err = "no key type and base64 key (or they disagree)";
        return -1;
    }
    return 0;
}

static char *dup_n(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* sshd's format_absolute_time: local time, or the seconds when a
 * time_t cannot hold the value. */
static void expired_text(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((int64_t)tt != t || !localtime_r(&tt, &tm) ||
        !strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm))
        snprintf(out, cap, "%lld", (long long)t);
}

/* The line holds the offered key: decide with its options. */
static int decide(const fields *f, unsigned line, const char *addr,
                  const char *host, int want_ca, authkey_opts *o, char *why,
                  size_t cap)
{
    char err[160] = "";
    int r;

    if (f->opts && authkeys_parse_opts(f->opts, f->opts_n, o, err, sizeof(err)) < 0) {
        snprintf(why, cap, "line %u: %s; key refused", line, err);
        return AUTHKEYS_REFUSED;
    }
    /* A CA line is not a user key line and the other way round: the
     * search goes on (sshd's check_authkey_line). */
    if (!o->cert_authority != !want_ca)
        return AUTHKEYS_NOMATCH;
    if (o->principals && !o->cert_authority) {
        snprintf(why, cap, "line %u: principals on non-CA key", line);
        return AUTHKEYS_REFUSED;
    }
    if (o->from) {
        r = match_addr_list(o->from, addr, host, err, sizeof(err));
        if (r < 0) {
            snprintf(why, cap, "line %u: %s; key refused", line, err);
            return AUTHKEYS_REFUSED;
        }
        if (r == 0) {
            snprintf(why, cap, "line %u: from=\"%.80s\" does not allow %s%s%s%s",
                     line, o->from, addr ? addr : "?", host ? " (" : "",
                     host ? host : "", host ? ")" : "");
            return AUTHKEYS_REFUSED;
        }
    }
    if (o->expiry && (int64_t)time(NULL) > o->expiry) {
        expired_text(o->expiry, err, sizeof(err));
        snprintf(why, cap, "line %u: entry expired at %s", line, err);
        return AUTHKEYS_REFUSED;
    }
    if (f->comment_n && !(o->comment = dup_n(f->comment, f->comment_n))) {
        snprintf(why, cap, "line %u: out of memory", line);
        return AUTHKEYS_REFUSED;
    }
    return AUTHKEYS_MATCH;
}

/* From byte *resume (line *line_no) when resume is given: the scan goes
 * on after an earlier match, and *resume is left past the line that
 * decided. */
static int find(const char *data, size_t len, const char *key_type,
                const uint8_t *blob, size_t blob_len, const char *remote_addr,
                const char *remote_host, int want_ca, authkey_opts *opts,
                size_t *resume, unsigned *line_no, char *why, size_t why_cap)
{
    char note[256] = "";
    unsigned line = resume && line_no ? *line_no : 0, bad = 0;
    uint8_t *buf = NULL;
    size_t pos = resume ? *resume : 0, tlen = strlen(key_type);
    int r = AUTHKEYS_NOMATCH;

    memset(opts, 0, sizeof(*opts));
    if (line_no)
        *line_no = 0;
    if (why && why_cap)
        why[0] = '\0';
    while (pos < len && r == AUTHKEYS_NOMATCH) {
        const char *p = data + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos, i;
        const char *err = NULL;
        fields f;

        pos += n + 1;
        line++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        i = skip_ws(p, n, 0);
        if (i == n || p[i] == '#')
            continue;
        free(buf);
        if (!(buf = malloc(n))) {
            r = AUTHKEYS_REFUSED;
            snprintf(note, sizeof(note), "out of memory");
            break;
        }
        if (split_line(p + i, n - i, &f, buf, &err) < 0) {
            if (bad++ == 0)
                snprintf(note, sizeof(note), "line %u: %s; line skipped", line, err);
            continue;
        }
        if (f.type_n != tlen || memcmp(f.type, key_type, tlen) != 0 ||
            f.blob_n != blob_len || memcmp(f.blob, blob, blob_len) != 0)
            continue;
        r = decide(&f, line, remote_addr, remote_host, want_ca, opts, note,
                   sizeof(note));
        if (r == AUTHKEYS_NOMATCH) {
            authkeys_opts_free(opts);
            continue;
        }
        if (line_no)
            *line_no = line;
    }
    if (resume)
        *resume = pos;
    free(buf);
    if (r != AUTHKEYS_MATCH)
        authkeys_opts_free(opts);
    if (why && why_cap) {
        if (r == AUTHKEYS_NOMATCH && bad > 1)
            snprintf(why, why_cap, "%s (and %u more malformed lines)", note, bad - 1);
        else
            snprintf(why, why_cap, "%s", note);
    }
    return r;
}

int authkeys_find(const char *data, size_t len, const char *key_type,
                  const uint8_t *blob, size_t blob_len, const char *remote_addr,
                  const char *remote_host, authkey_opts *opts,
                  unsigned *line_no, char *why, size_t why_cap)
{
    return find(data, len, key_type, blob, blob_len, remote_addr, remote_host,
                0, opts, NULL, line_no, why, why_cap);
}

int authkeys_find_ca(const char *data, size_t len, const char *key_type,
                     const uint8_t *blob, size_t blob_len,
                     const char *remote_addr, const char *remote_host,
                     authkey_opts *opts, size_t *resume, unsigned *line_no,
                     char *why, size_t why_cap)
{
    return find(data, len, key_type, blob, blob_len, remote_addr, remote_host,
                1, opts, resume, line_no, why, why_cap);
}

static int find_file(const char *path, const char *key_type,
                     const uint8_t *blob, size_t blob_len,
                     const char *remote_addr, const char *remote_host,
                     int want_ca, authkey_opts *opts, unsigned *line_no,
                     char *why, size_t why_cap)
{
    char *data = NULL;
    size_t len = 0;
    int r;

    memset(opts, 0, sizeof(*opts));
    if (line_no)
        *line_no = 0;
    if (file_read(path, AUTHKEYS_FILE_MAX, &data, &len, why, why_cap) < 0)
        return AUTHKEYS_NOMATCH;
    r = find(data, len, key_type, blob, blob_len, remote_addr, remote_host,
             want_ca, opts, NULL, line_no, why, why_cap);
    free(data);
    return r;
}

int authkeys_find_file(const char *path, const char *key_type,
                       const uint8_t *blob, size_t blob_len,
                       const char *remote_addr, const char *remote_host,
                       authkey_opts *opts, unsigned *line_no, char *why,
                       size_t why_cap)
{
    return find_file(path, key_type, blob, blob_len, remote_addr, remote_host,
                     0, opts, line_no, why, why_cap);
}

int authkeys_find_ca_file(const char *path, const char *key_type,
                          const uint8_t *blob, size_t blob_len,
                          const char *remote_addr, const char *remote_host,
                          authkey_opts *opts, unsigned *line_no, char *why,
                          size_t why_cap)
{
    return find_file(path, key_type, blob, blob_len, remote_addr, remote_host,
                     1, opts, line_no, why, why_cap);
}

void authkeys_opts_free(authkey_opts *o)
{
    size_t i;

    if (!o)
        return;
    free(o->command);
    free(o->from);
    free(o->comment);
    free(o->principals);
    for (i = 0; i < o->n_env && i < AUTHKEYS_MAX_ENV; i++)
        free(o->env[i]);
    for (i = 0; i < o->n_permitopen && i < AUTHKEYS_MAX_PERMIT; i++)
        free(o->permitopen[i]);
    for (i = 0; i < o->n_permitlisten && i < AUTHKEYS_MAX_PERMIT; i++)
        free(o->permitlisten[i]);
    memset(o, 0, sizeof(*o));
}
