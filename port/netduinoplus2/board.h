/*
 * Board support for the Netduino Plus 2 (STM32F405RG, Cortex-M4F) as QEMU
 * emulates it (-M netduinoplus2): USART1 carries the SSH byte stream,
 * USART2 carries diagnostics, SysTick counts milliseconds.
 *
 * Everything here is polled or interrupt-driven from static storage; no
 * call allocates.
 */
#ifndef NSSH_BOARD_H
#define NSSH_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Core clock after reset in QEMU's model (the real board runs its PLL at
 * 168 MHz too once configured). */
#define BOARD_HCLK_HZ 168000000u

/* Set up clocks, SysTick, USART1 (SSH, interrupt-driven receive) and
 * USART2 (diagnostics, polled). */
void board_init(void);

/* Milliseconds since board_init (SysTick). */
uint64_t board_millis(void);

/* Core clock cycles since board_init, from SysTick's counter: under QEMU
 * they follow virtual time, which with -icount shift=0 advances 1 ns per
 * instruction. */
uint64_t board_cycles(void);

/* SSH stream (USART1). rx returns bytes taken from the receive ring (0 when
 * empty); tx writes every byte (polls TXE). */
size_t board_ssh_rx(uint8_t *buf, size_t cap);
void board_ssh_tx(const uint8_t *buf, size_t len);
/* Receiver overruns seen (a byte arrived before the previous one was
 * read; QEMU never does this, silicon without flow control may). */
uint32_t board_ssh_overruns(void);

/* Diagnostics (USART2): never the SSH stream. */
void board_log(const char *s);
void board_log_u32(const char *label, uint32_t v);

/* Sleep until the next interrupt (SysTick or UART). */
void board_idle(void);

/* Stack painting: the linker reserves the stack region; board_stack_paint
 * fills the unused part with a pattern at boot, board_stack_peak says how
 * many bytes were ever used, board_stack_mark refills below the current
 * stack pointer so the next peak measures one phase (a key exchange). */
void board_stack_paint(void);
size_t board_stack_peak(void);
size_t board_stack_size(void);
void board_stack_mark(void);
/* Make the lowest bytes of the stack fault on access (MPU). */
void board_stack_guard(void);

/* Stop forever (after a fatal start-up condition). */
void board_halt(void) __attribute__((noreturn));

#endif
