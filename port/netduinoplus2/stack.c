/*
 * Stack painting. The linker script reserves [_sstack, _estack); at boot
 * the part below the current stack pointer is filled with a pattern, and
 * the deepest word no longer holding it is the peak use. Stack, not heap,
 * is what runs small SSH servers out of memory (a key exchange is the
 * deepest phase), so the firmware reports it and the figures measure it.
 */
#include "board.h"

extern uint32_t _sstack[], _estack[];

#define PAINT 0xC5C5C5C5u
/* The lowest 32 bytes are the MPU guard (board_stack_guard): never
 * touched, not even by painting. */
#define GUARD_WORDS 8u
/* Words left unpainted below the caller's frame. */
#define MARGIN 16u

static uint32_t *sp_now(void)
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

static void paint_below(uint32_t *top)
{
    volatile uint32_t *p = _sstack + GUARD_WORDS;
    while (p < top - MARGIN)
        *p++ = PAINT;
}

void board_stack_paint(void) { paint_below(sp_now()); }

void board_stack_mark(void) { paint_below(sp_now()); }

size_t board_stack_peak(void)
{
    const uint32_t *p = _sstack + GUARD_WORDS;
    while (p < _estack && *p == PAINT)
        p++;
    return (size_t)((const uint8_t *)_estack - (const uint8_t *)p);
}

size_t board_stack_size(void)
{
    return (size_t)((const uint8_t *)_estack - (const uint8_t *)_sstack);
}

/* ARMv7-M MPU (ARMv7-M ARM B3.5): region 0 = the lowest 32 bytes of the
 * stack, no access; the default map stays for everything else. A stack
 * overflow then faults (and the firmware stops saying so) instead of
 * silently overwriting the RAM filesystem below the stack. */
#define MPU_CTRL (*(volatile uint32_t *)0xE000ED94u)
#define MPU_RNR (*(volatile uint32_t *)0xE000ED98u)
#define MPU_RBAR (*(volatile uint32_t *)0xE000ED9Cu)
#define MPU_RASR (*(volatile uint32_t *)0xE000EDA0u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)

void board_stack_guard(void)
{
    MPU_RNR = 0;
    MPU_RBAR = (uint32_t)(uintptr_t)_sstack;   /* 32-byte aligned (board.ld) */
    /* XN, AP = 000 (no access), SIZE = 4 (2^(4+1) = 32 bytes), ENABLE */
    MPU_RASR = (1u << 28) | (0u << 24) | (4u << 1) | 1u;
    MPU_CTRL = (1u << 2) | 1u;                  /* PRIVDEFENA | ENABLE */
    SCB_SHCSR |= 1u << 16;                      /* MemManage faults on */
    __asm__ volatile("dsb\n\tisb");
}
