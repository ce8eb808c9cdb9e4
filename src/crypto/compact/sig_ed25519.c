/*
 * ssh-ed25519 (RFC 8709) over this backend's Ed25519, and the key struct
 * the engine sees as an opaque nssh_key. Blobs (RFC 4253 section 6.6):
 *   key:       string "ssh-ed25519" || string(32-byte public key)
 *   signature: string "ssh-ed25519" || string(64-byte signature)
 */
#include <string.h>

#include "compact.h"

#define NAME "ssh-ed25519"
#define NAME_LEN 11u
#define SIG_BLOB_LEN (4 + NAME_LEN + 4 + 64)
/* "Ed25519" key, so a key of another backend handed to this one's
 * signing function is refused rather than misread. */
#define KEY_MAGIC 0x45643235u

static void put_u32(uint8_t *p, uint32_t v)
{
    store_be32(p, v);
}

/* string at *pos of b[0..len): its bytes and length; -1 when it runs
 * past the end. */
static int get_string(const uint8_t *b, size_t len, size_t *pos,
                      const uint8_t **s, size_t *n)
{
    uint32_t l;

    if (len - *pos < 4)
        return -1;
    l = load_be32(b + *pos);
    *pos += 4;
    if (l > len - *pos)
        return -1;
    *s = b + *pos;
    *n = l;
    *pos += l;
    return 0;
}

int nssh_compact_key_from_seed(nssh_compact_key *k, const uint8_t seed[32])
{
    memcpy(k->seed, seed, 32);
    compact_ed25519_public(k->pub, seed);
    k->has_private = 1;
    k->magic = KEY_MAGIC;
    return 0;
}

int nssh_compact_key_from_openssh(nssh_compact_key *k, const uint8_t sk[64])
{
    nssh_compact_key_from_seed(k, sk);
    if (memcmp(k->pub, sk + 32, 32) != 0) {
        nssh_compact_key_clear(k);
        return NSSH_ERR_KEY;
    }
    return 0;
}

int nssh_compact_key_from_blob(nssh_compact_key *k, const uint8_t *blob,
                               size_t len)
{
    const uint8_t *name, *pub;
    size_t n, pn, pos = 0;

    memset(k, 0, sizeof(*k));
    if (get_string(blob, len, &pos, &name, &n) < 0 || n != NAME_LEN ||
        memcmp(name, NAME, NAME_LEN) != 0 ||
        get_string(blob, len, &pos, &pub, &pn) < 0 || pn != 32 || pos != len)
        return NSSH_ERR_KEY;
    memcpy(k->pub, pub, 32);
    k->magic = KEY_MAGIC;
    return 0;
}

int nssh_compact_key_public_blob(const nssh_compact_key *k, uint8_t *buf,
                                 size_t cap, size_t *len)
{
    if (cap < NSSH_COMPACT_ED25519_BLOB_LEN)
        return NSSH_ERR_NOSPACE;
    put_u32(buf, NAME_LEN);
    memcpy(buf + 4, NAME, NAME_LEN);
    put_u32(buf + 4 + NAME_LEN, 32);
    memcpy(buf + 8 + NAME_LEN, k->pub, 32);
    *len = NSSH_COMPACT_ED25519_BLOB_LEN;
    return 0;
}

void nssh_compact_key_clear(nssh_compact_key *k)
{
    compact_wipe(k, sizeof(*k));
}

static int ed_sign(const nssh_key *key, const uint8_t *data, size_t len,
                   uint8_t *sig, size_t sig_max, size_t *sig_len,
                   nssh_rng_fn rng, void *rng_user)
{
    const nssh_compact_key *k = (const nssh_compact_key *)(const void *)key;

    (void)rng;
    (void)rng_user;   /* Ed25519 is deterministic */
    if (k == NULL || k->magic != KEY_MAGIC || k->has_private != 1)
        return NSSH_ERR_KEY;
    if (sig_max < SIG_BLOB_LEN)
        return NSSH_ERR_NOSPACE;
    put_u32(sig, NAME_LEN);
    memcpy(sig + 4, NAME, NAME_LEN);
    put_u32(sig + 4 + NAME_LEN, 64);
    compact_ed25519_sign(sig + 8 + NAME_LEN, k->seed, k->pub, data, len);
    *sig_len = SIG_BLOB_LEN;
    return 0;
}

static int ed_verify(const uint8_t *keyblob, size_t keylen, const uint8_t *data,
                     size_t len, const uint8_t *sig, size_t siglen)
{
    nssh_compact_key k;
    const uint8_t *name, *raw;
    size_t n, rn, pos = 0;

    if (get_string(sig, siglen, &pos, &name, &n) < 0 ||
        get_string(sig, siglen, &pos, &raw, &rn) < 0 || pos != siglen)
        return NSSH_ERR_FORMAT;
    if (n != NAME_LEN || memcmp(name, NAME, NAME_LEN) != 0 || rn != 64)
        return NSSH_ERR_SIGNATURE;
    if (nssh_compact_key_from_blob(&k, keyblob, keylen) < 0)
        return NSSH_ERR_KEY;
    return compact_ed25519_verify(raw, k.pub, data, len);
}

const nssh_sig_alg nssh_compact_sig_ed25519 = {
    .name = NAME,
    .key_type = NAME,
    .sign = ed_sign,
    .verify = ed_verify,
};
