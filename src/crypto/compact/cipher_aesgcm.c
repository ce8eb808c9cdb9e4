/*
 * aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 with
 * OpenSSH's names, PROTOCOL section 1.6). The packet length is additional
 * authenticated data sent in clear; padding_length || payload || padding
 * is encrypted. The 12-byte IV is a 4-byte fixed field and an 8-byte
 * invocation counter incremented, big-endian, after every packet (RFC 5647
 * section 7.1). The sequence number is not used.
 */
#include <string.h>

#include "compact.h"

#define LIVE 0x67636d21u

typedef struct gcm_ctx {
    compact_gcm g;
    uint8_t iv[12];
    uint32_t live;
} gcm_ctx;
COMPACT_CTX_FITS(gcm_ctx, NSSH_CIPHER_CTX_SIZE);

static void gcm_cleanup(void *ctx)
{
    compact_wipe(ctx, sizeof(gcm_ctx));
}

static int gcm_init(void *ctx, const uint8_t *key, size_t klen, const uint8_t *iv)
{
    gcm_ctx *c = ctx;
    int e;

    memset(c, 0, sizeof(*c));
    if ((e = compact_gcm_setkey(&c->g, key, klen)) < 0)
        return e;
    memcpy(c->iv, iv, 12);
    c->live = LIVE;
    return 0;
}

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    (void)encrypt;
    return gcm_init(ctx, key, 16, iv);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    (void)encrypt;
    return gcm_init(ctx, key, 32, iv);
}

static void next_iv(gcm_ctx *c)
{
    int i;

    for (i = 11; i >= 4; i--)
        if (++c->iv[i] != 0)
            break;
}

static int gcm_seal(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    gcm_ctx *c = ctx;

    (void)seq;
    if (c->live != LIVE)
        return NSSH_ERR_STATE;
    if (len < 4)
        return NSSH_ERR_PACKET;
    compact_gcm_seal(&c->g, c->iv, pkt, 4, pkt + 4, len - 4, pkt + len);
    next_iv(c);
    return 0;
}

static int gcm_get_length(void *ctx, uint32_t seq, const uint8_t *in4, uint32_t *plen)
{
    (void)ctx;
    (void)seq;
    *plen = load_be32(in4);
    return 0;
}

static int gcm_open(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    gcm_ctx *c = ctx;
    int e;

    (void)seq;
    if (c->live != LIVE)
        return NSSH_ERR_STATE;
    if (len < 4)
        return NSSH_ERR_PACKET;
    e = compact_gcm_open(&c->g, c->iv, pkt, 4, pkt + 4, len - 4, pkt + len);
    next_iv(c);
    return e;
}

#define AES_GCM(var, sshname, klen, initfn) \
    const nssh_cipher var = {               \
        .name = sshname,                    \
        .key_len = klen,                    \
        .iv_len = 12,                       \
        .block_len = 16,                    \
        .tag_len = 16,                      \
        .flags = NSSH_CIPHER_AEAD,          \
        .init = initfn,                     \
        .seal = gcm_seal,                   \
        .get_length = gcm_get_length,       \
        .open = gcm_open,                   \
        .cleanup = gcm_cleanup,             \
    }

AES_GCM(nssh_compact_aes128_gcm, "aes128-gcm@openssh.com", 16, aes128_init);
AES_GCM(nssh_compact_aes256_gcm, "aes256-gcm@openssh.com", 32, aes256_init);
