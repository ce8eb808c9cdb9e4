/*
 * The RevokedKeys file: a KRL (krl.c) or a plain list of public keys,
 * told apart by the KRL magic as sshd does (sshkey_check_revoked). The
 * file is read afresh for each key, so a replaced list takes effect at
 * the next login without a restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krl.h"
#include "nanossh.h"
#include "nanossh_ossl.h"

#define KRL_FILE_MAX (64u * 1024u * 1024u)
#define KEY_BLOB_MAX 16384

/* One line "type base64 [comment]": 1 listed (the key or the CA),
 * 0 not, -1 malformed. */
static int list_line(const char *p, size_t n, const krl_query *q)
{
    static uint8_t blob[KEY_BLOB_MAX];
    char type[128];
    const char *t = p, *b;
    size_t tl, bl;
    long len;
    while (n && (*t == ' ' || *t == '\t')) {
        t++;
        n--;
    }
    if (!n || *t == '#' || *t == '\r')
        return 0;
    for (tl = 0; tl < n && t[tl] != ' ' && t[tl] != '\t'; tl++)
        ;
    b = t + tl;
    n -= tl;
    while (n && (*b == ' ' || *b == '\t')) {
        b++;
        n--;
    }
    for (bl = 0; bl < n && b[bl] != ' ' && b[bl] != '\t' && b[bl] != '\r'; bl++)
        ;
    if (!tl || tl >= sizeof(type) || !bl)
        return -1;
    len = nssh_ossl_base64_decode(b, bl, blob, sizeof(blob));
    if (len < 4 || nssh_ossl_blob_type(blob, (size_t)len, type, sizeof(type)) < 0 ||
        strlen(type) != tl || memcmp(type, t, tl))
        return -1;
    if ((q->key && (size_t)len == q->key_len && !memcmp(blob, q->key, q->key_len)) ||
        (q->ca_key && (size_t)len == q->ca_len && !memcmp(blob, q->ca_key, q->ca_len)))
        return 1;
    return 0;
}

int krl_check_list(const char *data, size_t len, const krl_query *q, char *why,
                   size_t why_cap)
{
    size_t off = 0, line = 0;
    int found = 0;
    if (why && why_cap)
        why[0] = 0;
    while (off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
        int r = list_line(data + off, n, q);
        line++;
        if (r < 0) {
            if (why)
                snprintf(why, why_cap, "line %zu is not a public key", line);
            return NSSH_ERR_FORMAT;
        }
        found |= r;
        off += n + (nl ? 1 : 0);
    }
    return found ? KRL_REVOKED : KRL_OK;
}

static int read_all(const char *path, uint8_t **out, size_t *len, char *why,
                    size_t cap)
{
    struct stat st;
    uint8_t *buf;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NSSH_ERR_IO;
    }
    /* /dev/null is an empty list (sshd reads it so; OpenSSH's tests name
     * it): a character device that is at its end at once. */
    if (S_ISCHR(st.st_mode)) {
        uint8_t one;
        ssize_t n;
        do
            n = read(fd, &one, 1);
        while (n < 0 && errno == EINTR);
        if (n == 0 && (buf = malloc(1))) {
            close(fd);
            buf[0] = 0;
            *out = buf;
            *len = 0;
            return 0;
        }
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)KRL_FILE_MAX) {
        snprintf(why, cap, "%s: not a regular file of at most %u bytes", path,
                 KRL_FILE_MAX);
        close(fd);
        return NSSH_ERR_IO;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        close(fd);
        return NSSH_ERR_INTERNAL;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *out = buf;
    *len = got;
    return 0;
}

int krl_file_check(const char *path, const krl_query *q, char *why,
                   size_t why_cap)
{
    char dummy[8];
    uint8_t *data = NULL;
    size_t len = 0;
    int r;
    if (!why) {
        why = dummy;
        why_cap = sizeof(dummy);
    }
    why[0] = 0;
    if (!path || !strcmp(path, "none"))
        return KRL_OK;
    /* RevokedKeys may name several files (space-separated here): each
     * is checked, and the first that revokes or cannot be read decides. */
    if (strchr(path, ' ')) {
        char one[4096];
        const char *p = path, *sp;
        while (*p) {
            size_t n;
            sp = strchr(p, ' ');
            n = sp ? (size_t)(sp - p) : strlen(p);
            if (n && n < sizeof(one)) {
                memcpy(one, p, n);
                one[n] = 0;
                if ((r = krl_file_check(one, q, why, why_cap)) != KRL_OK)
                    return r;
            }
            p += n + (sp ? 1 : 0);
        }
        return KRL_OK;
    }
    if ((r = read_all(path, &data, &len, why, why_cap)) < 0)
        return r;
    if (krl_is_krl(data, len))
        r = krl_check(data, len, q, why, why_cap);
    else
        r = krl_check_list((const char *)data, len, q, why, why_cap);
    free(data);
    return r;
}

int krl_file_check_key(const char *path, const uint8_t *blob, size_t len,
                       char *why, size_t why_cap)
{
    krl_query q = { .key = blob, .key_len = len };
    return krl_file_check(path, &q, why, why_cap);
}

int krl_file_check_cert(const char *path, const uint8_t *ca_blob, size_t ca_len,
                        uint64_t serial, const char *key_id,
                        const uint8_t *key_blob, size_t key_len, char *why,
                        size_t why_cap)
{
    krl_query q = { .key = key_blob, .key_len = key_len, .ca_key = ca_blob,
                    .ca_len = ca_len, .serial = serial, .key_id = key_id,
                    .key_id_len = key_id ? strlen(key_id) : 0 };
    return krl_file_check(path, &q, why, why_cap);
}
