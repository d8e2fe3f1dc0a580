/*
 * An emulated 16550 UART for guests that know nothing of Shunt: the register set of the
 * National Semiconductor PC16550D data sheet, enough for a polling driver and for an
 * interrupt-driven one. Output goes to the VM's console; input comes from Shunt's console
 * when the VM has the input focus (uart16550_receive). The transmitter shows busy while the
 * owner says so (tx_busy): the VM's console buffer is full. Interrupts: receiver line status
 * (overrun), received data available (or character timeout below the FIFO trigger level),
 * transmitter holding register empty, in that priority order, reported in IIR and driven
 * on the interrupt line (uart16550.irq) while MCR's OUT2 is set, as a PC wires it.
 */
#ifndef HV_DEVICES_UART16550_H
#define HV_DEVICES_UART16550_H

#include <hv/devices/uart16550_regs.h>
#include <stdint.h>

#define UART16550_COM1_BASE 0x3f8
#define UART16550_COM1_IRQ 4
#define UART16550_PORTS 8
#define UART16550_FIFO 16

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t tx_busy;      /* set by the owner: LSR shows THRE and TEMT clear while it is */
	uint8_t thre_pending; /* the THR-empty interrupt is due (until IIR shows it, or THR) */
	uint8_t overrun;      /* LSR's OE, until LSR is read */
	uint8_t irq;	      /* the interrupt line's level */
	uint8_t rx_head, rx_count;
	uint8_t rx[UART16550_FIFO];
	uint64_t bytes_out, bytes_in;
	uint64_t rx_overruns; /* bytes lost because the receive FIFO was full */
	/* Called with owner whenever irq changes level (set by the owner; NULL: nobody). */
	void (*irq_changed)(void *owner);
	void *owner;
};

/* Resets the registers; the owner's irq_changed and owner stay. */
void uart16550_reset(struct uart16550 *uart);

/*
 * Emulates one access at offset (0-7) from the UART's base. Returns 1 when the access sent a
 * byte (the low byte of *value), else 0. Reads fill *value; writes leave it alone.
 */
int uart16550_access(struct uart16550 *uart, uint16_t offset, int write, uint32_t *value);

/* A byte arrives on the receive line: into the FIFO (0), or counted as an overrun when it
 * is full (-1). */
int uart16550_receive(struct uart16550 *uart, uint8_t byte);

/* Bytes the receive FIFO takes now (1 deep while FIFOs are off). */
unsigned int uart16550_rx_room(const struct uart16550 *uart);

/* 1 if this access would transmit a byte (a write of THR, not of the divisor latch). */
static inline int uart16550_is_tx_write(const struct uart16550 *uart, uint16_t offset, int write)
{
	return write && offset == UART_DATA && !(uart->lcr & UART_LCR_DLAB);
}

#endif
