/*
 * Do-nothing algorithm tables for fuzzing only: with them a fuzzer's bytes
 * reach every message handler past the key exchange, because there is no
 * MAC to forge and no signature to make. Never linked into the library.
 */
#ifndef NSSH_FUZZ_NULL_CRYPTO_H
#define NSSH_FUZZ_NULL_CRYPTO_H

#include "nanossh.h"

extern const nssh_kem fuzz_null_kem;
extern const nssh_cipher fuzz_null_cipher;
extern const nssh_mac fuzz_null_mac;
extern const nssh_sig_alg fuzz_null_sig;
extern const nssh_hostkey fuzz_null_hostkey;

/* A server config on the null tables; cb and user filled by the caller. */
void fuzz_server_config(nssh_config *cfg, const nssh_callbacks *cb, void *user);
/* A client config likewise. */
void fuzz_client_config(nssh_config *cfg, const nssh_callbacks *cb, void *user);
/* Deterministic "random" bytes. */
int fuzz_rng(void *user, uint8_t *out, size_t len);

#endif
