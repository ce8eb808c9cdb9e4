/*
 * STM32F405 peripherals the firmware uses (RM0090): RCC clock enables,
 * GPIO alternate functions for the USART pins, USART1/USART2, SysTick.
 *
 * QEMU's netduinoplus2 emulates the USARTs and SysTick and ignores RCC and
 * GPIO writes; the same code configures real silicon, where the clocks and
 * pins matter.
 */
#include "board.h"
#include "nanossh_opts.h"   /* RX_RING may come from the build's options */

#define REG(a) (*(volatile uint32_t *)(a))

/* RCC (RM0090 section 7.3) */
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define RCC_APB2ENR REG(0x40023844u)
/* GPIOA (section 8.4) */
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRL REG(0x40020020u)
#define GPIOA_AFRH REG(0x40020024u)
/* USART (section 30.6) */
#define USART1_BASE 0x40011000u
#define USART2_BASE 0x40004400u
#define USART_SR(b) REG((b) + 0x00u)
#define USART_DR(b) REG((b) + 0x04u)
#define USART_BRR(b) REG((b) + 0x08u)
#define USART_CR1(b) REG((b) + 0x0Cu)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define SR_ORE (1u << 3)
#define CR1_UE (1u << 13)
#define CR1_RXNEIE (1u << 5)
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)
/* SysTick and NVIC (ARMv7-M ARM B3.3, B3.4) */
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER1 REG(0xE000E104u)
#define NVIC_ICER1 REG(0xE000E184u)

#define USART1_IRQ 37u
/* 115200 baud from the 84 MHz APB2 clock (USART1) and 42 MHz APB1 clock
 * (USART2), oversampling by 16: BRR = f / baud. Ignored by QEMU. */
#define BRR_USART1 (84000000u / 115200u)
#define BRR_USART2 (42000000u / 115200u)

/* Receive ring of USART1, filled by the interrupt, drained by the main
 * loop. One interrupt per byte; a power of two so the indices wrap with a
 * mask. */
#ifndef RX_RING
#define RX_RING 1024u
#endif
#if RX_RING & (RX_RING - 1u)
#error "RX_RING must be a power of two"
#endif
static volatile uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail, rx_overruns;
static volatile uint64_t millis;

void board_systick_isr(void)
{
    millis++;
}

/* With the ring full the byte stays in DR and the interrupt is masked
 * until the main loop makes room: QEMU then holds further input back
 * (it delivers only while RXNE is clear), and on silicon the line needs
 * RTS/CTS flow control to wait the same way. The mask is set both in the
 * USART and in the NVIC: QEMU's USART keeps its interrupt line raised
 * while RXNE is set even after RXNEIE is cleared, so masking the USART
 * alone would re-enter this handler forever and starve the main loop. */
void board_usart1_isr(void)
{
    while (USART_SR(USART1_BASE) & (SR_RXNE | SR_ORE)) {
        uint32_t h = rx_head;
        if (h - rx_tail >= RX_RING) {
            USART_CR1(USART1_BASE) &= ~CR1_RXNEIE;
            NVIC_ICER1 = 1u << (USART1_IRQ - 32u);
            return;
        }
        if (USART_SR(USART1_BASE) & SR_ORE)
            rx_overruns++;
        rx_ring[h & (RX_RING - 1u)] = (uint8_t)USART_DR(USART1_BASE); /* clears RXNE/ORE */
        rx_head = h + 1u;
    }
}

static void usart_init(uint32_t base, uint32_t brr, uint32_t cr1)
{
    USART_CR1(base) = 0;
    USART_BRR(base) = brr;
    USART_CR1(base) = CR1_UE | CR1_TE | cr1;
}

void board_init(void)
{
    /* GPIOA, USART2 (APB1 bit 17), USART1 (APB2 bit 4). */
    RCC_AHB1ENR |= 1u;
    RCC_APB1ENR |= 1u << 17;
    RCC_APB2ENR |= 1u << 4;
    /* PA2/PA3 = USART2 TX/RX, PA9/PA10 = USART1 TX/RX: alternate
     * function 7. */
    GPIOA_MODER = (GPIOA_MODER & ~((3u << 4) | (3u << 6) | (3u << 18) | (3u << 20))) |
                  (2u << 4) | (2u << 6) | (2u << 18) | (2u << 20);
    GPIOA_AFRL = (GPIOA_AFRL & ~((15u << 8) | (15u << 12))) | (7u << 8) | (7u << 12);
    GPIOA_AFRH = (GPIOA_AFRH & ~((15u << 4) | (15u << 8))) | (7u << 4) | (7u << 8);

    usart_init(USART2_BASE, BRR_USART2, 0);
    usart_init(USART1_BASE, BRR_USART1, CR1_RE | CR1_RXNEIE);
    NVIC_ISER1 = 1u << (USART1_IRQ - 32u);

    /* 1 kHz tick from the core clock. */
    SYST_RVR = BOARD_HCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;   /* ENABLE | TICKINT | CLKSOURCE = processor clock */
}

uint64_t board_millis(void)
{
    uint64_t a, b;
    /* A 64-bit read is two loads: retry if the tick moved in between. */
    do {
        a = millis;
        b = millis;
    } while (a != b);
    return a;
}

uint64_t board_cycles(void)
{
    uint64_t ms;
    uint32_t v;
    /* Retry when the tick interrupt ran between the two reads. */
    do {
        ms = millis;
        v = SYST_CVR;
    } while (ms != millis);
    return ms * (BOARD_HCLK_HZ / 1000u) + (SYST_RVR - v);
}

size_t board_ssh_rx(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    uint32_t t = rx_tail;
    while (n < cap && t != rx_head) {
        buf[n++] = rx_ring[t & (RX_RING - 1u)];
        t++;
    }
    rx_tail = t;
    if (n && !(USART_CR1(USART1_BASE) & CR1_RXNEIE)) {
        USART_CR1(USART1_BASE) |= CR1_RXNEIE;   /* room again: resume */
        NVIC_ISER1 = 1u << (USART1_IRQ - 32u);
    }
    return n;
}

uint32_t board_ssh_overruns(void) { return rx_overruns; }

static void usart_put(uint32_t base, uint8_t b)
{
    while (!(USART_SR(base) & SR_TXE))
        ;
    USART_DR(base) = b;
}

void board_ssh_tx(const uint8_t *buf, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        usart_put(USART1_BASE, buf[i]);
}

void board_log(const char *s)
{
    while (*s)
        usart_put(USART2_BASE, (uint8_t)*s++);
}

void board_log_u32(const char *label, uint32_t v)
{
    char d[11];
    int i = 10;
    d[i] = 0;
    do {
        d[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v && i > 0);
    board_log(label);
    board_log(d + i);
    board_log("\r\n");
}

void board_idle(void)
{
    __asm__ volatile("wfi");
}

void board_halt(void)
{
    __asm__ volatile("cpsid i");
    for (;;)
        __asm__ volatile("wfi");
}
