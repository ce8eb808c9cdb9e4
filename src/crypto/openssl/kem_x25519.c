/*
 * curve25519-sha256 and curve25519-sha256@libssh.org (RFC 8731) as a KEM:
 * keypair() is the client's ephemeral key (Q_C), encaps() the server's
 * ephemeral key (Q_S) and X25519(eph, Q_C), decaps() X25519(sk, Q_S).
 * Private keys come from the caller's random source, so a fixed source
 * gives fixed results. The shared secret enters the exchange hash as an
 * mpint (RFC 8731 section 3.1). x25519_public and x25519_shared also
 * serve the hybrid exchanges (ossl.h).
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ossl.h"

#define X_LEN X25519_LEN

/* Public key of a raw private key. */
int x25519_public(const uint8_t *sk, uint8_t *pk)
{
    EVP_PKEY *k;
    size_t n = X_LEN;
    int e = NSSH_ERR_CRYPTO;

    k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, X_LEN);
    if (k != NULL && EVP_PKEY_get_raw_public_key(k, pk, &n) == 1 && n == X_LEN)
        e = 0;
    EVP_PKEY_free(k);
    return e;
}

/* X25519(sk, peer) into ss; an all-zero result (a low-order peer point,
 * RFC 7748 section 6.1) is refused. */
int x25519_shared(uint8_t *ss, const uint8_t *sk, const uint8_t *peer)
{
    EVP_PKEY *mine = NULL, *theirs = NULL;
    EVP_PKEY_CTX *pc = NULL;
    size_t n = X_LEN, i;
    uint8_t acc = 0;
    int e = NSSH_ERR_CRYPTO;

    mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, X_LEN);
    theirs = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, X_LEN);
    if (mine == NULL || theirs == NULL ||
        (pc = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL)) == NULL ||
        EVP_PKEY_derive_init(pc) != 1)
        goto out;
    /* OpenSSL itself fails the derivation on an all-zero result. */
    e = NSSH_ERR_KEX_VALUE;
    if (EVP_PKEY_derive_set_peer(pc, theirs) != 1 ||
        EVP_PKEY_derive(pc, ss, &n) != 1 || n != X_LEN) {
        ERR_clear_error();
        goto out;
    }
    for (i = 0; i < X_LEN; i++)
        acc |= ss[i];
    if (acc == 0)
        goto out;
    e = 0;
out:
    if (e < 0)
        OPENSSL_cleanse(ss, X_LEN);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(theirs);
    return e;
}

static int x_keypair(uint8_t *pk, uint8_t *sk, nssh_rng_fn rng, void *rng_user)
{
    int e;

    if (rng(rng_user, sk, X_LEN) < 0)
        return NSSH_ERR_RNG;
    if ((e = x25519_public(sk, pk)) < 0)
        OPENSSL_cleanse(sk, X_LEN);
    return e;
}

static int x_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *pk,
                    nssh_rng_fn rng, void *rng_user)
{
    uint8_t eph[X_LEN];
    int e;

    if (rng(rng_user, eph, sizeof(eph)) < 0) {
        e = NSSH_ERR_RNG;
        goto out;
    }
    if ((e = x25519_public(eph, ct)) < 0)
        goto out;
    e = x25519_shared(ss, eph, pk);
out:
    OPENSSL_cleanse(eph, sizeof(eph));
    return e;
}

static int x_decaps(uint8_t *ss, const uint8_t *ct, const uint8_t *sk)
{
    return x25519_shared(ss, sk, ct);
}

const nssh_kem nssh_ossl_curve25519_sha256 = {
    .name = "curve25519-sha256",
    .hash = &nssh_ossl_sha256,
    .pk_len = X_LEN, .ct_len = X_LEN, .sk_len = X_LEN, .ss_len = X_LEN,
    .flags = NSSH_KEM_SS_MPINT,
    .keypair = x_keypair,
    .encaps = x_encaps,
    .decaps = x_decaps,
};

/* The name libssh used before RFC 8731; the same algorithm. */
const nssh_kem nssh_ossl_curve25519_sha256_libssh = {
    .name = "curve25519-sha256@libssh.org",
    .hash = &nssh_ossl_sha256,
    .pk_len = X_LEN, .ct_len = X_LEN, .sk_len = X_LEN, .ss_len = X_LEN,
    .flags = NSSH_KEM_SS_MPINT,
    .keypair = x_keypair,
    .encaps = x_encaps,
    .decaps = x_decaps,
};
