/* Do-nothing algorithm tables for fuzzing (see null_crypto.h). */
#include <string.h>

#include "null_crypto.h"

/* A hash that is cheap and deterministic: folds bytes into 32. */
typedef struct { uint8_t s[28]; uint32_t n; } fold_ctx;

static int f_init(void *ctx) { memset(ctx, 0, sizeof(fold_ctx)); return 0; }
static int f_update(void *ctx, const void *p, size_t n)
{
    fold_ctx *f = ctx;
    const uint8_t *b = p;
    while (n--) {
        f->s[f->n % 28] = (uint8_t)(f->s[f->n % 28] * 31 + *b++ + 1);
        f->n++;
    }
    return 0;
}
static int f_final(void *ctx, uint8_t *out) { memcpy(out, ((fold_ctx *)ctx)->s, 28); return 0; }
static void f_cleanup(void *ctx) { memset(ctx, 0, sizeof(fold_ctx)); }

static const nssh_hash fold = { "fold", 28, f_init, f_update, f_final, f_cleanup };

int fuzz_rng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    memset(out, 0x5a, len);
    return 0;
}

static int k_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *u)
{
    rng(u, sk, 32);
    memcpy(pk, sk, 32);
    return 0;
}
static int k_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk, nssh_rng_fn rng, void *u)
{
    size_t i;
    rng(u, ct, 32);
    for (i = 0; i < 32; i++)
        ss[i] = (uint8_t)(pk[i] ^ ct[i] ^ 0x80);
    return 0;
}
static int k_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    size_t i;
    for (i = 0; i < 32; i++)
        ss[i] = (uint8_t)(sk[i] ^ ct[i] ^ 0x80);
    return 0;
}
const nssh_kem fuzz_null_kem = { "null-kex@fuzz", &fold, 32, 32, 32, 32,
                                 NSSH_KEM_SS_MPINT, k_keypair, k_encaps, k_decaps, NULL };

static int c_init(void *ctx, const uint8_t *k, const uint8_t *iv, int enc) { return 0; }
static int c_crypt(void *ctx, uint8_t *b, size_t n) { return 0; }
static void c_cleanup(void *ctx) {}
const nssh_cipher fuzz_null_cipher = { "null-cipher@fuzz", 16, 16, 8, 0, 0, c_init,
                                       c_crypt, NULL, NULL, NULL, c_cleanup };

static int m_init(void *ctx, const uint8_t *k) { return 0; }
static int m_compute(void *ctx, uint32_t seq, const uint8_t *d, size_t n, uint8_t *out) { return 0; }
const nssh_mac fuzz_null_mac = { "null-mac@fuzz", 16, 0, 1, m_init, m_compute, c_cleanup };

static const uint8_t blob[] = { 0, 0, 0, 8, 'n', 'u', 'l', 'l', '-', 's', 'i', 'g', 0, 0, 0, 1, 7 };

static int s_sign(const nssh_key *k, const uint8_t *d, size_t n, uint8_t *sig,
                  size_t max, size_t *len, nssh_rng_fn rng, void *u)
{
    if (max < 16)
        return NSSH_ERR_NOSPACE;
    memcpy(sig, "\0\0\0\x08null-sig\0\0\0\0", 16);
    *len = 16;
    return 0;
}
static int s_verify(const uint8_t *kb, size_t kl, const uint8_t *d, size_t n,
                    const uint8_t *sig, size_t sl)
{
    return sl >= 12 && memcmp(sig + 4, "null-sig", 8) == 0 ? 0 : NSSH_ERR_SIGNATURE;
}
const nssh_sig_alg fuzz_null_sig = { "null-sig", "null-sig", s_sign, s_verify, 0 };
const nssh_hostkey fuzz_null_hostkey = { &fuzz_null_sig, NULL, blob, sizeof(blob) };

static const nssh_kem *const kems[] = { &fuzz_null_kem };
static const nssh_cipher *const ciphers[] = { &fuzz_null_cipher };
static const nssh_mac *const macs[] = { &fuzz_null_mac };
static const nssh_sig_alg *const sigs[] = { &fuzz_null_sig };

static void common(nssh_config *cfg, int role, const nssh_callbacks *cb, void *user)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = role;
    cfg->kems = kems;
    cfg->n_kems = 1;
    cfg->ciphers = ciphers;
    cfg->n_ciphers = 1;
    cfg->macs = macs;
    cfg->n_macs = 1;
    cfg->sig_algs = sigs;
    cfg->n_sig_algs = 1;
    cfg->hostkeys = &fuzz_null_hostkey;
    cfg->n_hostkeys = 1;
    cfg->auth_methods = NSSH_METHOD_PUBLICKEY;
    cfg->rekey_bytes = 1u << 16;
    cfg->rng = fuzz_rng;
    cfg->cb = cb;
    cfg->user = user;
}

void fuzz_server_config(nssh_config *cfg, const nssh_callbacks *cb, void *user)
{
    common(cfg, NSSH_ROLE_SERVER, cb, user);
}

void fuzz_client_config(nssh_config *cfg, const nssh_callbacks *cb, void *user)
{
    common(cfg, NSSH_ROLE_CLIENT, cb, user);
}
