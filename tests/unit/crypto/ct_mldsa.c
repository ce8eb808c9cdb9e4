/*
 * Constant-time check of ML-DSA-44 under valgrind's memcheck, in the
 * style of compact/ct_compact.c: the key generation seed, the secret key
 * (all but rho and tr, which are public) and signing's rnd are marked
 * undefined; memcheck then reports any branch or address that depends on
 * them. The sources are compiled into this program with MLDSA_PUBLIC
 * telling memcheck which values are public by design: the rejection
 * decisions, which concern values that are then thrown away, and the
 * commitment hash and hints of the signature that is returned. Run as
 *   valgrind --error-exitcode=1 ct_mldsa
 * (a ctest when valgrind is installed and the build is not sanitized);
 * with --canary it branches on a secret instead, which memcheck must
 * report.
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define MLDSA_PUBLIC(p, n) PUBLIC((p), (n))

#include "pq/mldsa_poly.c"
#include "pq/mldsa44.c"

static uint8_t pk[MLDSA44_PK_BYTES], sk[MLDSA44_SK_BYTES];
static uint8_t pk2[MLDSA44_PK_BYTES], sk2[MLDSA44_SK_BYTES];
static uint8_t sig[MLDSA44_SIG_BYTES], sig2[MLDSA44_SIG_BYTES];

int main(int argc, char **argv)
{
    uint8_t seed[32], rnd[32], msg[77];
    int failures = 0, i;

    for (i = 0; i < 32; i++) {
        seed[i] = (uint8_t)(i * 37 + 1);
        rnd[i] = (uint8_t)(i * 11 + 5);
    }
    memset(msg, 0x42, sizeof(msg));
    if (argc > 1 && strcmp(argv[1], "--canary") == 0) {
        SECRET(seed, 32);
        if (seed[3] == 7)         /* a branch on a secret: must be reported */
            puts("ct_mldsa: canary");
        return 0;
    }
    /* reference results, nothing marked */
    mldsa44_keypair_derand(pk, sk, seed);
    mldsa44_sign_derand(sig, msg, sizeof(msg), NULL, 0, sk, rnd);

    SECRET(seed, 32);
    mldsa44_keypair_derand(pk2, sk2, seed);
    PUBLIC(pk2, sizeof(pk2));
    PUBLIC(sk2, sizeof(sk2));
    failures += memcmp(pk, pk2, sizeof(pk)) != 0 || memcmp(sk, sk2, sizeof(sk)) != 0;

    for (i = 0; i < 3; i++) {
        /* hedged, deterministic, and another message (other attempts) */
        if (i == 1)
            memset(rnd, 0, sizeof(rnd));
        if (i == 2)
            msg[0] ^= 1;
        memcpy(sk2, sk, sizeof(sk));
        mldsa44_sign_derand(sig, msg, sizeof(msg), NULL, 0, sk, rnd);
        SECRET(sk2 + 32, 32);                         /* K */
        SECRET(sk2 + 128, sizeof(sk2) - 128);         /* s1, s2, t0 */
        SECRET(rnd, sizeof(rnd));
        mldsa44_sign_derand(sig2, msg, sizeof(msg), NULL, 0, sk2, rnd);
        PUBLIC(sig2, sizeof(sig2));
        PUBLIC(rnd, sizeof(rnd));
        failures += memcmp(sig, sig2, sizeof(sig)) != 0;
        failures += mldsa44_verify(sig2, msg, sizeof(msg), NULL, 0, pk) != 0;
    }
    printf("ct_mldsa: %s (valgrind %s)\n", failures ? "FAILED" : "ran",
           RUNNING_ON_VALGRIND ? "yes" : "no");
    return failures ? 1 : 0;
}
