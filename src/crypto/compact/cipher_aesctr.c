/*
 * aes128-ctr and aes256-ctr (RFC 4344 section 4). The IV is the initial
 * 128-bit big-endian counter; the keystream carries on across calls and
 * packets, so one context serves the whole direction. Counters go
 * through AES two at a time; an unused half waits for the next call.
 */
#include <string.h>

#include "compact.h"

#define LIVE 0x63747221u

typedef struct ctr_ctx {
    compact_aes_key k;
    uint8_t ctr[16];     /* next counter block */
    uint8_t ks[32];      /* keystream of the last pair */
    uint32_t used;       /* bytes of ks already consumed */
    uint32_t live;
} ctr_ctx;
COMPACT_CTX_FITS(ctr_ctx, NSSH_CIPHER_CTX_SIZE);

static void ctr_cleanup(void *ctx)
{
    compact_wipe(ctx, sizeof(ctr_ctx));
}

static int ctr_init(void *ctx, const uint8_t *key, size_t klen, const uint8_t *iv)
{
    ctr_ctx *c = ctx;
    int e;

    memset(c, 0, sizeof(*c));
    if ((e = compact_aes_setkey(&c->k, key, klen)) < 0)
        return e;
    memcpy(c->ctr, iv, 16);
    c->used = sizeof(c->ks);
    c->live = LIVE;
    return 0;
}

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    (void)encrypt;
    return ctr_init(ctx, key, 16, iv);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    (void)encrypt;
    return ctr_init(ctx, key, 32, iv);
}

/* The counter is one 128-bit big-endian number (wraps modulo 2^128). */
static void inc128(uint8_t c[16])
{
    unsigned carry = 1;
    int i;

    for (i = 15; i >= 0; i--) {
        carry += c[i];
        c[i] = (uint8_t)carry;
        carry >>= 8;
    }
}

static int ctr_crypt(void *ctx, uint8_t *buf, size_t len)
{
    ctr_ctx *c = ctx;
    uint8_t in[32];
    size_t n, i;

    if (c->live != LIVE)
        return NSSH_ERR_STATE;
    while (len > 0) {
        if (c->used == sizeof(c->ks)) {
            memcpy(in, c->ctr, 16);
            inc128(c->ctr);
            memcpy(in + 16, c->ctr, 16);
            inc128(c->ctr);
            compact_aes_encrypt2(&c->k, c->ks, in);
            c->used = 0;
        }
        n = sizeof(c->ks) - c->used;
        if (n > len)
            n = len;
        for (i = 0; i < n; i++)
            buf[i] ^= c->ks[c->used + i];
        c->used += (uint32_t)n;
        buf += n;
        len -= n;
    }
    return 0;
}

#define AES_CTR(var, sshname, klen, initfn) \
    const nssh_cipher var = {               \
        .name = sshname,                    \
        .key_len = klen,                    \
        .iv_len = 16,                       \
        .block_len = 16,                    \
        .tag_len = 0,                       \
        .flags = 0,                         \
        .init = initfn,                     \
        .crypt = ctr_crypt,                 \
        .cleanup = ctr_cleanup,             \
    }

AES_CTR(nssh_compact_aes128_ctr, "aes128-ctr", 16, aes128_init);
AES_CTR(nssh_compact_aes256_ctr, "aes256-ctr", 32, aes256_init);
