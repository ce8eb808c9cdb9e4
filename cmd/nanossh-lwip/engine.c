/*
 * The engine's configuration, the same algorithms the firmware offers:
 * post-quantum hybrid and X25519 key exchange, Ed25519 host key, AEAD
 * ciphers first, encrypt-then-MAC SHA-2 MACs; from the compact backend
 * (the firmware's own) or from OpenSSL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lwipd.h"

static const nssh_kem *const kems[] = {
    &nssh_ossl_mlkem768x25519_sha256,
    &nssh_ossl_curve25519_sha256,
    &nssh_ossl_curve25519_sha256_libssh,
};
static const nssh_cipher *const ciphers[] = {
    &nssh_ossl_chacha20_poly1305,
    &nssh_ossl_aes128_gcm,
    &nssh_ossl_aes256_gcm,
    &nssh_ossl_aes128_ctr,
    &nssh_ossl_aes256_ctr,
};
static const nssh_mac *const macs[] = {
    &nssh_ossl_hmac_sha256_etm,
    &nssh_ossl_hmac_sha512_etm,
    &nssh_ossl_hmac_sha256,
    &nssh_ossl_hmac_sha512,
};
/* User keys accepted (and server-sig-algs). */
static const nssh_sig_alg *const sig_algs[] = {
    &nssh_ossl_sig_ed25519,
    &nssh_ossl_sig_ecdsa_p256,
    &nssh_ossl_sig_ecdsa_p384,
    &nssh_ossl_sig_ecdsa_p521,
    &nssh_ossl_sig_rsa_sha2_512,
    &nssh_ossl_sig_rsa_sha2_256,
};

static const nssh_kem *const c_kems[] = {
    &nssh_compact_mlkem768x25519_sha256,
    &nssh_compact_curve25519_sha256,
    &nssh_compact_curve25519_sha256_libssh,
};
static const nssh_cipher *const c_ciphers[] = {
    &nssh_compact_chacha20_poly1305,
    &nssh_compact_aes128_gcm,
    &nssh_compact_aes256_gcm,
    &nssh_compact_aes128_ctr,
    &nssh_compact_aes256_ctr,
};
static const nssh_mac *const c_macs[] = {
    &nssh_compact_hmac_sha256_etm,
    &nssh_compact_hmac_sha512_etm,
    &nssh_compact_hmac_sha256,
    &nssh_compact_hmac_sha512,
};
static const nssh_sig_alg *const c_sig_algs[] = {
    &nssh_compact_sig_ed25519,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define SET(field, list) (c->field = (list), c->n_##field = N(list))

/* The DRBG's seed: 48 bytes from the kernel (more than the 32 needed). */
static int seed_drbg(lwipd *d)
{
    uint8_t seed[48];
    size_t got = 0;
    int e;
    while (got < sizeof(seed)) {
        ssize_t n = getrandom(seed + got, sizeof(seed) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            perror("nanossh-lwip: getrandom");
            return -1;
        }
        got += (size_t)n;
    }
    nssh_compact_drbg_init(&d->drbg);
    e = nssh_compact_drbg_seed(&d->drbg, seed, sizeof(seed));
    memset(seed, 0, sizeof(seed));
    return e < 0 ? -1 : 0;
}

int lwipd_engine_config(lwipd *d)
{
    nssh_config *c = &d->tmpl;
    c->role = NSSH_ROLE_SERVER;
    c->software = "nanossh_" NSSH_VERSION_STRING;
    if (d->compact) {
        SET(kems, c_kems);
        SET(ciphers, c_ciphers);
        SET(macs, c_macs);
        SET(sig_algs, c_sig_algs);
        if (seed_drbg(d) < 0)
            return -1;
        c->rng = nssh_compact_rng;
        c->rng_user = &d->drbg;
        d->sha256 = &nssh_compact_sha256;
    } else {
        SET(kems, kems);
        SET(ciphers, ciphers);
        SET(macs, macs);
        SET(sig_algs, sig_algs);
        c->rng = nssh_ossl_rng;
        d->sha256 = &nssh_ossl_sha256;
    }
    c->hostkeys = d->hostkeys;
    c->n_hostkeys = d->n_hostkeys;
    c->auth_methods = NSSH_METHOD_PUBLICKEY;
    c->login_grace_ms = 60000;
    /* cb and user are the application's, set per connection */
    return 0;
}

void lwipd_log(const lwipd *d, int level, const char *fmt, ...)
{
    va_list ap;
    if (level > d->verbose)
        return;
    va_start(ap, fmt);
    fputs("nanossh-lwip: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
