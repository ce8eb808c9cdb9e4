/*
 * The pair harness on the OpenSSL backend (pair_ossl.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pair_ossl.h"

int pair_keys_make(pair_keys *k)
{
    const nssh_sig_alg *algs[2];

    memset(k, 0, sizeof(*k));
    if (nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &k->host_key) < 0 ||
        nssh_ossl_key_generate(NSSH_KEY_ED25519, 0, &k->user_key) < 0 ||
        nssh_ossl_key_public_blob(k->host_key, k->host_blob, sizeof(k->host_blob),
                                  &k->host_blob_len) < 0 ||
        nssh_ossl_key_public_blob(k->user_key, k->user_blob, sizeof(k->user_blob),
                                  &k->user_blob_len) < 0 ||
        nssh_ossl_key_sig_algs(k->host_key, algs, 2) != 1)
        return -1;
    k->hostkey.alg = algs[0];
    k->hostkey.key = k->host_key;
    k->hostkey.blob = k->host_blob;
    k->hostkey.blob_len = k->host_blob_len;
    return 0;
}

void pair_keys_free(pair_keys *k)
{
    nssh_ossl_key_free(k->host_key);
    nssh_ossl_key_free(k->user_key);
}

void pair_ossl_setup(pair_side *s, const pair_keys *k)
{
    s->cfg.kems = nssh_ossl_kems;
    s->cfg.n_kems = pair_count((const void *const *)nssh_ossl_kems);
    s->cfg.ciphers = nssh_ossl_ciphers;
    s->cfg.n_ciphers = pair_count((const void *const *)nssh_ossl_ciphers);
    s->cfg.macs = nssh_ossl_macs;
    s->cfg.n_macs = pair_count((const void *const *)nssh_ossl_macs);
    s->cfg.sig_algs = nssh_ossl_sig_algs;
    s->cfg.n_sig_algs = pair_count((const void *const *)nssh_ossl_sig_algs);
    s->cfg.hostkeys = &k->hostkey;
    s->cfg.n_hostkeys = 1;
    s->cfg.rng = nssh_ossl_rng;
    s->allowed_blob = k->user_blob;
    s->allowed_len = k->user_blob_len;
}

void pair_ossl_auth(pair_side *cl, const pair_keys *k)
{
    assert_int_equal(nssh_client_auth_pubkey(cl->c, "alice", &nssh_ossl_sig_ed25519,
                                             k->user_key, k->user_blob,
                                             k->user_blob_len), 0);
}
