/*
 * ChaCha20 (RFC 8439 section 2.3). The state's last four words are taken
 * as given (counter and nonce, see compact.h), which serves both the IETF
 * layout (32-bit counter, 96-bit nonce) and the original one OpenSSH
 * uses (64-bit counter, 64-bit nonce).
 */
#include "compact.h"

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                          \
    do {                                        \
        a += b; d ^= a; d = ROTL(d, 16);        \
        c += d; b ^= c; b = ROTL(b, 12);        \
        a += b; d ^= a; d = ROTL(d, 8);         \
        c += d; b ^= c; b = ROTL(b, 7);         \
    } while (0)

void compact_chacha20_block(uint8_t out[64], const uint32_t in[16])
{
    uint32_t x[16];
    unsigned i;

    for (i = 0; i < 16; i++)
        x[i] = in[i];
    for (i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (i = 0; i < 16; i++)
        store_le32(out + 4 * i, x[i] + in[i]);
    compact_wipe(x, sizeof(x));
}

void compact_chacha20_xor(uint8_t *out, const uint8_t *in, size_t len,
                  const uint8_t key[32], const uint8_t iv[16])
{
    uint32_t st[16];
    uint8_t ks[64];
    size_t i, n;

    st[0] = 0x61707865;   /* "expand 32-byte k" */
    st[1] = 0x3320646e;
    st[2] = 0x79622d32;
    st[3] = 0x6b206574;
    for (i = 0; i < 8; i++)
        st[4 + i] = load_le32(key + 4 * i);
    for (i = 0; i < 4; i++)
        st[12 + i] = load_le32(iv + 4 * i);
    while (len > 0) {
        compact_chacha20_block(ks, st);
        n = len < 64 ? len : 64;
        for (i = 0; i < n; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        out += n;
        in += n;
        len -= n;
        if (++st[12] == 0)
            st[13]++;
    }
    compact_wipe(st, sizeof(st));
    compact_wipe(ks, sizeof(ks));
}
