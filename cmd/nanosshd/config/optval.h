/*
 * Values of sshd_config keywords (sshd_config(5) TIME FORMATS, RekeyLimit,
 * ListenAddress). Pure functions: no I/O, no globals.
 */
#ifndef NSSHD_OPTVAL_H
#define NSSHD_OPTVAL_H

#include <stddef.h>
#include <stdint.h>

/* Decimal number with an optional K, M, G or T suffix (powers of 1024). */
int optval_size(const char *s, uint64_t *out);
/* sshd time: "90", "10s", "5m", "1h30m", "2d", "1w" (seconds). */
int optval_time(const char *s, uint64_t *seconds);
/* RekeyLimit "size [time]": size "default" gives 0 (the engine's default),
 * "none" UINT64_MAX; time "none"/"default" gives 0 (no time limit). */
int optval_rekey(const char *size, const char *time, uint64_t *bytes,
                 uint32_t *seconds);
/* ListenAddress "host", "host:port", "[v6]:port", "[v6]", "::1". port is
 * 0 when none was given. */
int optval_listen(const char *s, char *host, size_t cap, int *port);
/* TCP port 1..65535. */
int optval_port(const char *s, int *port);
/* Unsigned decimal <= max. */
int optval_uint(const char *s, unsigned long max, unsigned long *out);

#endif
