/*
 * nanossh compact crypto backend: portable C99 for microcontrollers.
 *
 * The same algorithm tables as the OpenSSL backend (nanossh_crypto.h),
 * written without a C library beyond mem* and str*, without allocation and
 * without lookup tables indexed by secrets. Every context lives in the
 * engine's NSSH_*_CTX_SIZE blocks; keys and the random generator live in
 * structs the caller owns (static storage on a device).
 *
 * A build that uses this backend compiles src/crypto/compact,
 * src/crypto/pq and src/crypto/hybrid.c.
 */
#ifndef NANOSSH_COMPACT_H
#define NANOSSH_COMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* sntrup761x25519 in the backend (found by name, never in the default
 * list): define NSSH_COMPACT_SNTRUP to 0 to leave its tables, and with a
 * linker that drops unused sections its code, out of a firmware. */
#ifndef NSSH_COMPACT_SNTRUP
#define NSSH_COMPACT_SNTRUP 1
#endif

/* ---- Tables -------------------------------------------------------------- */
extern const nssh_hash nssh_compact_sha256, nssh_compact_sha512;

extern const nssh_mac nssh_compact_hmac_sha256_etm, nssh_compact_hmac_sha512_etm,
    nssh_compact_hmac_sha256, nssh_compact_hmac_sha512;

extern const nssh_cipher nssh_compact_chacha20_poly1305, /* chacha20-poly1305@openssh.com */
    nssh_compact_aes128_gcm, nssh_compact_aes256_gcm,    /* aes*-gcm@openssh.com */
    nssh_compact_aes128_ctr, nssh_compact_aes256_ctr;

/* mlkem768x25519-sha256, sntrup761x25519-sha512 (and its @openssh.com
 * name), curve25519-sha256 (and @libssh.org). */
extern const nssh_kem nssh_compact_mlkem768x25519_sha256,
    nssh_compact_sntrup761x25519_sha512,
    nssh_compact_sntrup761x25519_sha512_openssh,
    nssh_compact_curve25519_sha256, nssh_compact_curve25519_sha256_libssh;

extern const nssh_sig_alg nssh_compact_sig_ed25519;   /* ssh-ed25519 */

/* NULL-terminated lists in the default order of preference, and lookups
 * by SSH name (NULL when unknown). sntrup761 is found by name but not in
 * the default list: on a Cortex-M4 it adds about 4 KiB of code and needs
 * about 16 KiB of stack (ML-KEM-768 covers the same need). */
extern const nssh_kem *const nssh_compact_kems[];
extern const nssh_cipher *const nssh_compact_ciphers[];
extern const nssh_mac *const nssh_compact_macs[];
extern const nssh_sig_alg *const nssh_compact_sig_algs[];
const nssh_kem *nssh_compact_kem_by_name(const char *name);
const nssh_cipher *nssh_compact_cipher_by_name(const char *name);
const nssh_mac *nssh_compact_mac_by_name(const char *name);
const nssh_sig_alg *nssh_compact_sig_by_name(const char *name);

/* ---- Ed25519 keys ------------------------------------------------------ */
/* A key of this backend. The engine sees it as an opaque nssh_key through
 * nssh_compact_key_handle(); the struct is public so that it can be
 * static. Fields are private to the backend. */
typedef struct nssh_compact_key {
    uint32_t magic;     /* tells this backend's keys from others' */
    uint32_t has_private;
    uint8_t seed[32];   /* RFC 8032 private key */
    uint8_t pub[32];    /* encoded public point A */
} nssh_compact_key;

/* Private key from its 32-byte seed (RFC 8032 section 5.1.5). */
int nssh_compact_key_from_seed(nssh_compact_key *k, const uint8_t seed[32]);
/* Private key from the 64 bytes OpenSSH keeps in its private key format
 * (seed || public key, PROTOCOL.key); NSSH_ERR_KEY when the public half
 * does not belong to the seed. */
int nssh_compact_key_from_openssh(nssh_compact_key *k, const uint8_t sk[64]);
/* Private key from the text of an unencrypted OpenSSH private key file
 * ("-----BEGIN OPENSSH PRIVATE KEY-----", as ssh-keygen -t ed25519 writes
 * it). NSSH_ERR_UNSUPPORTED for an encrypted key or another key type,
 * NSSH_ERR_KEY for anything malformed. */
int nssh_compact_key_load_openssh(nssh_compact_key *k, const char *text,
                                  size_t len);
/* Public key only (for verification), from a "ssh-ed25519" key blob. */
int nssh_compact_key_from_blob(nssh_compact_key *k, const uint8_t *blob,
                               size_t len);
/* Public key blob: string "ssh-ed25519" || string(32 bytes), 51 bytes. */
#define NSSH_COMPACT_ED25519_BLOB_LEN 51u
int nssh_compact_key_public_blob(const nssh_compact_key *k, uint8_t *buf,
                                 size_t cap, size_t *len);
/* Wipe the key. */
void nssh_compact_key_clear(nssh_compact_key *k);

/* The key as the engine's nssh_key (for nssh_hostkey.key and the client's
 * publickey auth). */
static inline const nssh_key *nssh_compact_key_handle(const nssh_compact_key *k)
{
    return (const nssh_key *)(const void *)k;
}

/* ---- Random generator -------------------------------------------------- */
/*
 * A ChaCha20 generator with fast key erasure: every request produces its
 * output from a fresh key and replaces the key with keystream no caller
 * ever sees, so a later compromise of the state reveals nothing already
 * output. It produces nothing until seeded with at least
 * NSSH_COMPACT_DRBG_SEED_MIN bytes from a real entropy source (the
 * device's TRNG, or a seed handed in at boot): generate returns
 * NSSH_ERR_RNG instead. Not fork-safe (firmware does not fork).
 */
#define NSSH_COMPACT_DRBG_SEED_MIN 32u
typedef struct nssh_compact_drbg {
    uint8_t key[32];
    uint64_t requests;  /* since the last (re)seed */
    uint32_t seeded;
} nssh_compact_drbg;

/* Zeroes the state (unseeded). */
void nssh_compact_drbg_init(nssh_compact_drbg *d);
/* Mixes len bytes of seed material into the state; the first call needs
 * at least NSSH_COMPACT_DRBG_SEED_MIN bytes that are not all the same
 * byte (what a missing source reads as), NSSH_ERR_RNG otherwise; later
 * calls (reseeding) accept any amount. */
int nssh_compact_drbg_seed(nssh_compact_drbg *d, const uint8_t *seed,
                           size_t len);
int nssh_compact_drbg_generate(nssh_compact_drbg *d, uint8_t *out,
                               size_t len);
/* Wipes the state (unseeded again). */
void nssh_compact_drbg_clear(nssh_compact_drbg *d);
/* An nssh_rng_fn over the generator passed as user. */
int nssh_compact_rng(void *user, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif
#endif
