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
    volatile uint32_t *p = _sstack;
    while (p < top - MARGIN)
        *p++ = PAINT;
}

void board_stack_paint(void) { paint_below(sp_now()); }

void board_stack_mark(void) { paint_below(sp_now()); }

size_t board_stack_peak(void)
{
    const uint32_t *p = _sstack;
    while (p < _estack && *p == PAINT)
        p++;
    return (size_t)((const uint8_t *)_estack - (const uint8_t *)p);
}

size_t board_stack_size(void)
{
    return (size_t)((const uint8_t *)_estack - (const uint8_t *)_sstack);
}
