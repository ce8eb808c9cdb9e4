/*
 * The post-quantum hybrid key exchanges, composed once for every backend:
 *
 *   mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, section 2)
 *     C_INIT  = ML-KEM-768 encapsulation key (1184) || X25519 key (32)
 *     S_REPLY = ML-KEM-768 ciphertext (1088)        || X25519 key (32)
 *     K       = SHA-256(K_PQ || K_CL)
 *   sntrup761x25519-sha512 (RFC 9941, formerly
 *   draft-ietf-sshm-ntruprime-ssh; also @openssh.com)
 *     Q_C = sntrup761 public key (1158) || X25519 key (32)
 *     Q_S = sntrup761 ciphertext (1039) || X25519 key (32)
 *     K   = SHA-512(sntrup761 key (32) || X25519 result (32))
 *
 * The post-quantum halves are src/crypto/pq; a backend supplies X25519
 * and the hash (its own nssh_hash table). K_CL is the 32-byte X25519
 * result, an all-zero one refused (RFC 8731 section 3). K enters the
 * exchange hash as a string, not an mpint. The client's secret key is the
 * PQ secret key followed by its X25519 private key. Random bytes are drawn
 * in a fixed order (PQ part first, then X25519), so a fixed source gives
 * fixed results.
 */
#ifndef NSSH_CRYPTO_HYBRID_H
#define NSSH_CRYPTO_HYBRID_H

#include <stdint.h>

#include "nanossh_crypto.h"

/* A backend's X25519: pub = X25519(sk, 9); shared = X25519(sk, peer),
 * NSSH_ERR_KEX_VALUE (and ss zeroed) for an all-zero result. */
typedef struct hybrid_x25519 {
    int (*pub)(const uint8_t *sk, uint8_t *pk);
    int (*shared)(uint8_t *ss, const uint8_t *sk, const uint8_t *peer);
} hybrid_x25519;

#define HYBRID_X25519_LEN 32u
#define HYBRID_MLKEM_PK_LEN (1184u + 32u)
#define HYBRID_MLKEM_CT_LEN (1088u + 32u)
#define HYBRID_MLKEM_SK_LEN (2400u + 32u)
#define HYBRID_MLKEM_SS_LEN 32u
#define HYBRID_SNTRUP_PK_LEN (1158u + 32u)
#define HYBRID_SNTRUP_CT_LEN (1039u + 32u)
#define HYBRID_SNTRUP_SK_LEN (1763u + 32u)
#define HYBRID_SNTRUP_SS_LEN 64u

/* hash is the backend's SHA-256 table. */
int hybrid_mlkem_keypair(const hybrid_x25519 *x, uint8_t *pk, uint8_t *sk,
                         nssh_rng_fn rng, void *rng_user);
int hybrid_mlkem_encaps(const hybrid_x25519 *x, const nssh_hash *sha256,
                        uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                        nssh_rng_fn rng, void *rng_user);
int hybrid_mlkem_decaps(const hybrid_x25519 *x, const nssh_hash *sha256,
                        uint8_t *ss, const uint8_t *ct, const uint8_t *sk);

/* hash is the backend's SHA-512 table. */
int hybrid_sntrup_keypair(const hybrid_x25519 *x, uint8_t *pk, uint8_t *sk,
                          nssh_rng_fn rng, void *rng_user);
int hybrid_sntrup_encaps(const hybrid_x25519 *x, const nssh_hash *sha512,
                         uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                         nssh_rng_fn rng, void *rng_user);
int hybrid_sntrup_decaps(const hybrid_x25519 *x, const nssh_hash *sha512,
                         uint8_t *ss, const uint8_t *ct, const uint8_t *sk);

#endif
