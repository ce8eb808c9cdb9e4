/*
 * nanossh algorithm tables.
 *
 * The engine sees every algorithm through one of these constant tables. A
 * crypto backend (src/crypto/openssl for Linux) exports instances; an
 * embedder lists the ones it wants in nssh_config. The engine never calls a
 * backend except through these pointers.
 *
 * Context storage: the engine hands each init function a block of
 * NSSH_*_CTX_SIZE bytes aligned to 16. A backend MUST keep its state inside
 * that block (it MAY store pointers to memory it manages, and MUST then free
 * it in cleanup). cleanup MUST be safe on a zeroed block and MUST wipe keys.
 *
 * Return values: 0 on success, a negative NSSH_ERR_* code on failure.
 */
#ifndef NANOSSH_CRYPTO_H
#define NANOSSH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Random bytes from the platform. MUST return 0 and fill all len bytes, or
 * return a negative code. */
typedef int (*nssh_rng_fn)(void *user, uint8_t *out, size_t len);

/* ---- Hashes ------------------------------------------------------------ */
typedef struct nssh_hash {
    const char *name;   /* "sha256", "sha512", "sha1" */
    uint16_t out_len;   /* digest bytes */
    int (*init)(void *ctx);
    int (*update)(void *ctx, const void *data, size_t len);
    /* Writes out_len bytes and releases the context (as cleanup does). */
    int (*final)(void *ctx, uint8_t *out);
    void (*cleanup)(void *ctx);
} nssh_hash;

/* ---- Ciphers ----------------------------------------------------------- */
/* Integrity built in (AEAD): the MAC is not negotiated, tag_len bytes
 * follow each packet. */
#define NSSH_CIPHER_AEAD 0x1u

typedef struct nssh_cipher {
    const char *name;   /* "aes128-ctr", "chacha20-poly1305@openssh.com" */
    uint16_t key_len;   /* bytes of key derived for it */
    uint16_t iv_len;    /* bytes of IV derived for it (0 for chacha) */
    uint16_t block_len; /* packet alignment: 8 for chacha, 16 for AES */
    uint16_t tag_len;   /* AEAD tag bytes, 0 otherwise */
    unsigned flags;     /* NSSH_CIPHER_* */
    /* encrypt: 1 to seal/encrypt, 0 to open/decrypt. */
    int (*init)(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt);

    /* Classic ciphers (flags without AEAD): transform len bytes in place;
     * len is a multiple of block_len. Keystream state carries across calls
     * (CTR), so a packet may be processed in pieces. */
    int (*crypt)(void *ctx, uint8_t *buf, size_t len);

    /* AEAD ciphers. A packet is pkt[0..len): the 4-byte packet_length, then
     * padding_length || payload || padding; len - 4 is a multiple of
     * block_len. The tag goes at pkt + len. seq is the packet sequence
     * number (RFC 4253 section 6.4).
     *
     * seal: encrypt in place (including the length for chacha20-poly1305;
     *   gcm leaves the length in clear as additional data) and write the tag.
     * get_length: read the packet_length from the first 4 received bytes
     *   without changing them (chacha20-poly1305 decrypts a copy).
     * open: check the tag at pkt + len over pkt[0..len) in constant time;
     *   on mismatch return NSSH_ERR_MAC and leave the data undefined; on a
     *   match decrypt pkt[4..len) in place. */
    int (*seal)(void *ctx, uint32_t seq, uint8_t *pkt, size_t len);
    int (*get_length)(void *ctx, uint32_t seq, const uint8_t *in4, uint32_t *plen);
    int (*open)(void *ctx, uint32_t seq, uint8_t *pkt, size_t len);

    void (*cleanup)(void *ctx);
} nssh_cipher;

/* ---- MACs -------------------------------------------------------------- */
typedef struct nssh_mac {
    const char *name;   /* "hmac-sha2-256", "hmac-sha2-256-etm@openssh.com" */
    uint16_t key_len;
    uint16_t out_len;
    uint8_t etm;        /* 1: encrypt-then-MAC (length in clear, MAC over ciphertext) */
    int (*init)(void *ctx, const uint8_t *key);
    /* MAC over uint32 seq (big-endian) || data[0..len); writes out_len bytes. */
    int (*compute)(void *ctx, uint32_t seq, const uint8_t *data, size_t len, uint8_t *out);
    void (*cleanup)(void *ctx);
} nssh_mac;

/* ---- Key exchange as a KEM --------------------------------------------- */
/* The shared secret K enters the exchange hash and key derivation as an
 * mpint (curve25519, ECDH, DH) rather than as a string (PQ hybrids). */
#define NSSH_KEM_SS_MPINT 0x1u
/* The public key / ciphertext travel as mpints (classic DH: e and f)
 * rather than strings; pk/ct buffers hold them big-endian, fixed length. */
#define NSSH_KEM_PK_MPINT 0x2u

