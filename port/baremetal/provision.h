/*
 * The provisioning block: what a device needs that must not be in its
 * image. On real hardware it would sit in a protected flash page; under
 * QEMU the host loads it into SRAM before reset (-device loader), and
 * tools/mcu-provision.py writes it. Little-endian:
 *
 *    0  u32  magic 'NPRV' (0x5652504E)
 *    4  u16  version (1)
 *    6  u16  length of the block in bytes, CRC included (PROV_SIZE)
 *    8  32   seed for the random generator (fresh from the host's
 *            /dev/urandom at every boot; never fixed)
 *   40  64   host key: Ed25519 seed || public key, as OpenSSH keeps it
 *  104  u8   number of authorized keys (1 .. PROV_KEYS_MAX)
 *  105  u8   length of the user name (1 .. PROV_USER_MAX)
 *  106  u16  0
 *  108  32   user name, zero-padded
 *  140  32 * PROV_KEYS_MAX  authorized ssh-ed25519 public keys
 *  396  u32  CRC-32 (IEEE 802.3, as zlib's crc32) of bytes 0 .. 395
 */
#ifndef NSSH_PROVISION_H
#define NSSH_PROVISION_H

#include <stddef.h>
#include <stdint.h>

#define PROV_MAGIC 0x5652504Eu
#define PROV_VERSION 1u
#define PROV_KEYS_MAX 8u
#define PROV_USER_MAX 32u
#define PROV_SIZE (140u + 32u * PROV_KEYS_MAX + 4u)

typedef struct provision {
    uint8_t seed[32];
    uint8_t hostkey[64];
    char user[PROV_USER_MAX + 1];
    uint8_t keys[PROV_KEYS_MAX][32];
    unsigned n_keys;
} provision;

/* Parse and check a block. Returns NULL when it is usable, else a
 * sentence saying what is wrong (missing, corrupt, no seed ...). */
const char *provision_parse(const uint8_t *blk, size_t len, provision *p);

/* CRC-32 as zlib computes it. */
uint32_t provision_crc32(const uint8_t *p, size_t n);

#endif
