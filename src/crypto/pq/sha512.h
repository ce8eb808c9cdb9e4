/*
 * SHA-512 (FIPS 180-4) in pure C, for the post-quantum code, which must not
 * depend on a crypto backend: no allocation, no I/O, no library calls
 * beyond memcpy/memset, so it builds freestanding.
 */
#ifndef NSSH_PQ_SHA512_H
#define NSSH_PQ_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define PQ_SHA512_BYTES 64u

typedef struct pq_sha512_ctx {
    uint64_t h[8];
    uint64_t bytes;      /* message bytes absorbed so far */
    uint8_t block[128];
    unsigned fill;       /* bytes waiting in block */
} pq_sha512_ctx;

void pq_sha512_init(pq_sha512_ctx *s);
void pq_sha512_update(pq_sha512_ctx *s, const void *data, size_t len);
/* Writes the digest and wipes the state. */
void pq_sha512_final(pq_sha512_ctx *s, uint8_t out[64]);

/* One-shot digest of data[0..len). */
void pq_sha512(uint8_t out[64], const void *data, size_t len);

#endif
