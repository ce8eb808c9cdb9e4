/*
 * SecurityKeyProvider (sshd_config(5)): the FIDO middleware library that
 * signs with security-key host keys (skprov.c, sk_api.h).
 */
#ifndef NSSH_POSIX_SKPROV_H
#define NSSH_POSIX_SKPROV_H

#include "nanossh.h"
#include "nanossh_ossl.h"

typedef struct sk_provider sk_provider;

/* Load the library at path (dlopen) and check its API version; NULL when
 * it cannot be used (logged). "internal" names sshd's built-in USB
 * support, which nanosshd does not have. */
sk_provider *sk_provider_open(const char *path);
void sk_provider_close(sk_provider *p);
/* An nssh_ossl_sk_sign_fn; user is the sk_provider. A failure is logged
 * with the library's error code. */
int sk_provider_sign(void *user, const nssh_ossl_sk_request *q,
                     nssh_ossl_sk_result *out);

#endif
