/*
 * The PV console ring: lines written through it appear on Shunt's console in order, a
 * write longer than the ring goes through in several drains, and bad setups are refused
 * (size not a power of two, too small, misaligned, outside RAM).
 */
#include "guest.h"

#define RING_SIZE 256

static struct {
	struct pv_console_ring header;
	uint8_t data[RING_SIZE];
} ring __attribute__((aligned(64)));

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t ram_end = si->mem[1].base + si->mem[1].size;
	static char line[80];
	int failures = 0;
	int64_t total = 0;

	if (guest_open())
		return 99;
	check(&failures, gk_ring_flush() == PV_EINVAL, "kick without a ring");
	check(&failures, gk_call_console_ring_set(GK_VIRT_TO_PHYS(&ring), 100) == PV_EINVAL,
	      "size not a power of two");
	check(&failures, gk_call_console_ring_set(GK_VIRT_TO_PHYS(&ring), 32) == PV_EINVAL,
	      "size below the minimum");
	check(&failures, gk_call_console_ring_set(GK_VIRT_TO_PHYS(&ring) + 4, 64) == PV_EINVAL,
	      "misaligned ring");
	check(&failures, gk_call_console_ring_set(ram_end - 64, 256) == PV_EFAULT,
	      "ring past the end of RAM");
	check(&failures, gk_ring_init(&ring.header, RING_SIZE) == 0, "ring set up");

	for (int i = 0; i < 3; i++) {
		char num[24];
		int n = 0;

		for (const char *p = "ring line "; *p; p++)
			line[n++] = *p;
		for (const char *p = gk_fmt_u64(num, (uint64_t)i); *p; p++)
			line[n++] = *p;
		line[n++] = '\n';
		check(&failures, gk_ring_write(&ring.header, line, (size_t)n) == n, "ring write");
		total += n;
	}
	check(&failures, gk_ring_flush() == total, "one kick drains every waiting byte");

	/* 600 bytes through a 256-byte ring: gk_ring_write drains as it goes. */
	for (int i = 0; i < 600; i++) {
		char c = (i % 60 == 59) ? '\n' : (char)('a' + i % 26);

		check(&failures, gk_ring_write(&ring.header, &c, 1) == 1, "long write");
	}
	gk_ring_flush();
	check(&failures, ring.header.consumer == ring.header.producer, "ring empty after flush");

	/* A guest that corrupts its indexes gets an error, not a crash or a flood. */
	ring.header.producer = ring.header.consumer + RING_SIZE * 4;
	check(&failures, gk_ring_flush() == PV_EINVAL, "corrupt indexes refused");
	check(&failures, ring.header.consumer == ring.header.producer, "ring reset");
	return report(si, failures, 0);
}
