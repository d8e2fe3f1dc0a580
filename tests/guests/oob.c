/*
 * A guest that touches guest-physical memory it does not have: it maps a 2 MiB page at
 * 1 GiB - 2 MiB in its own page tables (far above its RAM) and reads it. Shunt must stop
 * it with reason bad-memory-access and the faulting address.
 */
#include "guest.h"

#define OUTSIDE_GPA 0x3fe00000ull

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t *pd = guest_page_directory(0);

	if (guest_open())
		return 99;

	pd[OUTSIDE_GPA >> 21] = OUTSIDE_GPA | 0x83; /* present, writable, 2 MiB */
	__asm__ volatile("invlpg (%0)" ::"r"(OUTSIDE_GPA) : "memory");
	say("reading guest-physical 0x3fe00000\n");
	(void)*(volatile uint64_t *)(uintptr_t)OUTSIDE_GPA;
	say("GUEST-FAIL read outside RAM succeeded\n");
	return 1;
}
