/*
 * Reset handler and vector table for the STM32F405 (Cortex-M4).
 *
 * The table lives at the start of flash (0x08000000, aliased at 0 on
 * boot). Reset copies .data from flash, clears .bss, paints the stack and
 * calls main. Only the handlers the firmware uses are named; every other
 * vector stops in default_handler so a stray interrupt is visible in a
 * debugger instead of running off into flash.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
extern uint32_t _estack[];

int main(void);
void board_systick_isr(void);
void board_usart1_isr(void);

void reset_handler(void) __attribute__((noreturn));
static void default_handler(void) __attribute__((noreturn));

static void default_handler(void)
{
    board_halt();
}

static void fault_handler(void)
{
    board_log("fault: hard fault, halting\r\n");
    board_halt();
}

static void memmanage_report(void) __attribute__((used, noreturn));
static void memmanage_report(void)
{
    board_log("fault: stack overflow (MPU guard), halting\r\n");
    board_halt();
}

/* The stack guard (board_stack_guard) lands here with the stack pointer
 * inside the guard: move it back to the top before calling anything. */
__attribute__((naked)) static void memmanage_handler(void)
{
    __asm__ volatile("ldr r0, =_estack\n\t"
                     "mov sp, r0\n\t"
                     "b memmanage_report\n\t"
                     ".ltorg");
}

void reset_handler(void)
{
    size_t n = (size_t)((uint8_t *)_edata - (uint8_t *)_sdata);
    memcpy(_sdata, _sidata, n);
    memset(_sbss, 0, (size_t)((uint8_t *)_ebss - (uint8_t *)_sbss));
    board_stack_paint();
    main();
    board_halt();
}

/* 16 system exceptions, then the STM32F405's 82 interrupts (RM0090
 * table 61). USART1 is interrupt 37. */
#define N_IRQ 82
typedef void (*vector)(void);

__attribute__((section(".isr_vector"), used))
const vector vector_table[16 + N_IRQ] = {
    [0] = (vector)(uintptr_t)_estack,
    [1] = reset_handler,
    [2] = default_handler,       /* NMI */
    [3] = fault_handler,         /* HardFault */
    [4] = memmanage_handler,     /* MemManage */
    [5] = fault_handler,         /* BusFault */
    [6] = fault_handler,         /* UsageFault */
    [11] = default_handler,      /* SVCall */
    [12] = default_handler,      /* DebugMonitor */
    [14] = default_handler,      /* PendSV */
    [15] = board_systick_isr,
    [16 + 37] = board_usart1_isr,
};
