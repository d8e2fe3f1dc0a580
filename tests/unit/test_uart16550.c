/*
 * The emulated 16550 (hv/devices/uart16550.c): transmitted bytes come out, the divisor
 * latch hides THR/IER while DLAB is set, the line status says "ready" unless the owner
 * says the VM's console is full, and reads of the read-only registers never change state.
 */
#include "unit.h"

#include <hv/devices/uart16550.h>

static struct uart16550 u;

static int setup(void **state)
{
	(void)state;
	uart16550_reset(&u);
	return 0;
}

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
	assert_int_equal(rd(2) & 0x0f, 0x01);	/* IIR: no interrupt pending */
	assert_int_equal(wr(1, 0x02, NULL), 0); /* IER: transmitter empty enabled */
	assert_int_equal(rd(2) & 0x0f, 0x02);	/* IIR: THR empty pending (polled drivers) */
	assert_int_equal(wr(1, 0x00, NULL), 0);
	assert_int_equal(rd(2) & 0x0f, 0x01);
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
	assert_int_equal(wr(1, 0x02, NULL), 0);
	assert_int_equal(rd(2) & 0x0f, 0x01); /* nor a THR-empty interrupt pending */
	u.tx_busy = 0;
	assert_int_equal(rd(2) & 0x0f, 0x02);
	assert_int_equal(rd(5) & 0x61, 0x60);
	assert_int_equal(wr(3, 0x80, NULL), 0); /* DLAB: a write of offset 0 is the divisor */
	assert_int_equal(uart16550_is_tx_write(&u, 0, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_divisor_latch, setup),
		cmocka_unit_test_setup(test_other_registers, setup),
		cmocka_unit_test_setup(test_transmitter_busy, setup),
	};

	return unit_run(tests);
}
