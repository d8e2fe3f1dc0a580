/*
 * The emulated 16550 (hv/devices/uart16550.c): transmitted bytes come out, the divisor
 * latch hides THR/IER while DLAB is set, the line status says "ready" unless the owner
 * says the VM's console is full, and reads of the read-only registers never change state.
 * Interrupts: THRE raised on enabling and after each byte, cleared by the IIR read that
 * shows it; received data over THRE, overrun over both; the FIFO's trigger level and
 * character timeout; overruns counted; the line gated by OUT2.
 */
#include "unit.h"

#include <hv/devices/uart16550.h>

static struct uart16550 u;
static unsigned int irq_changes; /* calls of the owner's irq_changed */

static void count_change(void *owner)
{
	assert_ptr_equal(owner, &u);
	irq_changes++;
}

static int setup(void **state)
{
	(void)state;
	u.irq_changed = count_change;
	u.owner = &u;
	uart16550_reset(&u);
	assert_ptr_equal(u.irq_changed, count_change); /* kept by the reset */
	irq_changes = 0;
	return 0;
}

/* What a test of the interrupt line asks of an access: a byte sent, the line moved. */
#define SENT 1
#define CHANGED 2

static uint32_t rd(uint16_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(uart16550_access(&u, off, 0, &v), 0);
	return v;
}

static int wr(uint16_t off, uint8_t value, uint8_t *tx)
{
	uint32_t v = value;
	int sent = uart16550_access(&u, off, 1, &v);

	assert_int_equal(v, value); /* a write leaves the value as it was */
	if (sent && tx)
		*tx = (uint8_t)v; /* the byte sent is the one written */
	return sent;
}

static void test_transmit(void **state)
{
	(void)state;
	uint8_t tx = 0;

	assert_int_equal(wr(0, 'A', &tx), 1);
	assert_int_equal(tx, 'A');
	assert_int_equal(u.bytes_out, 1);
	assert_int_equal(rd(5) & 0x60, 0x60); /* THRE and TEMT */
	assert_int_equal(rd(5) & 0x01, 0);    /* nothing received */
	assert_int_equal(rd(0), 0);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	assert_int_equal(wr(3, 0x80, NULL), 0); /* DLAB */
	assert_int_equal(wr(0, 0x0c, NULL), 0); /* DLL: no byte sent */
	assert_int_equal(wr(1, 0x00, NULL), 0); /* DLM */
	assert_int_equal(u.bytes_out, 0);
	assert_int_equal(rd(0), 0x0c);
	assert_int_equal(wr(3, 0x03, NULL), 0); /* 8N1, DLAB off */
	assert_int_equal(rd(3), 0x03);
	assert_int_equal(wr(1, 0xff, NULL), 0); /* IER keeps its 4 defined bits */
	assert_int_equal(rd(1), 0x0f);
}

static void test_other_registers(void **state)
{
	(void)state;
	assert_int_equal(rd(2) & 0x01, 0x01); /* IIR: no interrupt pending */
	assert_int_equal(wr(2, 0x01, NULL), 0);
	assert_int_equal(rd(2) & 0xc0, 0xc0); /* FIFOs reported enabled */
	assert_int_equal(wr(7, 0x5a, NULL), 0);
	assert_int_equal(rd(7), 0x5a);		/* scratch register */
	assert_int_equal(wr(5, 0x00, NULL), 0); /* LSR is read-only */
	assert_int_equal(rd(5) & 0x60, 0x60);
	assert_int_equal(rd(6) & 0xb0, 0xb0); /* CTS, DSR, DCD */
	assert_int_equal(wr(4, 0xff, NULL), 0);
	assert_int_equal(rd(4), 0x1f);
}

/* The owner's tx_busy (the VM's console buffer is full) is what LSR shows. */
static void test_transmitter_busy(void **state)
{
	(void)state;
	assert_int_equal(uart16550_is_tx_write(&u, 0, 1), 1);
	assert_int_equal(uart16550_is_tx_write(&u, 0, 0), 0); /* a read of RBR */
	assert_int_equal(uart16550_is_tx_write(&u, 1, 1), 0);
	u.tx_busy = 1;
	assert_int_equal(rd(5) & 0x61, 0x00); /* no THRE, no TEMT, nothing received */
	/* Enabling THRE's interrupt raises it even so: the next THR write waits for room. */
	assert_int_equal(wr(1, 0x02, NULL), 0);
	assert_int_equal(rd(2) & 0x0f, 0x02);
	assert_int_equal(wr(1, 0x00, NULL), 0);
	u.tx_busy = 0;
	assert_int_equal(rd(5) & 0x61, 0x60);
	assert_int_equal(wr(3, 0x80, NULL), 0); /* DLAB: a write of offset 0 is the divisor */
	assert_int_equal(uart16550_is_tx_write(&u, 0, 1), 0);
}

/* An access, and whether the interrupt line moved (CHANGED) or a byte went (SENT). */
static int rd_irq(uint16_t off, uint32_t *v)
{
	unsigned int before = irq_changes;

	assert_int_equal(uart16550_access(&u, off, 0, v), 0);
	return irq_changes != before ? CHANGED : 0;
}

