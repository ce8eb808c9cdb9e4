/*
 * UMAC (RFC 4418) with AES-128 as the block cipher, internal to the
 * OpenSSL backend: the tag functions take the full 8-byte nonce so the
 * RFC's test vectors can be checked; the SSH MACs umac-64@openssh.com and
 * umac-128@openssh.com (mac_umac.c) pass the packet sequence number as
 * that nonce.
 */
#ifndef NSSH_OSSL_UMAC_H
#define NSSH_OSSL_UMAC_H

#include <stddef.h>
#include <stdint.h>

#define UMAC_KEY_LEN 16u
#define UMAC_NONCE_LEN 8u
#define UMAC_MAX_ITERS 4u          /* 16-byte tags: four UHASH streams */
/* Longest message taken: UHASH's second level here is POLY-64 only (RFC
 * 4418 section 5.3 switches to POLY-128 past 2^14 bytes of first-level
 * output, i.e. past 2 MiB of message), far above the SSH packet limit. */
#define UMAC_MAX_MSG (2048u * 1024u)

typedef struct umac_ctx {
    unsigned taglen;                               /* 8 or 16 bytes */
    uint32_t l1[256 + 4 * (UMAC_MAX_ITERS - 1)];   /* NH key, as words */
    uint64_t l2[UMAC_MAX_ITERS];                   /* POLY-64 keys, masked */
    uint64_t l3[UMAC_MAX_ITERS][8];                /* L3 keys mod 2^36 - 5 */
    uint8_t l3x[UMAC_MAX_ITERS * 4];               /* L3 output masks */
    void *pdf;                                     /* AES-128 under K' */
} umac_ctx;

/* Derive every subkey of key (16 bytes) for tags of taglen bytes (8 or
 * 16). 0 or a negative NSSH_ERR_* code; on failure nothing needs
 * freeing. */
int umac_init(umac_ctx *u, const uint8_t *key, unsigned taglen);
/* tag = UHASH(msg) xor PDF(nonce): taglen bytes. NSSH_ERR_INTERNAL for a
 * message longer than UMAC_MAX_MSG. */
int umac_tag(umac_ctx *u, const uint8_t *msg, size_t len,
             const uint8_t nonce[UMAC_NONCE_LEN], uint8_t *tag);
/* Frees the cipher context and wipes the subkeys; safe on a zeroed ctx. */
void umac_cleanup(umac_ctx *u);

#endif
