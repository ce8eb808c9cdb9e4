/*
 * nanossh firmware for the Netduino Plus 2 (STM32F405) under QEMU.
 *
 * Boot: the provisioning block (seed, host key, authorized keys, user
 * name; see port/baremetal/provision.h) must be in SRAM, or the firmware
 * says why on USART2 and stops: without a fresh seed every key it made
 * would be guessable. Then one SSH session at a time runs over USART1
 * (port/baremetal/link.c) with the device application (port/device).
 *
 * USART2 carries diagnostics only, never the SSH stream: session starts
 * and ends, login results, and per handshake the peak stack and the busy
 * time (measure.c; tools/mcu-figures.py reads these lines).
 */
#include <string.h>

#include "board.h"
#include "device.h"
#include "fw.h"
#include "link.h"
#include "nanossh_compact.h"
#include "provision.h"

#ifndef FW_IDLE_MS
#define FW_IDLE_MS 600000u   /* a silent line for 10 minutes ends the session */
#endif
#ifndef FW_GRACE_MS
#define FW_GRACE_MS 120000u  /* login grace, as sshd's LoginGraceTime */
#endif

/* The engine's memory. NSSH_CONN_MEM_SIZE comes from the engine when it
 * defines it; until then the build computes it (conn_size.h) and main
 * checks it against nssh_conn_mem_size() before anything runs. */
#include "conn_size.h"
static uint8_t conn_mem[NSSH_CONN_MEM_SIZE] __attribute__((aligned(16)));
static dev_session session;
static serial_link serial;

/* Loaded by the host before reset, outside every section of the image
 * (board.ld), so neither the ELF loader nor start-up code touches it. */
extern volatile uint8_t _provision[];
#define PROV_REGION 512u
uint8_t fw_auth_keys[PROV_KEYS_MAX][32];
char fw_user[PROV_USER_MAX + 1];
static nssh_compact_drbg drbg;
static nssh_compact_key hostkey;
static uint8_t hostkey_blob[NSSH_COMPACT_ED25519_BLOB_LEN];
static nssh_hostkey hostkeys[1];
static nssh_config base;
static dev_params params;

