/*
 * Keccak-f[1600] and the FIPS 202 functions ML-KEM needs: SHA3-256,
 * SHA3-512, SHAKE128 and SHAKE256. Pure C: no allocation, no I/O, no
 * library calls beyond memcpy/memset, so it builds freestanding.
 */
#ifndef NSSH_PQ_KECCAK_H
#define NSSH_PQ_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh_crypto.h"   /* nssh_wipe */

/* Rates (bytes absorbed per permutation), FIPS 202 section 6. */
#define PQ_SHAKE128_RATE 168u
#define PQ_SHAKE256_RATE 136u
#define PQ_SHA3_256_RATE 136u
#define PQ_SHA3_512_RATE 72u

/* An incremental sponge: absorb any number of times, finish once, then
 * squeeze any number of times. */
typedef struct pq_keccak {
    uint64_t s[25];
    unsigned rate;  /* bytes */
    unsigned pos;   /* absorb: bytes in the current block; squeeze: bytes
                     * of the current block already output */
} pq_keccak;

void pq_keccak_init(pq_keccak *k, unsigned rate);
void pq_keccak_absorb(pq_keccak *k, const uint8_t *in, size_t len);
/* Pads with the domain suffix (0x06 for SHA3, 0x1f for SHAKE) and
 * switches to squeezing. */
void pq_keccak_finish(pq_keccak *k, uint8_t suffix);
void pq_keccak_squeeze(pq_keccak *k, uint8_t *out, size_t len);

#define PQ_SUFFIX_SHA3 0x06u
#define PQ_SUFFIX_SHAKE 0x1fu

/* One-shot helpers over the concatenation a || b (b may be NULL). */
void pq_sha3_256(uint8_t out[32], const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen);
void pq_sha3_512(uint8_t out[64], const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen);
void pq_shake256(uint8_t *out, size_t outlen, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen);


#endif
