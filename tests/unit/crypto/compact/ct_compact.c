/*
 * Constant-time check of the compact backend under valgrind's memcheck.
 *
 * Secret inputs (scalars, seeds, keys, plaintext, generator state) are
 * marked undefined with VALGRIND_MAKE_MEM_UNDEFINED; memcheck then
 * reports any conditional jump or memory address that depends on them
 * ("Conditional jump or move depends on uninitialised value(s)", "Use of
 * uninitialised value"). Also covered: ML-KEM-768 and sntrup761
 * decapsulation, which the hybrids run with secret keys. Run as
 *   valgrind --error-exitcode=1 ct_compact
 * (a ctest when valgrind is installed and the build is not sanitized).
 * Outside valgrind the marks do nothing and the program only checks that
 * each primitive ran. Deliberately left out: the public verdicts (an
 * all-zero X25519 result, a MAC that does not match) and verification,
 * which handles public data only. With --canary it runs a deliberate
 * branch on a secret instead, which memcheck must report.
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "compact.h"
#include "nanossh_compact.h"
#include "pq/mlkem768.h"
#include "pq/sntrup761.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("ct_compact: %s: FAILED\n", what);
        failures++;
    }
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 29 + (i >> 3));
}

static void x25519_ct(void)
{
    static const uint8_t base[32] = { 9 };
    uint8_t k[32], out[32], ref[32];

    fill(k, 32, 1);
    compact_x25519(ref, k, base);
    SECRET(k, 32);
    compact_x25519(out, k, base);
    PUBLIC(out, 32);
    check(memcmp(out, ref, 32) == 0, "x25519");
}

static void ed25519_ct(void)
{
    uint8_t seed[32], pub[32], sig[64], ref[64], msg[100];

    fill(seed, 32, 2);
    fill(msg, sizeof(msg), 3);
    compact_ed25519_public(pub, seed);
    compact_ed25519_sign(ref, seed, pub, msg, sizeof(msg));
    SECRET(seed, 32);
    compact_ed25519_public(pub, seed);
    PUBLIC(pub, 32);
    compact_ed25519_sign(sig, seed, pub, msg, sizeof(msg));
    PUBLIC(sig, 64);
    check(memcmp(sig, ref, 64) == 0, "ed25519 sign");
}

static void hash_mac_ct(void)
{
    uint8_t key[64], msg[300], out[64], ref[64];
    compact_hmac_ctx m;

    fill(key, 64, 4);
    fill(msg, sizeof(msg), 5);
    compact_hmac_setkey(&m, 64, key, 64);
    compact_hmac_compute(&m, msg, sizeof(msg), NULL, 0, ref);
    SECRET(key, 64);
    SECRET(msg, sizeof(msg));
    compact_hmac_setkey(&m, 64, key, 64);
    compact_hmac_compute(&m, msg, sizeof(msg), NULL, 0, out);
    compact_hmac_setkey(&m, 32, key, 32);
    compact_hmac_compute(&m, msg, sizeof(msg), NULL, 0, out + 32);
    compact_hmac_setkey(&m, 64, key, 64);
    compact_hmac_compute(&m, msg, sizeof(msg), NULL, 0, out);
    PUBLIC(out, 64);
    check(memcmp(out, ref, 64) == 0, "hmac-sha512");
}

static void chachapoly_ct(void)
{
    const nssh_cipher *c = &nssh_compact_chacha20_poly1305;
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t key[64], pkt[4 + 96 + 16], ref[4 + 96 + 16];

    fill(key, 64, 6);
    fill(pkt, 100, 7);
    c->init(ctx, key, NULL, 1);
    c->seal(ctx, 5, pkt, 100);
    memcpy(ref, pkt, sizeof(ref));
    fill(pkt, 100, 7);
    SECRET(key, 64);
    SECRET(pkt, 100);
    c->init(ctx, key, NULL, 1);
    c->seal(ctx, 5, pkt, 100);
    PUBLIC(pkt, sizeof(pkt));
    check(memcmp(pkt, ref, sizeof(ref)) == 0, "chacha20-poly1305 seal");
    c->cleanup(ctx);
}

static void aes_ct(void)
{
    const nssh_cipher *ctr = &nssh_compact_aes256_ctr, *gcm = &nssh_compact_aes128_gcm;
    uint8_t ctx[NSSH_CIPHER_CTX_SIZE] __attribute__((aligned(16)));
    uint8_t key[32], iv[16], buf[68 + 16], ref[68 + 16];

    fill(key, 32, 8);
    fill(iv, 16, 9);
    fill(buf, 64, 10);
    ctr->init(ctx, key, iv, 1);
    ctr->crypt(ctx, buf, 64);
    memcpy(ref, buf, 64);
    fill(buf, 64, 10);
    SECRET(key, 32);
    SECRET(buf, 64);
    ctr->init(ctx, key, iv, 1);
    ctr->crypt(ctx, buf, 64);
    PUBLIC(buf, 64);
    check(memcmp(buf, ref, 64) == 0, "aes256-ctr");
    ctr->cleanup(ctx);

    fill(key, 32, 11);
    fill(buf, 68, 12);
    gcm->init(ctx, key, iv, 1);
    gcm->seal(ctx, 0, buf, 68);
    memcpy(ref, buf, sizeof(ref));
    fill(buf, 68, 12);
    SECRET(key, 16);
    SECRET(buf + 4, 64);   /* the length is in clear by design */
    gcm->init(ctx, key, iv, 1);
    gcm->seal(ctx, 0, buf, 68);
    PUBLIC(buf, sizeof(buf));
    check(memcmp(buf, ref, sizeof(ref)) == 0, "aes128-gcm seal");
    gcm->cleanup(ctx);
}

