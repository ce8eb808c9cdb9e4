/*
 * GCM (SP 800-38D section 7) with a 96-bit IV: J0 = IV || 1, the data
 * under counter blocks inc32(J0), inc32(inc32(J0)), ..., and
 * T = E(K, J0) ^ GHASH(A || 0* || C || 0* || [len(A)]64 || [len(C)]64).
 * J0 and the first data counter go through AES as one pair.
 */
#include <string.h>

#include "compact.h"

int compact_gcm_setkey(compact_gcm *g, const uint8_t *key, size_t klen)
{
    uint8_t z[32];
    int e;

    memset(g, 0, sizeof(*g));
    if ((e = compact_aes_setkey(&g->k, key, klen)) < 0)
        return e;
    memset(z, 0, sizeof(z));
    compact_aes_encrypt2(&g->k, z, z);
    memcpy(g->h, z, 16);
    compact_wipe(z, sizeof(z));
    return 0;
}

/* Keystream for counters ctr and ctr + 1 (32-bit, big-endian). */
static void pair(const compact_gcm *g, const uint8_t iv[12], uint32_t ctr,
                 uint8_t ks[32])
{
    uint8_t in[32];

    memcpy(in, iv, 12);
    store_be32(in + 12, ctr);
    memcpy(in + 16, iv, 12);
    store_be32(in + 28, ctr + 1);
    compact_aes_encrypt2(&g->k, ks, in);
}

/* XOR the data keystream into buf; first is the pair (J0, J0 + 1). */
static void ctr_xor(const compact_gcm *g, const uint8_t iv[12],
                    const uint8_t first[32], uint8_t *buf, size_t len)
{
    uint8_t ks[32];
    uint32_t ctr = 3;
    size_t n, i;

    n = len < 16 ? len : 16;
    for (i = 0; i < n; i++)
        buf[i] ^= first[16 + i];
    buf += n;
    len -= n;
    while (len > 0) {
        pair(g, iv, ctr, ks);
        ctr += 2;
        n = len < 32 ? len : 32;
        for (i = 0; i < n; i++)
            buf[i] ^= ks[i];
        buf += n;
        len -= n;
    }
    compact_wipe(ks, sizeof(ks));
}

static void tag_of(const compact_gcm *g, const uint8_t ek0[16],
                   const uint8_t *aad, size_t alen, const uint8_t *c,
                   size_t clen, uint8_t tag[16])
{
    uint8_t y[16], lens[16];
    unsigned i;

    memset(y, 0, sizeof(y));
    compact_ghash(y, g->h, aad, alen);
    compact_ghash(y, g->h, c, clen);
    store_be32(lens, (uint32_t)((uint64_t)alen >> 29));
    store_be32(lens + 4, (uint32_t)alen << 3);
    store_be32(lens + 8, (uint32_t)((uint64_t)clen >> 29));
    store_be32(lens + 12, (uint32_t)clen << 3);
    compact_ghash(y, g->h, lens, 16);
    for (i = 0; i < 16; i++)
        tag[i] = (uint8_t)(y[i] ^ ek0[i]);
    compact_wipe(y, sizeof(y));
}

void compact_gcm_seal(const compact_gcm *g, const uint8_t iv[12],
                      const uint8_t *aad, size_t alen, uint8_t *buf,
                      size_t len, uint8_t tag[16])
{
    uint8_t first[32];

    pair(g, iv, 1, first);
    ctr_xor(g, iv, first, buf, len);
    tag_of(g, first, aad, alen, buf, len, tag);
    compact_wipe(first, sizeof(first));
}

int compact_gcm_open(const compact_gcm *g, const uint8_t iv[12],
                     const uint8_t *aad, size_t alen, uint8_t *buf,
                     size_t len, const uint8_t tag[16])
{
    uint8_t first[32], want[16];
    int e = NSSH_ERR_MAC;

    pair(g, iv, 1, first);
    tag_of(g, first, aad, alen, buf, len, want);
    if (compact_memeq_ct(want, tag, 16) == 0) {
        ctr_xor(g, iv, first, buf, len);
        e = 0;
    }
    compact_wipe(first, sizeof(first));
    compact_wipe(want, sizeof(want));
    return e;
}
