/*
 * The PV clock: registered through the vCPU page, it is monotonic over many reads, and
 * over a busy loop it agrees with the TSC (at the frequency Shunt states in its limits
 * leaf) within 1%; a polled PV timer comes neither before its deadline nor absurdly after
 * it. Also checks the page's misaligned and out-of-RAM registrations.
 */
#include "guest.h"

static struct pv_vcpu_page page __attribute__((aligned(4096)));

/* A polled PV timer: its bit never appears before the deadline, nor absurdly after it. */
#define TIMER_DELAY_NS 300000ull
#define TIMER_LATE_NS 1000000000ull

/* Arms a timer and spins (no exits of its own) until its bit appears: how late it came. */
static int64_t timer_lateness(void)
{
	uint64_t deadline = gk_clock_ns(&page) + TIMER_DELAY_NS, seen = 0;

	if (gk_timer_set(deadline))
		return INT64_MIN;
	for (uint64_t spin = 0; spin < 200000000ull && !seen; spin++)
		if (__atomic_load_n(&page.events_pending, __ATOMIC_ACQUIRE) &
		    (1ull << PV_EVENT_TIMER))
			seen = gk_clock_ns(&page);
	if (!seen)
		return INT64_MAX;
	__atomic_fetch_and(&page.events_pending, ~(1ull << PV_EVENT_TIMER), __ATOMIC_ACQ_REL);
	return (int64_t)(seen - deadline);
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t khz, t0, c0, t1, c1, prev, tsc_ns, clock_ns, diff;
	uint64_t ram_end = si->mem[1].base + si->mem[1].size;
	int failures = 0, backwards = 0;
	int64_t late;

	if (guest_open())
		return 99;
	check(&failures, gk_call_vcpu_page_set(GK_VIRT_TO_PHYS(&page) + 8) == PV_EINVAL,
	      "misaligned page refused");
	check(&failures, gk_call_vcpu_page_set(ram_end) == PV_EFAULT, "page outside RAM refused");
	check(&failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check(&failures, (page.clock.version & 1) == 0 && page.clock.tsc_to_system_mul != 0,
	      "clock published");

	prev = gk_clock_ns(&page);
	for (int i = 0; i < 10000; i++) {
		uint64_t now = gk_clock_ns(&page);

		backwards += now < prev;
		prev = now;
	}
	check(&failures, backwards == 0, "clock never goes backwards");

	khz = gk_cpuid_reg(PV_CPUID_LIMITS, 2);
	t0 = gk_rdtsc();
	c0 = gk_clock_ns(&page);
	for (volatile int i = 0; i < 2000000; i++)
		;
	t1 = gk_rdtsc();
	c1 = gk_clock_ns(&page);
	tsc_ns = (t1 - t0) * 1000000 / khz;
	clock_ns = c1 - c0;
	diff = tsc_ns > clock_ns ? tsc_ns - clock_ns : clock_ns - tsc_ns;
	say_num("clock: elapsed by PV clock (ns) ", (int64_t)clock_ns);
	say_num("clock: elapsed by TSC (ns)      ", (int64_t)tsc_ns);
	check(&failures, clock_ns > 0 && diff * 100 <= tsc_ns, "PV clock within 1% of the TSC");

	late = timer_lateness();
	say_num("clock: polled timer late by (ns) ", late);
	check(&failures, late != INT64_MIN, "timer armed");
	check(&failures, late != INT64_MAX, "timer event came");
	check(&failures, late >= 0, "timer event not before its deadline");
	check(&failures, late <= (int64_t)TIMER_LATE_NS, "timer event within 1 s of its deadline");
	return report(si, failures, 0);
}
