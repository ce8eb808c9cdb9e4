/*
 * libFuzzer target: the in-memory client/server pair with one direction
 * edited after the first key exchange (pair_target.h). Any error other
 * than a clean, defined one aborts, so the fuzzer keeps the input.
 *   fuzz/corpus/pair holds the seeds (fuzz/gen_pair_corpus.py).
 */
#include <stdio.h>
#include <stdlib.h>

#include "pair_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pair_stats st;
    if (fuzz_pair_run(data, size, &st) < 0) {
        fprintf(stderr, "pair: unclean end: server %d, client %d, %u internal\n",
                st.err[0], st.err[1], st.internal);
        abort();
    }
    if (getenv("FUZZ_PAIR_STATS"))
        fprintf(stderr, "pair: kex %d (%u/%u) auth %d opened %u data %zu/%zu "
                "edits %u err %d/%d\n", st.kex_done, st.kex_count[0],
                st.kex_count[1], st.authenticated, st.opened, st.data[0],
                st.data[1], st.edits, st.err[0], st.err[1]);
    return 0;
}
