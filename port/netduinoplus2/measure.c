/*
 * Handshake measurements (EMBEDDED.md, tools/mcu-figures.py): for each
 * session, the peak stack of the key exchange and of the authentication
 * that follows (the stack is repainted at each phase's start), and the
 * core cycles spent busy in each phase, which under QEMU's -icount
 * shift=0 give the instructions executed. Logged on USART2 as
 *
 *   measure kex NAME stack_peak=BYTES
 *   measure insns=N
 */
#include <string.h>

#include "board.h"
#include "fw.h"

static struct {
    int phase;             /* 0 key exchange, 1 authentication, 2 done */
    uint64_t busy;         /* cycles spent processing in this phase */
} meas;
static size_t stack_max;

size_t fw_stack_max(void)
{
    size_t p = board_stack_peak();
    if (p > stack_max)
        stack_max = p;
    return stack_max;
}

static void log_phase(const char *what, const char *name, uint64_t cycles)
{
    /* One instruction is 1 ns of virtual time under -icount shift=0, and
     * SysTick counts the 168 MHz core clock against virtual time:
     * instructions = cycles * 1000 / 168. */
    uint64_t insns = cycles * 1000u / (BOARD_HCLK_HZ / 1000000u);
    board_log("measure ");
    board_log(what);
    board_log(" ");
    board_log(name ? name : "?");
    board_log_u32(" stack_peak=", (uint32_t)board_stack_peak());
    board_log_u32("measure insns=", (uint32_t)insns);
}

void fw_measure_start(void)
{
    memset(&meas, 0, sizeof(meas));
    fw_stack_max();
    board_stack_mark();
}

void fw_measure(const nssh_conn *c, uint64_t busy)
{
    nssh_conn_info info;
    if (meas.phase == 2)
        return;
    meas.busy += busy;
    nssh_conn_get_info(c, &info);
    if (meas.phase == 0 && info.kex_count >= 1) {
        log_phase("kex", info.kex, meas.busy);
        meas.phase = 1;
        meas.busy = 0;
        fw_stack_max();
        board_stack_mark();
    } else if (meas.phase == 1 && info.authenticated) {
        log_phase("auth", info.auth_method, meas.busy);
        meas.phase = 2;
    }
}
