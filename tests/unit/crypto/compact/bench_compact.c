/*
 * Speed of the compact backend on the build host: MB/s of each cipher and
 * MAC through its table (16 KiB packets), ops/s of X25519, Ed25519 and
 * the hybrid KEMs. Not a test; run build/tests/bench_compact. Time is the
 * process's CPU time, so a busy machine slows the run but not the figures
 * (much).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compact.h"
#include "nanossh_compact.h"

#define PKT 16384u

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int det_rng(void *u, uint8_t *out, size_t len)
{
    return nssh_compact_rng(u, out, len);
}

static void bench_cipher(const nssh_cipher *c)
{
    static uint8_t pkt[4 + PKT + 64];
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t key[64] = { 1 }, iv[16] = { 2 };
    double t0, t;
    size_t n = 0;
    uint32_t seq = 0;

    c->init(ctx, key, iv, 1);
    t0 = now();
    do {
        if (c->flags & NSSH_CIPHER_AEAD)
            c->seal(ctx, seq++, pkt, 4 + PKT);
        else
            c->crypt(ctx, pkt, PKT);
        n += PKT;
        t = now() - t0;
    } while (t < 0.5);
    c->cleanup(ctx);
    printf("%-34s %8.1f MB/s\n", c->name, n / t / 1e6);
}

static void bench_mac(const nssh_mac *m)
{
    static uint8_t data[PKT];
    uint8_t ctx[NSSH_MAC_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t key[64] = { 3 }, out[64];
    double t0, t;
    size_t n = 0;

    m->init(ctx, key);
    t0 = now();
    do {
        m->compute(ctx, (uint32_t)n, data, PKT, out);
        n += PKT;
        t = now() - t0;
    } while (t < 0.5);
    m->cleanup(ctx);
    printf("%-34s %8.1f MB/s\n", m->name, n / t / 1e6);
}

#define OPS(label, stmt)                                        \
    do {                                                        \
        double t0_ = now(), t_;                                 \
        unsigned n_ = 0;                                        \
        do {                                                    \
            stmt;                                               \
            n_++;                                               \
            t_ = now() - t0_;                                   \
        } while (t_ < 0.5);                                     \
        printf("%-34s %8.0f ops/s  (%.3f ms)\n", label, n_ / t_, \
               1e3 * t_ / n_);                                  \
    } while (0)

int main(void)
{
    static uint8_t pk[2048], sk[4096], ct[2048];
    uint8_t k[32] = { 5 }, u[32] = { 9 }, out[64], sig[64], pub[32], msg[64] = { 0 };
    uint8_t seed[32] = { 7 };
    nssh_compact_drbg d;
    size_t i;

    nssh_compact_drbg_init(&d);
    nssh_compact_drbg_seed(&d, seed, sizeof(seed));
    for (i = 0; nssh_compact_ciphers[i]; i++)
        bench_cipher(nssh_compact_ciphers[i]);
    for (i = 0; nssh_compact_macs[i]; i++)
        bench_mac(nssh_compact_macs[i]);
    OPS("X25519", compact_x25519(out, k, u));
    compact_ed25519_public(pub, seed);
    OPS("Ed25519 sign", compact_ed25519_sign(sig, seed, pub, msg, sizeof(msg)));
    OPS("Ed25519 verify", compact_ed25519_verify(sig, pub, msg, sizeof(msg)));
    for (i = 0; i < 2; i++) {
        const nssh_kem *kem = i ? &nssh_compact_sntrup761x25519_sha512
                                : &nssh_compact_mlkem768x25519_sha256;
        char label[80];

        snprintf(label, sizeof(label), "%s (client+server)", kem->name);
        OPS(label, (kem->keypair(pk, sk, det_rng, &d),
                    kem->encaps(ct, out, pk, det_rng, &d),
                    kem->decaps(out, ct, sk)));
    }
    return 0;
}
