/*
 * nanossh-lwip: the engine on lwIP's raw TCP API over a Linux TAP device.
 *
 * Map:
 *   main.c     options, lwIP start-up (tcpip thread, TAP netif), signals
 *   keys.c     the host key and the one authorized key
 *   engine.c   the engine configuration (algorithms, host keys, RNG)
 *   app_device.c  the application on each connection: the firmware's
 *              device application (port/device) with a RAM filesystem
 */
#ifndef NSSH_LWIPD_H
#define NSSH_LWIPD_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_lwip.h"
#include "nanossh_ossl.h"
#include "nanossh_compact.h"

#define LWIPD_HOSTKEYS_MAX 4

typedef struct lwipd {
    int compact;                            /* 1: compact backend, 0: OpenSSL */
    const char *user;                       /* the one login name */
    uint8_t auth_blob[NSSH_KEYBLOB_MAX];    /* its authorized public key */
    size_t auth_blob_len;
    nssh_key *hostkey;                      /* OpenSSL backend */
    nssh_compact_key ckey;                  /* compact backend */
    nssh_compact_drbg drbg;                 /* compact backend's RNG */
    const nssh_hash *sha256;                /* the backend's, for sha256 */
    uint8_t hostkey_blob[NSSH_KEYBLOB_MAX];
    nssh_hostkey hostkeys[LWIPD_HOSTKEYS_MAX];
    size_t n_hostkeys;
    int verbose;                            /* highest NSSH_LOG_* printed */
    nssh_config tmpl;                       /* cb and user per connection */
} lwipd;

/* keys.c */
/* Load an OpenSSH private key file as the host key (the compact backend:
 * ssh-ed25519 only). 0 or -1 (said why). */
int lwipd_load_hostkey(lwipd *d, const char *path);
/* Load the first key line of an authorized_keys-style file ("type base64
 * [comment]"). 0 or -1 (said why). */
int lwipd_load_authorized(lwipd *d, const char *path);

/* engine.c */
/* Fill d->tmpl: algorithms, host keys, RNG (the compact backend's DRBG
 * seeded from getrandom()). 0 or -1 (said why). */
int lwipd_engine_config(lwipd *d);
/* A line on stderr, "nanossh-lwip: ...", when level <= d->verbose. */
void lwipd_log(const lwipd *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* app_device.c: the application. */
extern const nssh_lwip_hooks lwipd_app_hooks;
/* Set up the application for the server's n connections; app becomes the
 * server's app pointer. 0 or -1 (said why). */
int lwipd_app_init(lwipd *d, nssh_lwip_server *srv, size_t n_conns,
                   void **app);
void lwipd_app_free(void *app);

#endif
