/*
 * Everything the compact backend offers, in the default order of
 * preference, and the lookups by SSH name. sntrup761x25519 is found by
 * name but not offered by default: on a device it costs code and about
 * 16 KiB of stack for what ML-KEM already covers.
 */
#include <string.h>

#include "compact.h"

const nssh_kem *const nssh_compact_kems[] = {
    &nssh_compact_mlkem768x25519_sha256,
    &nssh_compact_curve25519_sha256,
    &nssh_compact_curve25519_sha256_libssh,
    NULL
};

static const nssh_kem *const optional_kems[] = {
#if NSSH_COMPACT_SNTRUP
    &nssh_compact_sntrup761x25519_sha512,
    &nssh_compact_sntrup761x25519_sha512_openssh,
#endif
    NULL
};

const nssh_cipher *const nssh_compact_ciphers[] = {
    &nssh_compact_chacha20_poly1305,
    &nssh_compact_aes128_gcm,
    &nssh_compact_aes256_gcm,
    &nssh_compact_aes128_ctr,
    &nssh_compact_aes256_ctr,
    NULL
};

const nssh_mac *const nssh_compact_macs[] = {
    &nssh_compact_hmac_sha256_etm,
    &nssh_compact_hmac_sha512_etm,
    &nssh_compact_hmac_sha256,
    &nssh_compact_hmac_sha512,
    NULL
};

const nssh_sig_alg *const nssh_compact_sig_algs[] = {
    &nssh_compact_sig_ed25519,
    NULL
};

static int name_eq(const char *a, const char *b)
{
    size_t n = strlen(a);

    return n == strlen(b) && memcmp(a, b, n) == 0;
}

/* Every kind of table has a name field, so one walk serves them all. */
#define FIND(list, want)                              \
    do {                                              \
        size_t i_;                                    \
        if ((want) == NULL)                           \
            return NULL;                              \
        for (i_ = 0; (list)[i_] != NULL; i_++)        \
            if (name_eq((list)[i_]->name, want))      \
                return (list)[i_];                    \
    } while (0)

const nssh_kem *nssh_compact_kem_by_name(const char *name)
{
    FIND(nssh_compact_kems, name);
    FIND(optional_kems, name);
    return NULL;
}

const nssh_cipher *nssh_compact_cipher_by_name(const char *name)
{
    FIND(nssh_compact_ciphers, name);
    return NULL;
}

const nssh_mac *nssh_compact_mac_by_name(const char *name)
{
    FIND(nssh_compact_macs, name);
    return NULL;
}

const nssh_sig_alg *nssh_compact_sig_by_name(const char *name)
{
    FIND(nssh_compact_sig_algs, name);
    return NULL;
}
