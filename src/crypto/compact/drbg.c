/*
 * The random generator: ChaCha20 with fast key erasure (D. J. Bernstein,
 * "Fast-key-erasure random-number generators", 2017). A request runs
 * ChaCha20 under the current key from counter 0; the first 32 bytes of
 * keystream become the next key and the rest is output, so the key that
 * made any output is gone before the output is returned. Seeding hashes
 * the old key with the new material (SHA-256), so seeds accumulate and a
 * reseed can only add entropy.
 */
#include <string.h>

#include "compact.h"

#define SEEDED 0x5eed5eedu
/* Bytes produced per key before rekeying inside one long request. */
#define CHUNK 4096u

void nssh_compact_drbg_init(nssh_compact_drbg *d)
{
    memset(d, 0, sizeof(*d));
}

void nssh_compact_drbg_clear(nssh_compact_drbg *d)
{
    compact_wipe(d, sizeof(*d));
}

/* A first seed of one repeated byte is no seed: it is what a missing
 * entropy source reads as (zeros from an absent peripheral, 0xff from
 * erased flash). Only that one bit about the seed decides the branch. */
static int all_equal(const uint8_t *s, size_t len)
{
    uint32_t diff = 0;
    size_t i;

    for (i = 1; i < len; i++)
        diff |= (uint32_t)(s[i] ^ s[0]);
    return diff == 0;
}

int nssh_compact_drbg_seed(nssh_compact_drbg *d, const uint8_t *seed,
                           size_t len)
{
    static const uint8_t label[] = "nanossh chacha20 drbg seed";
    compact_sha256_ctx s;

    if (d->seeded != SEEDED &&
        (len < NSSH_COMPACT_DRBG_SEED_MIN || all_equal(seed, len)))
        return NSSH_ERR_RNG;
    compact_sha256_init(&s);
    compact_sha256_update(&s, label, sizeof(label) - 1);
    compact_sha256_update(&s, d->key, sizeof(d->key));
    compact_sha256_update(&s, seed, len);
    compact_sha256_final(&s, d->key);
    d->seeded = SEEDED;
    d->requests = 0;
    return 0;
}

/* Up to CHUNK bytes from one key, and the key replaced. */
static void generate_chunk(nssh_compact_drbg *d, uint8_t *out, size_t len)
{
    uint8_t iv[16], next[32];

    memset(iv, 0, sizeof(iv));
    memset(next, 0, sizeof(next));
    compact_chacha20_xor(next, next, sizeof(next), d->key, iv);
    /* the output starts at block 1, after the block the new key came from */
    iv[0] = 1;
    memset(out, 0, len);
    compact_chacha20_xor(out, out, len, d->key, iv);
    memcpy(d->key, next, sizeof(next));
    compact_wipe(next, sizeof(next));
}

int nssh_compact_drbg_generate(nssh_compact_drbg *d, uint8_t *out, size_t len)
{
    if (d == NULL || d->seeded != SEEDED) {
        if (len > 0)
            memset(out, 0, len);
        return NSSH_ERR_RNG;
    }
    do {
        size_t n = len < CHUNK ? len : CHUNK;

        generate_chunk(d, out, n);
        out += n;
        len -= n;
    } while (len > 0);
    d->requests++;
    return 0;
}

int nssh_compact_rng(void *user, uint8_t *out, size_t len)
{
    return nssh_compact_drbg_generate(user, out, len);
}
