/*
 * libFuzzer target for the SFTP server's decoder: arbitrary client bytes
 * into one session over the in-memory filesystem (sftp_target.c).
 *   cmake -B build-fuzz -DCMAKE_C_COMPILER=clang -DNSSH_FUZZ=ON
 *   build-fuzz/fuzz_sftp fuzz/sftp_corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sftp_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sftp_fuzz_run(data, size) == 1)
        abort();   /* a broken invariant */
    return 0;
}
