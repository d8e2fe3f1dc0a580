/*
 * The input focus's key sequence and order (hv/console_focus.c): three Ctrl-A in a row
 * switch, fewer are passed on before the next byte, other bytes pass at once; the focus goes
 * to the next eligible VM, to Shunt after the last, and from Shunt to the first.
 */
#include "unit.h"

#include <hv/console_input.h>

static void test_plain_bytes_pass(void **state)
{
	struct console_keys k = { 0 };
	uint8_t out[CONSOLE_KEYS_OUT_MAX];

	(void)state;
	assert_int_equal(console_keys_feed(&k, 'a', out), 1);
	assert_int_equal(out[0], 'a');
	assert_int_equal(console_keys_feed(&k, '\r', out), 1);
	assert_int_equal(out[0], '\r');
}

static void test_three_ctrl_a_switch(void **state)
{
	struct console_keys k = { 0 };
	uint8_t out[CONSOLE_KEYS_OUT_MAX];

	(void)state;
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0); /* held back */
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 0x01, out), CONSOLE_KEYS_SWITCH);
	/* The sequence starts over: a fourth is the first of the next one. */
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 0x01, out), CONSOLE_KEYS_SWITCH);
}

static void test_interrupted_sequence_passes_on(void **state)
{
	struct console_keys k = { 0 };
	uint8_t out[CONSOLE_KEYS_OUT_MAX];

	(void)state;
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 'x', out), 3); /* the two, then the byte */
	assert_int_equal(out[0], 0x01);
	assert_int_equal(out[1], 0x01);
	assert_int_equal(out[2], 'x');
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0); /* counting from zero again */
	assert_int_equal(console_keys_feed(&k, 'y', out), 2);
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 0x01, out), 0);
	assert_int_equal(console_keys_feed(&k, 0x01, out), CONSOLE_KEYS_SWITCH);
}

static void test_focus_order(void **state)
{
	const uint8_t eligible[] = { 0, 1, 0, 1, 1, 0 };

	(void)state;
	assert_int_equal(console_focus_next(CONSOLE_FOCUS_SHUNT, eligible, 6), 1);
	assert_int_equal(console_focus_next(1, eligible, 6), 3);
	assert_int_equal(console_focus_next(3, eligible, 6), 4);
	assert_int_equal(console_focus_next(4, eligible, 6), CONSOLE_FOCUS_SHUNT);
	assert_int_equal(console_focus_next(0, eligible, 6), 1); /* from one that lost it */
	assert_int_equal(console_focus_next(5, eligible, 6), CONSOLE_FOCUS_SHUNT);
	assert_int_equal(console_focus_next(CONSOLE_FOCUS_SHUNT, eligible, 0), CONSOLE_FOCUS_SHUNT);
	assert_int_equal(console_focus_next(CONSOLE_FOCUS_SHUNT, eligible, 1), CONSOLE_FOCUS_SHUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_pass),
		cmocka_unit_test(test_three_ctrl_a_switch),
		cmocka_unit_test(test_interrupted_sequence_passes_on),
		cmocka_unit_test(test_focus_order),
	};

	return unit_run(tests);
}
