/*
 * Writing a private key as an unencrypted openssh-key-v1 file (OpenSSH's
 * PROTOCOL.key), laid out as ssh-keygen lays it out: one key, cipher and
 * kdf "none", base64 in lines of 70 columns between the armor lines.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "keyint.h"

/* The binary key file into w. */
static int write_binary(const nssh_key *k, const char *comment, wr *w,
                        uint8_t *blob, size_t blob_cap)
{
    size_t blob_len, mark, pad;
    uint8_t check[4];
    int e;

    e = nssh_ossl_key_public_blob(k, blob, blob_cap, &blob_len);
    if (e < 0)
        return e;
    /* The check integers only detect a wrong passphrase; any value works
     * for an unencrypted key, and ssh-keygen uses a random one. */
    if (RAND_bytes(check, sizeof(check)) != 1)
        return NSSH_ERR_RNG;
    wr_bytes(w, KEYFILE_MAGIC, sizeof(KEYFILE_MAGIC));
    wr_cstring(w, "none");                    /* ciphername */
    wr_cstring(w, "none");                    /* kdfname */
    wr_string(w, "", 0);                      /* kdfoptions */
    wr_u32(w, 1);                             /* number of keys */
    wr_string(w, blob, blob_len);
    mark = wr_string_begin(w);
    wr_bytes(w, check, 4);
    wr_bytes(w, check, 4);
    wr_cstring(w, nssh_ossl_key_type_name(k));
    e = keyfile_put_private(k, w);
    if (e < 0)
        return e;
    wr_cstring(w, comment ? comment : "");
    for (pad = 1; (w->len - mark - 4) % KEYFILE_PAD_BLOCK != 0; pad++)
        wr_u8(w, (uint8_t)pad);
    wr_string_end(w, mark);
    return w->err;
}

/* Armor: BEGIN line, base64 in KEYFILE_COLS-wide lines, END line. */
static int armor(const uint8_t *bin, size_t len, char **out, size_t *out_len)
{
    size_t b64_len = (len + 2) / 3 * 4, lines = b64_len / KEYFILE_COLS + 1;
    size_t cap = sizeof(KEYFILE_BEGIN) + sizeof(KEYFILE_END) + b64_len + lines + 2;
    char *b64 = malloc(b64_len + 1), *text = malloc(cap);
    size_t i, pos = 0;
    int e = NSSH_ERR_INTERNAL;

    if (!b64 || !text)
        goto out;
    if (nssh_ossl_base64_encode(bin, len, b64, b64_len + 1) != (long)b64_len)
        goto out;
    memcpy(text, KEYFILE_BEGIN "\n", sizeof(KEYFILE_BEGIN));
    pos = sizeof(KEYFILE_BEGIN);
    for (i = 0; i < b64_len; i += KEYFILE_COLS) {
        size_t n = b64_len - i < KEYFILE_COLS ? b64_len - i : KEYFILE_COLS;
        memcpy(text + pos, b64 + i, n);
        pos += n;
        text[pos++] = '\n';
    }
    memcpy(text + pos, KEYFILE_END "\n", sizeof(KEYFILE_END) + 1);
    pos += sizeof(KEYFILE_END);
    *out = text;
    *out_len = pos;
    text = NULL;
    e = 0;
out:
    if (b64) {
        nssh_wipe(b64, b64_len);
        free(b64);
    }
    if (text) {
        nssh_wipe(text, cap);
        free(text);
    }
    return e;
}

int nssh_ossl_key_save_private(const nssh_key *k, const char *comment, char **out,
                          size_t *out_len)
{
    size_t clen = comment ? strlen(comment) : 0, cap, blob_cap = KEY_BLOB_MAX;
    uint8_t *bin = NULL, *blob = NULL;
    size_t dummy;
    wr w;
    int e;

    if (!k || !out)
        return NSSH_ERR_STATE;
    *out = NULL;
    if (!out_len)
        out_len = &dummy;
    if (!k->has_private)
        return NSSH_ERR_KEY;
    /* Header, public blob, private fields (RSA: six numbers), comment. */
    cap = 128 + blob_cap + 6 * (KEY_BN_MAX + 5) + 128 + clen + KEYFILE_PAD_BLOCK;
    bin = malloc(cap);
    blob = malloc(blob_cap);
    e = NSSH_ERR_INTERNAL;
    if (!bin || !blob)
        goto out;
    wr_init(&w, bin, cap);
    e = write_binary(k, comment, &w, blob, blob_cap);
    if (e == 0)
        e = armor(bin, w.len, out, out_len);
out:
    if (bin) {
        nssh_wipe(bin, cap);
        free(bin);
    }
    free(blob);
    return e;
}
