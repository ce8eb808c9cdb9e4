/*
 * edwards25519 group operations (RFC 8032 section 5.1.4) with the
 * formulas of Hisil et al. for a = -1, and a constant-time scalar
 * multiplication with signed 4-bit windows: the scalar becomes 64 digits
 * in [-8, 8], each selects [|d|]P from a table of eight points by masks
 * (every entry is read every time) and is negated by mask.
 */
#include "compact.h"
#include "ed25519_int.h"

/* d = -121665/121666, 2d, and the base point B (x, 4/5), all mod p. */
static const uint8_t d2_bytes[32] = {
    0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82,
    0x9a, 0x14, 0xe0, 0x00, 0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19,
    0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24,
};
static const uint8_t d_bytes[32] = {
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41,
    0x4d, 0x0a, 0x70, 0x00, 0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c,
    0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
};
static const uint8_t sqrtm1_bytes[32] = {
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad,
    0x06, 0x18, 0x43, 0x2f, 0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b,
    0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
};
static const uint8_t bx_bytes[32] = {
    0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95,
    0x60, 0xc7, 0x2c, 0x69, 0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0,
    0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21,
};
static const uint8_t by_bytes[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
};

void ge_identity(ge *p)
{
    fe_0(p->X);
    fe_1(p->Y);
    fe_1(p->Z);
    fe_0(p->T);
}

void ge_base(ge *p)
{
    fe_frombytes(p->X, bx_bytes);
    fe_frombytes(p->Y, by_bytes);
    fe_1(p->Z);
    fe_mul(p->T, p->X, p->Y);
}

/* add-2008-hwcd-3: 8M + one multiplication by 2d. */
void ge_add(ge *r, const ge *p, const ge *q)
{
    fe a, b, c, d, t;

    fe_sub(a, p->Y, p->X);
    fe_sub(t, q->Y, q->X);
    fe_mul(a, a, t);
    fe_add(b, p->Y, p->X);
    fe_add(t, q->Y, q->X);
    fe_mul(b, b, t);
    fe_frombytes(t, d2_bytes);
    fe_mul(c, p->T, t);
    fe_mul(c, c, q->T);
    fe_mul(d, p->Z, q->Z);
    fe_add(d, d, d);
    /* E = b - a, F = d - c, G = d + c, H = b + a */
    fe_sub(t, b, a);
    fe_add(b, b, a);
    fe_sub(a, d, c);
    fe_add(d, d, c);
    fe_mul(r->X, t, a);
    fe_mul(r->Y, d, b);
    fe_mul(r->T, t, b);
    fe_mul(r->Z, a, d);
}

/* dbl-2008-hwcd with a = -1, every intermediate negated (the products
 * come out the same): H = A + B, E = H - (X + Y)^2, G = A - B, F = C + G. */
void ge_dbl(ge *r, const ge *p)
{
    fe a, b, c, e, h;

    fe_sq(a, p->X);
    fe_sq(b, p->Y);
    fe_sq(c, p->Z);
    fe_add(c, c, c);
    fe_add(h, a, b);
    fe_add(e, p->X, p->Y);
    fe_sq(e, e);
    fe_sub(e, h, e);
    fe_sub(a, a, b);      /* G */
    fe_add(c, c, a);      /* F */
    fe_mul(r->X, e, c);
    fe_mul(r->Y, a, h);
    fe_mul(r->T, e, h);
    fe_mul(r->Z, c, a);
}

void ge_neg(ge *r, const ge *p)
{
    fe_neg(r->X, p->X);
    fe_copy(r->Y, p->Y);
    fe_copy(r->Z, p->Z);
    fe_neg(r->T, p->T);
}

void ge_tobytes(uint8_t s[32], const ge *p)
{
    fe zi, x, y;

    fe_invert(zi, p->Z);
    fe_mul(x, p->X, zi);
    fe_mul(y, p->Y, zi);
    fe_tobytes(s, y);
    s[31] ^= (uint8_t)(fe_isodd(x) << 7);
}

