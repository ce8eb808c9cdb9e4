/*
 * Security keys (OpenSSH PROTOCOL.u2f, "SSH U2F Key formats" and
 * "SSH U2F signatures"). Verifying is here; signing (host keys) goes to
 * the authenticator through the key's signer (key_sk.c).
 *
 *   key blob   string "sk-ssh-ed25519@openssh.com", string key(32),
 *              string application
 *              string "sk-ecdsa-sha2-nistp256@openssh.com",
 *              string "nistp256", string Q, string application
 *   signature  string name, string raw signature, byte flags,
 *              uint32 counter
 *
 * The authenticator signs SHA256(application) || flags || counter ||
 * SHA256(message) (no extensions are defined for SSH): Ed25519 over
 * those 69 bytes, ECDSA P-256 with SHA-256 over them. Flags and counter
 * are therefore covered by the signature; what they must say (user
 * presence, user verification) is the application's policy, which reads
 * them from the blob once this verification passed.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "buf.h"
#include "keyint.h"
#include "sig.h"

#define SK_ED25519 "sk-ssh-ed25519@openssh.com"
#define SK_ECDSA "sk-ecdsa-sha2-nistp256@openssh.com"
#define SK_SIGNED_LEN (32u + 1u + 4u + 32u)

static int is_name(const uint8_t *p, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(p, want, n) == 0;
}

/* Public key of an sk blob of type name, and its application string. */
int sig_sk_pubkey(const char *name, const uint8_t *blob, size_t len,
                     EVP_PKEY **pkey, const uint8_t **app, size_t *app_len)
{
    const uint8_t *t, *a, *b;
    size_t tn, an, bn;
    rd r;
    int e;

    *pkey = NULL;
    rd_init(&r, blob, len);
    if (rd_string(&r, &t, &tn) < 0 || !is_name(t, tn, name))
        return NSSH_ERR_KEY;
    if (!strcmp(name, SK_ED25519)) {
        if (rd_string(&r, &a, &an) < 0 || an != 32 ||
            rd_string(&r, app, app_len) < 0 || rd_end(&r) < 0)
            return NSSH_ERR_KEY;
        e = key_build_ed25519(a, NULL, pkey);
    } else {
        if (rd_string(&r, &a, &an) < 0 || !is_name(a, an, "nistp256") ||
            rd_string(&r, &b, &bn) < 0 || rd_string(&r, app, app_len) < 0 ||
            rd_end(&r) < 0)
            return NSSH_ERR_KEY;
        e = key_build_ecdsa(key_info_by_type(NSSH_KEY_ECDSA_P256), b, bn, NULL,
                            0, pkey);
    }
    if (e < 0) {
        ERR_clear_error();
        return e == NSSH_ERR_CRYPTO ? e : NSSH_ERR_KEY;
    }
    return 0;
}

/* SHA256(application) || flags || counter || SHA256(message). */
static int sk_signed(const uint8_t *app, size_t app_len, uint8_t flags,
                     uint32_t counter, const uint8_t *data, size_t len,
                     uint8_t out[SK_SIGNED_LEN])
{
    unsigned n = 0;
    if (!EVP_Digest(app, app_len, out, &n, EVP_sha256(), NULL) || n != 32)
        return NSSH_ERR_CRYPTO;
    out[32] = flags;
    put_be32(out + 33, counter);
    if (!EVP_Digest(data, len, out + 37, &n, EVP_sha256(), NULL) || n != 32)
        return NSSH_ERR_CRYPTO;
    return 0;
}

