/*
 * libFuzzer target: private key files (OpenSSH's format and PEM: PKCS#1,
 * SEC1, PKCS#8) and public key blobs, as the daemon loads host keys and
 * user keys. A key that loads must give a public blob that loads back to
 * the same blob, and must save in OpenSSH's format and load again as the
 * same key. A file that does not load must say why. The same bytes as an
 * OpenSSH certificate (nanossh_cert.h): a blob that parses must walk its
 * lists to the end, and its plain key must name the plain type.
 *   fuzz/corpus/keyfile holds the seeds (made by tools/fuzz.sh).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nanossh_cert.h"
#include "nanossh_ossl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLOB_MAX 4096

static void blob_roundtrip(const nssh_key *k, uint8_t *b, size_t *n)
{
    static uint8_t b2[BLOB_MAX];
    nssh_key *p = NULL;
    size_t n2;
    if (nssh_ossl_key_public_blob(k, b, BLOB_MAX, n) < 0)
        abort();
    if (nssh_ossl_key_from_blob(b, *n, &p) < 0)
        abort();   /* our own blob must load */
    if (nssh_ossl_key_public_blob(p, b2, sizeof(b2), &n2) < 0 || n2 != *n ||
        memcmp(b, b2, n2) != 0)
        abort();
    nssh_ossl_key_free(p);
}

/* A certificate that parses: every list walks to its end without error,
 * the plain key names the plain type, and verifying with it (garbage
 * data and signature) fails cleanly. */
static void cert_check(const uint8_t *blob, size_t size)
{
    static uint8_t plain[BLOB_MAX];
    const nssh_str *lists[3];
    nssh_str name, value;
    char type[64];
    nssh_cert c;
    size_t i, pos, n;
    int e;
    if (nssh_cert_parse(blob, size, &c) < 0)
        return;
    lists[0] = &c.principals;
    lists[1] = &c.critical;
    lists[2] = &c.extensions;
    for (i = 0; i < 3; i++) {
        pos = 0;
        while ((e = nssh_cert_next(*lists[i], &pos, &name,
                                   i ? &value : NULL)) == 1)
            ;
        if (e != 0)
            abort();   /* parse checked the lists */
    }
    if (nssh_cert_plain_key(&c, plain, sizeof(plain), &n) < 0 ||
        nssh_ossl_blob_type(plain, n, type, sizeof(type)) < 0 ||
        strcmp(type, c.plain_type))
        abort();
    if (c.signed_len > size)
        abort();
    if (nssh_ossl_sig_ed25519_cert.verify(blob, size, blob, size, c.signature,
                                          c.signature_len) == 0)
        abort();   /* no signature verifies over these bytes */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t b1[BLOB_MAX], b2[BLOB_MAX];
    char comment[256], line[BLOB_MAX * 2];
    nssh_key *k = NULL, *k2 = NULL;
    char *saved = NULL;
    size_t n1, n2, saved_len;
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);   /* exact size: overreads are caught */

    comment[0] = 0;
    if (nssh_ossl_key_load_private(copy, size, &k, comment,
                                   sizeof(comment)) == 0) {
        if (!memchr(comment, 0, sizeof(comment)))
            abort();
        blob_roundtrip(k, b1, &n1);
        if (nssh_ossl_key_public_line(k, "c", line, sizeof(line)) < 0)
            abort();
        if (nssh_ossl_key_save_private(k, comment, &saved, &saved_len) < 0)
            abort();
        if (nssh_ossl_key_load_private((const uint8_t *)saved, saved_len, &k2,
                                       NULL, 0) < 0)
            abort();   /* what we write must load */
        if (nssh_ossl_key_public_blob(k2, b2, sizeof(b2), &n2) < 0 ||
            n2 != n1 || memcmp(b1, b2, n1) != 0)
            abort();
        nssh_ossl_key_free(k2);
        free(saved);
        nssh_ossl_key_free(k);
    } else if (comment[0] == 0) {
        abort();   /* a file that does not load says why */
    }

    cert_check(copy, size);

    /* The same bytes as a public key blob. */
    k = NULL;
    if (nssh_ossl_key_from_blob(copy, size, &k) == 0) {
        blob_roundtrip(k, b1, &n1);
        nssh_ossl_key_free(k);
    }
    free(copy);
    return 0;
}
