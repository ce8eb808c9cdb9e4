/*
 * RSA signatures, PKCS#1 v1.5: rsa-sha2-512 and rsa-sha2-256 (RFC 8332)
 * and the legacy SHA-1 "ssh-rsa" (RFC 4253 section 6.6). The key blob is
 * "ssh-rsa" for all three; the signature blob is string alg-name ||
 * string(signature), the signature as long as the modulus (RFC 8332
 * section 3).
 */
#include <string.h>

#include <openssl/evp.h>

#include "sig.h"

/* Moduli accepted when verifying: at least 1024 bits (what sshd asks),
 * at most 16384 bits. */
#define RSA_MIN_BITS 1024
#define RSA_MAX_BYTES (16384 / 8)

typedef struct rsa_alg {
    const char *name;
    const char *md;
} rsa_alg;

static const rsa_alg rsa_512 = { "rsa-sha2-512", "SHA512" };
static const rsa_alg rsa_256 = { "rsa-sha2-256", "SHA256" };
static const rsa_alg rsa_sha1 = { "ssh-rsa", "SHA1" };

static int rsa_sign(const rsa_alg *a, const nssh_key *key, const uint8_t *data,
                    size_t len, uint8_t *sig, size_t sig_max, size_t *sig_len)
{
    uint8_t raw[RSA_MAX_BYTES];
    size_t n = sizeof(raw), mod;
    int e;

    if (sig_has_signer(key, NSSH_KEY_RSA))
        return sig_signer_sign(key, a->name, data, len, sig, sig_max, sig_len);
    if ((e = sig_check_private(key, NSSH_KEY_RSA)) < 0)
        return e;
    mod = (size_t)EVP_PKEY_get_size(key->pkey);
    if (mod == 0 || mod > sizeof(raw))
        return NSSH_ERR_KEY;
    if ((e = sig_evp_sign(key->pkey, a->md, data, len, raw, &n)) < 0)
        return e;
    /* PKCS#1 signing always yields the modulus length; be sure of it. */
    if (n != mod)
        return NSSH_ERR_CRYPTO;
    return sigblob_put(a->name, raw, n, sig, sig_max, sig_len);
}

static int rsa_verify(const rsa_alg *a, const uint8_t *keyblob, size_t keylen,
                      const uint8_t *data, size_t len, const uint8_t *sig,
                      size_t siglen)
{
    uint8_t padded[RSA_MAX_BYTES];
    const uint8_t *raw;
    size_t n, mod;
    nssh_key *k = NULL;
    int e;

    if ((e = sigblob_get(a->name, sig, siglen, &raw, &n)) < 0)
        return e;
    if ((e = sigblob_pubkey("ssh-rsa", NSSH_KEY_RSA, keyblob, keylen, &k)) < 0)
        return e;
    e = NSSH_ERR_KEY;
    if (EVP_PKEY_get_bits(k->pkey) < RSA_MIN_BITS)
        goto out;
    mod = (size_t)EVP_PKEY_get_size(k->pkey);
    if (mod == 0 || mod > sizeof(padded))
        goto out;
    /* Some signers drop leading zero bytes (OpenSSH accepts and pads
     * them); longer than the modulus is never valid. */
    e = NSSH_ERR_SIGNATURE;
    if (n == 0 || n > mod)
        goto out;
    memset(padded, 0, mod - n);
    memcpy(padded + (mod - n), raw, n);
    e = sig_evp_verify(k->pkey, a->md, data, len, padded, mod);
out:
    nssh_ossl_key_free(k);
    return e;
}

/* OpenSSL's PKCS#1 v1.5 signing uses no randomness. */
#define RSA_TABLE(var, alg, sshname) \
    SIG_TABLE_NO_RNG(var, alg, sshname, "ssh-rsa", rsa_sign, rsa_verify)

RSA_TABLE(nssh_ossl_sig_rsa_sha2_512, rsa_512, "rsa-sha2-512");
RSA_TABLE(nssh_ossl_sig_rsa_sha2_256, rsa_256, "rsa-sha2-256");
RSA_TABLE(nssh_ossl_sig_ssh_rsa, rsa_sha1, "ssh-rsa");
