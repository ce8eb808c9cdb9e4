/*
 * Private key files in OpenSSH's "openssh-key-v1" format (OpenSSH's
 * PROTOCOL.key), unencrypted:
 *
 *   "-----BEGIN OPENSSH PRIVATE KEY-----", base64 lines, "-----END ...-----"
 *   byte[15] "openssh-key-v1\0"
 *   string ciphername ("none"), string kdfname ("none"), string kdfoptions
 *   uint32 number of keys (1), string public key blob
 *   string private section: uint32 check, uint32 check (equal), string type,
 *          private fields, string comment, padding 1, 2, 3 ... to 8 bytes
 *
 * Files in other formats are handed to the PEM loader; writing is in
 * keyfile_save.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "keyint.h"

static void say(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (!why || cap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

const uint8_t *keyfile_find(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s), i;
    for (i = 0; n <= len && i <= len - n; i++)
        if (memcmp(p + i, s, n) == 0)
            return p + i;
    return NULL;
}

/* The binary inside the armor, in a malloc'ed buffer (*bin, *bin_len). */
static int unarmor(const uint8_t *data, size_t len, uint8_t **bin,
                   size_t *bin_len, char *why, size_t wcap)
{
    const uint8_t *b = keyfile_find(data, len, KEYFILE_BEGIN), *end;
    char *text = NULL;
    size_t n = 0, room;
    long got;
    int e = NSSH_ERR_KEY;

    b += strlen(KEYFILE_BEGIN);
    end = keyfile_find(b, len - (size_t)(b - data), KEYFILE_END);
    *bin = NULL;
    if (!end) {
        say(why, wcap, "no \"%s\" line: file truncated", KEYFILE_END);
        return NSSH_ERR_KEY;
    }
    room = (size_t)(end - b) / 4 * 3 + 3;
    text = malloc((size_t)(end - b) + 1);
    *bin = malloc(room);
    if (!text || !*bin) {
        e = NSSH_ERR_INTERNAL;
        goto out;
    }
    for (; b < end; b++)               /* line breaks are not base64 */
        if (*b != '\n' && *b != '\r' && *b != ' ' && *b != '\t')
            text[n++] = (char)*b;
    got = nssh_ossl_base64_decode(text, n, *bin, room);
    if (got < 0) {
        say(why, wcap, "bad base64 between the BEGIN and END lines");
        goto out;
    }
    *bin_len = (size_t)got;
    e = 0;
out:
    if (text) {
        nssh_wipe(text, n);
        free(text);
    }
    if (e < 0) {
        free(*bin);
        *bin = NULL;
    }
    return e;
}

