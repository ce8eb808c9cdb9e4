/*
 * PEM private keys, read by OpenSSL's decoders: PKCS#1 "RSA PRIVATE KEY",
 * SEC1 "EC PRIVATE KEY" (ssh-keygen -m PEM writes these two) and PKCS#8
 * "PRIVATE KEY". Encrypted PEM needs a passphrase, which a server has no
 * one to ask for, so it is refused before OpenSSL could prompt.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "keyint.h"

/* Never hand out a passphrase: decoding an encrypted key fails. */
static int no_passphrase(char *buf, size_t size, size_t *len,
                         const OSSL_PARAM params[], void *arg)
{
    (void)buf, (void)size, (void)params, (void)arg;
    *len = 0;
    return 0;
}

/* NSSH_KEY_* of a decoded key, or NSSH_KEY_NONE. */
static int pkey_type(EVP_PKEY *pkey)
{
    char group[64];
    const key_info *ki;
    const char *nist;
    int nid, bits;

    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return NSSH_KEY_ED25519;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        bits = EVP_PKEY_get_bits(pkey);
        return bits >= (int)KEY_RSA_MIN_BITS && bits <= (int)KEY_RSA_MAX_BITS
                   ? NSSH_KEY_RSA : NSSH_KEY_NONE;
    }
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                        sizeof(group), NULL))
        return NSSH_KEY_NONE;
    /* OpenSSL may call P-256 "prime256v1": go through the NID. */
    nid = EC_curve_nist2nid(group);
    if (nid == NID_undef)
        nid = OBJ_sn2nid(group);
    nist = nid == NID_undef ? NULL : EC_curve_nid2nist(nid);
    ki = nist ? key_info_by_group(nist) : NULL;
    return ki ? ki->type : NSSH_KEY_NONE;
}

/* The private and public parts belong together. */
static int pair_ok(EVP_PKEY *pkey, int type)
{
    EVP_PKEY_CTX *ctx;
    int ok;

    if (type == NSSH_KEY_ED25519)
        return 1;           /* the public key is derived from the seed */
    if (type == NSSH_KEY_RSA)
        return key_rsa_check(pkey) == 0;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    ok = ctx && EVP_PKEY_pairwise_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

int keyfile_load_pem(const uint8_t *data, size_t len, nssh_key **out,
                     char *why, size_t why_cap)
{
    OSSL_DECODER_CTX *dctx = NULL;
    EVP_PKEY *pkey = NULL;
    const unsigned char *p = data;
    size_t left = len;
    int type, e = NSSH_ERR_KEY;

    if (!keyfile_find(data, len, "-----BEGIN ") ||
        !keyfile_find(data, len, "PRIVATE KEY-----")) {
        snprintf(why, why_cap, "not a private key file (no BEGIN ... PRIVATE KEY line)");
        return NSSH_ERR_KEY;
    }
    if (keyfile_find(data, len, "ENCRYPTED")) {
        snprintf(why, why_cap, "PEM key is encrypted with a passphrase; only "
                 "unencrypted keys can be loaded");
        return NSSH_ERR_UNSUPPORTED;
    }
    dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, NULL,
                                         EVP_PKEY_KEYPAIR, NULL, NULL);
    if (!dctx || !OSSL_DECODER_CTX_set_passphrase_cb(dctx, no_passphrase, NULL)) {
        e = NSSH_ERR_CRYPTO;
        goto out;
    }
    if (!OSSL_DECODER_from_data(dctx, &p, &left) || !pkey) {
        snprintf(why, why_cap, "PEM private key could not be decoded");
        goto out;
    }
    type = pkey_type(pkey);
    if (type == NSSH_KEY_NONE) {
        snprintf(why, why_cap, "PEM key type not supported (ed25519, ECDSA "
                 "P-256/384/521, RSA %u..%u bits)", KEY_RSA_MIN_BITS, KEY_RSA_MAX_BITS);
        e = NSSH_ERR_UNSUPPORTED;
        goto out;
    }
    if (!pair_ok(pkey, type)) {
        snprintf(why, why_cap, "PEM private key inconsistent (pairwise check failed)");
        goto out;
    }
    e = key_wrap(type, pkey, 1, out);
    pkey = NULL;
out:
    EVP_PKEY_free(pkey);
    OSSL_DECODER_CTX_free(dctx);
    ERR_clear_error();      /* decoder attempts leave errors behind */
    return e;
}
