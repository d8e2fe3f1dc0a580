/*
 * The flooder's neighbour: it times a fixed workload (in its own TSC ticks) once before
 * the flood starts and once during it. Sharing the CPU with one other VM may at most
 * double its time; the stated bound is 3x, to leave room for slice granularity. A flooder
 * that could monopolise the CPU or Shunt would break it. `flood_at_ms=N` on its command line
 * moves the second run to N ms after the VM started (a Linux flooder starts later);
 * `bound_pct=P` makes the bound P percent of its time alone (the SMP scenario, where the
 * flooder runs on another CPU, holds it to 115).
 */
#include "guest.h"

#define FLOOD_STARTED_MS 160 /* the flooder guest starts at 150 ms */
#define BOUND 3

static struct pv_vcpu_page page __attribute__((aligned(4096)));

static uint64_t workload(void)
{
	volatile uint64_t acc = 1;
	uint64_t t0 = gk_rdtsc();

	for (uint64_t i = 0; i < 500000; i++)
		acc = acc * 6364136223846793005ull + i;
	return gk_rdtsc() - t0;
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t alone, flooded;
	uint64_t flood_ns = guest_arg(si->cmdline, "flood_at_ms", FLOOD_STARTED_MS) * 1000000;
	uint64_t bound_pct = guest_arg(si->cmdline, "bound_pct", BOUND * 100);
	int failures = 0;

	if (guest_open() || gk_vcpu_page_set(&page))
		return 99;
	alone = workload();
	check(&failures, gk_clock_ns(&page) < flood_ns - 10000000,
	      "the alone run ended before the flood");
	while (gk_clock_ns(&page) < flood_ns)
		gk_yield();
	flooded = workload();
	say_num("worker: ticks alone ", (int64_t)alone);
	say_num("worker: ticks during the flood ", (int64_t)flooded);
	say_num("worker: slowdown in percent ", (int64_t)(flooded * 100 / alone));
	check(&failures, flooded * 100 <= bound_pct * alone, "within bound_pct of its time alone");
	return report(si, failures, 0);
}
