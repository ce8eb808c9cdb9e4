/* Internal to the OpenSSL backend. */
#ifndef NSSH_OSSL_INTERNAL_H
#define NSSH_OSSL_INTERNAL_H

#include <openssl/evp.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

/* A key: the OpenSSL object and its SSH type. pkey holds the private part
 * when the key was generated or loaded from a private file. */
struct nssh_key {
    int type;          /* NSSH_KEY_* */
    int has_private;
    EVP_PKEY *pkey;    /* ssh-mldsa44-ed25519: its Ed25519 half */
    struct key_mldsa *mldsa;   /* ssh-mldsa44-ed25519 only (key_mldsa.c) */
    struct key_sk *sk;         /* security keys only (key_sk.c) */
    /* A public key whose private half is held elsewhere (an ssh-agent):
     * its signatures are made by this callback (key_signer.c). */
    nssh_ossl_signer_fn signer;
    void *signer_user;
};

/* X25519 (kem_x25519.c), shared by the key exchanges built on it. Keys
 * and results are X25519_LEN bytes. x25519_shared refuses an all-zero
 * result with NSSH_ERR_KEX_VALUE and then leaves ss zeroed. */
#define X25519_LEN 32u
int x25519_public(const uint8_t *sk, uint8_t *pk);
int x25519_shared(uint8_t *ss, const uint8_t *sk, const uint8_t *peer);

/* Context blocks must fit the engine's storage. */
#define OSSL_CTX_FITS(T, SIZE) _Static_assert(sizeof(T) <= (SIZE), #T " too large")

/* A cipher context that runs for a whole direction (evp_stream.c): the
 * CTR and CBC modes. alg is OpenSSL's name ("AES-128-CTR"); the context
 * is freed (and the key schedule cleansed) on failure and by cleanup. */
typedef struct ossl_stream {
    EVP_CIPHER_CTX *cc;
} ossl_stream;
int ossl_stream_init(void *ctx, const char *alg, const uint8_t *key,
                     const uint8_t *iv, int encrypt);
int ossl_stream_crypt(void *ctx, uint8_t *buf, size_t len);
void ossl_stream_cleanup(void *ctx);

#endif
