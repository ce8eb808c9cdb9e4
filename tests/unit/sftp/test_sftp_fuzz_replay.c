/*
 * Robustness of the SFTP decoder: the seed corpus of fuzz/sftp_corpus
 * (fuzz/gen_sftp_corpus.py) is replayed through the fuzz target's body,
 * then thousands of deterministic mutations of it. Each run must end
 * healthy or with one of the module's error codes, with every reply well
 * framed; memory errors are caught by the sanitizer build running the
 * same test. The directory comes from NSSH_SFTP_CORPUS (set by CMake).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nanossh_sftp.h"
#include "sftp_target.h"

#define MAX_SEEDS 32
#define SEED_MAX (256u * 1024u)

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static size_t n_seeds;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static int valid(int e)
{
    return e == 0 || e == NSSH_SFTP_ERR_TOO_LONG || e == NSSH_SFTP_ERR_PROTOCOL;
}

static int load(void **st)
{
    const char *dir = getenv("NSSH_SFTP_CORPUS");
    DIR *d;
    struct dirent *e;
    (void)st;
    if (!dir)
        dir = "fuzz/sftp_corpus";
    if (!(d = opendir(dir)))
        return -1;
    while ((e = readdir(d)) && n_seeds < MAX_SEEDS) {
        char path[1024];
        FILE *f;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (!(f = fopen(path, "rb")))
            continue;
        seeds[n_seeds] = malloc(SEED_MAX);
        seed_len[n_seeds] = fread(seeds[n_seeds], 1, SEED_MAX, f);
        fclose(f);
        n_seeds++;
    }
    closedir(d);
    return n_seeds ? 0 : -1;
}

static int unload(void **st)
{
    size_t i;
    (void)st;
    for (i = 0; i < n_seeds; i++)
        free(seeds[i]);
    return 0;
}

/* Every seed runs clean (the valid streams end healthy). */
static void test_seeds(void **st)
{
    size_t i;
    int healthy = 0;
    (void)st;
    assert_true(n_seeds >= 3);
    for (i = 0; i < n_seeds; i++) {
        int e = sftp_fuzz_run(seeds[i], seed_len[i]);
        assert_true(valid(e));
        healthy += e == 0;
    }
    assert_true(healthy >= 2);
}

static void mutate(uint8_t *b, size_t *len)
{
    static const uint32_t vals[] = { 0, 1, 4, 5, 8, 0x7fffffffu, 0xffffffffu,
                                     0x40000u, 0x40001u, 0x8000u };
    size_t n = *len, pos = n ? next() % n : 0, k;
    switch (next() % 6) {
    case 0:   /* flip bits */
        b[pos] ^= (uint8_t)(1u << (next() % 8));
        break;
    case 1:   /* an interesting 32-bit value (lengths, counts) */
        if (n >= 4) {
            uint32_t v = vals[next() % (sizeof(vals) / sizeof(vals[0]))];
            pos %= n - 3;
            b[pos] = (uint8_t)(v >> 24);
            b[pos + 1] = (uint8_t)(v >> 16);
            b[pos + 2] = (uint8_t)(v >> 8);
            b[pos + 3] = (uint8_t)v;
        }
        break;
    case 2:   /* truncate */
        *len = pos;
        break;
    case 3:   /* delete a span */
        k = next() % 64;
        if (pos + k <= n) {
            memmove(b + pos, b + pos + k, n - pos - k);
            *len = n - k;
        }
        break;
    case 4:   /* duplicate a span */
        k = next() % 200;
        if (pos + k <= n && n + k <= SEED_MAX) {
            memmove(b + pos + k, b + pos, n - pos);
            *len = n + k;
        }
        break;
    default:  /* a random byte, the split choice included */
        b[pos] = (uint8_t)next();
        break;
    }
}

static void test_mutations(void **st)
{
    static uint8_t buf[SEED_MAX];
    int i, j, errors = 0;
    (void)st;
    for (i = 0; i < 3000; i++) {
        size_t which = next() % n_seeds, len = seed_len[which];
        int e;
        memcpy(buf, seeds[which], len);
        for (j = 0; j < 1 + (int)(next() % 4); j++)
            mutate(buf, &len);
        e = sftp_fuzz_run(buf, len);
        if (!valid(e))
            fail_msg("mutation %d of seed %zu: result %d", i, which, e);
        errors += e != 0;
    }
    assert_true(errors > 0);   /* hostile lengths were noticed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
