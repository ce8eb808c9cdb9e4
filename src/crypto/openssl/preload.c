/*
 * Start-up work of libcrypto done once in a process that forks one child
 * per connection (nssh_ossl_preload in nanossh_ossl.h).
 *
 * The first fetch of each kind of algorithm (cipher, digest, MAC, key
 * management, key exchange, signature) makes OpenSSL ask its providers
 * for all their algorithms of that kind and build its tables, and the
 * first random bytes instantiate the DRBGs (fetching their own cipher).
 * Measured with callgrind, that was about half of the instructions of a
 * whole login in each connection process. Done before fork(), the
 * children inherit the tables; the DRBGs notice the fork and reseed
 * (OpenSSL's fork detection), so no random state is shared.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ossl.h"

void nssh_ossl_preload(void)
{
    static const char *const ciphers[] = {
        "ChaCha20", "AES-128-GCM", "AES-256-GCM", "AES-128-CTR",
        "AES-192-CTR", "AES-256-CTR",
    };
    static const char *const digests[] = { "SHA256", "SHA512", "SHA384", "SHA1" };
    static const char *const macs[] = { "POLY1305", "HMAC" };
    static const char *const keys[] = { "X25519", "ED25519", "EC", "RSA", "DH" };
    static const char *const exchanges[] = { "X25519", "ECDH", "DH" };
    static const char *const sigs[] = { "ED25519", "ECDSA", "RSA" };
    unsigned char b;
    size_t i;
    for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
        EVP_CIPHER_free(EVP_CIPHER_fetch(NULL, ciphers[i], NULL));
    for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
        EVP_MD_free(EVP_MD_fetch(NULL, digests[i], NULL));
    for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++)
        EVP_MAC_free(EVP_MAC_fetch(NULL, macs[i], NULL));
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        EVP_KEYMGMT_free(EVP_KEYMGMT_fetch(NULL, keys[i], NULL));
    for (i = 0; i < sizeof(exchanges) / sizeof(exchanges[0]); i++)
        EVP_KEYEXCH_free(EVP_KEYEXCH_fetch(NULL, exchanges[i], NULL));
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        EVP_SIGNATURE_free(EVP_SIGNATURE_fetch(NULL, sigs[i], NULL));
    (void)RAND_bytes(&b, 1);
}
