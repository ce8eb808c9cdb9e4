/*
 * Base64 (RFC 4648 section 4, standard alphabet, with padding), as used by
 * OpenSSH public key lines and private key files.
 *
 * The decoder is strict on purpose: key material compared byte for byte
 * must have exactly one spelling, so whitespace, missing padding and
 * non-zero bits in the last character are all errors.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long nssh_ossl_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    size_t need, i, o = 0;

    if (len / 3 >= (size_t)LONG_MAX / 4 - 1)
        return NSSH_ERR_NOSPACE;
    need = (len + 2) / 3 * 4;
    if (cap < need + 1)
        return NSSH_ERR_NOSPACE;
    for (i = 0; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return (long)o;
}

/* Value of one base64 character, or -1. */
static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long nssh_ossl_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    size_t i, o = 0, pad = 0, need;

    if (len % 4 != 0)
        return NSSH_ERR_FORMAT;
    if (len > 0 && in[len - 1] == '=')
        pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
    need = len / 4 * 3 - pad;
    if (need > cap || need > (size_t)LONG_MAX)
        return NSSH_ERR_NOSPACE;
    for (i = 0; i < len; i += 4) {
        int v[4], k, last = (i + 4 == len);
        uint32_t w = 0;
        for (k = 0; k < 4; k++) {
            /* '=' only as the final one or two characters. */
            if (last && in[i + k] == '=' && k >= 4 - (int)pad) {
                v[k] = 0;
                continue;
            }
            v[k] = b64_value(in[i + k]);
            if (v[k] < 0)
                return NSSH_ERR_FORMAT;
        }
        w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
            (uint32_t)v[3];
        if (last && pad == 2 && (w & 0xffff) != 0)
            return NSSH_ERR_FORMAT;       /* non-canonical final bits */
        if (last && pad == 1 && (w & 0xff) != 0)
            return NSSH_ERR_FORMAT;
        out[o++] = (uint8_t)(w >> 16);
        if (!(last && pad == 2))
            out[o++] = (uint8_t)(w >> 8);
        if (!(last && pad >= 1))
            out[o++] = (uint8_t)w;
    }
    return (long)o;
}
