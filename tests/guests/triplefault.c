/*
 * A guest that triple-faults: with no IDT loaded, its first exception can not be
 * delivered. Shunt must stop this VM alone with reason triple-fault.
 */
#include "guest.h"

int64_t guest_main(const struct pv_start_info *si)
{
	if (guest_open())
		return 99;
	say("about to triple-fault\n");
	__asm__ volatile("ud2");
	say("GUEST-FAIL still running after ud2\n");
	return 1;
}
