/*
 * The PV timer and the vCPU page's time fields, as Shunt keeps them (SPEC.md §9, §10):
 * steal time is published and grows while a busy neighbour (busy.elf) has the CPU; the
 * TSC_STABLE flag says what CPUID 0x80000007 EDX bit 8 says to this guest; a deadline in the
 * past fires at once (on the entry that ends TIMER_SET); and no timer fires before its
 * deadline by this guest's own PV clock, nor later than LATE_BOUND_NS after it once the
 * neighbour is gone (cmdline: slice=TSC cycles of a time slice, alone_ms=N: when the
 * neighbour is surely done).
 */
#include "guest.h"

#define EVENT_VECTOR 0x41
#define LATE_BOUND_NS 100000ull /* 100 us: an exit, the event and the injection */
#define TIMERS 40

GUEST_UPCALL_ENTRY(timer_entry, timer_upcall);
extern char timer_entry[];

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static volatile unsigned int fired;
static volatile uint64_t fired_at; /* PV clock when the last timer event was handled */

static void on_event(unsigned int event, void *context)
{
	(void)context;
	if (event != PV_EVENT_TIMER)
		return;
	fired_at = gk_clock_ns(&page);
	fired++;
}

void timer_upcall(void);
void timer_upcall(void)
{
	gk_events_dispatch(&page, on_event, 0);
}

/* A failed check of one phase: "check failed: PHASE: what (got N)". */
static void phase_failed(int *failures, const char *phase, const char *what, int64_t got)
{
	char buf[24];

	(*failures)++;
	say("check failed: ");
	say(phase);
	say(": ");
	say(what);
	say(" (got ");
	say(gk_fmt_i64(buf, got));
	say(")\n");
}

static void spin_until(uint64_t ns)
{
	while (gk_clock_ns(&page) < ns)
		__asm__ volatile("pause");
}

/* Steal time: grows while the neighbour runs. Three slices beside it: one is the other's. */
static void check_steal(int *failures, uint64_t slice_ns)
{
	uint64_t t0 = gk_clock_ns(&page), s0 = gk_steal_ns(&page), t1, s1;

	spin_until(t0 + 3 * slice_ns);
	s1 = gk_steal_ns(&page);
	t1 = gk_clock_ns(&page);
	say_num("ptimer: steal ns over 3 slices beside the busy VM: ", (int64_t)(s1 - s0));
	check_val(failures, s1 > s0, "steal time grows while another VM runs", (int64_t)(s1 - s0));
	check_val(failures, s1 - s0 >= slice_ns / 2, "steal over 3 slices is at least half a slice",
		  (int64_t)(s1 - s0));
	check_val(failures, s1 - s0 <= t1 - t0, "steal is no more than the time that passed",
		  (int64_t)(s1 - s0));
}

static void check_tsc_stable(int *failures)
{
	uint32_t max_ext = gk_cpuid_reg(0x80000000u, 0);
	uint32_t invariant = max_ext >= 0x80000007u ? (gk_cpuid_reg(0x80000007u, 3) >> 8) & 1 : 0;
	uint32_t stable = page.clock.flags & PV_CLOCK_TSC_STABLE;

	say_num("ptimer: CPUID invariant TSC ", invariant);
	check_val(failures, stable == invariant,
		  "PV_CLOCK_TSC_STABLE equals CPUID 0x80000007 EDX bit 8 (flags shown)",
		  page.clock.flags);
}

/* A deadline already past fires on the entry that ends TIMER_SET: before the next insn. */
static void check_past_deadline(int *failures)
{
	unsigned int before = fired;
	uint64_t deadline = gk_clock_ns(&page) - 1000;
	int64_t r;

	__asm__ volatile("sti" ::: "memory");
	r = gk_timer_set(deadline);
	__asm__ volatile("cli" ::: "memory");
	check_val(failures, r == 0, "past deadline accepted", r);
	check_val(failures, fired == before + 1, "a past deadline fires at once",
		  (int64_t)(fired - before));
	check_val(failures, fired_at >= deadline, "fired after the (past) deadline",
		  (int64_t)(fired_at - deadline));
}

/*
 * TIMERS timers at deadlines from 0 to about 3 ms ahead, each waited for with interrupts on:
 * the handler's PV clock is never before the deadline, and at most bound after it.
 */
static void check_timers(int *failures, uint64_t bound, const char *phase)
{
	static const uint64_t ahead_ns[] = { 0,	    1,	   500,	  2000,	  10000,  30000,   49000,
					     50000, 51000, 99000, 200000, 777000, 1500000, 3000000 };
	uint64_t worst_late = 0;

	for (unsigned int i = 0; i < TIMERS; i++) {
		uint64_t ahead = ahead_ns[i % (sizeof(ahead_ns) / sizeof(ahead_ns[0]))] + i * 137;
		unsigned int before = fired;
		uint64_t deadline = gk_clock_ns(&page) + ahead, late;

		if (gk_timer_set(deadline)) {
			check(failures, 0, "timer armed");
			return;
		}
		__asm__ volatile("sti" ::: "memory");
		while (fired == before && gk_clock_ns(&page) < deadline + 100000000ull)
			__asm__ volatile("pause");
		__asm__ volatile("cli" ::: "memory");
		if (fired == before) {
			phase_failed(failures, phase, "timer did not fire within 100 ms (ahead ns)",
				     (int64_t)ahead);
			continue;
		}
		if (fired_at < deadline) {
			phase_failed(failures, phase, "timer fired before its deadline, by ns",
				     (int64_t)(deadline - fired_at));
			continue;
		}
		late = fired_at - deadline;
		worst_late = late > worst_late ? late : worst_late;
		if (late > bound) {
			say(phase);
			check_val(failures, 0, ": timer fired later than the bound, by ns",
				  (int64_t)late);
		}
	}
	say(phase);
	say_num(": worst lateness ns ", (int64_t)worst_late);
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t alone_ns = guest_arg(si->cmdline, "alone_ms", 300) * 1000000ull;
	uint64_t khz = gk_cpuid_reg(PV_CPUID_LIMITS, 2);
	uint64_t slice_ns = guest_arg(si->cmdline, "slice", 2000000) * 1000000ull / (khz ? khz : 1);
	int failures = 0;

	if (guest_open())
		return 99;
	guest_idt_set(EVENT_VECTOR, timer_entry);
	for (unsigned int i = 0; i < sizeof(page); i++)
		((volatile uint8_t *)&page)[i] = 0xff; /* Shunt must overwrite all of it */
	check(&failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check_val(&failures, page.steal_time_ns <= gk_clock_ns(&page),
		  "steal time published at registration (no more than the VM's age)",
		  (int64_t)page.steal_time_ns);
	check(&failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound");
	check_steal(&failures, slice_ns);
	check_tsc_stable(&failures);
	check_past_deadline(&failures);
	/* Beside the busy VM a timer may wait for this VM's next slice: two slices at most. */
	check_timers(&failures, 2 * slice_ns + LATE_BOUND_NS, "ptimer beside busy");
	spin_until(alone_ns);
	check_past_deadline(&failures);
	check_timers(&failures, LATE_BOUND_NS, "ptimer alone");
	return report(si, failures, 0);
}
