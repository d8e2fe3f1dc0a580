/*
 * A compute-bound neighbour: it spins, never yielding, until its PV clock reaches ms=N
 * milliseconds (default 200), so that the VMs beside it have to share the CPU meanwhile.
 * At the end it prints how long it ran and how much of that it waited for its CPU (steal
 * time); steal_max_pct=P / steal_min_pct=P make it fail unless that share is at most / at
 * least P percent: a VM alone on its CPU waits for nothing, two VMs on one CPU wait half the
 * time (the SMP scenarios tell the two apart by it).
 */
#include "guest.h"

static struct pv_vcpu_page page __attribute__((aligned(4096)));

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t until = guest_arg(si->cmdline, "ms", 200) * 1000000ull;
	uint64_t max_pct = guest_arg(si->cmdline, "steal_max_pct", 100);
	uint64_t min_pct = guest_arg(si->cmdline, "steal_min_pct", 0);
	volatile uint64_t acc = 0;
	uint64_t ran, steal, pct;
	int failures = 0;
	char buf[24];

	if (guest_open() || gk_vcpu_page_set(&page))
		return 99;
	while (gk_clock_ns(&page) < until)
		for (int i = 0; i < 1000; i++)
			acc += (uint64_t)i ^ (acc >> 3);
	ran = gk_clock_ns(&page);
	steal = gk_steal_ns(&page);
	pct = steal * 100 / (ran ? ran : 1);
	say("busy: ran ");
	say(gk_fmt_u64(buf, ran / 1000000));
	say(" ms, waited for its CPU ");
	say(gk_fmt_u64(buf, steal / 1000000));
	say(" ms (");
	say(gk_fmt_u64(buf, pct));
	say("%)\n");
	check_val(&failures, pct <= max_pct, "steal share at most steal_max_pct", (int64_t)pct);
	check_val(&failures, pct >= min_pct, "steal share at least steal_min_pct", (int64_t)pct);
	return report(si, failures, 0);
}
