/* Provisioning block: see provision.h. */
#include <string.h>

#include "provision.h"

uint32_t provision_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;
    /* Bitwise: the block is read once at boot, a table is not worth
     * 1 KiB of flash. */
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* A seed of one repeated byte is a loader that wrote nothing useful
 * (unemulated memory reads zero), never the output of /dev/urandom. */
static int seed_plausible(const uint8_t *s)
{
    size_t i;
    for (i = 1; i < 32; i++)
        if (s[i] != s[0])
            return 1;
    return 0;
}

const char *provision_parse(const uint8_t *b, size_t len, provision *p)
{
    unsigned ulen;
    if (len < PROV_SIZE || le32(b) != PROV_MAGIC)
        return "no provisioning block (load one with -device loader; see tools/mcu-demo.sh)";
    if ((b[4] | b[5] << 8) != PROV_VERSION || (b[6] | b[7] << 8) != PROV_SIZE)
        return "provisioning block of another version";
    if (provision_crc32(b, PROV_SIZE - 4u) != le32(b + PROV_SIZE - 4u))
        return "provisioning block corrupt (CRC mismatch)";
    if (!seed_plausible(b + 8))
        return "no random seed in the provisioning block: refusing to start";
    p->n_keys = b[104];
    ulen = b[105];
    if (p->n_keys < 1 || p->n_keys > PROV_KEYS_MAX)
        return "provisioning block has no authorized key";
    if (ulen < 1 || ulen > PROV_USER_MAX || memchr(b + 108, 0, ulen))
        return "provisioning block has no valid user name";
    memcpy(p->seed, b + 8, 32);
    memcpy(p->hostkey, b + 40, 64);
    memcpy(p->user, b + 108, ulen);
    p->user[ulen] = 0;
    memcpy(p->keys, b + 140, 32u * PROV_KEYS_MAX);
    return NULL;
}