/*
 * Client: keypair() makes (pk, sk) and sends pk (Q_C). Server: encaps(pk)
 * makes ct (Q_S) and the shared secret. Client: decaps(ct, sk) recovers the
 * shared secret. For X25519 this is ephemeral Diffie-Hellman; for hybrids
 * (draft-ietf-sshm-mlkem-hybrid-kex) the KEM hashes both parts into ss.
 * encaps/decaps MUST return NSSH_ERR_KEX_VALUE for an invalid peer value
 * (wrong length, point not on curve, all-zero X25519 result).
 */
/*
 * Diffie-Hellman group exchange (RFC 4419): the group is chosen per
 * connection, so the KEM calls take it as arguments. Values are big-endian,
 * plen bytes (the modulus length).
 */
typedef struct nssh_gex {
    /* A key pair in (p, g): pub = g^priv mod p. */
    int (*keypair)(const uint8_t *p, size_t plen, const uint8_t *g, size_t glen,
                   uint8_t *pub, uint8_t *priv, nssh_rng_fn rng, void *rng_user);
    /* ss = peer^priv mod p; NSSH_ERR_KEX_VALUE unless 1 < peer < p-1. */
    int (*shared)(const uint8_t *p, size_t plen, const uint8_t *peer,
                  const uint8_t *priv, uint8_t *ss);
    /* The built-in group closest to bits (used without a moduli list):
     * writes p (up to *plen bytes) and g, and their lengths. */
    int (*default_group)(uint32_t bits, uint8_t *p, size_t *plen, uint8_t *g,
                         size_t *glen);
} nssh_gex;

typedef struct nssh_kem {
    const char *name;        /* "curve25519-sha256" */
    const nssh_hash *hash;   /* exchange hash and key derivation */
    uint16_t pk_len, ct_len, sk_len, ss_len;
    unsigned flags;          /* NSSH_KEM_* */
    int (*keypair)(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user);
    int (*encaps)(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                  nssh_rng_fn rng, void *rng_user);
    int (*decaps)(uint8_t *ss, const uint8_t *ct, const uint8_t *sk);
    /* Group exchange (RFC 4419) instead of the fixed-size calls above:
     * pk_len/ct_len/ss_len are then unused. NULL for every other KEM. */
    const nssh_gex *gex;
} nssh_kem;

/* A group from a moduli file (/etc/ssh/moduli format). */
typedef struct nssh_modulus {
    uint32_t bits;         /* size of p in bits */
    const uint8_t *p;      /* big-endian */
    size_t plen;
    uint8_t g;             /* generator */
} nssh_modulus;

/* ---- Signatures (host keys and user keys) ------------------------------ */
/* A private or public key held by the backend. Opaque to the engine. */
typedef struct nssh_key nssh_key;

typedef struct nssh_sig_alg {
    const char *name;      /* signature algorithm: "rsa-sha2-512" */
    const char *key_type;  /* key blob type: "ssh-rsa" */
    /* Sign data; write the SSH signature blob (string name || string
     * raw-signature, RFC 4253 section 6.6) into sig[0..sig_max) and set
     * *sig_len. */
    int (*sign)(const nssh_key *key, const uint8_t *data, size_t len,
                uint8_t *sig, size_t sig_max, size_t *sig_len,
                nssh_rng_fn rng, void *rng_user);
    /* Verify an SSH signature blob over data with the public key blob.
     * Returns 0 when valid, NSSH_ERR_SIGNATURE when not, NSSH_ERR_KEY
     * for a malformed key blob, NSSH_ERR_FORMAT for a malformed sig blob.
     * The signature blob's name MUST equal this algorithm's name. */
    int (*verify)(const uint8_t *keyblob, size_t keylen,
                  const uint8_t *data, size_t len,
                  const uint8_t *sig, size_t siglen);
    unsigned flags;        /* NSSH_SIG_* */
} nssh_sig_alg;

/* A security-key algorithm (OpenSSH PROTOCOL.u2f): the signature blob
 * carries byte flags || uint32 counter after the raw signature, both
 * covered by it; verify checks the signature, the server's auth_sk
 * callback judges the flags. It signs only through an authenticator. */
#define NSSH_SIG_SK 0x01u

/* A host key as the engine uses it: one entry per signature algorithm (an
 * RSA key appears once for rsa-sha2-512 and once for rsa-sha2-256). */
typedef struct nssh_hostkey {
    const nssh_sig_alg *alg;
    const nssh_key *key;
    const uint8_t *blob;     /* public key blob (K_S) */
    size_t blob_len;
} nssh_hostkey;

/* ---- Helpers for backends --------------------------------------------- */
/* Zero n bytes at p that held secrets; the stores are not optimized away.
 * Every backend and the engine use this one. */
NSSH_API void nssh_wipe(void *p, size_t n);
/* Compare n bytes in constant time: 0 when equal, 1 when not. */
NSSH_API int nssh_ct_cmp(const void *a, const void *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif
