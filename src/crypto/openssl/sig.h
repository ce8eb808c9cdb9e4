/*
 * Internal to the signature algorithms of the OpenSSL backend: the SSH
 * signature blob (RFC 4253 section 6.6) and the OpenSSL calls all of them
 * share.
 *
 *   sig_common.c   blob encoding, public keys from blobs, EVP sign/verify
 *   sig_ed25519.c  ssh-ed25519 (RFC 8709)
 *   sig_ecdsa.c    ecdsa-sha2-nistp256/384/521 (RFC 5656 section 3.1.2)
 *   sig_rsa.c      rsa-sha2-512, rsa-sha2-256 (RFC 8332), ssh-rsa
 *   sig_sk.c       sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com
 *                  (security keys, PROTOCOL.u2f); signing in key_sk.c
 *   sig_webauthn.c webauthn-sk-ecdsa-sha2-nistp256@openssh.com: verify only
 *   sig_mldsa.c    ssh-mldsa44-ed25519@openssh.com (OpenSSH's PROTOCOL)
 *
 * Error codes of verify: NSSH_ERR_FORMAT when the SSH encoding itself is
 * broken (strings, mpints, trailing bytes); NSSH_ERR_SIGNATURE when it is
 * well formed but does not verify, including a blob naming another
 * algorithm or a raw signature of the wrong size; NSSH_ERR_KEY when the
 * key blob is malformed, of another type, or refused (RSA under 1024 bits).
 */
#ifndef NSSH_OSSL_SIG_H
#define NSSH_OSSL_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ossl.h"

/* string name || string raw into sig[0..sig_max). */
int sigblob_put(const char *name, const uint8_t *raw, size_t raw_len,
                uint8_t *sig, size_t sig_max, size_t *sig_len);
/* Parse string name || string raw with nothing after it; the name must be
 * want. *raw points into sig. */
int sigblob_get(const char *want, const uint8_t *sig, size_t sig_len,
                const uint8_t **raw, size_t *raw_len);
/* Public key of a blob whose type name is key_type and whose key is of
 * type ktype (NSSH_KEY_*). The caller frees *out with nssh_ossl_key_free. */
int sigblob_pubkey(const char *key_type, int ktype, const uint8_t *blob,
                   size_t len, nssh_key **out);
/* key_signer.c: a public key of type ktype with a signer of its own,
 * and a signature by it as alg (checked to be a blob of alg). */
int sig_has_signer(const nssh_key *k, int ktype);
int sig_signer_sign(const nssh_key *k, const char *alg, const uint8_t *data,
                    size_t len, uint8_t *sig, size_t sig_max, size_t *sig_len);
/* A key that can sign as ktype. */
int sig_check_private(const nssh_key *k, int ktype);

/* ECDSA: the DER ECDSA-Sig-Value (OPENSSL_malloc'ed) of an SSH
 * mpint r || mpint s (sig_ecdsa.c). */
int sig_ecdsa_ssh_to_der(const uint8_t *raw, size_t raw_len, uint8_t **der,
                         int *der_len);

/* One-shot EVP signing; mdname NULL for Ed25519. On entry *out_len is
 * the room at out, on return the signature length. RSA uses PKCS#1 v1.5. */
int sig_evp_sign(EVP_PKEY *pkey, const char *mdname, const uint8_t *data,
                 size_t len, uint8_t *out, size_t *out_len);
/* 0 when valid, NSSH_ERR_SIGNATURE when not. */
int sig_evp_verify(EVP_PKEY *pkey, const char *mdname, const uint8_t *data,
                   size_t len, const uint8_t *sig, size_t sig_len);

/* The table entry var for a signature algorithm whose signing draws no
 * randomness from rng (OpenSSL's ECDSA takes its nonce from its own
 * source; PKCS#1 v1.5 needs none): sign_fn(&alg, key, data, len, sig,
 * sig_max, sig_len) and verify_fn(&alg, keyblob, keylen, data, len, sig,
 * siglen) with alg the file's description of sshname. */
#define SIG_TABLE_NO_RNG(var, alg, sshname, ktype, sign_fn, verify_fn)        \
    static int var##_sign(const nssh_key *key, const uint8_t *data,          \
                          size_t len, uint8_t *sig, size_t sig_max,          \
                          size_t *sig_len, nssh_rng_fn rng, void *rng_user)  \
    {                                                                        \
        (void)rng;                                                           \
        (void)rng_user;                                                      \
        return sign_fn(&alg, key, data, len, sig, sig_max, sig_len);         \
    }                                                                        \
    static int var##_verify(const uint8_t *kb, size_t kl, const uint8_t *d,  \
                            size_t dl, const uint8_t *s, size_t sl)          \
    {                                                                        \
        return verify_fn(&alg, kb, kl, d, dl, s, sl);                        \
    }                                                                        \
    const nssh_sig_alg var = { .name = sshname, .key_type = ktype,           \
                               .sign = var##_sign, .verify = var##_verify }

/* sig_sk.c: the EC or Ed25519 key of an sk public blob of type name
 * (PROTOCOL.u2f) and its application (a view into blob). */
int sig_sk_pubkey(const char *name, const uint8_t *blob, size_t len,
                  EVP_PKEY **pkey, const uint8_t **app, size_t *app_len);
/* sig_webauthn.c: a webauthn-sk-ecdsa-sha2-nistp256@openssh.com
 * signature over data by an sk-ecdsa key blob. */
#define SIG_WEBAUTHN_NAME "webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
int sig_webauthn_verify(const uint8_t *keyblob, size_t keylen,
                        const uint8_t *data, size_t len, const uint8_t *sig,
                        size_t siglen);

#endif
