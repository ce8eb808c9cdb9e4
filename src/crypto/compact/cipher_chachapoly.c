/*
 * chacha20-poly1305@openssh.com, as OpenSSH's PROTOCOL.chacha20poly1305
 * defines it. The 64 bytes of key are K_2 (payload, first 32 bytes) and
 * K_1 (packet length, last 32 bytes). ChaCha20 is the original variant
 * with a 64-bit block counter and a 64-bit nonce, the nonce being the
 * packet sequence number as a big-endian uint64.
 *
 *   length:   ChaCha20(K_1, nonce, counter 0) over the 4 length bytes
 *   poly key: first 32 bytes of ChaCha20(K_2, nonce, counter 0)
 *   payload:  ChaCha20(K_2, nonce, counter 1 onwards)
 *   tag:      Poly1305(poly key, encrypted length || encrypted payload)
 */
#include <string.h>

#include "compact.h"

#define LIVE 0x63703230u

typedef struct chacha_ctx {
    uint8_t k2[32];    /* payload */
    uint8_t k1[32];    /* length */
    uint32_t live;
} chacha_ctx;
COMPACT_CTX_FITS(chacha_ctx, NSSH_CIPHER_CTX_SIZE);

static void chacha_cleanup(void *ctx)
{
    compact_wipe(ctx, sizeof(chacha_ctx));
}

static int chacha_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    chacha_ctx *c = ctx;

    (void)iv;
    (void)encrypt;   /* a stream cipher: the same operation both ways */
    memcpy(c->k2, key, 32);
    memcpy(c->k1, key + 32, 32);
    c->live = LIVE;
    return 0;
}

/* Counter (little-endian, state words 12-13) and the nonce (words 14-15)
 * holding seq as a big-endian uint64. */
static void make_iv(uint8_t iv[16], uint32_t seq, uint8_t counter)
{
    memset(iv, 0, 16);
    iv[0] = counter;
    store_be32(iv + 12, seq);
}

/* Poly1305 key for this packet: block 0 of K_2's keystream. */
static void poly_key(const chacha_ctx *c, uint32_t seq, uint8_t pk[32])
{
    uint8_t iv[16];

    memset(pk, 0, 32);
    make_iv(iv, seq, 0);
    compact_chacha20_xor(pk, pk, 32, c->k2, iv);
}

static void poly_tag(const uint8_t pk[32], const uint8_t *data, size_t len,
                     uint8_t tag[16])
{
    compact_poly1305_ctx p;

    compact_poly1305_init(&p, pk);
    compact_poly1305_update(&p, data, len);
    compact_poly1305_final(&p, tag);
}

static int chacha_seal(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    chacha_ctx *c = ctx;
    uint8_t iv[16], pk[32];

    if (c->live != LIVE)
        return NSSH_ERR_STATE;
    if (len < 4)
        return NSSH_ERR_PACKET;
    make_iv(iv, seq, 0);
    compact_chacha20_xor(pkt, pkt, 4, c->k1, iv);
    poly_key(c, seq, pk);
    make_iv(iv, seq, 1);
    compact_chacha20_xor(pkt + 4, pkt + 4, len - 4, c->k2, iv);
    poly_tag(pk, pkt, len, pkt + len);
    compact_wipe(pk, sizeof(pk));
    return 0;
}

static int chacha_get_length(void *ctx, uint32_t seq, const uint8_t *in4, uint32_t *plen)
{
    chacha_ctx *c = ctx;
    uint8_t iv[16], b[4];

    if (c->live != LIVE)
        return NSSH_ERR_STATE;
    make_iv(iv, seq, 0);
    compact_chacha20_xor(b, in4, 4, c->k1, iv);
    *plen = load_be32(b);
    return 0;
}

/* The tag is checked before anything is decrypted. */
static int chacha_open(void *ctx, uint32_t seq, uint8_t *pkt, size_t len)
{
    chacha_ctx *c = ctx;
    uint8_t iv[16], pk[32], tag[16];
    int e = NSSH_ERR_MAC;

    if (c->live != LIVE)
        return NSSH_ERR_STATE;
    if (len < 4)
        return NSSH_ERR_PACKET;
    poly_key(c, seq, pk);
    poly_tag(pk, pkt, len, tag);
    if (compact_memeq_ct(tag, pkt + len, sizeof(tag)) == 0) {
        make_iv(iv, seq, 1);
        compact_chacha20_xor(pkt + 4, pkt + 4, len - 4, c->k2, iv);
        e = 0;
    }
    compact_wipe(pk, sizeof(pk));
    compact_wipe(tag, sizeof(tag));
    return e;
}

const nssh_cipher nssh_compact_chacha20_poly1305 = {
    .name = "chacha20-poly1305@openssh.com",
    .key_len = 64,
    .iv_len = 0,
    .block_len = 8,
    .tag_len = 16,
    .flags = NSSH_CIPHER_AEAD,
    .init = chacha_init,
    .seal = chacha_seal,
    .get_length = chacha_get_length,
    .open = chacha_open,
    .cleanup = chacha_cleanup,
};
