/*
 * The e1000's descriptor rings (hv/net/e1000_ring.c), with this test as the device: it
 * writes back receive descriptors as the 8254x does (and as a broken or hostile one might:
 * bad lengths, errors, frames over several buffers, a changed buffer address) and sets
 * transmit descriptors done, and checks what the driver takes, drops and hands back.
 */
#include "unit.h"

#include <hv/net/e1000_ring.h>

static struct e1000_rx_desc rx_desc[E1000_RING_SIZE] __attribute__((aligned(16)));
static struct e1000_tx_desc tx_desc[E1000_RING_SIZE] __attribute__((aligned(16)));
static uint8_t bufs[E1000_RING_SIZE * E1000_BUF_SIZE];
static struct e1000_ring ring;
#define BUS 0x1230000ull /* where the buffers are for the device */

static int setup_rx(void **state)
{
	(void)state;
	memset(rx_desc, 0xa5, sizeof(rx_desc));
	e1000_rx_init(&ring, rx_desc, bufs, BUS);
	return 0;
}

static int setup_tx(void **state)
{
	(void)state;
	memset(tx_desc, 0xa5, sizeof(tx_desc));
	e1000_tx_init(&ring, tx_desc, bufs, BUS);
	return 0;
}

/* The device writes back descriptor i. */
static void device_rx(uint32_t i, uint16_t len, uint8_t status, uint8_t errors)
{
	rx_desc[i].length = len;
	rx_desc[i].errors = errors;
	rx_desc[i].status = status;
}

static void test_rx_init_points_at_buffers(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < E1000_RING_SIZE; i++) {
		assert_u64_equal(rx_desc[i].addr, BUS + i * E1000_BUF_SIZE);
		assert_int_equal(rx_desc[i].status, 0);
	}
}

static void test_rx_nothing_until_done(void **state)
{
	const uint8_t *frame = NULL;
	const char *why = NULL;
	uint16_t len = 0;

	(void)state;
	device_rx(0, 60, E1000_RXD_STAT_EOP, 0); /* EOP without DD: not written back yet */
	assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_NONE);
	assert_int_equal(ring.next, 0);
}

static void test_rx_good_frame(void **state)
{
	const uint8_t *frame = NULL;
	const char *why = NULL;
	uint16_t len = 0;

	(void)state;
	memcpy(bufs + 0, "frame zero....", 14);
	device_rx(0, 60, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
	assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_FRAME);
	assert_ptr_equal(frame, bufs);
	assert_int_equal(len, 60);
	/* The device changed the address: the driver writes its own back. */
	rx_desc[0].addr = 0xdead0000;
	assert_int_equal(e1000_rx_release(&ring), 0);
	assert_u64_equal(rx_desc[0].addr, BUS);
	assert_int_equal(rx_desc[0].status, 0);
	assert_int_equal(ring.next, 1);
	assert_int_equal(ring.frames, 1);
	assert_int_equal(ring.bytes, 60);
}

static void test_rx_lengths_checked(void **state)
{
	static const struct {
		uint16_t len;
		enum e1000_rx_verdict v;
	} cases[] = {
		{ 0, E1000_RX_DROP },	  { 13, E1000_RX_DROP },     { 14, E1000_RX_FRAME },
		{ 1518, E1000_RX_FRAME }, { 1519, E1000_RX_DROP },   { 2048, E1000_RX_DROP },
		{ 4096, E1000_RX_DROP },  { 0xffff, E1000_RX_DROP },
	};
	const uint8_t *frame;
	const char *why;
	uint16_t len;

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t at = ring.next;

		why = NULL;
		device_rx(at, cases[i].len, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
		assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), cases[i].v);
		if (cases[i].v == E1000_RX_DROP)
			assert_contains(why, "length");
		else
			assert_int_equal(len, cases[i].len);
		assert_int_equal(e1000_rx_release(&ring), at);
	}
	assert_int_equal(ring.dropped, 6);
}

static void test_rx_errors_dropped(void **state)
{
	const uint8_t *frame;
	const char *why = NULL;
	uint16_t len;

	(void)state;
	device_rx(0, 64, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0x01); /* CRC error */
	assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_DROP);
	assert_contains(why, "error");
	e1000_rx_release(&ring);
	/* Checksum-offload bits alone (TCPE, IPE) do not spoil a frame. */
	device_rx(1, 64, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0x60);
	assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_FRAME);
}

