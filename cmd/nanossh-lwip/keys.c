/*
 * Provisioning from files: the host key (OpenSSH's private key format, as
 * ssh-keygen writes it) and the one authorized public key.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwipd.h"

/* Whole file into a malloc'ed buffer; NULL on error (errno set). */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1L << 20) &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = 0;
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int lwipd_load_hostkey(lwipd *d, const char *path)
{
    char why[256];
    size_t len = 0, blen = 0, i, n;
    const nssh_sig_alg *algs[LWIPD_HOSTKEYS_MAX];
    uint8_t *data = slurp(path, &len);
    int e;
    if (!data) {
        perror(path);
        return -1;
    }
    if (d->compact) {
        e = nssh_compact_key_load_openssh(&d->ckey, (const char *)data, len);
        memset(data, 0, len);
        free(data);
        if (e < 0 || nssh_compact_key_public_blob(&d->ckey, d->hostkey_blob,
                                                  sizeof(d->hostkey_blob),
                                                  &blen) < 0) {
            fprintf(stderr, "nanossh-lwip: %s: %s (the compact backend takes "
                    "an unencrypted ssh-ed25519 key)\n", path, nssh_strerror(e));
            return -1;
        }
        d->hostkeys[0].alg = &nssh_compact_sig_ed25519;
        d->hostkeys[0].key = nssh_compact_key_handle(&d->ckey);
        d->hostkeys[0].blob = d->hostkey_blob;
        d->hostkeys[0].blob_len = blen;
        d->n_hostkeys = 1;
        return 0;
    }
    e = nssh_ossl_key_load_private(data, len, &d->hostkey, why, sizeof(why));
    memset(data, 0, len);
    free(data);
    if (e < 0) {
        fprintf(stderr, "nanossh-lwip: %s: %s\n", path, why);
        return -1;
    }
    if (nssh_ossl_key_public_blob(d->hostkey, d->hostkey_blob,
                             sizeof(d->hostkey_blob), &blen) < 0) {
        fprintf(stderr, "nanossh-lwip: %s: public key too large\n", path);
        return -1;
    }
    n = nssh_ossl_key_sig_algs(d->hostkey, algs, LWIPD_HOSTKEYS_MAX);
    for (i = 0; i < n; i++) {
        d->hostkeys[i].alg = algs[i];
        d->hostkeys[i].key = d->hostkey;
        d->hostkeys[i].blob = d->hostkey_blob;
        d->hostkeys[i].blob_len = blen;
    }
    d->n_hostkeys = n;
    return n ? 0 : -1;
}

int lwipd_load_authorized(lwipd *d, const char *path)
{
    size_t len = 0;
    char *text = (char *)slurp(path, &len), *line, *save = NULL;
    char type[64], *b64, *end;
    long n;
    if (!text) {
        perror(path);
        return -1;
    }
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        while (isspace((unsigned char)*line))
            line++;
        if (*line && *line != '#')
            break;
    }
    if (!line || !(b64 = strchr(line, ' '))) {
        fprintf(stderr, "nanossh-lwip: %s: no \"type base64\" key line\n",
                path);
        free(text);
        return -1;
    }
    *b64++ = 0;
    for (end = b64; *end && !isspace((unsigned char)*end); end++)
        ;
    n = nssh_ossl_base64_decode(b64, (size_t)(end - b64), d->auth_blob,
                           sizeof(d->auth_blob));
    if (n <= 0 || nssh_ossl_blob_type(d->auth_blob, (size_t)n, type,
                                 sizeof(type)) < 0 || strcmp(type, line)) {
        fprintf(stderr, "nanossh-lwip: %s: not a valid %s public key\n",
                path, line);
        free(text);
        return -1;
    }
    d->auth_blob_len = (size_t)n;
    free(text);
    return 0;
}
