/*
 * One SFTP session over the in-memory filesystem, fed from a byte string:
 * the fuzz target (fuzz_sftp.c) and the unit test that replays the seed
 * corpus and mutations of it (tests/unit/sftp/test_sftp_fuzz_replay.c).
 */
#ifndef NSSH_FUZZ_SFTP_TARGET_H
#define NSSH_FUZZ_SFTP_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Feed data (the first byte chooses how it is split into calls). Returns
 * the module's final state: 0 or a negative NSSH_SFTP_ERR_*. Returns 1 if
 * an invariant broke (a reply that is not well framed, output beyond the
 * buffer); the fuzzer turns that into a crash. */
int sftp_fuzz_run(const uint8_t *data, size_t len);

#endif
