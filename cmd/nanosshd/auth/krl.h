/*
 * RevokedKeys (sshd_config(5)): a file of revoked public keys, either an
 * OpenSSH key revocation list (binary, PROTOCOL.krl, made by ssh-keygen
 * -k) or a plain list of public keys, one "type base64 [comment]" a line.
 *
 * The parser takes no memory: each question re-reads the whole list and
 * fails closed, so a malformed list revokes everything, as in sshd.
 */
#ifndef NSSHD_KRL_H
#define NSSHD_KRL_H

#include <stddef.h>
#include <stdint.h>

enum {
    KRL_OK = 0,        /* not revoked */
    KRL_REVOKED = 1    /* revoked */
    /* negative NSSH_ERR_*: the list cannot be read or parsed: refuse */
};

/* What is asked about. For a plain key, ca_key is NULL. For a
 * certificate, key is the certified key as a plain public key blob, and
 * ca_key/serial/key_id come from the certificate (PROTOCOL.certkeys). */
typedef struct krl_query {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *ca_key;
    size_t ca_len;
    uint64_t serial;
    const char *key_id;    /* may be NULL */
    size_t key_id_len;
} krl_query;

/* Does data begin with the KRL magic "SSHKRL\n\0"? */
int krl_is_krl(const uint8_t *data, size_t len);

/*
 * Check q against a binary KRL. The whole KRL is parsed (a malformed
 * one fails even after a match): explicit keys, SHA-1 and SHA-256
 * fingerprints of the plain key; for certificates also the sections for
 * their CA (or for any CA): serial lists, ranges, bitmaps and key ids.
 * KRL_OK, KRL_REVOKED, or a negative error with why (may be NULL) set.
 */
int krl_check(const uint8_t *data, size_t len, const krl_query *q,
              char *why, size_t why_cap);

/* Check q against a plain key list: the key, or for a certificate the
 * certified key or its CA key, listed (as sshd's sshkey_in_file). */
int krl_check_list(const char *data, size_t len, const krl_query *q,
                   char *why, size_t why_cap);

/*
 * The RevokedKeys file at path (either format). path NULL or "none":
 * KRL_OK. A missing, unreadable or malformed file: a negative error, so
 * the caller refuses the key, as sshd does. why gets the reason.
 */
int krl_file_check(const char *path, const krl_query *q, char *why,
                   size_t why_cap);

/* Conveniences over krl_file_check. */
int krl_file_check_key(const char *path, const uint8_t *blob, size_t len,
                       char *why, size_t why_cap);
int krl_file_check_cert(const char *path, const uint8_t *ca_blob,
                        size_t ca_len, uint64_t serial, const char *key_id,
                        const uint8_t *key_blob, size_t key_len, char *why,
                        size_t why_cap);

#endif
