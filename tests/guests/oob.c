/*
 * A guest that touches guest-physical memory it does not have: it maps a 2 MiB page at
 * 1 GiB - 2 MiB in its own page tables (far above its RAM) and reads it. Shunt must stop
 * it with reason bad-memory-access and the faulting address.
 */
#include "guest.h"

#define OUTSIDE_GPA 0x3fe00000ull

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	if (guest_open())
		return 99;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(uintptr_t)(cr3 & ~0xfffull);
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & ~0xfffull);
	pd = (uint64_t *)(uintptr_t)(pdpt[0] & ~0xfffull);
	pd[OUTSIDE_GPA >> 21] = OUTSIDE_GPA | 0x83; /* present, writable, 2 MiB */
	__asm__ volatile("invlpg (%0)" ::"r"(OUTSIDE_GPA) : "memory");
	say("reading guest-physical 0x3fe00000\n");
	(void)*(volatile uint64_t *)(uintptr_t)OUTSIDE_GPA;
	say("GUEST-FAIL read outside RAM succeeded\n");
	return 1;
}
