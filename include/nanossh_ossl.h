/*
 * nanossh crypto backend on OpenSSL libcrypto 3: algorithm tables, keys,
 * key files (OpenSSH's formats) and a random source.
 */
#ifndef NANOSSH_OSSL_H
#define NANOSSH_OSSL_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_api.h"
#include "nanossh_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Tables -------------------------------------------------------------- */
NSSH_API extern const nssh_hash nssh_ossl_sha1, nssh_ossl_sha256, nssh_ossl_sha384,
    nssh_ossl_sha512;

NSSH_API extern const nssh_cipher nssh_ossl_chacha20_poly1305, /* chacha20-poly1305@openssh.com */
    nssh_ossl_aes128_gcm, nssh_ossl_aes256_gcm,     /* aes*-gcm@openssh.com */
    nssh_ossl_aes128_ctr, nssh_ossl_aes192_ctr, nssh_ossl_aes256_ctr;
/* Legacy, for old peers only (never offered by default): aes*-cbc, 3des-cbc */
NSSH_API extern const nssh_cipher nssh_ossl_aes128_cbc, nssh_ossl_aes192_cbc,
    nssh_ossl_aes256_cbc, nssh_ossl_3des_cbc;

NSSH_API extern const nssh_mac nssh_ossl_hmac_sha256_etm, nssh_ossl_hmac_sha512_etm,
    nssh_ossl_hmac_sha256, nssh_ossl_hmac_sha512,
    nssh_ossl_hmac_sha1, nssh_ossl_hmac_sha1_etm;
/* Legacy, never offered by default: hmac-sha1-96(-etm), hmac-md5(-96)(-etm)
 * and UMAC (RFC 4418; umac-64/128@openssh.com and their -etm forms). */
NSSH_API extern const nssh_mac nssh_ossl_hmac_sha1_96, nssh_ossl_hmac_sha1_96_etm,
    nssh_ossl_hmac_md5, nssh_ossl_hmac_md5_etm, nssh_ossl_hmac_md5_96,
    nssh_ossl_hmac_md5_96_etm, nssh_ossl_umac64, nssh_ossl_umac128,
    nssh_ossl_umac64_etm, nssh_ossl_umac128_etm;

/* mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex), first by default */
NSSH_API extern const nssh_kem nssh_ossl_mlkem768x25519_sha256;
/* mlkem768nistp256-sha256 and mlkem1024nistp384-sha384
 * (draft-kampanakis-curdle-ssh-pq-ke), right after it by default */
NSSH_API extern const nssh_kem nssh_ossl_mlkem768nistp256_sha256,
    nssh_ossl_mlkem1024nistp384_sha384;
/* sntrup761x25519-sha512 and sntrup761x25519-sha512@openssh.com
 * (draft-ietf-sshm-ntruprime-ssh), next by default */
NSSH_API extern const nssh_kem nssh_ossl_sntrup761x25519_sha512,
    nssh_ossl_sntrup761x25519_sha512_openssh;
NSSH_API extern const nssh_kem nssh_ossl_curve25519_sha256,  /* curve25519-sha256 */
    nssh_ossl_curve25519_sha256_libssh;             /* curve25519-sha256@libssh.org */
/* ecdh-sha2-nistp256/384/521 (RFC 5656) */
NSSH_API extern const nssh_kem nssh_ossl_ecdh_nistp256, nssh_ossl_ecdh_nistp384,
    nssh_ossl_ecdh_nistp521;
/* diffie-hellman-group14-sha256, -group16-sha512, -group18-sha512
 * (RFC 8268); diffie-hellman-group14-sha1 is legacy, off by default. */
/* diffie-hellman-group-exchange-sha256 (RFC 4419; default) and -sha1 (legacy) */
NSSH_API extern const nssh_kem nssh_ossl_dh_gex_sha256, nssh_ossl_dh_gex_sha1;
NSSH_API extern const nssh_kem nssh_ossl_dh_group14_sha256, nssh_ossl_dh_group16_sha512,
    nssh_ossl_dh_group18_sha512, nssh_ossl_dh_group14_sha1;
/* diffie-hellman-group1-sha1 (RFC 4253 section 8.1, 1024-bit): legacy,
 * never offered by default. */
NSSH_API extern const nssh_kem nssh_ossl_dh_group1_sha1;

NSSH_API extern const nssh_sig_alg nssh_ossl_sig_ed25519,    /* ssh-ed25519 */
    nssh_ossl_sig_ecdsa_p256, nssh_ossl_sig_ecdsa_p384, nssh_ossl_sig_ecdsa_p521,
    nssh_ossl_sig_rsa_sha2_512, nssh_ossl_sig_rsa_sha2_256,
    nssh_ossl_sig_ssh_rsa,                          /* legacy SHA-1, off by default */
    nssh_ossl_sig_mldsa44_ed25519;  /* ssh-mldsa44-ed25519@openssh.com: ML-DSA-44
                                     * (src/crypto/pq) and Ed25519, both */
