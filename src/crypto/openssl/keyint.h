/*
 * Internal to the key code of the OpenSSL backend: what the key files
 * share with each other.
 *
 *   key.c          key types, generate, free, accessors, signature algorithms
 *   key_build.c    OpenSSL key objects from SSH fields, SSH fields from them
 *   key_rsa.c      RSA key objects and their consistency check
 *   key_blob.c     public key blobs (RFC 4253 6.6, RFC 5656 3.1, RFC 8709)
 *   keytext.c      public key lines, fingerprints, blob type names
 *   keyfile.c      reading openssh-key-v1 private key files (PROTOCOL.key)
 *   keyfile_save.c writing them
 *   keyfile_priv.c the private key fields inside openssh-key-v1
 *   keyfile_pem.c  PEM private keys (PKCS#1, SEC1, PKCS#8)
 *   key_sk.c       security keys (PROTOCOL.u2f): fields, signing through
 *                  the authenticator
 *   base64.c       RFC 4648 base64
 */
#ifndef NSSH_OSSL_KEYINT_H
#define NSSH_OSSL_KEYINT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "buf.h"
#include "ossl.h"

/* RSA moduli accepted: sshd's minimum up to what OpenSSH handles. */
#define KEY_RSA_MIN_BITS 1024u
#define KEY_RSA_MAX_BITS 16384u
/* Bytes of the largest RSA number we write. */
#define KEY_BN_MAX (KEY_RSA_MAX_BITS / 8u)
/* Largest public blob any supported key has (RSA 16384: two mpints). */
#define KEY_BLOB_MAX (32u + 2u * (KEY_BN_MAX + 5u))

/* What one key type is called in SSH and in OpenSSL. */
typedef struct key_info {
    int type;              /* NSSH_KEY_* */
    const char *name;      /* blob type: "ecdsa-sha2-nistp256" */
    const char *curve;     /* SSH curve id (RFC 5656 6.1): "nistp256" */
    const char *group;     /* OpenSSL group: "P-256" */
    size_t field_len;      /* bytes of one coordinate: 32, 48, 66 */
    unsigned bits;         /* fixed size (0 for RSA) */
} key_info;

const key_info *key_info_by_type(int type);
const key_info *key_info_by_name(const uint8_t *name, size_t len);
const key_info *key_info_by_group(const char *group);

/* A key object around pkey; takes ownership of pkey (freed on failure). */
int key_wrap(int type, EVP_PKEY *pkey, int has_private, nssh_key **out);

/* ---- key_build.c --------------------------------------------------------- */
/* The RSA private numbers of PROTOCOL.key (magnitudes, big-endian). */
typedef struct rsa_priv {
    const uint8_t *d, *iqmp, *p, *q;
    size_t d_len, iqmp_len, p_len, q_len;
} rsa_priv;

/* Ed25519 from a 32-byte public key, or from a 32-byte seed (pub then
 * only checked against the seed's public key when not NULL). */
int key_build_ed25519(const uint8_t *pub, const uint8_t *seed, EVP_PKEY **out);
/* ECDSA from an uncompressed point Q and optionally the scalar d; the
 * point (and the pair) are validated. */
int key_build_ecdsa(const key_info *ki, const uint8_t *q, size_t q_len,
                    const uint8_t *d, size_t d_len, EVP_PKEY **out);
/* RSA from e and n, plus the private numbers when priv is not NULL
 * (key_rsa.c). */
int key_build_rsa(const uint8_t *e, size_t e_len, const uint8_t *n,
                  size_t n_len, const rsa_priv *priv, EVP_PKEY **out);
/* Do an RSA private key's numbers fit together? 0 or NSSH_ERR_KEY. */
int key_rsa_check(const EVP_PKEY *pkey);
/* EVP_PKEY_fromdata of alg with bld's params (selection: EVP_PKEY_*). */
int key_from_params(const char *alg, OSSL_PARAM_BLD *bld, int selection,
                    EVP_PKEY **out);

