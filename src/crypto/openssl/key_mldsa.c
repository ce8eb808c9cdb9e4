/*
 * ssh-mldsa44-ed25519@openssh.com keys: ML-DSA-44 (src/crypto/pq, since
 * the OpenSSL 3.0 this backend targets has no ML-DSA) next to an Ed25519
 * key held by OpenSSL. As OpenSSH stores it (its PROTOCOL and
 * ssh-mldsa-eddsa.c): the public key is the ML-DSA-44 public key followed
 * by the Ed25519 one, the private key the two 32-byte seeds. The
 * expanded ML-DSA secret key is kept so that signing need not redo
 * key generation.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "keyint.h"
#include "pq/mldsa44.h"

void key_free_mldsa(nssh_key *k)
{
    if (k && k->mldsa) {
        nssh_wipe(k->mldsa, sizeof(*k->mldsa));
        free(k->mldsa);
        k->mldsa = NULL;
    }
}

int key_build_mldsa(const uint8_t *pk, const uint8_t *seeds, nssh_key **out)
{
    struct key_mldsa *m = calloc(1, sizeof(*m));
    EVP_PKEY *ed = NULL;
    int e;

    *out = NULL;
    if (!m)
        return NSSH_ERR_INTERNAL;
    if (seeds) {
        memcpy(m->seeds, seeds, KEY_MLDSA_SEEDS);
        e = mldsa44_keypair_derand(m->pk, m->sk, seeds);
        if (e == 0)
            e = key_build_ed25519(NULL, seeds + 32, &ed);
        if (e == 0)
            e = key_ed25519_raw(ed, 0, m->pk + MLDSA44_PK_BYTES);
        /* The public key stored next to the seeds must be theirs. */
        if (e == 0 && pk && memcmp(pk, m->pk, KEY_MLDSA_PK) != 0)
            e = NSSH_ERR_KEY;
    } else {
        memcpy(m->pk, pk, KEY_MLDSA_PK);
        e = key_build_ed25519(pk + MLDSA44_PK_BYTES, NULL, &ed);
    }
    if (e == 0)
        e = key_wrap(NSSH_KEY_MLDSA44_ED25519, ed, seeds != NULL, out);
    else
        EVP_PKEY_free(ed);
    if (e < 0) {
        nssh_wipe(m, sizeof(*m));
        free(m);
        return e;
    }
    (*out)->mldsa = m;
    return 0;
}

int key_generate_mldsa(nssh_key **out)
{
    uint8_t seeds[KEY_MLDSA_SEEDS];
    int e;

    if (RAND_bytes(seeds, sizeof(seeds)) != 1) {
        ERR_clear_error();
        return NSSH_ERR_RNG;
    }
    e = key_build_mldsa(NULL, seeds, out);
    nssh_wipe(seeds, sizeof(seeds));
    return e;
}
