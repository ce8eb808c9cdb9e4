/*
 * Internal to the compact backend: the primitives behind the tables.
 *
 *   sha256.c       SHA-256 (FIPS 180-4); SHA-512 is src/crypto/pq/sha512.c
 *   hash.c, hmac.c the nssh_hash and nssh_mac tables (RFC 2104, RFC 6668)
 *   fe25519.c      arithmetic modulo 2^255 - 19
 *   x25519.c       X25519 (RFC 7748) and the curve25519-sha256 KEMs
 *   ed25519*.c     Ed25519 (RFC 8032): points, scalars, sign/verify
 *   sig_ed25519.c  ssh-ed25519 and the key struct; keyfile.c OpenSSH files
 *   chacha20.c     ChaCha20 (RFC 8439 section 2.3, and the 64-bit-nonce
 *                  variant OpenSSH uses), poly1305.c (section 2.5)
 *   aes_ct.c       bitsliced constant-time AES encryption (FIPS 197)
 *   ghash.c, gcm.c GHASH and GCM (SP 800-38D), constant time
 *   cipher_*.c     the nssh_cipher tables
 *   drbg.c         the ChaCha20 random generator
 *   kem_hybrid.c   the ML-KEM and sntrup761 hybrids (src/crypto/hybrid.c)
 *   lists.c        default lists and lookups by name; util.c wipe, compare
 *
 * Nothing here allocates, calls the C library beyond mem* and strlen, or
 * branches on or indexes memory with secret data.
 */
#ifndef NSSH_COMPACT_INTERNAL_H
#define NSSH_COMPACT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_compact.h"

/* Context blocks must fit the engine's storage. */
#define COMPACT_CTX_FITS(T, SIZE) \
    _Static_assert(sizeof(T) <= (SIZE), #T " too large for " #SIZE)

/* Zero memory that held secrets, in a way the compiler keeps. */
void compact_wipe(void *p, size_t n);
/* 0 when a[0..n) == b[0..n), -1 otherwise; time depends on n only. */
int compact_memeq_ct(const void *a, const void *b, size_t n);

static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- SHA-256 ------------------------------------------------------------- */
typedef struct compact_sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    unsigned fill;
} compact_sha256_ctx;

void compact_sha256_init(compact_sha256_ctx *s);
void compact_sha256_update(compact_sha256_ctx *s, const void *data, size_t len);
/* Writes the digest and wipes the state. */
void compact_sha256_final(compact_sha256_ctx *s, uint8_t out[32]);
void compact_sha256(uint8_t out[32], const void *data, size_t len);

/* ---- HMAC (RFC 2104) with SHA-256 or SHA-512 ---------------------------- */
/* The chaining values after the inner and the outer padded key block, so
 * each MAC costs only the message's blocks and the two final ones. */
typedef struct compact_hmac_ctx {
    union {
        uint32_t w[16];   /* SHA-256: inner h[8], outer h[8] */
        uint64_t d[16];   /* SHA-512: inner h[8], outer h[8] */
    } st;
    uint32_t out_len;     /* 32 or 64; 0 when not keyed */
} compact_hmac_ctx;

/* Key the MAC: out_len 32 for HMAC-SHA-256, 64 for HMAC-SHA-512. Keys
 * longer than the hash's block are hashed first (RFC 2104 section 2). */
int compact_hmac_setkey(compact_hmac_ctx *m, unsigned out_len, const uint8_t *key, size_t klen);
/* MAC of a[0..alen) || b[0..blen) into out (out_len bytes). */
int compact_hmac_compute(const compact_hmac_ctx *m, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen, uint8_t *out);

/* ---- X25519 -------------------------------------------------------------- */
#define X25519_LEN 32u
/* out = X25519(k, u) (RFC 7748 section 5); no check on the result. */
void compact_x25519(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);
/* Public key of a private key. */
int compact_x25519_public(const uint8_t *sk, uint8_t *pk);
/* X25519(sk, peer); an all-zero result is refused with
 * NSSH_ERR_KEX_VALUE (RFC 7748 section 6.1) and ss is then zeroed. */
