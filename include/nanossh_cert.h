/*
 * OpenSSH certificates (PROTOCOL.certkeys): parse a certificate blob into
 * views, rebuild the plain key inside it, walk its principals, critical
 * options and extensions.
 *
 * Nothing here allocates or checks a signature: the caller owns the blob
 * and every view points into it. Checking the CA signature is the crypto
 * backend's job (nssh_cert_signed_len says which bytes it covers); what a
 * certificate permits is policy (the daemon).
 */
#ifndef NANOSSH_CERT_H
#define NANOSSH_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_api.h"
#include "nanossh.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NSSH_CERT_USER 1u   /* SSH2_CERT_TYPE_USER */
#define NSSH_CERT_HOST 2u   /* SSH2_CERT_TYPE_HOST */

/* Longest certificate a parser accepts (keys plus lists plus a CA key and
 * signature); larger blobs are refused before anything is read. */
#define NSSH_CERT_MAX 16384u

typedef struct nssh_cert {
    nssh_str type;           /* "ssh-ed25519-cert-v01@openssh.com" */
    const char *plain_type;  /* "ssh-ed25519" (static) */
    nssh_str nonce;
    const uint8_t *key;      /* the key fields (after the nonce) as encoded */
    size_t key_len;
    uint64_t serial;
    uint32_t cert_type;      /* NSSH_CERT_USER or NSSH_CERT_HOST */
    nssh_str key_id;
    nssh_str principals;     /* packed strings */
    uint64_t valid_after, valid_before;
    nssh_str critical;       /* packed (string name, string data) pairs */
    nssh_str extensions;     /* same */
    const uint8_t *ca_key;   /* signature key blob */
    size_t ca_key_len;
    const uint8_t *signature;   /* signature blob */
    size_t signature_len;
    size_t signed_len;       /* bytes of the blob the signature covers */
} nssh_cert;

/* Is name a certificate key type or a certificate signature algorithm
 * ("...-cert-v01@openssh.com")? */
NSSH_API int nssh_cert_is_cert_name(const char *name);

/*
 * Parse a certificate blob. Returns 0, NSSH_ERR_UNSUPPORTED when the type
 * is not a certificate type this parser knows, or NSSH_ERR_FORMAT when the
 * encoding is broken: a length past the end, trailing bytes, a packed
 * list that does not parse, an unknown certificate type, a CA key that is
 * itself a certificate, critical options or extensions out of order or
 * repeated (PROTOCOL.certkeys requires them sorted and unique).
 */
NSSH_API int nssh_cert_parse(const uint8_t *blob, size_t len, nssh_cert *out);

/* The plain public key blob inside the certificate (RFC 4253 section 6.6:
 * string plain_type || key fields) into buf; *out_len set. */
NSSH_API int nssh_cert_plain_key(const nssh_cert *c, uint8_t *buf, size_t cap,
                                 size_t *out_len);

/*
 * Iterate a packed list: *pos starts at 0. Principals: name only (value
 * NULL). Options and extensions: name and value, where value is the data
 * field with its inner string unwrapped when it holds one ("" when empty).
 * Returns 1 with the next entry, 0 at the end, NSSH_ERR_FORMAT when broken.
 */
NSSH_API int nssh_cert_next(nssh_str list, size_t *pos, nssh_str *name,
                            nssh_str *value);

#ifdef __cplusplus
}
#endif
#endif
