/*
 * libFuzzer target: the key exchanges' peer values (RFC 4253 section 8,
 * RFC 8731, draft-ietf-sshm-mlkem-hybrid-kex, draft-josefsson-ntruprime-ssh)
 * from a hostile peer. Byte 0 picks a fixed-size KEM of the OpenSSL
 * backend (ML-KEM and sntrup761 hybrids, X25519, NIST curves, DH groups);
 * the rest is the peer's value:
 *   - as the client's public value, encapsulated against (the server);
 *   - as the server's reply, decapsulated (the client, with one key pair
 *     per KEM made once: sntrup761's key generation is too slow to
 *     repeat on every input).
 * One selector value past the fixed-size KEMs is group exchange (RFC 4419):
 * the next byte picks a built-in group, the rest is the peer's e or f,
 * which must be refused when not 1 < value < p-1 (RFC 4253 section 8).
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

#define KEMS_MAX 32

/* The default list, then the legacy ones (found only by name). */
static const nssh_kem *kems[KEMS_MAX];
static uint8_t *pks[KEMS_MAX], *sks[KEMS_MAX];

static size_t n_kems(void)
{
    static const char *const legacy[] = {
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"
    };
    static size_t n;
    size_t i;
    if (n)
        return n;
    for (i = 0; nssh_ossl_kems[i] && n < KEMS_MAX; i++)
        if (!nssh_ossl_kems[i]->gex)   /* group exchange: kem_gex.c sizes */
            kems[n++] = nssh_ossl_kems[i];
    for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]) && n < KEMS_MAX; i++)
        if ((kems[n] = nssh_ossl_kem_by_name(legacy[i])) != NULL &&
            !kems[n]->gex)
            n++;
    return n;
}

/* Group exchange in one of the built-in groups (kem_gex.c). */
static void gex(const uint8_t *data, size_t size)
{
    static const uint32_t bits[] = { 2048, 3072, 4096, 6144, 8192 };
    static uint8_t p[BIG], g[16], peer[BIG], pub1[BIG], pub2[BIG], ss1[BIG],
        ss2[BIG], priv1[256], priv2[256];
    const nssh_gex *x = nssh_ossl_dh_gex_sha256.gex;
    size_t plen = sizeof(p), glen = sizeof(g);
    stream s;
    int e;
    if (size < 1 || !x)
        return;
    if (x->default_group(bits[data[0] % 5], p, &plen, g, &glen) < 0 ||
        plen > BIG / 2 || plen < 2)
        abort();
    data++, size--;
    memset(peer, 0, plen);
    memcpy(peer + (size < plen ? plen - size : 0), data, size < plen ? size : plen);
    s.p = data, s.n = size, s.at = 0;
    if (x->keypair(p, plen, g, glen, pub1, priv1, rng, &s) < 0)
        return;
    e = x->shared(p, plen, peer, priv1, ss1);
    if (e > 0)
        abort();
    /* 1 and p-1 are refused (a secret an attacker could predict). */
    memset(peer, 0, plen);
    peer[plen - 1] = 1;
    if (x->shared(p, plen, peer, priv1, ss1) >= 0)
        abort();
    memcpy(peer, p, plen);
    peer[plen - 1] &= 0xfe;   /* p is odd: p-1 only clears the low bit */
    if (x->shared(p, plen, peer, priv1, ss1) >= 0)
        abort();
    /* Honest: both sides agree. */
    if (x->keypair(p, plen, g, glen, pub2, priv2, rng, &s) < 0)
        return;
    if (x->shared(p, plen, pub2, priv1, ss1) != 0 ||
        x->shared(p, plen, pub1, priv2, ss2) != 0 ||
        memcmp(ss1, ss2, plen) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t ct[BIG], ss1[BIG], ss2[BIG], peer[BIG];
    static const uint8_t seed[] = "a fixed key pair per KEM";
    const nssh_kem *k;
    uint8_t *pk, *sk;
    stream s;
    size_t n = n_kems(), ki;
    int e;
    if (size < 1 || n == 0)
        return 0;
    ki = data[0] % (n + 1);
    if (ki == n) {
        gex(data + 1, size - 1);
        return 0;
    }
    k = kems[ki];
    data++, size--;
    if (k->pk_len > BIG || k->ct_len > BIG || k->sk_len > BIG ||
        k->ss_len > BIG)
        abort();   /* BIG is too small for a new KEM */
    if (!pks[ki]) {
        s.p = seed, s.n = sizeof(seed), s.at = 0;
        if (!(pks[ki] = malloc(k->pk_len)) || !(sks[ki] = malloc(k->sk_len)) ||
            k->keypair(pks[ki], sks[ki], rng, &s) < 0)
            abort();
    }
    pk = pks[ki], sk = sks[ki];

    /* The peer's value, cut or zero-padded to the size the packet
     * decoder would have insisted on. */
    memset(peer, 0, sizeof(peer));
    memcpy(peer, data, size < BIG ? size : BIG);
    s.p = data, s.n = size, s.at = 0;

    /* Server: encapsulate against a hostile client value. */
    e = k->encaps(ct, ss1, peer, rng, &s);
    if (e > 0)
        abort();

    /* Client: decapsulate a hostile server reply. */
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