static int is(const uint8_t *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* The header up to the private section (PROTOCOL.key section 1). */
static int read_outer(rd *r, const uint8_t **pub, size_t *pub_len,
                      const uint8_t **priv, size_t *priv_len, char *why,
                      size_t wcap)
{
    const uint8_t *magic, *cipher, *kdf, *kdfopt;
    size_t clen, klen, olen;
    uint32_t nkeys;

    if (rd_bytes(r, &magic, sizeof(KEYFILE_MAGIC)) < 0 ||
        memcmp(magic, KEYFILE_MAGIC, sizeof(KEYFILE_MAGIC)) != 0) {
        say(why, wcap, "not an openssh-key-v1 key (bad magic)");
        return NSSH_ERR_KEY;
    }
    if (rd_string(r, &cipher, &clen) < 0 || rd_string(r, &kdf, &klen) < 0 ||
        rd_string(r, &kdfopt, &olen) < 0 || rd_u32(r, &nkeys) < 0) {
        say(why, wcap, "openssh-key-v1 header truncated");
        return NSSH_ERR_KEY;
    }
    if (!is(cipher, clen, "none")) {
        say(why, wcap, "key is encrypted with a passphrase (cipher %.*s, kdf %.*s); "
            "only unencrypted keys can be loaded (remove it with ssh-keygen -p)",
            (int)(clen > 32 ? 32 : clen), cipher, (int)(klen > 32 ? 32 : klen), kdf);
        return NSSH_ERR_UNSUPPORTED;
    }
    if (!is(kdf, klen, "none") || olen != 0) {
        say(why, wcap, "unencrypted key with a key derivation function");
        return NSSH_ERR_KEY;
    }
    if (nkeys != 1) {
        say(why, wcap, "file holds %u keys; only files with one key are supported",
            (unsigned)nkeys);
        return NSSH_ERR_UNSUPPORTED;
    }
    if (rd_string(r, pub, pub_len) < 0 || rd_string(r, priv, priv_len) < 0 ||
        rd_end(r) < 0) {
        say(why, wcap, "openssh-key-v1 key sections truncated or followed by junk");
        return NSSH_ERR_KEY;
    }
    return 0;
}

/* The private section (PROTOCOL.key section 3) for a one-key file. */
static int read_private(rd *r, const uint8_t *pub, size_t pub_len,
                        nssh_key **out, char *comment, size_t comment_cap,
                        char *why, size_t wcap)
{
    const uint8_t *type, *cmt;
    size_t tlen, clen, left, i, blob_len;
    uint32_t check1, check2;
    const key_info *ki;
    uint8_t *blob = NULL;
    int e = NSSH_ERR_KEY;

    if (r->len % KEYFILE_PAD_BLOCK != 0 || rd_u32(r, &check1) < 0 ||
        rd_u32(r, &check2) < 0 || check1 != check2) {
        say(why, wcap, "private section corrupt (length or check integers)");
        return NSSH_ERR_KEY;
    }
    if (rd_string(r, &type, &tlen) < 0) {
        say(why, wcap, "private section truncated");
        return NSSH_ERR_KEY;
    }
    ki = key_info_by_name(type, tlen);
    if (!ki) {
        say(why, wcap, "unsupported key type \"%.*s\"",
            (int)(tlen > 64 ? 64 : tlen), type);
        return NSSH_ERR_UNSUPPORTED;
    }
    e = keyfile_get_private(ki, r, out);
    if (e < 0) {
        say(why, wcap, "%s private key fields invalid", ki->name);
        return e == NSSH_ERR_CRYPTO ? e : NSSH_ERR_KEY;
    }
    e = NSSH_ERR_KEY;
    if (rd_string(r, &cmt, &clen) < 0) {
        say(why, wcap, "private section truncated (comment)");
        goto out;
    }
    /* Padding 1, 2, 3 ... up to the block size, nothing else after it. */
    left = rd_left(r);
    for (i = 0; i < left && left < KEYFILE_PAD_BLOCK; i++)
        if (r->p[r->pos + i] != (uint8_t)(i + 1))
            break;
    if (i != left || left >= KEYFILE_PAD_BLOCK) {
        say(why, wcap, "private section padding invalid");
        goto out;
    }
    /* The public blob in the header must be this private key's. */
    blob = malloc(KEY_BLOB_MAX);
    if (!blob || nssh_ossl_key_public_blob(*out, blob, KEY_BLOB_MAX, &blob_len) < 0 ||
        blob_len != pub_len || memcmp(blob, pub, pub_len) != 0) {
        say(why, wcap, "public key does not match the private key");
        goto out;
    }
    if (comment && comment_cap) {
        size_t n = clen < comment_cap - 1 ? clen : comment_cap - 1;
        memcpy(comment, cmt, n);
        comment[n] = '\0';
    }
    e = 0;
out:
    free(blob);
    if (e < 0) {
        nssh_ossl_key_free(*out);
        *out = NULL;
    }
    return e;
}

int nssh_ossl_key_load_private(const uint8_t *data, size_t len, nssh_key **out,
                          char *comment, size_t comment_cap)
{
    char why[200] = "";
    const uint8_t *pub, *priv;
    size_t pub_len, priv_len, bin_len = 0;
    uint8_t *bin = NULL;
    rd r;
    int e;

    if (!out)
        return NSSH_ERR_STATE;
    *out = NULL;
    if (comment && comment_cap)
        comment[0] = '\0';
    if (!data)
        return NSSH_ERR_KEY;
    if (!keyfile_find(data, len, KEYFILE_BEGIN)) {
        e = keyfile_load_pem(data, len, out, why, sizeof(why));
        goto out;
    }
    e = unarmor(data, len, &bin, &bin_len, why, sizeof(why));
    if (e < 0)
        goto out;
    rd_init(&r, bin, bin_len);
    e = read_outer(&r, &pub, &pub_len, &priv, &priv_len, why, sizeof(why));
    if (e < 0)
        goto out;
    rd_init(&r, priv, priv_len);
    e = read_private(&r, pub, pub_len, out, comment, comment_cap, why, sizeof(why));
out:
    if (bin) {
        nssh_wipe(bin, bin_len);
        free(bin);
    }
    /* Without another channel for it, the reason goes where the comment
     * would have gone. */
    if (e < 0 && comment && comment_cap)
        say(comment, comment_cap, "%s", why[0] ? why : "invalid key file");
    if (e < 0)
        ERR_clear_error();
    return e;
}
