/*
 * HostCertificate (sshd_config(5)): certificates of the host keys, read
 * from OpenSSH public key lines ("type base64 [comment]") and paired with
 * the private key whose public half they certify (PROTOCOL.certkeys).
 * The engine then offers "<type>-cert-v01@openssh.com" with the
 * certificate as K_S and signs with the paired key.
 */
#include <stdlib.h>
#include <string.h>

#include "hostkeys.h"
#include "files.h"
#include "log.h"
#include "nanossh_cert.h"

#define CERTFILE_MAX (64u * 1024u)

int hostkeys_public_line(const char *data, size_t len, uint8_t *blob,
                       size_t cap, size_t *blob_len)
{
    size_t i = 0, t, b;
    long got;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n'))
        i++;
    t = i;
    while (i < len && data[i] != ' ' && data[i] != '\t' && data[i] != '\n')
        i++;
    if (i == t)
        return -1;
    while (i < len && (data[i] == ' ' || data[i] == '\t'))
        i++;
    b = i;
    while (i < len && data[i] != ' ' && data[i] != '\t' && data[i] != '\n' &&
           data[i] != '\r')
        i++;
    if (i == b || (got = nssh_ossl_base64_decode(data + b, i - b, blob, cap)) < 0)
        return -1;
    *blob_len = (size_t)got;
    return 0;
}

static int pair(hostkey_set *hs, const char *path, const uint8_t *blob,
                size_t len)
{
    uint8_t plain[NSSH_KEYBLOB_MAX];
    size_t n, k;
    nssh_cert c;
    int e;
    if ((e = nssh_cert_parse(blob, len, &c)) < 0) {
        log_error("Certificate file is not a certificate: %s", path);
        return e;
    }
    if (c.cert_type != NSSH_CERT_HOST) {
        log_error("Certificate %s is not a host certificate", path);
        return NSSH_ERR_KEY;
    }
    if ((e = nssh_cert_plain_key(&c, plain, sizeof(plain), &n)) < 0)
        return e;
    for (k = 0; k < hs->n_keys; k++)
        if (hs->blob_lens[k] == n && !memcmp(hs->blobs[k], plain, n))
            break;
    if (k == hs->n_keys) {
        log_error("No matching private key for certificate: %s", path);
        return NSSH_ERR_KEY;
    }
    if (hs->n_certs >= HOSTKEYS_MAX || !(hs->certs[hs->n_certs] = malloc(len)))
        return NSSH_ERR_NOSPACE;
    memcpy(hs->certs[hs->n_certs], blob, len);
    hs->cert_lens[hs->n_certs] = len;
    hs->cert_key[hs->n_certs++] = k;
    log_debug("host certificate: %s %.*s serial %llu", path, (int)c.type.n,
              c.type.p, (unsigned long long)c.serial);
    return 0;
}

void hostkeys_load_certs(hostkey_set *hs, char *const *files, size_t n_files)
{
    static uint8_t blob[NSSH_KEYBLOB_MAX];
    char *data;
    size_t i, len, blob_len;
    for (i = 0; i < n_files; i++) {
        data = NULL;
        if (file_read(files[i], CERTFILE_MAX, &data, &len, NULL, 0) < 0 ||
            hostkeys_public_line(data, len, blob, sizeof(blob), &blob_len) < 0) {
            log_error("Could not load host certificate \"%s\"", files[i]);
            free(data);
            continue;
        }
        free(data);
        pair(hs, files[i], blob, blob_len);
    }
}
