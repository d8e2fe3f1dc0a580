/*
 * Device path walking (see devpath.h). Every node's length is checked against what is left
 * before it is followed: the variable's bytes come from the firmware and NVRAM.
 */
#include "devpath.h"

#define NODE_HEADER 4 /* type, subtype, 16-bit length */
#define TYPE_MESSAGING 0x03
#define SUBTYPE_UART 0x0e
#define TYPE_END 0x7f
#define SUBTYPE_END_ENTIRE 0xff

int devpath_has_uart(const uint8_t *p, size_t len)
{
	size_t at = 0;

	while (len - at >= NODE_HEADER) {
		uint8_t type = p[at], subtype = p[at + 1];
		size_t node = (size_t)p[at + 2] | (size_t)p[at + 3] << 8;

		if (node < NODE_HEADER || node > len - at)
			return 0;
		if (type == TYPE_MESSAGING && subtype == SUBTYPE_UART)
			return 1;
		if (type == TYPE_END && subtype == SUBTYPE_END_ENTIRE)
			return 0;
		at += node;
	}
	return 0;
}
