/*
 * libFuzzer target: arbitrary bytes as a server's side of a connection,
 * fed to nanossh-probe's run (the engine in the client role plus the
 * trace recording), then the whole diagnosis: failure classes, the field
 * walker on every message received, the exchange-hash and key-derivation
 * re-checks, the audit. Nothing may crash, leak or read out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static opts o = { .host = "fuzz", .port = "22", .timeout_s = 1 };
    run *r = calloc(1, sizeof(*r));
    finding fnd[48];
    size_t i;
    if (!r)
        return 0;
    if (run_init(r, &o) == 0) {
        /* Two pieces, as from two reads. */
        size_t half = size / 2;
        run_feed(r, data, half);
        run_feed(r, data + half, size - half);
        run_feed_end(r);
        diagnose(r);
        audit(r, fnd, sizeof(fnd) / sizeof(fnd[0]));
        for (i = 0; i < r->n_pkts; i++) {
            failure f;
            memset(&f, 0, sizeof(f));
            if (!r->pkts[i].sent)
                fields_check(r, &r->pkts[i], &f);
        }
    }
    run_free(r);
    free(r);
    return 0;
}