/* Write a BIGNUM parameter of pkey (OSSL_PKEY_PARAM_*) as an mpint. */
int key_put_bn_param(wr *w, const EVP_PKEY *pkey, const char *param);
/* Write the uncompressed public point of an EC key as a string. */
int key_put_ec_point(wr *w, const EVP_PKEY *pkey);
/* The raw 32-byte Ed25519 public key, or the 32-byte seed. */
int key_ed25519_raw(const EVP_PKEY *pkey, int private_part, uint8_t out[32]);

/* ---- key_mldsa.c ----------------------------------------------------------- */
/* ssh-mldsa44-ed25519@openssh.com (draft-miller-sshm-mldsa44-ed25519-
 * composite-sigs): public key ML-DSA-44 pk (1312) || Ed25519 pk (32);
 * private key the two 32-byte seeds, ML-DSA's then Ed25519's. */
#define KEY_MLDSA_PK 1344u
#define KEY_MLDSA_SEEDS 64u
struct key_mldsa {
    uint8_t pk[KEY_MLDSA_PK];
    uint8_t seeds[KEY_MLDSA_SEEDS];     /* with a private key only */
    uint8_t sk[2560];                   /* ML-DSA-44 sk expanded from its seed */
};
/* A key from the public key pk, or from the seeds (pk then only checked
 * against the key the seeds give when not NULL). */
int key_build_mldsa(const uint8_t *pk, const uint8_t *seeds, nssh_key **out);
/* A new key from random seeds. */
int key_generate_mldsa(nssh_key **out);
/* Wipes and frees k->mldsa. */
void key_free_mldsa(nssh_key *k);

/* ---- key_sk.c -------------------------------------------------------------- */
int key_is_sk_type(int type);
void key_free_sk(nssh_key *k);
/* The fields after the type name: a public blob's (to its end), or a
 * private key file's. */
int key_sk_from_blob(int type, rd *r, nssh_key **out);
int key_sk_get_private(int type, rd *r, nssh_key **out);
int key_sk_put_public(const nssh_key *k, wr *w);
int key_sk_put_private(const nssh_key *k, wr *w);
/* The SSH signature blob of an authenticator's answer (name: the
 * algorithm; ecdsa: r and s as mpints inside the raw signature). */
int key_sk_sig_blob(const char *name, int ecdsa, const nssh_ossl_sk_result *res,
                    uint8_t *sig, size_t sig_max, size_t *sig_len);
/* Sign through the key's signer; NSSH_ERR_KEY without one. */
int key_sk_sign(const nssh_key *k, const char *name, const uint8_t *data,
                size_t len, uint8_t *sig, size_t sig_max, size_t *sig_len);

/* ---- key_blob.c ------------------------------------------------------------ */
/* Blob fields after the type name (the public part), to w. */
int key_put_public(const nssh_key *k, wr *w);

/* ---- keyfile*.c ------------------------------------------------------------ */
#define KEYFILE_MAGIC "openssh-key-v1"   /* sizeof() counts its NUL: 15 bytes */
#define KEYFILE_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define KEYFILE_END "-----END OPENSSH PRIVATE KEY-----"
#define KEYFILE_PAD_BLOCK 8              /* block size of cipher "none" */
#define KEYFILE_COLS 70                  /* base64 line width ssh-keygen writes */

/* Private key fields of PROTOCOL.key section 3 for one key, after the
 * type name. */
int keyfile_put_private(const nssh_key *k, wr *w);
int keyfile_get_private(const key_info *ki, rd *r, nssh_key **out);
/* Where the text s first occurs in p[0..len), or NULL. */
const uint8_t *keyfile_find(const uint8_t *p, size_t len, const char *s);
/* A PEM private key; why gets a reason on failure. */
int keyfile_load_pem(const uint8_t *data, size_t len, nssh_key **out,
                     char *why, size_t why_cap);

#endif
