/* Firmware-wide state shared between main.c and files.c. */
#ifndef NSSH_FW_H
#define NSSH_FW_H

#include <stddef.h>
#include <stdint.h>

#include "nanossh.h"
#include "nanossh_sftp.h"
#include "provision.h"

extern uint8_t fw_auth_keys[PROV_KEYS_MAX][32];
extern char fw_user[PROV_USER_MAX + 1];

/* The RAM filesystem in .ramfs: its callbacks for the shell and SFTP. */
int fw_fs_init(const nssh_sftp_fs **fs, void **user);
void fw_fs_usage(size_t *total, size_t *free_bytes);

/* measure.c: per session, the peak stack and busy instructions of the
 * key exchange and of authentication, logged on USART2. */
void fw_measure_start(void);
void fw_measure(const nssh_conn *c, uint64_t busy_cycles);
/* The deepest stack of any phase since boot. */
size_t fw_stack_max(void);

#endif
