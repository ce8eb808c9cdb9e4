/*
 * The FIDO middleware interface OpenSSH loads as SecurityKeyProvider
 * (ssh-sk.c and sk-api.h in openssh-portable; PROTOCOL.u2f): a shared
 * library exporting sk_api_version, sk_enroll, sk_sign and
 * sk_load_resident_keys. These are nanossh's own definitions of that
 * binary interface, version 10 (0x000a0000), the one OpenSSH 8.9 through
 * 10.x use; a library of another major version is refused. The
 * middleware hashes what it signs; it allocates its answers with malloc,
 * and the caller frees them.
 */
#ifndef NSSH_POSIX_SK_API_H
#define NSSH_POSIX_SK_API_H

#include <stddef.h>
#include <stdint.h>

#define SK_API_VERSION 0x000a0000u
#define SK_API_MAJOR_MASK 0xffff0000u

/* Algorithms */
#define SK_ALG_ECDSA 0u
#define SK_ALG_ED25519 1u

/* Flags of a credential and of a signature (FIDO authenticator data) */
#define SK_FLAG_USER_PRESENCE 0x01u
#define SK_FLAG_USER_VERIFICATION 0x04u
#define SK_FLAG_FORCE 0x10u
#define SK_FLAG_RESIDENT 0x20u

/* Errors */
#define SK_ERR_GENERAL (-1)
#define SK_ERR_UNSUPPORTED (-2)
#define SK_ERR_PIN_REQUIRED (-3)
#define SK_ERR_DEVICE_NOT_FOUND (-4)
#define SK_ERR_CREDENTIAL_EXISTS (-5)

struct sk_enroll_response {
    uint8_t flags;
    uint8_t *public_key;          /* Ed25519: 32 bytes; P-256: 65, uncompressed */
    size_t public_key_len;
    uint8_t *key_handle;
    size_t key_handle_len;
    uint8_t *signature;           /* attestation, optional */
    size_t signature_len;
    uint8_t *attestation_cert;
    size_t attestation_cert_len;
    uint8_t *authdata;
    size_t authdata_len;
};

struct sk_sign_response {
    uint8_t flags;
    uint32_t counter;
    uint8_t *sig_r;               /* Ed25519: the whole 64-byte signature */
    size_t sig_r_len;
    uint8_t *sig_s;               /* ECDSA only */
    size_t sig_s_len;
};

struct sk_resident_key {
    uint32_t alg;
    size_t slot;
    char *application;
    struct sk_enroll_response key;
    uint8_t flags;
    uint8_t *user_id;
    size_t user_id_len;
};

struct sk_option {
    char *name;
    char *value;
    uint8_t required;
};

typedef uint32_t (*sk_api_version_fn)(void);
typedef int (*sk_sign_fn)(uint32_t alg, const uint8_t *data, size_t data_len,
                          const char *application, const uint8_t *key_handle,
                          size_t key_handle_len, uint8_t flags, const char *pin,
                          struct sk_option **options,
                          struct sk_sign_response **response);

#endif