int compact_x25519_shared(uint8_t *ss, const uint8_t *sk, const uint8_t *peer);

/* ---- Ed25519 ------------------------------------------------------------- */
/* Public key of a seed (RFC 8032 section 5.1.5). */
void compact_ed25519_public(uint8_t pub[32], const uint8_t seed[32]);
/* Signature of msg (section 5.1.6). */
void compact_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
                  const uint8_t pub[32], const uint8_t *msg, size_t len);
/* 0 when sig is a valid signature of msg under pub (section 5.1.7, the
 * check [S]B = R + [k]A on encodings, S < L), NSSH_ERR_SIGNATURE when
 * not. */
int compact_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32],
                   const uint8_t *msg, size_t len);

/* ---- ChaCha20 and Poly1305 ----------------------------------------------- */
/* XOR len bytes of keystream into out from in (in == out allowed). iv is
 * state words 12..15 as 16 little-endian bytes: the block counter (words
 * 12-13, counted as one 64-bit number) and the nonce. RFC 8439's 96-bit
 * nonce form is the same for counters below 2^32. */
void compact_chacha20_xor(uint8_t *out, const uint8_t *in, size_t len,
                  const uint8_t key[32], const uint8_t iv[16]);
/* One 64-byte block of keystream for the 16 state words. */
void compact_chacha20_block(uint8_t out[64], const uint32_t in[16]);

typedef struct compact_poly1305_ctx {
    uint32_t r[5], h[5], pad[4];
    uint8_t buf[16];
    unsigned fill;
} compact_poly1305_ctx;

void compact_poly1305_init(compact_poly1305_ctx *p, const uint8_t key[32]);
void compact_poly1305_update(compact_poly1305_ctx *p, const uint8_t *m, size_t len);
/* Writes the tag and wipes the state. */
void compact_poly1305_final(compact_poly1305_ctx *p, uint8_t tag[16]);

/* ---- AES ----------------------------------------------------------------- */
/* Round keys for AES-128 (10 rounds) or AES-256 (14), bitsliced. */
typedef struct compact_aes_key {
    uint32_t sk[15 * 8];
    unsigned rounds;
} compact_aes_key;

/* klen 16 or 32; NSSH_ERR_CRYPTO otherwise. */
int compact_aes_setkey(compact_aes_key *k, const uint8_t *key, size_t klen);
/* Encrypt two independent 16-byte blocks (in[0..32) to out[0..32)). */
void compact_aes_encrypt2(const compact_aes_key *k, uint8_t out[32], const uint8_t in[32]);

/* GHASH with hash key H (SP 800-38D section 6.4): y = (y ^ block) * H for
 * each 16-byte block of data, the last one zero-padded. */
void compact_ghash(uint8_t y[16], const uint8_t h[16], const uint8_t *data,
                  size_t len);

/* AES-GCM (SP 800-38D) with a 96-bit IV, the whole message at once. */
typedef struct compact_gcm {
    compact_aes_key k;
    uint8_t h[16];      /* E(K, 0^128) */
} compact_gcm;

int compact_gcm_setkey(compact_gcm *g, const uint8_t *key, size_t klen);
/* Encrypt buf[0..len) in place and write the 16-byte tag. */
void compact_gcm_seal(const compact_gcm *g, const uint8_t iv[12],
                      const uint8_t *aad, size_t alen, uint8_t *buf,
                      size_t len, uint8_t tag[16]);
/* Check the tag in constant time, then decrypt in place: 0, or
 * NSSH_ERR_MAC with buf unchanged. */
int compact_gcm_open(const compact_gcm *g, const uint8_t iv[12],
                     const uint8_t *aad, size_t alen, uint8_t *buf,
                     size_t len, const uint8_t tag[16]);

#endif
