/*
 * aes128-cbc, aes192-cbc, aes256-cbc and 3des-cbc (RFC 4253 section 6.3),
 * kept for old peers only: never offered unless a configuration names
 * them (CBC with encrypt-and-MAC is the construction of the SSH CBC
 * plaintext-recovery attacks).
 *
 * The IV of each direction is the initial chaining value and the chain
 * continues across packets ("the IV for each packet is the last cipher
 * block of the previous one"), so one EVP context serves the whole
 * direction (evp_stream.c); the packet layer aligns every packet to
 * block_len (16 for AES, 8 for 3DES).
 */
#include "ossl.h"

static int aes128_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "AES-128-CBC", key, iv, encrypt);
}

static int aes192_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "AES-192-CBC", key, iv, encrypt);
}

static int aes256_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "AES-256-CBC", key, iv, encrypt);
}

/* Three-key triple DES in EDE mode (RFC 4253 section 6.3: "three-key
 * 3DES (encrypt-decrypt-encrypt), where the first 8 bytes of the key are
 * used for the first encryption, ..."), OpenSSL's DES-EDE3-CBC. */
static int des3_init(void *ctx, const uint8_t *key, const uint8_t *iv, int encrypt)
{
    return ossl_stream_init(ctx, "DES-EDE3-CBC", key, iv, encrypt);
}

#define CBC(var, sshname, klen, blen, initfn)   \
    const nssh_cipher var = {                   \
        .name = sshname,                        \
        .key_len = klen,                        \
        .iv_len = blen,                         \
        .block_len = blen,                      \
        .tag_len = 0,                           \
        .flags = 0,                             \
        .init = initfn,                         \
        .crypt = ossl_stream_crypt,             \
        .cleanup = ossl_stream_cleanup,         \
    }

CBC(nssh_ossl_aes128_cbc, "aes128-cbc", 16, 16, aes128_init);
CBC(nssh_ossl_aes192_cbc, "aes192-cbc", 24, 16, aes192_init);
CBC(nssh_ossl_aes256_cbc, "aes256-cbc", 32, 16, aes256_init);
CBC(nssh_ossl_3des_cbc, "3des-cbc", 24, 8, des3_init);
