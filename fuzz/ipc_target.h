/*
 * The ipc fuzz target: frames from a hostile pre-auth child into the
 * privilege-separation monitor's decoder and dispatcher (ipc_target.c),
 * shared by libFuzzer (fuzz_ipc.c) and the unit test that replays its
 * corpus (tests/unit/daemon/test_privsep_monitor.c).
 */
#ifndef NSSH_FUZZ_IPC_TARGET_H
#define NSSH_FUZZ_IPC_TARGET_H

#include <stddef.h>
#include <stdint.h>

typedef struct ipc_stats {
    unsigned decoded;        /* frames ipc_decode accepted */
    unsigned answered;       /* requests the monitor answered and went on */
    int signed_kex;          /* it signed an exchange hash */
    int key_approved;        /* it approved root's key for a signature */
    unsigned answers;        /* IPC_ANSWERs it sent */
    unsigned granted;        /* ... with verdict 1 */
    int last_verdict;
} ipc_stats;

/* Once: a temporary directory with a host key, root's authorized_keys
 * and a configuration (removed at exit). Exits on failure. */
void fuzz_ipc_init(void);
/* Feed one input (uint32 length || body frames) to a fresh monitor;
 * returns the monitor's last result (0: still talking, negative: it
 * ended the conversation). Aborts if the decoder accepts a body that
 * does not encode back to itself. */
int fuzz_ipc_run(const uint8_t *data, size_t size, ipc_stats *st);

#endif
