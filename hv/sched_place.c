/*
 * Where a VM's vCPUs run (see hv/sched.h, sched_place): each vCPU on one CPU for good, the
 * least loaded of those it may use, its VM's other vCPUs' CPUs last. Pure: unit-tested.
 */
#include <hv/sched.h>

int sched_place(uint64_t allowed, uint64_t ready, unsigned int vcpus, unsigned int *load,
		unsigned int *cpu_of)
{
	uint64_t candidates = (allowed ? allowed : ready) & ready, used = 0;

	if (!candidates || vcpus == 0)
		return -1;
	for (unsigned int v = 0; v < vcpus; v++) {
		int best = -1;

		for (unsigned int c = 0; c < 64; c++) {
			uint64_t bit = 1ull << c;

			if (!(candidates & bit))
				continue;
			if (best < 0 || (!(used & bit) && (used & (1ull << best))) ||
			    (!(used & bit) == !(used & (1ull << best)) && load[c] < load[best]))
				best = (int)c;
		}
		cpu_of[v] = (unsigned int)best;
		used |= 1ull << best;
		load[best]++;
	}
	return 0;
}
