/*
 * libFuzzer target: the key exchanges' peer values (RFC 4253 section 8,
 * RFC 8731, draft-ietf-sshm-mlkem-hybrid-kex, draft-josefsson-ntruprime-ssh)
 * from a hostile peer. Byte 0 picks a fixed-size KEM of the OpenSSL
 * backend (ML-KEM and sntrup761 hybrids, X25519, NIST curves, DH groups);
 * the rest is the peer's value:
 *   - as the client's public value, encapsulated against (the server);
 *   - as the server's reply, decapsulated (the client, with a key pair
 *     drawn from the same bytes).
 * Each call returns 0 or a negative error, never crashes. And an honest
 * exchange whose randomness comes from the input must agree on the secret.
 *   fuzz/corpus/kem holds the seeds (one well-formed value per KEM).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nanossh_ossl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIG 4096   /* larger than every fixed-size KEM's pk, ct, sk */

/* Randomness from the input, cycling; zeroes when it runs out. */
typedef struct stream {
    const uint8_t *p;
    size_t n, at;
} stream;

static int rng(void *user, uint8_t *out, size_t len)
{
    stream *s = user;
    size_t i;
    for (i = 0; i < len; i++)
        out[i] = s->n ? s->p[(s->at++) % s->n] : 0;
    return 0;
}

static size_t n_kems(void)
{
    size_t n = 0;
    while (nssh_ossl_kems[n])
        n++;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[BIG], sk[BIG], ct[BIG], ss1[BIG], ss2[BIG], peer[BIG];
    const nssh_kem *k;
    stream s;
    size_t n = n_kems();
    int e;
    if (size < 1 || n == 0)
        return 0;
    k = nssh_ossl_kems[data[0] % n];
    data++, size--;
    if (k->gex || k->pk_len > BIG || k->ct_len > BIG || k->sk_len > BIG ||
        k->ss_len > BIG)
        return 0;   /* group exchange has its own sizes (kem_gex.c) */

    /* The peer's value, cut or zero-padded to the size the packet
     * decoder would have insisted on. */
    memset(peer, 0, sizeof(peer));
    memcpy(peer, data, size < BIG ? size : BIG);
    s.p = data, s.n = size, s.at = 0;

    /* Server: encapsulate against a hostile client value. */
    e = k->encaps(ct, ss1, peer, rng, &s);
    if (e > 0)
        abort();

    /* Client: a key pair, then decapsulate a hostile server reply. */
    if (k->keypair(pk, sk, rng, &s) < 0)
        return 0;
    e = k->decaps(ss1, peer, sk);
    if (e > 0)
        abort();

    /* Honest exchange: both sides must agree. */
    if (k->encaps(ct, ss1, pk, rng, &s) == 0) {
        if (k->decaps(ss2, ct, sk) != 0 ||
            memcmp(ss1, ss2, k->ss_len) != 0)
            abort();
    }
    return 0;
}
