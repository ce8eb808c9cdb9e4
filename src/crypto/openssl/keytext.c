/*
 * Keys as text: the public key line of authorized_keys and .pub files
 * ("type base64 comment", sshd(8) AUTHORIZED_KEYS FILE FORMAT) and the
 * SHA256 fingerprint that ssh-keygen -l prints.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "keyint.h"

int nssh_ossl_key_public_line(const nssh_key *k, const char *comment, char *buf,
                         size_t cap)
{
    const char *name = nssh_ossl_key_type_name(k);
    size_t name_len = strlen(name), blob_len = 0, pos;
    uint8_t *blob = NULL;
    long n;
    int e;

    if (!k || !buf)
        return NSSH_ERR_STATE;
    blob = malloc(KEY_BLOB_MAX);
    if (!blob)
        return NSSH_ERR_INTERNAL;
    e = nssh_ossl_key_public_blob(k, blob, KEY_BLOB_MAX, &blob_len);
    if (e < 0)
        goto out;
    e = NSSH_ERR_NOSPACE;
    if (cap < name_len + 2)
        goto out;
    memcpy(buf, name, name_len);
    buf[name_len] = ' ';
    pos = name_len + 1;
    n = nssh_ossl_base64_encode(blob, blob_len, buf + pos, cap - pos);
    if (n < 0)
        goto out;
    pos += (size_t)n;
    if (comment && *comment) {
        size_t clen = strlen(comment);
        if (cap - pos < clen + 2)
            goto out;
        buf[pos++] = ' ';
        memcpy(buf + pos, comment, clen);
        pos += clen;
    }
    buf[pos] = '\0';
    e = 0;
out:
    free(blob);
    return e;
}

int nssh_ossl_fingerprint(const uint8_t *blob, size_t len, char *out, size_t cap)
{
    uint8_t md[32];
    char b64[48];
    unsigned md_len = 0;
    long n;

    if (!blob || !out)
        return NSSH_ERR_STATE;
    if (!EVP_Digest(blob, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
        return NSSH_ERR_CRYPTO;
    n = nssh_ossl_base64_encode(md, sizeof(md), b64, sizeof(b64));
    if (n < 0)
        return (int)n;
    while (n > 0 && b64[n - 1] == '=')     /* ssh-keygen drops the padding */
        n--;
    if (cap < 7 + (size_t)n + 1)
        return NSSH_ERR_NOSPACE;
    memcpy(out, "SHA256:", 7);
    memcpy(out + 7, b64, (size_t)n);
    out[7 + n] = '\0';
    return 0;
}

int nssh_ossl_blob_type(const uint8_t *blob, size_t len, char *out, size_t cap)
{
    const uint8_t *name;
    size_t n, i;
    rd r;

    if (!blob || !out)
        return NSSH_ERR_STATE;
    rd_init(&r, blob, len);
    if (rd_string(&r, &name, &n) < 0 || n == 0)
        return NSSH_ERR_KEY;
    /* Algorithm names are printable US-ASCII (RFC 4251 section 6). */
    for (i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] > '~')
            return NSSH_ERR_KEY;
    if (cap < n + 1)
        return NSSH_ERR_NOSPACE;
    memcpy(out, name, n);
    out[n] = '\0';
    return 0;
}