static const nssh_kem *const kems[] = {
    &nssh_compact_mlkem768x25519_sha256,
#if FW_SNTRUP
    &nssh_compact_sntrup761x25519_sha512,
    &nssh_compact_sntrup761x25519_sha512_openssh,
#endif
    &nssh_compact_curve25519_sha256,
    &nssh_compact_curve25519_sha256_libssh,
};
static const nssh_cipher *const ciphers[] = {
    &nssh_compact_chacha20_poly1305,
    &nssh_compact_aes128_gcm, &nssh_compact_aes256_gcm,
    &nssh_compact_aes128_ctr, &nssh_compact_aes256_ctr,
};
static const nssh_mac *const macs[] = {
    &nssh_compact_hmac_sha256_etm, &nssh_compact_hmac_sha256,
};
static const nssh_sig_alg *const sig_algs[] = { &nssh_compact_sig_ed25519 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t hook_millis(void *user)
{
    (void)user;
    return board_millis();
}

static void hook_log(void *user, const char *line)
{
    (void)user;
    board_log(line);
    board_log("\r\n");
}

extern uint8_t _sdata[], _ebss[], _sstack[], _estack[];

static void hook_mem(void *user, dev_mem *m)
{
    (void)user;
    m->stack_reserved = board_stack_size();
    m->static_ram = (size_t)(_ebss - _sdata) + m->stack_reserved;
    m->stack_peak = fw_stack_max();
    fw_fs_usage(&m->ramfs_total, &m->ramfs_free);
}

static void link_event(void *user, int ev, int err)
{
    (void)user;
    if (ev == LINK_EV_START) {
        fw_measure_start();
        board_log("session: client identification received, starting\r\n");
    } else {
        board_log("session: ended: ");
        board_log(err ? nssh_strerror(err) : "closed");
        board_log("\r\n");
        if (board_ssh_overruns())
            board_log_u32("uart: receiver overruns so far: ", board_ssh_overruns());
    }
}

/* A memset the compiler may not drop (the copies die right after). */
static void wipe(volatile void *p, size_t n)
{
    volatile uint8_t *b = p;
    while (n--)
        *b++ = 0;
}

/* The secrets of the block into the generator and the host key. */
static const char *take_secrets(const provision *p, size_t *blob_len)
{
    nssh_compact_drbg_init(&drbg);
    if (nssh_compact_drbg_seed(&drbg, p->seed, sizeof(p->seed)) < 0)
        return "the random generator refused the seed";
    if (nssh_compact_key_from_openssh(&hostkey, p->hostkey) < 0)
        return "the host key's public half does not match its seed";
    if (nssh_compact_key_public_blob(&hostkey, hostkey_blob, sizeof(hostkey_blob),
                                     blob_len) < 0)
        return "cannot encode the host key";
    memcpy(fw_auth_keys, p->keys, sizeof(fw_auth_keys));
    memcpy(fw_user, p->user, sizeof(fw_user));
    params.n_auth_keys = p->n_keys;
    return NULL;
}

/* Everything that needs the provisioning block; a fatal problem stops
 * here with the reason on USART2. */
static const char *setup(void)
{
    const char *why;
    size_t blob_len = 0;
    provision p;
    why = provision_parse((const uint8_t *)_provision, PROV_SIZE, &p);
    /* The seed and the host key leave the loaded block at once, and the
     * copy on the stack once they are in place. */
    wipe(_provision, PROV_REGION);
    if (!why)
        why = take_secrets(&p, &blob_len);
    wipe(&p, sizeof(p));
    if (why)
        return why;

    hostkeys[0].alg = &nssh_compact_sig_ed25519;
    hostkeys[0].key = nssh_compact_key_handle(&hostkey);
    hostkeys[0].blob = hostkey_blob;
    hostkeys[0].blob_len = blob_len;

    base.software = "nanossh_" NSSH_VERSION_STRING;
    base.kems = kems, base.n_kems = N(kems);
    base.ciphers = ciphers, base.n_ciphers = N(ciphers);
    base.macs = macs, base.n_macs = N(macs);
    base.hostkeys = hostkeys, base.n_hostkeys = 1;
    base.sig_algs = sig_algs, base.n_sig_algs = N(sig_algs);
    base.login_grace_ms = FW_GRACE_MS;
    base.rng = nssh_compact_rng;
    base.rng_user = &drbg;

    params.base = &base;
    params.login = fw_user;
    params.auth_keys = (const uint8_t (*)[32])fw_auth_keys;
    params.sha256 = &nssh_compact_sha256;
    params.hostname = "nanossh";
    params.millis = hook_millis;
    params.mem = hook_mem;
    params.log = hook_log;
    if (fw_fs_init(&params.fs, &params.fs_user) < 0)
        return "cannot set up the RAM filesystem";
    return NULL;
}

int main(void)
{
    static uint8_t rx[LINK_PENDING];
    const char *why;
    board_init();
    board_stack_guard();
    board_log("nanossh firmware " NSSH_VERSION_STRING " (netduinoplus2)\r\n");
    if (nssh_conn_mem_size() > sizeof(conn_mem)) {
        board_log_u32("fatal: the engine needs bytes per connection: ",
                      (uint32_t)nssh_conn_mem_size());
        board_halt();
    }
    why = setup();
    if (why) {
        board_log("fatal: ");
        board_log(why);
        board_log("\r\n");
        board_halt();
    }
    board_log_u32("ready: session bytes ", (uint32_t)dev_session_bytes());
    serial_link_init(&serial, &session, &params, conn_mem, sizeof(conn_mem), FW_IDLE_MS);
    serial.event = link_event;

    for (;;) {
        uint64_t t0 = board_cycles(), now = board_millis();
        size_t n, room = serial_link_room(&serial);
        const uint8_t *out;
        int busy = 0;
        if (room > sizeof(rx))
            room = sizeof(rx);
        n = room ? board_ssh_rx(rx, room) : 0;
        if (n) {
            serial_link_input(&serial, rx, n, now);
            busy = 1;
        }
        out = serial_link_output(&serial, &n);
        if (n) {
            board_ssh_tx(out, n);
            serial_link_sent(&serial, n);
            busy = 1;
        }
        serial_link_tick(&serial, now);
        if (serial.running && session.conn)
            fw_measure(session.conn, board_cycles() - t0);
        if (!busy)
            board_idle();
    }
}
