/*
 * The boot console: a polled 16550 UART on COM1 at 115200 8N1 (no interrupts). If no UART
 * answers at the port, output is dropped rather than spinning forever.
 */
#include <arch/x86.h>
#include <hv/arch.h>

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding (DLAB 0) */
#define UART_DLL 0 /* divisor low (DLAB 1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define SPIN_LIMIT 100000

static int uart_present;

void arch_console_init(void)
{
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7); /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS; OUT2 off: no interrupts */
	uart_present = 1;
}

static void uart_putc(char c)
{
	for (int spin = 0; !(inb(COM1 + UART_LSR) & LSR_THRE) && spin < SPIN_LIMIT; spin++)
		pause();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void arch_console_write(const char *s, size_t len)
{
	if (!uart_present)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
