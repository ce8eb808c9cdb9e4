/*
 * Certificate key algorithms (PROTOCOL.certkeys): a certificate signs and
 * verifies as the plain key inside it. The key blob is the certificate;
 * the signature blob names the plain algorithm ("ssh-ed25519",
 * "rsa-sha2-512"), so sign is the plain algorithm's and verify checks
 * with the certificate's embedded key. Whether the certificate itself is
 * trusted (its CA signature, validity, principals) is the caller's
 * decision, made before the key is accepted.
 */
#include "nanossh_cert.h"
#include "sig.h"

/* The plain key blob of a certificate, for the plain verify. */
static int cert_verify(const nssh_sig_alg *plain, const uint8_t *keyblob,
                       size_t keylen, const uint8_t *data, size_t len,
                       const uint8_t *sig, size_t siglen)
{
    uint8_t key[NSSH_KEYBLOB_MAX];
    size_t n;
    nssh_cert c;

    if (nssh_cert_parse(keyblob, keylen, &c) < 0 ||
        nssh_cert_plain_key(&c, key, sizeof(key), &n) < 0)
        return NSSH_ERR_KEY;
    return plain->verify(key, n, data, len, sig, siglen);
}

#define CERT_ALG_F(var, plain, algname, keytype, fl)                            \
    static int var##_sign(const nssh_key *key, const uint8_t *data, size_t len, \
                          uint8_t *sig, size_t sig_max, size_t *sig_len,        \
                          nssh_rng_fn rng, void *rng_user)                      \
    {                                                                           \
        return (plain).sign(key, data, len, sig, sig_max, sig_len, rng,         \
                            rng_user);                                          \
    }                                                                           \
    static int var##_verify(const uint8_t *kb, size_t kl, const uint8_t *data,  \
                            size_t len, const uint8_t *sig, size_t sl)          \
    {                                                                           \
        return cert_verify(&(plain), kb, kl, data, len, sig, sl);               \
    }                                                                           \
    const nssh_sig_alg var = { .name = algname, .key_type = keytype,            \
                               .sign = var##_sign, .verify = var##_verify,      \
                               .flags = (fl) }
#define CERT_ALG(var, plain, algname, keytype) \
    CERT_ALG_F(var, plain, algname, keytype, 0)

CERT_ALG(nssh_ossl_sig_ed25519_cert, nssh_ossl_sig_ed25519,
         "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519-cert-v01@openssh.com");
CERT_ALG(nssh_ossl_sig_ecdsa_p256_cert, nssh_ossl_sig_ecdsa_p256,
         "ecdsa-sha2-nistp256-cert-v01@openssh.com",
         "ecdsa-sha2-nistp256-cert-v01@openssh.com");
CERT_ALG(nssh_ossl_sig_ecdsa_p384_cert, nssh_ossl_sig_ecdsa_p384,
         "ecdsa-sha2-nistp384-cert-v01@openssh.com",
         "ecdsa-sha2-nistp384-cert-v01@openssh.com");
CERT_ALG(nssh_ossl_sig_ecdsa_p521_cert, nssh_ossl_sig_ecdsa_p521,
         "ecdsa-sha2-nistp521-cert-v01@openssh.com",
         "ecdsa-sha2-nistp521-cert-v01@openssh.com");
/* RSA certificates keep the key type "ssh-rsa-cert-v01@openssh.com" and
 * are used with SHA-2 signatures under these names (OpenSSH's
 * PROTOCOL, "rsa-sha2-256-cert-v01@openssh.com"). */
CERT_ALG(nssh_ossl_sig_rsa_sha2_512_cert, nssh_ossl_sig_rsa_sha2_512,
         "rsa-sha2-512-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com");
CERT_ALG(nssh_ossl_sig_rsa_sha2_256_cert, nssh_ossl_sig_rsa_sha2_256,
         "rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com");
/* Named in a configuration only, never offered by default (as in sshd
 * 10.5): the SHA-1 RSA certificate algorithm (key type and algorithm
 * share the name; the signature is "ssh-rsa"), and ML-DSA-44/Ed25519
 * certificates, which sshd does not enable by default either. */
CERT_ALG(nssh_ossl_sig_ssh_rsa_cert, nssh_ossl_sig_ssh_rsa,
         "ssh-rsa-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com");
CERT_ALG(nssh_ossl_sig_mldsa44_ed25519_cert, nssh_ossl_sig_mldsa44_ed25519,
         "ssh-mldsa44-ed25519-cert-v01@openssh.com",
         "ssh-mldsa44-ed25519-cert-v01@openssh.com");
/* Security keys (PROTOCOL.u2f): their signatures carry flags and a
 * counter that the application judges, so the flag stays. */
CERT_ALG_F(nssh_ossl_sig_sk_ed25519_cert, nssh_ossl_sig_sk_ed25519,
           "sk-ssh-ed25519-cert-v01@openssh.com",
           "sk-ssh-ed25519-cert-v01@openssh.com", NSSH_SIG_SK);
CERT_ALG_F(nssh_ossl_sig_sk_ecdsa_p256_cert, nssh_ossl_sig_sk_ecdsa_p256,
           "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
           "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NSSH_SIG_SK);
/* A browser-made signature by an sk-ecdsa certificate's key: named only. */
CERT_ALG_F(nssh_ossl_sig_webauthn_sk_ecdsa_p256_cert,
           nssh_ossl_sig_webauthn_sk_ecdsa_p256,
           "webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
           "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NSSH_SIG_SK);
