/*
 * aes128-ctr, aes192-ctr, aes256-ctr (RFC 4344 section 4). The IV is the
 * initial 128-bit big-endian counter; the keystream carries on across
 * calls and packets, so one context serves the whole direction.
 */
#include "ossl.h"

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "AES-128-CTR", key, iv, encrypt);
}

static int aes192_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "AES-192-CTR", key, iv, encrypt);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "AES-256-CTR", key, iv, encrypt);
}

#define AES_CTR(var, sshname, klen, initfn)     \
    const nssh_cipher var = {                   \
        .name = sshname,                        \
        .key_len = klen,                        \
        .iv_len = 16,                           \
        .block_len = 16,                        \
        .tag_len = 0,                           \
        .flags = 0,                             \
        .init = initfn,                         \
        .crypt = ossl_stream_crypt,             \
        .cleanup = ossl_stream_cleanup,         \
    }

AES_CTR(nssh_ossl_aes128_ctr, "aes128-ctr", 16, aes128_init);
AES_CTR(nssh_ossl_aes192_ctr, "aes192-ctr", 24, aes192_init);
AES_CTR(nssh_ossl_aes256_ctr, "aes256-ctr", 32, aes256_init);