static void test_rx_multi_buffer_frame_dropped_whole(void **state)
{
	const uint8_t *frame;
	const char *why;
	uint16_t len;

	(void)state;
	device_rx(0, 2048, E1000_RXD_STAT_DD, 0);
	device_rx(1, 2048, E1000_RXD_STAT_DD, 0);
	device_rx(2, 100, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
	device_rx(3, 100, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_DROP);
		e1000_rx_release(&ring);
	}
	/* The frame after it is received again. */
	assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_FRAME);
	assert_int_equal(len, 100);
	assert_int_equal(ring.dropped, 1);
}

static void test_rx_wraps(void **state)
{
	const uint8_t *frame;
	const char *why;
	uint16_t len;

	(void)state;
	for (uint32_t n = 0; n < 3 * E1000_RING_SIZE; n++) {
		uint32_t at = n % E1000_RING_SIZE;

		device_rx(at, (uint16_t)(60 + at), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
		assert_int_equal(e1000_rx_peek(&ring, &frame, &len, &why), E1000_RX_FRAME);
		assert_ptr_equal(frame, bufs + (size_t)at * E1000_BUF_SIZE);
		assert_int_equal(e1000_rx_release(&ring), at);
	}
	assert_int_equal(ring.next, 0);
}

static void test_tx_fill_and_reap(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < E1000_RING_SIZE - 1; i++) {
		uint8_t *buf = e1000_tx_buffer(&ring);

		assert_ptr_equal(buf, bufs + (size_t)i * E1000_BUF_SIZE);
		assert_int_equal(e1000_tx_commit(&ring, 100 + i), (i + 1) % E1000_RING_SIZE);
		assert_u64_equal(tx_desc[i].addr, BUS + i * E1000_BUF_SIZE);
		assert_int_equal(tx_desc[i].length, 100 + i);
		assert_int_equal(tx_desc[i].cmd,
				 E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS);
		assert_int_equal(tx_desc[i].status, 0);
	}
	/* One descriptor stays empty, so that TDT == TDH means an empty ring. */
	assert_null(e1000_tx_buffer(&ring));
	assert_int_equal(e1000_tx_commit(&ring, 60), -ENOSPC);
	assert_int_equal(e1000_tx_reap(&ring), 0);
	tx_desc[0].status = E1000_TXD_STAT_DD;
	tx_desc[1].status = E1000_TXD_STAT_DD;
	tx_desc[3].status = E1000_TXD_STAT_DD; /* out of order: not taken before 2 */
	assert_int_equal(e1000_tx_reap(&ring), 2);
	assert_int_equal(ring.in_flight, E1000_RING_SIZE - 3);
	assert_non_null(e1000_tx_buffer(&ring));
}

static void test_tx_bad_lengths(void **state)
{
	(void)state;
	assert_int_equal(e1000_tx_commit(&ring, 0), -EINVAL);
	assert_int_equal(e1000_tx_commit(&ring, E1000_BUF_SIZE + 1), -EINVAL);
	assert_int_equal(ring.in_flight, 0);
	assert_int_equal(e1000_tx_commit(&ring, E1000_BUF_SIZE), 1);
}

static void test_tx_wraps(void **state)
{
	(void)state;
	for (uint32_t n = 0; n < 3 * E1000_RING_SIZE; n++) {
		uint32_t at = n % E1000_RING_SIZE;

		assert_non_null(e1000_tx_buffer(&ring));
		assert_int_equal(e1000_tx_commit(&ring, 64), (at + 1) % E1000_RING_SIZE);
		tx_desc[at].status = E1000_TXD_STAT_DD;
		assert_int_equal(e1000_tx_reap(&ring), 1);
	}
	assert_int_equal(ring.in_flight, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rx_init_points_at_buffers, setup_rx),
		cmocka_unit_test_setup(test_rx_nothing_until_done, setup_rx),
		cmocka_unit_test_setup(test_rx_good_frame, setup_rx),
		cmocka_unit_test_setup(test_rx_lengths_checked, setup_rx),
		cmocka_unit_test_setup(test_rx_errors_dropped, setup_rx),
		cmocka_unit_test_setup(test_rx_multi_buffer_frame_dropped_whole, setup_rx),
		cmocka_unit_test_setup(test_rx_wraps, setup_rx),
		cmocka_unit_test_setup(test_tx_fill_and_reap, setup_tx),
		cmocka_unit_test_setup(test_tx_bad_lengths, setup_tx),
		cmocka_unit_test_setup(test_tx_wraps, setup_tx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
