/*
 * A compute-bound neighbour: it spins, never yielding, until its PV clock reaches ms=N
 * milliseconds (default 200), so that the VMs beside it have to share the CPU meanwhile.
 */
#include "guest.h"

static struct pv_vcpu_page page __attribute__((aligned(4096)));

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t until = guest_arg(si->cmdline, "ms", 200) * 1000000ull;
	volatile uint64_t acc = 0;

	if (guest_open() || gk_vcpu_page_set(&page))
		return 99;
	while (gk_clock_ns(&page) < until)
		for (int i = 0; i < 1000; i++)
			acc += (uint64_t)i ^ (acc >> 3);
	return report(si, 0, 0);
}
