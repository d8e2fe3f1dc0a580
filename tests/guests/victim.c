/*
 * The latency victim: spins reading the TSC, which never exits, so every jump between two
 * reads is time it was kept off the CPU (by Shunt or by another VM). It watches for a fixed
 * stretch of time and checks its longest gap against the bound README states: one slice per
 * other runnable VM, plus a little (one exit's work, the scheduler). Command line (after
 * "--"): slice=TICKS (Shunt's SCHED_SLICE_CYCLES), others=N (other runnable VMs),
 * watch=TICKS (how long to watch). It also insists on having been preempted at all, so a
 * neighbour that never ran can not pass for a fair one.
 */
#include "guest.h"

#define OFF_CPU_MIN 20000ull   /* a gap this long is a switch away, not an interrupt-free loop */
#define BOUND_SLACK_PERCENT 10 /* the "little": exit work and scheduling, per slice */

/* The value of key=NUMBER in the guest command line, or fallback. */
static uint64_t arg(const char *cmdline, const char *key, uint64_t fallback)
{
	for (const char *p = cmdline; *p; p++) {
		const char *k = key;
		const char *v = p;
		uint64_t n = 0;

		if (p != cmdline && p[-1] != ' ')
			continue;
		while (*k && *v == *k)
			k++, v++;
		if (*k || *v != '=' || v[1] < '0' || v[1] > '9')
			continue;
		for (v++; *v >= '0' && *v <= '9'; v++)
			n = n * 10 + (uint64_t)(*v - '0');
		return n;
	}
	return fallback;
}

/* Prints "label X.YY" for value / unit with two decimals. */
static void say_ratio(const char *label, uint64_t value, uint64_t unit)
{
	char buf[24];
	uint64_t hundredths = value * 100 / unit;

	say(label);
	say(gk_fmt_u64(buf, hundredths / 100));
	say(hundredths % 100 < 10 ? ".0" : ".");
	say(gk_fmt_u64(buf, hundredths % 100));
	say("\n");
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t slice = arg(si->cmdline, "slice", 0), others = arg(si->cmdline, "others", 1);
	uint64_t watch = arg(si->cmdline, "watch", 0);
	uint64_t bound = others * slice * (100 + BOUND_SLACK_PERCENT) / 100;
	uint64_t start, prev, longest = 0, switches = 0;
	int failures = 0;

	if (guest_open())
		return 99;
	if (!slice || !watch) {
		say("check failed: the command line must give slice= and watch=\n");
		return report(si, 1, 0);
	}
	start = prev = gk_rdtsc();
	while (prev - start < watch) {
		uint64_t now = gk_rdtsc(), gap = now - prev;

		if (gap > longest)
			longest = gap;
		switches += gap >= OFF_CPU_MIN;
		prev = now;
	}
	say_num("victim: times off the CPU ", (int64_t)switches);
	say_num("victim: longest gap in ticks ", (int64_t)longest);
	say_ratio("victim: longest gap in slices ", longest, slice);
	check(&failures, switches > 0, "the neighbour ran at all (the victim was preempted)");
	check(&failures, longest <= bound, "longest gap within one slice per other VM (+10%)");
	return report(si, failures, 0);
}