/* OpenSSH certificates (PROTOCOL.certkeys) of those keys: the key blob is
 * the certificate, the signature the plain key's. Verify does not judge
 * the certificate itself (nanossh_cert.h; the caller's policy). */
NSSH_API extern const nssh_sig_alg nssh_ossl_sig_ed25519_cert,
    nssh_ossl_sig_ecdsa_p256_cert, nssh_ossl_sig_ecdsa_p384_cert,
    nssh_ossl_sig_ecdsa_p521_cert, nssh_ossl_sig_rsa_sha2_512_cert,
    nssh_ossl_sig_rsa_sha2_256_cert,
    nssh_ossl_sig_ssh_rsa_cert,         /* SHA-1: legacy, off by default */
    nssh_ossl_sig_mldsa44_ed25519_cert; /* off by default, as in sshd */
/* Security keys (PROTOCOL.u2f): sk-ssh-ed25519@openssh.com,
 * sk-ecdsa-sha2-nistp256@openssh.com and their certificates. They verify,
 * and sign through a key's signer (nssh_ossl_key_set_sk_signer). */
NSSH_API extern const nssh_sig_alg nssh_ossl_sig_sk_ed25519,
    nssh_ossl_sig_sk_ecdsa_p256, nssh_ossl_sig_sk_ed25519_cert,
    nssh_ossl_sig_sk_ecdsa_p256_cert;
/* webauthn-sk-ecdsa-sha2-nistp256@openssh.com: an sk-ecdsa key signing
 * through a web browser (PROTOCOL.u2f); verify only, named only (not in
 * the default lists, as in sshd). The sk-ecdsa algorithm accepts this
 * signature form too, as sshd does. */
NSSH_API extern const nssh_sig_alg nssh_ossl_sig_webauthn_sk_ecdsa_p256,
    nssh_ossl_sig_webauthn_sk_ecdsa_p256_cert;

/* NULL-terminated lists of everything the backend has, in the default
 * order of preference, and lookups by SSH name (NULL when unknown). */
NSSH_API extern const nssh_kem *const nssh_ossl_kems[];
NSSH_API extern const nssh_cipher *const nssh_ossl_ciphers[];
NSSH_API extern const nssh_mac *const nssh_ossl_macs[];
NSSH_API extern const nssh_sig_alg *const nssh_ossl_sig_algs[];
/* User-key algorithms only (no host key can use them); empty now that
 * security keys sign through their authenticator. Found by
 * nssh_ossl_sig_by_name too. */
NSSH_API extern const nssh_sig_alg *const nssh_ossl_sig_user_algs[];
NSSH_API const nssh_kem *nssh_ossl_kem_by_name(const char *name);
NSSH_API const nssh_cipher *nssh_ossl_cipher_by_name(const char *name);
NSSH_API const nssh_mac *nssh_ossl_mac_by_name(const char *name);
NSSH_API const nssh_sig_alg *nssh_ossl_sig_by_name(const char *name);

/* Random bytes from RAND_bytes; an nssh_rng_fn. */
NSSH_API int nssh_ossl_rng(void *user, uint8_t *out, size_t len);

/* Optional, for a server that forks a process per connection: call once
 * before the first fork. Builds libcrypto's algorithm tables and its
 * random generator so that each child does not build them again (about
 * half of a login's CPU otherwise); children reseed on their own. */
NSSH_API void nssh_ossl_preload(void);

/* ---- Keys ------------------------------------------------------------------ */
enum {
    NSSH_KEY_NONE = 0,
    NSSH_KEY_ED25519,
    NSSH_KEY_ECDSA_P256,
    NSSH_KEY_ECDSA_P384,
    NSSH_KEY_ECDSA_P521,
    NSSH_KEY_RSA,
    NSSH_KEY_MLDSA44_ED25519,    /* ssh-mldsa44-ed25519@openssh.com */
    NSSH_KEY_SK_ED25519,         /* sk-ssh-ed25519@openssh.com */
    NSSH_KEY_SK_ECDSA_P256       /* sk-ecdsa-sha2-nistp256@openssh.com */
};

/* Generate a private key (bits used for RSA only; 0 means 3072). */
NSSH_API int nssh_ossl_key_generate(int type, unsigned bits, nssh_key **out);
/* Load a private key from a file's contents: OpenSSH's
 * "-----BEGIN OPENSSH PRIVATE KEY-----" format (unencrypted), or PEM
 * (PKCS#1 RSA, SEC1 EC, PKCS#8). comment (may be NULL) receives the key's
 * comment when the format has one ("" otherwise). On failure comment
 * receives a sentence saying why instead (for example that the key is
 * encrypted with a passphrase, which gives NSSH_ERR_UNSUPPORTED). */
NSSH_API int nssh_ossl_key_load_private(const uint8_t *data, size_t len, nssh_key **out,
                                        char *comment, size_t comment_cap);
