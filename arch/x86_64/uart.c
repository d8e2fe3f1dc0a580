/*
 * The boot console: a polled 16550 UART on COM1 at 115200 8N1 (no interrupts). If no UART
 * answers at the port, output is dropped rather than spinning forever. Two ways to write:
 * waiting for the transmitter (boot, fatal errors), or taking only what its FIFO has room
 * for right now (the console drain while guests run).
 */
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/devices/uart16550_regs.h>

#define COM1 UART_COM1
#define SPIN_LIMIT 100000

#define IIR_FIFOS_ENABLED 0xc0 /* a 16550A with working FIFOs reads 11 here */
#define FIFO_BYTES 16

static int uart_present;
static unsigned int tx_fifo_bytes = 1; /* what the transmitter takes when THRE is set */

void arch_console_init(void)
{
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DATA, 1); /* divisor low: 115200 / 1 */
	outb(COM1 + UART_IER, 0);  /* divisor high */
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_IIR_FCR, 0xc7); /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03);	 /* DTR, RTS; OUT2 off: no interrupts */
	if ((inb(COM1 + UART_IIR_FCR) & IIR_FIFOS_ENABLED) == IIR_FIFOS_ENABLED)
		tx_fifo_bytes = FIFO_BYTES;
	uart_present = 1;
}

static void uart_putc(char c)
{
	for (int spin = 0; !(inb(COM1 + UART_LSR) & UART_LSR_THRE) && spin < SPIN_LIMIT; spin++)
		pause();
	outb(COM1 + UART_DATA, (uint8_t)c);
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

size_t arch_console_write_nowait(const char *s, size_t len)
{
	size_t n = len < tx_fifo_bytes ? len : tx_fifo_bytes;

	if (!uart_present)
		return len; /* nowhere to go: taken, as arch_console_write() would */
	if (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		return 0; /* still sending: THRE means the whole FIFO is empty */
	for (size_t i = 0; i < n; i++)
		outb(COM1 + UART_DATA, (uint8_t)s[i]);
	return n;
}
