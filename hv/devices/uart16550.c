/*
 * The emulated 16550 UART (see hv/devices/uart16550.h). Pure register logic; the VM glue
 * that turns transmitted bytes into console output and the interrupt line into an IRQ
 * lives in hv/vm.c (uart_access) and hv/vm_platform.c.
 */
#include <hv/devices/uart16550.h>
#include <hv/devices/uart16550_regs.h>

#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IIR_NO_INTERRUPT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_RX_TIMEOUT 0x0c
#define IIR_FIFO_ENABLED 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define MCR_OUT2 0x08
#define LSR_DR 0x01
#define LSR_OE 0x02
#define MSR_CTS_DSR_DCD 0xb0

void uart16550_reset(struct uart16550 *uart)
{
	*uart = (struct uart16550){ .dll = 1,
				    .irq_changed = uart->irq_changed,
				    .owner = uart->owner };
}

unsigned int uart16550_rx_room(const struct uart16550 *u)
{
	return ((u->fcr & FCR_ENABLE) ? UART16550_FIFO : 1u) - u->rx_count;
}

/* The receive FIFO's trigger level (FCR bits 7:6): 1, 4, 8 or 14 bytes. */
static unsigned int rx_trigger(const struct uart16550 *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return (u->fcr & FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

/* The interrupt IIR reports: the highest-priority one pending and enabled (PC16550D Table IV). */
static uint8_t interrupt_id(const struct uart16550 *u)
{
	if ((u->ier & IER_RLSI) && u->overrun)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_RX_TIMEOUT;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	return IIR_NO_INTERRUPT;
}

/*
 * Drives the line from the pending interrupts, telling the owner when its level moves, and
 * returns ret: called last, so that the accesses that need it pay for it alone (a tail call).
 */
static __attribute__((noinline)) int update_irq(struct uart16550 *u, int ret)
{
	uint8_t level;

	if (!(u->mcr & MCR_OUT2) && !u->irq)
		return ret; /* not wired to the interrupt line (a polling driver): nothing to do */
	level = (u->mcr & MCR_OUT2) && interrupt_id(u) != IIR_NO_INTERRUPT;
	if (level == u->irq)
		return ret;
	u->irq = level;
	if (u->irq_changed)
		u->irq_changed(u->owner);
	return ret;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % UART16550_FIFO);
	u->rx_count--;
	return byte;
}

int uart16550_receive(struct uart16550 *u, uint8_t byte)
{
	if (!uart16550_rx_room(u)) {
		u->overrun = 1;
		u->rx_overruns++;
		return update_irq(u, -1);
	}
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO] = byte;
	u->rx_count++;
	u->bytes_in++;
	return update_irq(u, 0);
}

static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t id = interrupt_id(u);

	if (id == IIR_THRI)
		u->thre_pending = 0; /* reading IIR that shows it clears THRE's interrupt */
	return id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ENABLED : 0);
}

/* LSR: the transmitter ready unless the VM's console is full; reading it clears OE. */
static int read_lsr(struct uart16550 *u, uint32_t *value)
{
	*value = u->tx_busy ? 0 : UART_LSR_THRE | UART_LSR_TEMT;
	if (!(u->rx_count | u->overrun))
		return 0; /* a polling driver's read, the commonest: nothing received */
	*value |= u->rx_count ? LSR_DR : 0;
	if (!u->overrun)
		return 0;
	*value |= LSR_OE;
	u->overrun = 0;
	return update_irq(u, 0);
}

/* Each read sets *value; those of RBR, IIR and LSR may move the interrupt line. */
static int uart_read(struct uart16550 *u, uint16_t offset, uint32_t *value)
{
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_DATA:
		if (dlab) {
			*value = u->dll;
			return 0;
		}
		*value = rx_pop(u);
		return update_irq(u, 0);
	case UART_IER:
		*value = dlab ? u->dlm : u->ier;
		return 0;
	case UART_IIR_FCR:
		*value = read_iir(u);
		return update_irq(u, 0);
	case UART_LCR:
		*value = u->lcr;
		return 0;
	case UART_MCR:
		*value = u->mcr;
		return 0;
	case UART_LSR:
		return read_lsr(u, value);
	case UART_MSR:
		*value = MSR_CTS_DSR_DCD;
		return 0;
	case UART_SCR:
		*value = u->scr;
		return 0;
	default:
		*value = 0xff;
		return 0;
	}
}

static void write_fcr(struct uart16550 *u, uint8_t v)
{
	/* Turning the FIFOs on or off empties them, as does the clear bit. */
	if (((u->fcr ^ v) & FCR_ENABLE) || (v & FCR_CLEAR_RX))
		u->rx_head = u->rx_count = 0;
	u->fcr = v & 0xc9;
}

int uart16550_access(struct uart16550 *u, uint16_t offset, int write, uint32_t *value)
{
	uint8_t v = (uint8_t)*value;
	int dlab = u->lcr & UART_LCR_DLAB;

	if (!write)
		return uart_read(u, offset, value);
	switch (offset) {
	case UART_DATA:
		if (dlab) {
			u->dll = v;
			return 0;
		}
		u->bytes_out++;
		if (!(u->ier & IER_THRI))
			return 1; /* nothing to raise (enabling THRE's interrupt raises it anyway) */
		u->thre_pending = 1; /* sent at once: the holding register is empty again */
		return update_irq(u, 1);
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			return 0;
		}
		/*
		 * Enabling THRE's interrupt while THR is empty raises it (PC16550D). THR is
		 * empty here even while the owner's buffer is full (tx_busy): a byte written then
		 * is held until there is room (VM_IO_RETRY), so a driver that waits for this
		 * interrupt before it writes never waits for one that would not come.
		 */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = 1;
		u->ier = v & 0x0f;
		return update_irq(u, 0);
	case UART_IIR_FCR:
		write_fcr(u, v);
		return update_irq(u, 0);
	case UART_LCR:
		u->lcr = v;
		return 0;
	case UART_MCR:
		u->mcr = v & 0x1f;
		return update_irq(u, 0);
	case UART_SCR:
		u->scr = v;
		return 0;
	default:
		return 0; /* LSR and MSR are read-only */
	}
}
