/*
 * SHA-256 and SHA-512 as nssh_hash tables, for the exchange hash and key
 * derivation (RFC 4253 section 7.2). SHA-512 is the one the post-quantum
 * code already carries (src/crypto/pq/sha512.c). The state lives in the
 * engine's context block; a magic word tells a live context from a
 * zeroed or finished one.
 */
#include "compact.h"
#include "pq/sha512.h"

#define LIVE 0x5a4a3a2au

typedef struct hash_ctx {
    union {
        compact_sha256_ctx s256;
        pq_sha512_ctx s512;
    } u;
    uint32_t live;
} hash_ctx;
COMPACT_CTX_FITS(hash_ctx, NSSH_HASH_CTX_SIZE);

static void hash_cleanup(void *ctx)
{
    compact_wipe(ctx, sizeof(hash_ctx));
}

static int s256_init(void *ctx)
{
    hash_ctx *h = ctx;

    compact_sha256_init(&h->u.s256);
    h->live = LIVE;
    return 0;
}

static int s256_update(void *ctx, const void *data, size_t len)
{
    hash_ctx *h = ctx;

    if (h->live != LIVE)
        return NSSH_ERR_STATE;
    compact_sha256_update(&h->u.s256, data, len);
    return 0;
}

static int s256_final(void *ctx, uint8_t *out)
{
    hash_ctx *h = ctx;

    if (h->live != LIVE)
        return NSSH_ERR_STATE;
    compact_sha256_final(&h->u.s256, out);
    hash_cleanup(ctx);
    return 0;
}

static int s512_init(void *ctx)
{
    hash_ctx *h = ctx;

    pq_sha512_init(&h->u.s512);
    h->live = LIVE;
    return 0;
}

static int s512_update(void *ctx, const void *data, size_t len)
{
    hash_ctx *h = ctx;

    if (h->live != LIVE)
        return NSSH_ERR_STATE;
    pq_sha512_update(&h->u.s512, data, len);
    return 0;
}

static int s512_final(void *ctx, uint8_t *out)
{
    hash_ctx *h = ctx;

    if (h->live != LIVE)
        return NSSH_ERR_STATE;
    pq_sha512_final(&h->u.s512, out);
    hash_cleanup(ctx);
    return 0;
}

const nssh_hash nssh_compact_sha256 = {
    "sha256", 32, s256_init, s256_update, s256_final, hash_cleanup
};
const nssh_hash nssh_compact_sha512 = {
    "sha512", 64, s512_init, s512_update, s512_final, hash_cleanup
};
