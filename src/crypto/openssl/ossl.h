/* Internal to the OpenSSL backend. */
#ifndef NSSH_OSSL_INTERNAL_H
#define NSSH_OSSL_INTERNAL_H

#include <openssl/evp.h>

#include "nanossh.h"
#include "nanossh_ossl.h"

/* A key: the OpenSSL object and its SSH type. pkey holds the private part
 * when the key was generated or loaded from a private file. */
struct nssh_key {
    int type;          /* NSSH_KEY_* */
    int has_private;
    EVP_PKEY *pkey;
};

/* Context blocks must fit the engine's storage. */
#define OSSL_CTX_FITS(T, SIZE) _Static_assert(sizeof(T) <= (SIZE), #T " too large")

#endif
