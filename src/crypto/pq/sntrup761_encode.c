/*
 * Byte encodings of sntrup761 (NTRU Prime third-round specification,
 * "Encode" and "Decode"): a list of integers R[i] in [0, M[i]) is packed
 * by merging neighbours into one integer R[i] + M[i] * R[i+1] below
 * M[i] * M[i+1], sending low bytes while the bound is at least 2^14, and
 * repeating on the half-length list; the last integer goes out in as many
 * bytes as its bound needs. Decoding walks the same levels.
 *
 * Which bytes are written or read depends only on the bounds M, which are
 * public constants. Decoding divides by them: the values decoded (public
 * keys, ciphertexts) are public.
 */
#include "sntrup761_int.h"

#define P SNTRUP_P
#define Q SNTRUP_Q
#define Q12 SNTRUP_Q12

/* Room for every level of the halving: 761 + 381 + ... + 2 + 1 = 1525
 * entries. */
#define LEVELS_MAX (2 * P + 64)

/* Encode R (bounds M), both len entries, overwritten. Values below 2^14
 * fit 16 bits at every level. */
static void encode(uint8_t *out, uint16_t *R, uint16_t *M, int len)
{
    uint32_t r, m;
    int i;

    while (len > 1) {
        for (i = 0; i + 1 < len; i += 2) {
            m = M[i];
            r = R[i] + R[i + 1] * m;
            m *= M[i + 1];
            while (m >= 16384) {
                *out++ = (uint8_t)r;
                r >>= 8;
                m = (m + 255) >> 8;
            }
            R[i / 2] = (uint16_t)r;
            M[i / 2] = (uint16_t)m;
        }
        if (i < len) {
            R[i / 2] = R[i];
            M[i / 2] = M[i];
        }
        len = (len + 1) / 2;
    }
    for (r = R[0], m = M[0]; m > 1; m = (m + 255) >> 8) {
        *out++ = (uint8_t)r;
        r >>= 8;
    }
}

/* Bound after merging two entries, and how many low bytes went out. */
static uint32_t merged_bound(uint32_t m, int *nbytes)
{
    *nbytes = 0;
    while (m >= 16384) {
        m = (m + 255) >> 8;
        (*nbytes)++;
    }
    return m;
}

/* Decode len entries with bounds M into out. The bounds of every level are
 * computed first (level k at m[off[k]..]), then the values from the
 * shortest level back up, reading each level's low bytes at the offset
 * where encode wrote them. */
static void decode(uint16_t *out, const uint8_t *in, const uint16_t *M, int len)
{
    uint16_t m[LEVELS_MAX], v[LEVELS_MAX];
    int off[16], n[16], boff[16], depth = 0, k, i, nb, pos = 0;
    size_t bytes = 0;
    uint32_t r;

    for (i = 0; i < len; i++)
        m[i] = M[i];
    off[0] = 0;
    n[0] = len;
    while (n[depth] > 1) {
        const uint16_t *mk = m + off[depth];
        uint16_t *m2 = m + off[depth] + n[depth];

        boff[depth] = (int)bytes;
        for (i = 0; i + 1 < n[depth]; i += 2) {
            m2[i / 2] = (uint16_t)merged_bound((uint32_t)mk[i] * mk[i + 1], &nb);
            bytes += (size_t)nb;
        }
        if (i < n[depth])
            m2[i / 2] = mk[i];
        off[depth + 1] = off[depth] + n[depth];
        n[depth + 1] = (n[depth] + 1) / 2;
        depth++;
    }
    /* The last entry: one or two bytes, reduced by its bound. */
    k = off[depth];
    r = 0;
    for (i = 0, pos = (int)bytes; m[k] > 1 && (1u << (8 * i)) < m[k]; i++)
        r |= (uint32_t)in[pos + i] << (8 * i);
    v[k] = (uint16_t)(m[k] > 1 ? r % m[k] : 0);
    for (k = depth - 1; k >= 0; k--) {
        const uint16_t *mk = m + off[k], *v2 = v + off[k + 1];
        uint16_t *vk = v + off[k];

        pos = boff[k];
        for (i = 0; i + 1 < n[k]; i += 2) {
            int b;

            merged_bound((uint32_t)mk[i] * mk[i + 1], &nb);
            for (r = 0, b = 0; b < nb; b++)
                r |= (uint32_t)in[pos++] << (8 * b);
            r += (uint32_t)v2[i / 2] << (8 * nb);
            vk[i] = (uint16_t)(r % mk[i]);
            vk[i + 1] = (uint16_t)((r / mk[i]) % mk[i + 1]);
        }
        if (i < n[k])
            vk[i] = v2[i / 2];
    }
    for (i = 0; i < len; i++)
        out[i] = v[i];
}

void sntrup_rq_encode(uint8_t *out, const int16_t *r)
{
    uint16_t R[P], M[P];
    int i;

    for (i = 0; i < P; i++) {
        R[i] = (uint16_t)(r[i] + Q12);
        M[i] = Q;
    }
    encode(out, R, M, P);
}

void sntrup_rq_decode(int16_t *r, const uint8_t *in)
{
    uint16_t R[P], M[P];
    int i;

    for (i = 0; i < P; i++)
        M[i] = Q;
    decode(R, in, M, P);
    for (i = 0; i < P; i++)
        r[i] = (int16_t)(R[i] - Q12);
}

/* Rounded coefficients are multiples of 3: (c + Q12) / 3 < (q + 2) / 3.
 * The division is a multiplication by 10923 / 2^15, exact for multiples
 * of 3 below 2^15. */
void sntrup_rounded_encode(uint8_t *out, const int16_t *r)
{
    uint16_t R[P], M[P];
    int i;

    for (i = 0; i < P; i++) {
        R[i] = (uint16_t)(((uint32_t)(r[i] + Q12) * 10923) >> 15);
        M[i] = (Q + 2) / 3;
    }
    encode(out, R, M, P);
    nssh_wipe(R, sizeof(R));
}

void sntrup_rounded_decode(int16_t *r, const uint8_t *in)
{
    uint16_t R[P], M[P];
    int i;

    for (i = 0; i < P; i++)
        M[i] = (Q + 2) / 3;
    decode(R, in, M, P);
    for (i = 0; i < P; i++)
        r[i] = (int16_t)(R[i] * 3 - Q12);
}

/* Four coefficients a byte, each as c + 1 in two bits, lowest first. */
void sntrup_small_encode(uint8_t *out, const int8_t *f)
{
    int i, j;

    for (i = 0; i < SNTRUP_SMALL_BYTES; i++) {
        uint8_t b = 0;

        for (j = 0; j < 4 && 4 * i + j < P; j++)
            b |= (uint8_t)((f[4 * i + j] + 1) << (2 * j));
        out[i] = b;
    }
}

void sntrup_small_decode(int8_t *f, const uint8_t *in)
{
    int i;

    for (i = 0; i < P; i++)
        f[i] = (int8_t)(((in[i / 4] >> (2 * (i % 4))) & 3) - 1);
}