static void drbg_ct(void)
{
    nssh_compact_drbg d;
    uint8_t seed[32], out[100], ref[100];

    /* The first seed's one-bit check (not all one byte) is a public
     * verdict; the secret state and a secret reseed are checked. */
    fill(seed, 32, 13);
    nssh_compact_drbg_init(&d);
    nssh_compact_drbg_seed(&d, seed, 32);
    nssh_compact_drbg_seed(&d, seed, 32);
    nssh_compact_drbg_generate(&d, ref, sizeof(ref));
    nssh_compact_drbg_init(&d);
    nssh_compact_drbg_seed(&d, seed, 32);
    SECRET(d.key, 32);
    SECRET(seed, 32);
    nssh_compact_drbg_seed(&d, seed, 32);
    nssh_compact_drbg_generate(&d, out, sizeof(out));
    PUBLIC(out, sizeof(out));
    check(memcmp(out, ref, sizeof(out)) == 0, "drbg");
}

/* The hybrid's post-quantum half as the compact backend runs it:
 * encapsulation with a secret message, decapsulation with the secret
 * parts of the key (dk_PKE and z; ek and H(ek) inside it are public).
 * Key generation is left out: its seed d also yields rho, the public
 * seed of the matrix, whose rejection sampling is variable-time on
 * public data by design (FIPS 203 algorithm 7), and memcheck cannot tell
 * the two apart. */
static void mlkem_ct(void)
{
    static uint8_t pk[MLKEM768_PK_BYTES], sk[MLKEM768_SK_BYTES], ct[MLKEM768_CT_BYTES];
    uint8_t d[32], z[32], m[32], ss1[32], ss2[32];

    fill(d, 32, 14);
    fill(z, 32, 15);
    fill(m, 32, 16);
    mlkem768_keypair_derand(pk, sk, d, z);
    SECRET(sk, 1152);                          /* dk_PKE */
    SECRET(sk + MLKEM768_SK_BYTES - 32, 32);   /* z */
    SECRET(m, 32);
    mlkem768_encaps_derand(ct, ss1, pk, m);
    PUBLIC(ct, sizeof(ct));
    mlkem768_decaps(ss2, ct, sk);
    PUBLIC(ss1, 32);
    PUBLIC(ss2, 32);
    check(memcmp(ss1, ss2, 32) == 0, "ml-kem-768");
}

static int drbg_rng(void *u, uint8_t *out, size_t len)
{
    return nssh_compact_rng(u, out, len);
}

/* sntrup761 decapsulation with the whole secret key secret. */
static void sntrup_ct(void)
{
    static uint8_t pk[SNTRUP761_PK_BYTES], sk[SNTRUP761_SK_BYTES], ct[SNTRUP761_CT_BYTES];
    uint8_t seed[32], ss1[32], ss2[32];
    nssh_compact_drbg d;

    fill(seed, 32, 18);
    nssh_compact_drbg_init(&d);
    nssh_compact_drbg_seed(&d, seed, 32);
    sntrup761_keypair(pk, sk, drbg_rng, &d);
    sntrup761_encaps(ct, ss1, pk, drbg_rng, &d);
    SECRET(sk, sizeof(sk));
    sntrup761_decaps(ss2, ct, sk);
    PUBLIC(ss2, 32);
    check(memcmp(ss1, ss2, 32) == 0, "sntrup761");
}

/* Deliberate leaks, to show the check can fail: a table indexed by a
 * secret byte (what a table-driven AES does) and a branch on one. */
static void canary(void)
{
    static const uint8_t base[32] = { 9 };
    static volatile uint8_t table[256];
    uint8_t k[32], out[32];

    fill(k, 32, 17);
    SECRET(k, 32);
    compact_x25519(out, k, base);
    table[out[0]]++;
    if (out[1] & 1)
        puts("ct_compact: odd");
    else
        puts("ct_compact: even");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--canary") == 0) {
        canary();
        return 0;
    }
    x25519_ct();
    ed25519_ct();
    hash_mac_ct();
    chachapoly_ct();
    aes_ct();
    drbg_ct();
    mlkem_ct();
    sntrup_ct();
    printf("ct_compact: %s (valgrind %s)\n", failures ? "FAILED" : "ran",
           RUNNING_ON_VALGRIND ? "yes" : "no");
    return failures != 0;
}