static int wr_irq(uint16_t off, uint8_t value)
{
	unsigned int before = irq_changes;
	uint32_t v = value;
	int sent = uart16550_access(&u, off, 1, &v);

	return (sent ? SENT : 0) | (irq_changes != before ? CHANGED : 0);
}

static int rx(uint8_t byte)
{
	unsigned int before = irq_changes;

	uart16550_receive(&u, byte);
	return irq_changes != before ? CHANGED : 0;
}

static void test_thre_interrupt(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(wr_irq(1, 0x02), 0); /* due, but OUT2 is off: the line stays low */
	assert_int_equal(u.irq, 0);
	assert_int_equal(wr_irq(4, 0x08), CHANGED); /* OUT2 */
	assert_int_equal(u.irq, 1);
	assert_int_equal(rd_irq(2, &v), CHANGED);
	assert_int_equal(v, 0x02); /* THRE, FIFOs off */
	assert_int_equal(u.irq, 0);
	assert_int_equal(rd_irq(2, &v), 0);
	assert_int_equal(v, 0x01); /* shown once: cleared */
	assert_int_equal(wr_irq(0, 'x'), SENT | CHANGED);
	assert_int_equal(u.irq, 1); /* sent at once: THR empty again */
	assert_int_equal(wr_irq(1, 0x00), CHANGED);
	assert_int_equal(rd_irq(2, &v), 0);
	assert_int_equal(v, 0x01);
	/* Linux's test: enabling THRE's interrupt with THR empty raises it again. */
	assert_int_equal(wr_irq(1, 0x02), CHANGED);
	assert_int_equal(rd_irq(2, &v), CHANGED);
	assert_int_equal(v, 0x02);
}

static void test_receive_priority(void **state)
{
	uint32_t v;

	(void)state;
	wr_irq(2, 0x01); /* FIFOs on, trigger level 1 */
	wr_irq(4, 0x08);
	wr_irq(1, 0x03);		      /* received data and THRE */
	assert_int_equal(rx('a'), 0);	      /* THRE had the line up already */
	assert_int_equal(rd(2), 0xc4);	      /* received data first */
	assert_int_equal(rd(5) & 0x01, 0x01); /* LSR: data ready */
	assert_int_equal(rd_irq(0, &v), 0);   /* THRE still asks */
	assert_int_equal(v, 'a');
	assert_int_equal(rd(5) & 0x01, 0);
	assert_int_equal(rd_irq(2, &v), CHANGED);
	assert_int_equal(v, 0xc2);
	assert_int_equal(u.bytes_in, 1);
	assert_int_equal(rd(0), 0); /* an empty FIFO reads 0 */
}

static void test_trigger_level_and_overrun(void **state)
{
	uint32_t v;

	(void)state;
	wr_irq(2, 0xc1); /* trigger level 14 */
	wr_irq(4, 0x08);
	wr_irq(1, 0x05); /* received data, line status */
	assert_int_equal(rx('1'), CHANGED);
	assert_int_equal(rd(2), 0xcc); /* below the trigger: character timeout */
	for (int i = 1; i < 14; i++)
		uart16550_receive(&u, (uint8_t)('0' + i));
	assert_int_equal(rd(2), 0xc4);
	assert_int_equal(uart16550_rx_room(&u), 2);
	uart16550_receive(&u, 'y');
	uart16550_receive(&u, 'z');
	assert_int_equal(uart16550_rx_room(&u), 0);
	assert_int_equal(uart16550_receive(&u, '!'), -1); /* no room: lost, counted */
	assert_int_equal(u.rx_overruns, 1);
	assert_int_equal(u.bytes_in, 16);
	assert_int_equal(rd(2), 0xc6); /* overrun above all */
	assert_int_equal(rd(5) & 0x03, 0x03);
	assert_int_equal(rd(5) & 0x02, 0); /* reading LSR cleared OE */
	assert_int_equal(rd(2), 0xc4);
	assert_int_equal(rd_irq(0, &v), 0);
	assert_int_equal(v, '1'); /* the FIFO kept the first 16 */
	/* Clearing the receive FIFO takes its interrupt away. */
	assert_int_equal(wr_irq(2, 0xc3), CHANGED);
	assert_int_equal(rd(5) & 0x01, 0);
	assert_int_equal(u.irq, 0);
}

static void test_fifo_off(void **state)
{
	(void)state;
	assert_int_equal(uart16550_rx_room(&u), 1); /* a 16450: one byte */
	uart16550_receive(&u, 'a');
	uart16550_receive(&u, 'b');
	assert_int_equal(u.rx_overruns, 1);
	assert_int_equal(rd(2), 0x01); /* no interrupt enabled */
	assert_int_equal(rd(0), 'a');
	wr_irq(2, 0x01);
	uart16550_receive(&u, 'c');
	wr_irq(2, 0x00); /* turning the FIFOs off empties them */
	assert_int_equal(rd(5) & 0x01, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_divisor_latch, setup),
		cmocka_unit_test_setup(test_other_registers, setup),
		cmocka_unit_test_setup(test_transmitter_busy, setup),
		cmocka_unit_test_setup(test_thre_interrupt, setup),
		cmocka_unit_test_setup(test_receive_priority, setup),
		cmocka_unit_test_setup(test_trigger_level_and_overrun, setup),
		cmocka_unit_test_setup(test_fifo_off, setup),
	};

	return unit_run(tests);
}
