/*
 * Everything the OpenSSL backend offers, in the default order of
 * preference, the lookups by SSH name, and the random source.
 * Algorithms kept for old peers only (CBC ciphers, hmac-sha1, hmac-md5,
 * UMAC, SHA-1 "ssh-rsa", diffie-hellman-group1/14-sha1) are found by name
 * but not offered by default.
 */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "ossl.h"

const nssh_kem *const nssh_ossl_kems[] = {
    &nssh_ossl_mlkem768x25519_sha256,
    &nssh_ossl_mlkem768nistp256_sha256,
    &nssh_ossl_mlkem1024nistp384_sha384,
    &nssh_ossl_sntrup761x25519_sha512,
    &nssh_ossl_sntrup761x25519_sha512_openssh,
    &nssh_ossl_curve25519_sha256,
    &nssh_ossl_curve25519_sha256_libssh,
    &nssh_ossl_dh_gex_sha256,
    &nssh_ossl_dh_group16_sha512,
    &nssh_ossl_dh_group18_sha512,
    &nssh_ossl_dh_group14_sha256,
    NULL
};

static const nssh_kem *const legacy_kems[] = {
    /* NIST curves: available (KexAlgorithms +ecdh-sha2-nistp256), not
     * offered by default, as audit tools flag them. */
    &nssh_ossl_ecdh_nistp256,
    &nssh_ossl_ecdh_nistp384,
    &nssh_ossl_ecdh_nistp521,
    &nssh_ossl_dh_group14_sha1,
    &nssh_ossl_dh_gex_sha1,
    &nssh_ossl_dh_group1_sha1,
    NULL
};

const nssh_cipher *const nssh_ossl_ciphers[] = {
    &nssh_ossl_chacha20_poly1305,
    &nssh_ossl_aes128_gcm,
    &nssh_ossl_aes256_gcm,
    &nssh_ossl_aes128_ctr,
    &nssh_ossl_aes192_ctr,
    &nssh_ossl_aes256_ctr,
    NULL
};

/* CBC modes (RFC 4253 section 6.3): only when a configuration names them. */
static const nssh_cipher *const legacy_ciphers[] = {
    &nssh_ossl_aes128_cbc,
    &nssh_ossl_aes192_cbc,
    &nssh_ossl_aes256_cbc,
    &nssh_ossl_3des_cbc,
    NULL
};

const nssh_mac *const nssh_ossl_macs[] = {
    &nssh_ossl_hmac_sha256_etm,
    &nssh_ossl_hmac_sha512_etm,
    &nssh_ossl_hmac_sha256,
    &nssh_ossl_hmac_sha512,
    NULL
};

static const nssh_mac *const legacy_macs[] = {
    &nssh_ossl_hmac_sha1_etm,
    &nssh_ossl_hmac_sha1,
    &nssh_ossl_hmac_sha1_96_etm,
    &nssh_ossl_hmac_sha1_96,
    &nssh_ossl_hmac_md5_etm,
    &nssh_ossl_hmac_md5,
    &nssh_ossl_hmac_md5_96_etm,
    &nssh_ossl_hmac_md5_96,
    &nssh_ossl_umac64_etm,
    &nssh_ossl_umac64,
    &nssh_ossl_umac128_etm,
    &nssh_ossl_umac128,
    NULL
};

/* Certificates first, as in sshd's default HostKeyAlgorithms; security
 * keys after the other elliptic curves, as there. */
const nssh_sig_alg *const nssh_ossl_sig_algs[] = {
    &nssh_ossl_sig_ed25519_cert,
    &nssh_ossl_sig_ecdsa_p256_cert,
    &nssh_ossl_sig_ecdsa_p384_cert,
    &nssh_ossl_sig_ecdsa_p521_cert,
    &nssh_ossl_sig_sk_ed25519_cert,
    &nssh_ossl_sig_sk_ecdsa_p256_cert,
    &nssh_ossl_sig_rsa_sha2_512_cert,
    &nssh_ossl_sig_rsa_sha2_256_cert,
    &nssh_ossl_sig_mldsa44_ed25519,     /* post-quantum, as the KEMs lead */
    &nssh_ossl_sig_ed25519,
    &nssh_ossl_sig_ecdsa_p256,
    &nssh_ossl_sig_ecdsa_p384,
    &nssh_ossl_sig_ecdsa_p521,
    &nssh_ossl_sig_sk_ed25519,
    &nssh_ossl_sig_sk_ecdsa_p256,
    &nssh_ossl_sig_rsa_sha2_512,
    &nssh_ossl_sig_rsa_sha2_256,
    NULL
};

const nssh_sig_alg *const nssh_ossl_sig_user_algs[] = {
    NULL
};

static const nssh_sig_alg *const legacy_sig_algs[] = {
    &nssh_ossl_sig_ssh_rsa,
    &nssh_ossl_sig_ssh_rsa_cert,
    &nssh_ossl_sig_mldsa44_ed25519_cert,
    &nssh_ossl_sig_webauthn_sk_ecdsa_p256,
    &nssh_ossl_sig_webauthn_sk_ecdsa_p256_cert,
    NULL
};

/* Every kind of table has a name field, so one walk serves them all. */
#define FIND(list, want)                              \
    do {                                              \
        size_t i_;                                    \
        for (i_ = 0; (list)[i_] != NULL; i_++)        \
            if (strcmp((list)[i_]->name, want) == 0)  \
                return (list)[i_];                    \
    } while (0)

const nssh_kem *nssh_ossl_kem_by_name(const char *name)
{
    if (name != NULL) {
        FIND(nssh_ossl_kems, name);
        FIND(legacy_kems, name);
    }
    return NULL;
}

const nssh_cipher *nssh_ossl_cipher_by_name(const char *name)
{
    if (name != NULL) {
        FIND(nssh_ossl_ciphers, name);
        FIND(legacy_ciphers, name);
    }
    return NULL;
}

const nssh_mac *nssh_ossl_mac_by_name(const char *name)
{
    if (name != NULL) {
        FIND(nssh_ossl_macs, name);
        FIND(legacy_macs, name);
    }
    return NULL;
}

const nssh_sig_alg *nssh_ossl_sig_by_name(const char *name)
{
    if (name != NULL) {
        FIND(nssh_ossl_sig_algs, name);
        FIND(nssh_ossl_sig_user_algs, name);
        FIND(legacy_sig_algs, name);
    }
    return NULL;
}

int nssh_ossl_rng(void *user, uint8_t *out, size_t len)
{
    (void)user;
    while (len > 0) {
        int chunk = len > (size_t)INT_MAX ? INT_MAX : (int)len;

        if (RAND_bytes(out, chunk) != 1) {
            ERR_clear_error();
            return NSSH_ERR_RNG;
        }
        out += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}
