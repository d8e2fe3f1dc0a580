/*
 * The emulated 16550 UART (see hv/devices/uart16550.h). Pure register logic; the VM glue
 * that turns transmitted bytes into console output lives in hv/vm.c (uart_access).
 */
#include <hv/devices/uart16550.h>
#include <hv/devices/uart16550_regs.h>

#define IIR_NO_INTERRUPT 0x01
#define IIR_THR_EMPTY 0x02 /* the transmitter-empty interrupt is pending */
#define IER_THR_EMPTY 0x02 /* ... and enabled */
#define IIR_FIFO_ENABLED 0xc0
#define MSR_CTS_DSR_DCD 0xb0

void uart16550_reset(struct uart16550 *uart)
{
	*uart = (struct uart16550){ .dll = 1 };
}

static uint8_t uart_read(const struct uart16550 *u, uint16_t offset)
{
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_DATA:
		return dlab ? u->dll : 0; /* the receiver never has data */
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		/*
		 * The one condition it can have pending: THR empty, while enabled. No interrupt is
		 * raised, but a driver that polls IIR (Linux's 8250 on a port without an IRQ) sends
		 * its next bytes when it reads it.
		 */
		return ((u->ier & IER_THR_EMPTY) && !u->tx_busy ? IIR_THR_EMPTY
								: IIR_NO_INTERRUPT) |
		       ((u->fcr & 1) ? IIR_FIFO_ENABLED : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		/* Nothing received; the transmitter is ready unless the VM's console is full. */
		return u->tx_busy ? 0 : UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		return MSR_CTS_DSR_DCD;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

int uart16550_access(struct uart16550 *u, uint16_t offset, int write, uint32_t *value)
{
	uint8_t v = (uint8_t)*value;
	int dlab = u->lcr & UART_LCR_DLAB;

	if (!write) {
		*value = uart_read(u, offset);
		return 0;
	}
	switch (offset) {
	case UART_DATA:
		if (dlab) {
			u->dll = v;
			return 0;
		}
		u->bytes_out++;
		return 1;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		return 0;
	case UART_IIR_FCR:
		u->fcr = v;
		return 0;
	case UART_LCR:
		u->lcr = v;
		return 0;
	case UART_MCR:
		u->mcr = v & 0x1f;
		return 0;
	case UART_SCR:
		u->scr = v;
		return 0;
	default:
		return 0; /* LSR and MSR are read-only */
	}
}