static int sk_verify(const char *name, const uint8_t *keyblob, size_t keylen,
                     const uint8_t *data, size_t len, const uint8_t *sig,
                     size_t siglen)
{
    const uint8_t *t, *raw, *app = NULL;
    uint8_t msg[SK_SIGNED_LEN], flags, *der = NULL;
    size_t tn, rn, app_len = 0;
    uint32_t counter;
    EVP_PKEY *pkey = NULL;
    int der_len = 0, e;
    rd r;

    rd_init(&r, sig, siglen);
    if (rd_string(&r, &t, &tn) < 0 || rd_string(&r, &raw, &rn) < 0 ||
        rd_u8(&r, &flags) < 0 || rd_u32(&r, &counter) < 0 || rd_end(&r) < 0)
        return NSSH_ERR_FORMAT;
    if (!is_name(t, tn, name))
        return NSSH_ERR_SIGNATURE;
    if (!strcmp(name, SK_ED25519)) {
        if (rn != 64)
            return NSSH_ERR_SIGNATURE;
    } else if ((e = sig_ecdsa_ssh_to_der(raw, rn, &der, &der_len)) < 0) {
        return e;
    }
    if ((e = sig_sk_pubkey(name, keyblob, keylen, &pkey, &app, &app_len)) < 0)
        goto out;
    if ((e = sk_signed(app, app_len, flags, counter, data, len, msg)) < 0)
        goto out;
    if (der)
        e = sig_evp_verify(pkey, "SHA256", msg, sizeof(msg), der,
                           (size_t)der_len);
    else
        e = sig_evp_verify(pkey, NULL, msg, sizeof(msg), raw, rn);
out:
    EVP_PKEY_free(pkey);
    OPENSSL_free(der);
    return e;
}

/* The private half is in the authenticator: the key's signer asks it
 * (key_sk.c). */
static int sk_ed_sign(const nssh_key *key, const uint8_t *data, size_t len,
                      uint8_t *sig, size_t sig_max, size_t *sig_len,
                      nssh_rng_fn rng, void *rng_user)
{
    (void)rng, (void)rng_user;
    if (nssh_ossl_key_type(key) != NSSH_KEY_SK_ED25519)
        return NSSH_ERR_KEY;
    /* A public half whose authenticator an ssh-agent drives (HostKeyAgent). */
    if (sig_has_signer(key, NSSH_KEY_SK_ED25519))
        return sig_signer_sign(key, SK_ED25519, data, len, sig, sig_max, sig_len);
    return key_sk_sign(key, SK_ED25519, data, len, sig, sig_max, sig_len);
}

static int sk_ec_sign(const nssh_key *key, const uint8_t *data, size_t len,
                      uint8_t *sig, size_t sig_max, size_t *sig_len,
                      nssh_rng_fn rng, void *rng_user)
{
    (void)rng, (void)rng_user;
    if (nssh_ossl_key_type(key) != NSSH_KEY_SK_ECDSA_P256)
        return NSSH_ERR_KEY;
    if (sig_has_signer(key, NSSH_KEY_SK_ECDSA_P256))
        return sig_signer_sign(key, SK_ECDSA, data, len, sig, sig_max, sig_len);
    return key_sk_sign(key, SK_ECDSA, data, len, sig, sig_max, sig_len);
}

static int sk_ed_verify(const uint8_t *kb, size_t kl, const uint8_t *d,
                        size_t dl, const uint8_t *s, size_t sl)
{
    return sk_verify(SK_ED25519, kb, kl, d, dl, s, sl);
}

/* An sk-ecdsa key may also have signed through a web browser: sshd takes
 * the webauthn form for the key's own algorithm too (sig_webauthn.c). */
static int sk_ec_verify(const uint8_t *kb, size_t kl, const uint8_t *d,
                        size_t dl, const uint8_t *s, size_t sl)
{
    const uint8_t *t;
    size_t tn;
    rd r;
    rd_init(&r, s, sl);
    if (rd_string(&r, &t, &tn) == 0 && is_name(t, tn, SIG_WEBAUTHN_NAME))
        return sig_webauthn_verify(kb, kl, d, dl, s, sl);
    return sk_verify(SK_ECDSA, kb, kl, d, dl, s, sl);
}

const nssh_sig_alg nssh_ossl_sig_sk_ed25519 = {
    .name = SK_ED25519,
    .key_type = SK_ED25519,
    .sign = sk_ed_sign,
    .verify = sk_ed_verify,
    .flags = NSSH_SIG_SK,
};

const nssh_sig_alg nssh_ossl_sig_sk_ecdsa_p256 = {
    .name = SK_ECDSA,
    .key_type = SK_ECDSA,
    .sign = sk_ec_sign,
    .verify = sk_ec_verify,
    .flags = NSSH_SIG_SK,
};
