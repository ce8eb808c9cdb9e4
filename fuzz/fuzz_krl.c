/*
 * libFuzzer target: RevokedKeys contents, read both as an OpenSSH KRL
 * (PROTOCOL.krl) and as a plain key list, asked about a plain key and
 * about certificates (a fixed CA, several serials, a key id). Every
 * answer must be KRL_OK, KRL_REVOKED or a negative error that says why;
 * nothing may crash, hang or read out of bounds (ASan, UBSan).
 *   fuzz/corpus/krl holds the seeds: KRLs made by ssh-keygen -k.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "krl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* string "ssh-ed25519" || string 32 bytes (RFC 8709 section 4) */
static uint8_t key[51], ca[51];

static void make(uint8_t *k, uint8_t fill)
{
    static const uint8_t pre[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd',
                                   '2', '5', '5', '1', '9', 0, 0, 0, 32 };
    memcpy(k, pre, sizeof(pre));
    memset(k + sizeof(pre), fill, 32);
}

static void answer_ok(int r, const char *why)
{
    if (r != KRL_OK && r != KRL_REVOKED && (r >= 0 || !why[0]))
        abort();
    if (!memchr(why, 0, 128))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t serials[] = { 0, 1, 5, 1000, UINT64_MAX };
    uint8_t *copy = malloc(size ? size : 1);   /* exact size for ASan */
    char why[128];
    krl_query q;
    size_t i;
    int r;
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    make(key, 0x11);
    make(ca, 0x33);
    memset(&q, 0, sizeof(q));
    q.key = key;
    q.key_len = sizeof(key);
    r = krl_check(copy, size, &q, why, sizeof(why));
    answer_ok(r, why);
    q.ca_key = ca;
    q.ca_len = sizeof(ca);
    q.key_id = "id";
    q.key_id_len = 2;
    for (i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
        int r2;
        q.serial = serials[i];
        r2 = krl_check(copy, size, &q, why, sizeof(why));
        answer_ok(r2, why);
        /* a KRL that is invalid for one question is invalid for all */
        if ((r < 0) != (r2 < 0))
            abort();
    }
    r = krl_check_list((const char *)copy, size, &q, why, sizeof(why));
    answer_ok(r, why);
    free(copy);
    return 0;
}
