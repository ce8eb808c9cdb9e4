/*
 * Keys: the types nanossh knows, generating them, and what a key can sign
 * with. Names follow RFC 4253 section 6.6 (ssh-rsa), RFC 5656 section 6
 * (ecdsa-sha2-nistp*), RFC 8709 (ssh-ed25519) and OpenSSH's PROTOCOL
 * (ssh-mldsa44-ed25519@openssh.com, key_mldsa.c).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "keyint.h"

static const key_info infos[] = {
    { NSSH_KEY_ED25519, "ssh-ed25519", NULL, NULL, 32, 256 },
    { NSSH_KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "nistp256", "P-256", 32, 256 },
    { NSSH_KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "nistp384", "P-384", 48, 384 },
    { NSSH_KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "nistp521", "P-521", 66, 521 },
    { NSSH_KEY_RSA, "ssh-rsa", NULL, NULL, 0, 0 },
    /* bits as OpenSSH reports them (ssh-keygen -l) */
    { NSSH_KEY_MLDSA44_ED25519, "ssh-mldsa44-ed25519@openssh.com", NULL, NULL, 0, 256 },
    /* PROTOCOL.u2f; no group, so PEM files never map to them */
    { NSSH_KEY_SK_ED25519, "sk-ssh-ed25519@openssh.com", NULL, NULL, 32, 256 },
    { NSSH_KEY_SK_ECDSA_P256, "sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", NULL, 32, 256 },
};
#define N_INFOS (sizeof(infos) / sizeof(infos[0]))

const key_info *key_info_by_type(int type)
{
    size_t i;
    for (i = 0; i < N_INFOS; i++)
        if (infos[i].type == type)
            return &infos[i];
    return NULL;
}

const key_info *key_info_by_name(const uint8_t *name, size_t len)
{
    size_t i;
    for (i = 0; i < N_INFOS; i++)
        if (strlen(infos[i].name) == len && memcmp(infos[i].name, name, len) == 0)
            return &infos[i];
    return NULL;
}

const key_info *key_info_by_group(const char *group)
{
    size_t i;
    for (i = 0; i < N_INFOS; i++)
        if (infos[i].group && strcmp(infos[i].group, group) == 0)
            return &infos[i];
    return NULL;
}

int key_wrap(int type, EVP_PKEY *pkey, int has_private, nssh_key **out)
{
    nssh_key *k = calloc(1, sizeof(*k));

    if (!k) {
        EVP_PKEY_free(pkey);
        return NSSH_ERR_INTERNAL;
    }
    /* Public blobs carry EC points uncompressed (RFC 5656 section 3.1),
     * whatever form a PEM file used. */
    if (type >= NSSH_KEY_ECDSA_P256 && type <= NSSH_KEY_ECDSA_P521 &&
        !EVP_PKEY_set_utf8_string_param(
            pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
            OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED)) {
        EVP_PKEY_free(pkey);
        free(k);
        return NSSH_ERR_CRYPTO;
    }
    k->type = type;
    k->has_private = has_private;
    k->pkey = pkey;
    *out = k;
    return 0;
}

int nssh_ossl_key_generate(int type, unsigned bits, nssh_key **out)
{
    const key_info *ki = key_info_by_type(type);
    EVP_PKEY *pkey = NULL;

    if (!out)
        return NSSH_ERR_STATE;
    *out = NULL;
    if (!ki)
        return NSSH_ERR_KEY;
    switch (type) {
    case NSSH_KEY_MLDSA44_ED25519:
        return key_generate_mldsa(out);
    case NSSH_KEY_ED25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    case NSSH_KEY_RSA:
        if (bits == 0)
            bits = 3072;
        /* Below 2048 bits is not worth generating any more. */
        if (bits < 2048 || bits > KEY_RSA_MAX_BITS)
            return NSSH_ERR_KEY;
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
        break;
    default:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ki->group);
        break;
    }
    if (!pkey)
        return NSSH_ERR_CRYPTO;
    return key_wrap(type, pkey, 1, out);
}

void nssh_ossl_key_free(nssh_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);    /* OpenSSL clears private parts it frees */
    key_free_mldsa(k);
    key_free_sk(k);
    memset(k, 0, sizeof(*k));
    free(k);
}

int nssh_ossl_key_type(const nssh_key *k)
{
    return k ? k->type : NSSH_KEY_NONE;
}

const char *nssh_ossl_key_type_name(const nssh_key *k)
{
    const key_info *ki = k ? key_info_by_type(k->type) : NULL;
    return ki ? ki->name : "none";
}

unsigned nssh_ossl_key_bits(const nssh_key *k)
{
    const key_info *ki = k ? key_info_by_type(k->type) : NULL;
    int bits;

    if (!ki)
        return 0;
    if (ki->bits)
        return ki->bits;
    bits = EVP_PKEY_get_bits(k->pkey);
    return bits > 0 ? (unsigned)bits : 0;
}

size_t nssh_ossl_key_sig_algs(const nssh_key *k, const nssh_sig_alg **out,
                         size_t max)
{
    const nssh_sig_alg *list[2];
    size_t n = 0, i;

    switch (k ? k->type : NSSH_KEY_NONE) {
    case NSSH_KEY_ED25519:
        list[n++] = &nssh_ossl_sig_ed25519;
        break;
    case NSSH_KEY_MLDSA44_ED25519:
        list[n++] = &nssh_ossl_sig_mldsa44_ed25519;
        break;
    case NSSH_KEY_ECDSA_P256:
        list[n++] = &nssh_ossl_sig_ecdsa_p256;
        break;
    case NSSH_KEY_ECDSA_P384:
        list[n++] = &nssh_ossl_sig_ecdsa_p384;
        break;
    case NSSH_KEY_ECDSA_P521:
        list[n++] = &nssh_ossl_sig_ecdsa_p521;
        break;
    case NSSH_KEY_SK_ED25519:
        list[n++] = &nssh_ossl_sig_sk_ed25519;
        break;
    case NSSH_KEY_SK_ECDSA_P256:
        list[n++] = &nssh_ossl_sig_sk_ecdsa_p256;
        break;
    case NSSH_KEY_RSA:
        /* RFC 8332: the SHA-2 signatures; SHA-1 "ssh-rsa" is left out. */
        list[n++] = &nssh_ossl_sig_rsa_sha2_512;
        list[n++] = &nssh_ossl_sig_rsa_sha2_256;
        break;
    default:
        return 0;
    }
    for (i = 0; i < n && i < max; i++)
        out[i] = list[i];
    return i;
}
