/*
 * libFuzzer target: frames from a hostile pre-auth child into the
 * privilege-separation monitor (ipc_target.h). Nothing may crash, leak,
 * or accept a malformed frame.
 *   fuzz/corpus/ipc holds the seeds (fuzz/gen_ipc_corpus.py).
 */
#include "ipc_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_ipc_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ipc_run(data, size, 0);
    return 0;
}
