/*
 * umac-64@openssh.com, umac-128@openssh.com and their -etm@openssh.com
 * forms (OpenSSH's PROTOCOL section 1.7 for -etm): UMAC (RFC 4418, umac.c)
 * with a 16-byte key and an 8- or 16-byte tag. The nonce is the packet
 * sequence number as a 64-bit big-endian number, and the MAC covers the
 * packet alone: unlike HMAC, the sequence number is not prepended to the
 * message. For old peers only; never offered by default.
 */
#include <stdlib.h>

#include "ossl.h"
#include "umac.h"

/* The subkeys (over a kilobyte) live outside the engine's context block. */
typedef struct umac_mac {
    umac_ctx *u;
} umac_mac;
OSSL_CTX_FITS(umac_mac, NSSH_MAC_CTX_SIZE);

static void um_cleanup(void *ctx)
{
    umac_mac *m = ctx;

    if (m->u != NULL) {
        umac_cleanup(m->u);
        free(m->u);
        m->u = NULL;
    }
}

static int um_init(umac_mac *m, const uint8_t *key, unsigned taglen)
{
    int e;

    if ((m->u = malloc(sizeof(*m->u))) == NULL)
        return NSSH_ERR_CRYPTO;   /* out of memory */
    if ((e = umac_init(m->u, key, taglen)) < 0) {
        free(m->u);
        m->u = NULL;
    }
    return e;
}

static int um64_init(void *ctx, const uint8_t *key) { return um_init(ctx, key, 8); }
static int um128_init(void *ctx, const uint8_t *key) { return um_init(ctx, key, 16); }

static int um_compute(void *ctx, uint32_t seq, const uint8_t *data, size_t len,
                      uint8_t *out)
{
    umac_mac *m = ctx;
    uint8_t nonce[UMAC_NONCE_LEN] = { 0 };

    if (m->u == NULL)
        return NSSH_ERR_STATE;
    nonce[4] = (uint8_t)(seq >> 24);
    nonce[5] = (uint8_t)(seq >> 16);
    nonce[6] = (uint8_t)(seq >> 8);
    nonce[7] = (uint8_t)seq;
    return umac_tag(m->u, data, len, nonce, out);
}

#define UMAC_ALG(var, sshname, olen, is_etm, initfn) \
    const nssh_mac var = {                           \
        .name = sshname,                             \
        .key_len = UMAC_KEY_LEN,                     \
        .out_len = olen,                             \
        .etm = is_etm,                               \
        .init = initfn,                              \
        .compute = um_compute,                       \
        .cleanup = um_cleanup,                       \
    }

UMAC_ALG(nssh_ossl_umac64, "umac-64@openssh.com", 8, 0, um64_init);
UMAC_ALG(nssh_ossl_umac128, "umac-128@openssh.com", 16, 0, um128_init);
UMAC_ALG(nssh_ossl_umac64_etm, "umac-64-etm@openssh.com", 8, 1, um64_init);
UMAC_ALG(nssh_ossl_umac128_etm, "umac-128-etm@openssh.com", 16, 1, um128_init);
