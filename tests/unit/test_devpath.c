/*
 * Device paths (boot/efi/devpath.c): a UART node is found in any instance of a ConOut-like
 * list, and malformed lists (zero-length nodes, nodes past the end, no end node) answer 0
 * without reading past the buffer.
 */
#include "unit.h"

#include "devpath.h"

#include <stdlib.h>

#define NODE(type, sub, len) type, sub, (len)&0xff, (len) >> 8
#define END_INSTANCE NODE(0x7f, 0x01, 4)
#define END_ENTIRE NODE(0x7f, 0xff, 4)
#define PCI_ROOT NODE(0x02, 0x01, 12), 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0
#define PCI_NODE NODE(0x01, 0x01, 6), 0x00, 0x1f
#define UART_NODE NODE(0x03, 0x0e, 19), 0, 0, 0, 0, 0x00, 0xc2, 0x01, 0, 0, 0, 0, 0, 8, 1, 0
#define VT100_NODE                                                                                 \
	NODE(0x03, 0x0a, 20), 0xe0, 0x7f, 0x24, 0x5e, 0x91, 0xce, 0xd3, 0x11, 0x9a, 0xaa, 0x00,    \
		0x90, 0x27, 0x3f, 0xc1, 0x4d
#define GOP_NODE NODE(0x01, 0x04, 20), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16

static void test_serial_console(void **state)
{
	/* OVMF's ConOut: the screen, then COM1 as a VT100 terminal. */
	static const uint8_t ovmf[] = { PCI_ROOT, PCI_NODE,  GOP_NODE,	 END_INSTANCE, PCI_ROOT,
					PCI_NODE, UART_NODE, VT100_NODE, END_ENTIRE };
	static const uint8_t screen_only[] = { PCI_ROOT, PCI_NODE, GOP_NODE, END_ENTIRE };

	(void)state;
	assert_int_equal(devpath_has_uart(ovmf, sizeof(ovmf)), 1);
	assert_int_equal(devpath_has_uart(screen_only, sizeof(screen_only)), 0);
	assert_int_equal(devpath_has_uart(ovmf, 0), 0);
}

static void test_malformed(void **state)
{
	static const uint8_t zero_len[] = { NODE(0x01, 0x01, 0), UART_NODE, END_ENTIRE };
	static const uint8_t past_end[] = { NODE(0x01, 0x01, 200), UART_NODE };
	static const uint8_t after_end[] = { END_ENTIRE, UART_NODE };
	static const uint8_t no_end[] = { PCI_ROOT, PCI_NODE };
	uint8_t *cut = malloc(10);

	(void)state;
	assert_int_equal(devpath_has_uart(zero_len, sizeof(zero_len)), 0);
	assert_int_equal(devpath_has_uart(past_end, sizeof(past_end)), 0);
	assert_int_equal(devpath_has_uart(after_end, sizeof(after_end)), 0);
	assert_int_equal(devpath_has_uart(no_end, sizeof(no_end)), 0);
	/* A UART node cut short by the buffer's end is not read (ASan watches the heap copy). */
	memcpy(cut, (const uint8_t[]){ UART_NODE }, 10);
	assert_int_equal(devpath_has_uart(cut, 10), 0);
	free(cut);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial_console),
		cmocka_unit_test(test_malformed),
	};

	return unit_run(tests);
}
