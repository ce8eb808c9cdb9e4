/*
 * Encoded terminal modes of a pty-req (RFC 4254 section 8, RFC 8160 for
 * IUTF8) applied to a struct termios.
 */
#ifndef NSSH_POSIX_TTYMODES_H
#define NSSH_POSIX_TTYMODES_H

#include <stddef.h>
#include <stdint.h>
#include <termios.h>

/* Applies every opcode this system knows; unknown ones are skipped. Stops
 * at TTY_OP_END or at an opcode 160..255 (whose argument format is not
 * known). Returns 0, or NSSH_ERR_FORMAT for a truncated argument (the
 * modes before it are applied). */
int ttymodes_apply(struct termios *t, const uint8_t *modes, size_t len);

#endif
