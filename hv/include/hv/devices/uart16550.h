/*
 * An emulated 16550 UART for guests that know nothing of Shunt: enough of the register set
 * (SDM-free: the National Semiconductor PC16550D data sheet) for a polling driver. Output
 * goes to the VM's console; the receiver is always empty. The transmitter shows busy while
 * the owner says so (tx_busy): the VM's console buffer is full.
 */
#ifndef HV_DEVICES_UART16550_H
#define HV_DEVICES_UART16550_H

#include <hv/devices/uart16550_regs.h>
#include <stdint.h>

#define UART16550_COM1_BASE 0x3f8
#define UART16550_PORTS 8

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t tx_busy; /* set by the owner: LSR shows THRE and TEMT clear while it is */
	uint64_t bytes_out;
};

void uart16550_reset(struct uart16550 *uart);

/*
 * Emulates one access at offset (0-7) from the UART's base. Returns 1 when the access sent
 * a byte (the low byte of *value), else 0. Reads fill *value; writes leave it alone.
 */
int uart16550_access(struct uart16550 *uart, uint16_t offset, int write, uint32_t *value);

/* 1 if this access would transmit a byte (a write of THR, not of the divisor latch). */
static inline int uart16550_is_tx_write(const struct uart16550 *uart, uint16_t offset, int write)
{
	return write && offset == UART_DATA && !(uart->lcr & UART_LCR_DLAB);
}

#endif
