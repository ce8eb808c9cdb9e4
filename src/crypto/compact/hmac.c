/*
 * HMAC (RFC 2104) with SHA-256 and SHA-512, and the SSH MAC tables over
 * it (RFC 4253 section 6.4; SHA-2 names from RFC 6668; the
 * -etm@openssh.com variants from OpenSSH's PROTOCOL section 1.7 differ
 * only in what the engine feeds in). The context keeps the chaining
 * values after the ipad and opad blocks, not the key.
 */
#include <string.h>

#include "compact.h"
#include "pq/sha512.h"

#define IPAD 0x36u
#define OPAD 0x5cu

COMPACT_CTX_FITS(compact_hmac_ctx, NSSH_MAC_CTX_SIZE);

/* Chaining values of SHA-256 or SHA-512 after one block of key ^ pad. */
static void pad_state(compact_hmac_ctx *m, const uint8_t *k, size_t bs, uint8_t pad,
                      int outer)
{
    uint8_t blk[128];
    size_t i;

    for (i = 0; i < bs; i++)
        blk[i] = (uint8_t)(k[i] ^ pad);
    if (bs == 64) {
        compact_sha256_ctx s;

        compact_sha256_init(&s);
        compact_sha256_update(&s, blk, 64);
        memcpy(m->st.w + 8 * outer, s.h, 32);
        compact_wipe(&s, sizeof(s));
    } else {
        pq_sha512_ctx s;

        pq_sha512_init(&s);
        pq_sha512_update(&s, blk, 128);
        memcpy(m->st.d + 8 * outer, s.h, 64);
        compact_wipe(&s, sizeof(s));
    }
    compact_wipe(blk, sizeof(blk));
}

int compact_hmac_setkey(compact_hmac_ctx *m, unsigned out_len, const uint8_t *key, size_t klen)
{
    uint8_t k[128];
    size_t bs = out_len == 32 ? 64 : 128;

    memset(m, 0, sizeof(*m));
    if (out_len != 32 && out_len != 64)
        return NSSH_ERR_CRYPTO;
    memset(k, 0, sizeof(k));
    if (klen > bs) {
        if (out_len == 32)
            compact_sha256(k, key, klen);
        else
            pq_sha512(k, key, klen);
    } else if (klen > 0) {
        memcpy(k, key, klen);
    }
    pad_state(m, k, bs, IPAD, 0);
    pad_state(m, k, bs, OPAD, 1);
    compact_wipe(k, sizeof(k));
    m->out_len = out_len;
    return 0;
}

int compact_hmac_compute(const compact_hmac_ctx *m, const uint8_t *a, size_t alen,
                 const uint8_t *b, size_t blen, uint8_t *out)
{
    uint8_t inner[64];

    if (m->out_len == 32) {
        compact_sha256_ctx s;

        memcpy(s.h, m->st.w, 32);
        s.bytes = 64;
        s.fill = 0;
        compact_sha256_update(&s, a, alen);
        compact_sha256_update(&s, b, blen);
        compact_sha256_final(&s, inner);
        memcpy(s.h, m->st.w + 8, 32);
        s.bytes = 64;
        s.fill = 0;
        compact_sha256_update(&s, inner, 32);
        compact_sha256_final(&s, out);
    } else if (m->out_len == 64) {
        pq_sha512_ctx s;

        memcpy(s.h, m->st.d, 64);
        s.bytes = 128;
        s.fill = 0;
        pq_sha512_update(&s, a, alen);
        pq_sha512_update(&s, b, blen);
        pq_sha512_final(&s, inner);
        memcpy(s.h, m->st.d + 8, 64);
        s.bytes = 128;
        s.fill = 0;
        pq_sha512_update(&s, inner, 64);
        pq_sha512_final(&s, out);
    } else {
        return NSSH_ERR_STATE;
    }
    compact_wipe(inner, sizeof(inner));
    return 0;
}

static void mac_cleanup(void *ctx)
{
    compact_wipe(ctx, sizeof(compact_hmac_ctx));
}

static int mac256_init(void *ctx, const uint8_t *key)
{
    return compact_hmac_setkey(ctx, 32, key, 32);
}

static int mac512_init(void *ctx, const uint8_t *key)
{
    return compact_hmac_setkey(ctx, 64, key, 64);
}

/* MAC over uint32 seq || data. */
static int mac_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len,
                       uint8_t *out)
{
    uint8_t s[4];

    store_be32(s, seq);
    return compact_hmac_compute(ctx, s, sizeof(s), data, len, out);
}

#define HMAC_ALG(var, sshname, len, is_etm, initfn) \
    const nssh_mac var = {                          \
        .name = sshname,                            \
        .key_len = len,                             \
        .out_len = len,                             \
        .etm = is_etm,                              \
        .init = initfn,                             \
        .compute = mac_compute,                     \
        .cleanup = mac_cleanup,                     \
    }

HMAC_ALG(nssh_compact_hmac_sha256_etm, "hmac-sha2-256-etm@openssh.com", 32, 1, mac256_init);
HMAC_ALG(nssh_compact_hmac_sha512_etm, "hmac-sha2-512-etm@openssh.com", 64, 1, mac512_init);
HMAC_ALG(nssh_compact_hmac_sha256, "hmac-sha2-256", 32, 0, mac256_init);
HMAC_ALG(nssh_compact_hmac_sha512, "hmac-sha2-512", 64, 0, mac512_init);