int ge_frombytes(ge *p, const uint8_t s[32])
{
    uint8_t chk[32];
    fe u, v, v3, x, t, d;
    unsigned i, sign = s[31] >> 7;

    fe_frombytes(p->Y, s);
    fe_tobytes(chk, p->Y);
    chk[31] |= (uint8_t)(sign << 7);
    for (i = 0; i < 32; i++)
        if (chk[i] != s[i])
            return -1;    /* y >= p */
    fe_frombytes(d, d_bytes);
    fe_sq(u, p->Y);
    fe_mul(v, u, d);
    fe_1(t);
    fe_sub(u, u, t);      /* u = y^2 - 1 */
    fe_add(v, v, t);      /* v = d y^2 + 1 */
    /* x = u v^3 (u v^7)^((p - 5) / 8) */
    fe_sq(v3, v);
    fe_mul(v3, v3, v);
    fe_sq(x, v3);
    fe_mul(x, x, v);
    fe_mul(x, x, u);
    fe_pow22523(x, x);
    fe_mul(x, x, v3);
    fe_mul(x, x, u);
    fe_sq(t, x);
    fe_mul(t, t, v);      /* v x^2 */
    fe_sub(d, t, u);      /* v x^2 - u */
    if (!fe_iszero(d)) {
        fe_add(d, t, u);
        if (!fe_iszero(d))
            return -1;    /* not a square */
        fe_frombytes(t, sqrtm1_bytes);
        fe_mul(x, x, t);
    }
    if (fe_iszero(x) && sign)
        return -1;
    if (fe_isodd(x) != sign)
        fe_neg(x, x);
    fe_copy(p->X, x);
    fe_1(p->Z);
    fe_mul(p->T, p->X, p->Y);
    return 0;
}

static void ge_cmov(ge *r, const ge *p, uint32_t b)
{
    fe_cmov(r->X, p->X, b);
    fe_cmov(r->Y, p->Y, b);
    fe_cmov(r->Z, p->Z, b);
    fe_cmov(r->T, p->T, b);
}

/* 1 when a == b (both below 2^31), without branching. */
static uint32_t eq32(uint32_t a, uint32_t b)
{
    return ((a ^ b) - 1u) >> 31;
}

/* t = [d] table-point, d in [-8, 8]; table[j] = [j + 1]P. */
static void select_point(ge *t, const ge table[8], int32_t d)
{
    uint32_t neg = (uint32_t)d >> 31;
    uint32_t abs = ((uint32_t)d ^ (0u - neg)) + neg;
    ge m;
    unsigned j;

    ge_identity(t);
    for (j = 0; j < 8; j++)
        ge_cmov(t, &table[j], eq32(abs, j + 1));
    ge_neg(&m, t);
    ge_cmov(t, &m, neg);
    compact_wipe(&m, sizeof(m));
}

void ge_scalarmult(ge *r, const uint8_t k[32], const ge *p)
{
    ge table[8], q, t;
    int8_t e[64];
    int32_t carry = 0;
    int i;

    /* Signed radix-16 digits: sum e[i] 16^i = k, e[i] in [-8, 8). The top
     * digit takes the last carry: k < 2^255 keeps it at most 8. */
    for (i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(k[i] & 15);
        e[2 * i + 1] = (int8_t)(k[i] >> 4);
    }
    for (i = 0; i < 63; i++) {
        int32_t v = e[i] + carry;

        carry = (v + 8) >> 4;
        e[i] = (int8_t)(v - carry * 16);
    }
    e[63] = (int8_t)(e[63] + carry);

    table[0] = *p;
    for (i = 1; i < 8; i++)
        ge_add(&table[i], &table[i - 1], p);
    ge_identity(&q);
    for (i = 63; i >= 0; i--) {
        ge_dbl(&q, &q);
        ge_dbl(&q, &q);
        ge_dbl(&q, &q);
        ge_dbl(&q, &q);
        select_point(&t, table, e[i]);
        ge_add(&q, &q, &t);
    }
    *r = q;
    compact_wipe(table, sizeof(table));
    compact_wipe(&q, sizeof(q));
    compact_wipe(&t, sizeof(t));
    compact_wipe(e, sizeof(e));
}

void ge_double_scalarmult_vartime(ge *r, const uint8_t a[32], const ge *p,
                                  const uint8_t b[32], const ge *q)
{
    ge pq, acc;
    int i;

    ge_add(&pq, p, q);
    ge_identity(&acc);
    for (i = 255; i >= 0; i--) {
        unsigned ba = (a[i >> 3] >> (i & 7)) & 1u, bb = (b[i >> 3] >> (i & 7)) & 1u;

        ge_dbl(&acc, &acc);
        if (ba && bb)
            ge_add(&acc, &acc, &pq);
        else if (ba)
            ge_add(&acc, &acc, p);
        else if (bb)
            ge_add(&acc, &acc, q);
    }
    *r = acc;
}
