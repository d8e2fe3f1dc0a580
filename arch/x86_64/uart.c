/*
 * The console's serial port: a polled 16550 (no interrupts) in I/O space or memory-mapped
 * (registers 1 or 4 bytes apart), as hv/console_setup.c chose it. Nothing waits forever on
 * a UART that stops answering. Two ways to write: waiting for the transmitter (boot, fatal
 * errors), or taking only what its FIFO has room for right now (the drain while guests run).
 * Input is read the same way, polled: what the receiver holds, never waiting for more.
 */
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/devices/uart16550_regs.h>
#include <hv/serial.h>

#define SPIN_LIMIT 100000

#define IIR_FIFOS_ENABLED 0xc0 /* a 16550A with working FIFOs reads 11 here */
#define FIFO_BYTES 16
#define LSR_DATA_READY 0x01

static struct serial_spec uart;	       /* kind SERIAL_NONE: no serial output */
static unsigned int tx_fifo_bytes = 1; /* what the transmitter takes when THRE is set */

static uint8_t reg_read(unsigned int reg)
{
	uintptr_t at = (uintptr_t)uart.addr + reg * uart.reg_width;

	if (uart.kind == SERIAL_PORT)
		return inb((uint16_t)(uart.addr + reg));
	if (uart.reg_width == 4)
		return (uint8_t) * (volatile uint32_t *)at;
	return *(volatile uint8_t *)at;
}

static void reg_write(unsigned int reg, uint8_t v)
{
	uintptr_t at = (uintptr_t)uart.addr + reg * uart.reg_width;

	if (uart.kind == SERIAL_PORT)
		outb((uint16_t)(uart.addr + reg), v);
	else if (uart.reg_width == 4)
		*(volatile uint32_t *)at = v;
	else
		*(volatile uint8_t *)at = v;
}

/* The scratch register keeps what is written to it: something 16550-like is there. */
static int answers(void)
{
	reg_write(UART_SCR, 0x5a);
	if (reg_read(UART_SCR) != 0x5a)
		return 0;
	reg_write(UART_SCR, 0xa5);
	return reg_read(UART_SCR) == 0xa5;
}

int arch_console_init(const struct serial_spec *dev)
{
	uart = *dev;
	tx_fifo_bytes = 1;
	if (uart.kind != SERIAL_PORT && uart.kind != SERIAL_MMIO) {
		uart.kind = SERIAL_NONE;
		return 0;
	}
	if (uart.kind == SERIAL_PORT)
		uart.reg_width = 1;
	if (!answers()) {
		uart.kind = SERIAL_NONE;
		return -ENODEV;
	}
	reg_write(UART_IER, 0x00);
	if (uart.baud) {
		uint32_t divisor = SERIAL_BAUD_DEFAULT / uart.baud;

		reg_write(UART_LCR, UART_LCR_DLAB);
		reg_write(UART_DATA, (uint8_t)divisor);
		reg_write(UART_IER, (uint8_t)(divisor >> 8));
	}
	reg_write(UART_LCR, UART_LCR_8N1);
	reg_write(UART_IIR_FCR, 0xc7); /* enable and clear FIFOs */
	reg_write(UART_MCR, 0x03);     /* DTR, RTS; OUT2 off: no interrupts */
	if ((reg_read(UART_IIR_FCR) & IIR_FIFOS_ENABLED) == IIR_FIFOS_ENABLED)
		tx_fifo_bytes = FIFO_BYTES;
	return 0;
}

static void uart_putc(char c)
{
	for (int spin = 0; !(reg_read(UART_LSR) & UART_LSR_THRE) && spin < SPIN_LIMIT; spin++)
		pause();
	reg_write(UART_DATA, (uint8_t)c);
}

void arch_console_write(const char *s, size_t len)
{
	if (uart.kind == SERIAL_NONE)
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

	if (uart.kind == SERIAL_NONE)
		return len; /* nowhere to go: taken, as arch_console_write() would */
	if (!(reg_read(UART_LSR) & UART_LSR_THRE))
		return 0; /* still sending: THRE means the whole FIFO is empty */
	for (size_t i = 0; i < n; i++)
		reg_write(UART_DATA, (uint8_t)s[i]);
	return n;
}

int arch_console_can_read(void)
{
	return uart.kind != SERIAL_NONE;
}

size_t arch_console_read_nowait(char *buf, size_t len)
{
	size_t n = 0;

	if (uart.kind == SERIAL_NONE)
		return 0;
	while (n < len && (reg_read(UART_LSR) & LSR_DATA_READY))
		buf[n++] = (char)reg_read(UART_DATA);
	return n;
}