/* Write the private key in OpenSSH's format (what ssh-keygen writes).
 * *out is malloc'ed, NUL-terminated; the caller frees it. */
NSSH_API int nssh_ossl_key_save_private(const nssh_key *k, const char *comment, char **out,
                                        size_t *out_len);
/* Public key from a blob (for verifying, fingerprints). */
NSSH_API int nssh_ossl_key_from_blob(const uint8_t *blob, size_t len, nssh_key **out);
NSSH_API void nssh_ossl_key_free(nssh_key *k);

NSSH_API int nssh_ossl_key_type(const nssh_key *k);             /* NSSH_KEY_* */
NSSH_API const char *nssh_ossl_key_type_name(const nssh_key *k); /* "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" */
NSSH_API unsigned nssh_ossl_key_bits(const nssh_key *k);
/* Public key blob (RFC 4253 section 6.6). */
NSSH_API int nssh_ossl_key_public_blob(const nssh_key *k, uint8_t *buf, size_t cap,
                                       size_t *len);
/* "ssh-ed25519 AAAA... comment" (NUL-terminated). */
NSSH_API int nssh_ossl_key_public_line(const nssh_key *k, const char *comment, char *buf,
                                       size_t cap);
/* Signature algorithms a key type can sign with, best first; returns how
 * many were written (RSA: rsa-sha2-512, rsa-sha2-256). */
NSSH_API size_t nssh_ossl_key_sig_algs(const nssh_key *k, const nssh_sig_alg **out,
                                       size_t max);

/* ---- Security keys (OpenSSH PROTOCOL.u2f) -------------------------------- */
/* A security-key private key file holds no private key: it names the
 * authenticator's credential (application, flags, key handle), and the
 * authenticator signs. The application supplies that signer, typically
 * through a FIDO middleware library (sshd's SecurityKeyProvider). */
typedef struct nssh_ossl_sk_request {
    int ecdsa;                   /* 1 for sk-ecdsa (P-256), 0 for Ed25519 */
    const uint8_t *data;         /* the message; the authenticator hashes it */
    size_t data_len;
    const char *application;     /* NUL-terminated, e.g. "ssh:" */
    const uint8_t *key_handle;
    size_t key_handle_len;
    uint8_t flags;               /* the key's flags (user presence ...) */
} nssh_ossl_sk_request;

#define NSSH_OSSL_SK_SIG_MAX 72u
typedef struct nssh_ossl_sk_result {
    uint8_t flags;               /* what the authenticator says it checked */
    uint32_t counter;
    /* Ed25519: the 64-byte signature in r (s_len 0); ECDSA: r and s as
     * unsigned big-endian numbers. */
    uint8_t r[NSSH_OSSL_SK_SIG_MAX], s[NSSH_OSSL_SK_SIG_MAX];
    size_t r_len, s_len;
} nssh_ossl_sk_result;

/* Sign q; fill *out. 0, or a negative error (the signature fails). */
typedef int (*nssh_ossl_sk_sign_fn)(void *user, const nssh_ossl_sk_request *q,
                                    nssh_ossl_sk_result *out);
/* Attach the signer to a security-key private key; without one it cannot
 * sign (NSSH_ERR_KEY). Has no effect on other keys. */
NSSH_API void nssh_ossl_key_set_sk_signer(nssh_key *k, nssh_ossl_sk_sign_fn fn,
                                          void *user);
/* 1 for a security key (public or private), else 0. */
NSSH_API int nssh_ossl_key_is_sk(const nssh_key *k);

/* A signer for a public key whose private half is held elsewhere, such
 * as an ssh-agent (sshd_config's HostKeyAgent): it MUST write the SSH
 * signature blob of data by algorithm alg ("rsa-sha2-512") with the key
 * whose public blob is given, and return 0 or a negative error. */
typedef int (*nssh_ossl_signer_fn)(void *user, const uint8_t *blob, size_t blob_len,
                                   const char *alg, const uint8_t *data, size_t len,
                                   uint8_t *sig, size_t sig_max, size_t *sig_len);
/* Let a public-only key sign through signer (NULL: not at all). The
 * algorithms' sign functions then call it and check that the blob it
 * returns names their algorithm. A key with its private half ignores it. */
NSSH_API int nssh_ossl_key_set_signer(nssh_key *k, nssh_ossl_signer_fn signer, void *user);

/* "SHA256:base64-without-padding" of a blob, as ssh-keygen -l prints. */
NSSH_API int nssh_ossl_fingerprint(const uint8_t *blob, size_t len, char *out, size_t cap);
/* Key type name inside a blob ("ssh-rsa"), copied NUL-terminated. */
NSSH_API int nssh_ossl_blob_type(const uint8_t *blob, size_t len, char *out, size_t cap);

/* Base64 (RFC 4648, with padding). encode writes a NUL. decode ignores
 * nothing: whitespace is an error. Both return the output length or a
 * negative error. */
NSSH_API long nssh_ossl_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
NSSH_API long nssh_ossl_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
