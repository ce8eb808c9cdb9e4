/*
 * The engine's configuration, the same algorithms the firmware offers:
 * post-quantum hybrid and X25519 key exchange, Ed25519 host key, AEAD
 * ciphers first, encrypt-then-MAC SHA-2 MACs.
 */
#include <stdarg.h>
#include <stdio.h>

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

#define N(a) (sizeof(a) / sizeof((a)[0]))

void lwipd_engine_config(lwipd *d)
{
    nssh_config *c = &d->tmpl;
    c->role = NSSH_ROLE_SERVER;
    c->software = "nanossh_" NSSH_VERSION_STRING;
    c->kems = kems;
    c->n_kems = N(kems);
    c->ciphers = ciphers;
    c->n_ciphers = N(ciphers);
    c->macs = macs;
    c->n_macs = N(macs);
    c->hostkeys = d->hostkeys;
    c->n_hostkeys = d->n_hostkeys;
    c->sig_algs = sig_algs;
    c->n_sig_algs = N(sig_algs);
    c->auth_methods = NSSH_METHOD_PUBLICKEY;
    c->login_grace_ms = 60000;
    c->rng = nssh_ossl_rng;
    /* cb and user are the application's, set per connection */
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
