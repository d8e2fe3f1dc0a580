/*
 * Fuzz target: what the management network reads from the network and from its NIC that
 * Shunt's own code parses (lwIP's parsing is lwIP's): an ICMP echo reply (hv/net/echo.c),
 * and receive descriptors as a device might write them back (hv/net/e1000_ring.c). The
 * first byte chooses; a frame handed on must lie inside its buffer with a length in range.
 */
#include <hv/net/e1000_ring.h>
#include <hv/net/echo.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_echo(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any overread */
	uint32_t src;

	if (size >= 16)
		memcpy(&src, data + 12, 4);
	else
		src = 0;
	memcpy(copy, data, size);
	/* The sequence number expected is the TOS byte's, which the check does not read. */
	(void)echo_is_reply(copy, size, src, 0x5348, size >= 2 ? data[1] : 0);
	free(copy);
}

/* Each 16 bytes of input are one written-back descriptor, landing where the ring looks next. */
static void fuzz_rx(const uint8_t *data, size_t size)
{
	static struct e1000_rx_desc desc[E1000_RING_SIZE] __attribute__((aligned(16)));
	static uint8_t bufs[E1000_RING_SIZE * E1000_BUF_SIZE];
	struct e1000_ring r;

	e1000_rx_init(&r, desc, bufs, 0x100000);
	for (size_t at = 0; at + 16 <= size; at += 16) {
		const uint8_t *frame = NULL;
		const char *why = NULL;
		uint16_t len = 0;
		uint32_t i = r.next;

		memcpy(&desc[i], data + at, 16);
		switch (e1000_rx_peek(&r, &frame, &len, &why)) {
		case E1000_RX_FRAME:
			if (frame != bufs + (size_t)i * E1000_BUF_SIZE || len < E1000_FRAME_MIN ||
			    len > E1000_FRAME_MAX)
				abort();
			break;
		case E1000_RX_DROP:
			if (!why)
				abort();
			break;
		case E1000_RX_NONE:
		default:
			continue;
		}
		if (e1000_rx_release(&r) != i || desc[i].status != 0 ||
		    desc[i].addr != 0x100000 + (uint64_t)i * E1000_BUF_SIZE)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		fuzz_rx(data + 1, size - 1);
	else
		fuzz_echo(data + 1, size - 1);
	return 0;
}
