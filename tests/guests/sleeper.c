/*
 * HLT that costs nothing (SPEC §10): a guest waiting for its PV timer in sti; hlt sleeps
 * until the timer's event. Each wait takes one HLT, not a poll of HLTs; each event comes
 * at or after its deadline by the guest's own PV clock; and the sleep is not steal time:
 * beside a busy VM (busy.elf) a wake-up waits at most a slice, alone only the wake-up's
 * own latency. cmdline: timers=N (per phase), delay_us=N (each timer), slice=TSC cycles of
 * a time slice, alone_ms=N (when the busy neighbour is surely done).
 */
#include "guest.h"

#define EVENT_VECTOR 0x41
#define WAKE_BOUND_NS 100000ull /* 100 us: the wake-up, the entry and the injection */

GUEST_UPCALL_ENTRY(sleeper_entry, sleeper_upcall);
extern char sleeper_entry[];

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

void sleeper_upcall(void);
void sleeper_upcall(void)
{
	gk_events_dispatch(&page, on_event, 0);
}

/*
 * timers waits of delay_ns each in sti; hlt. Checks every event against its deadline and
 * late_bound, the HLTs (one per wait), and the steal time the waits added (steal_bound).
 */
static void sleep_phase(int *failures, const char *phase, uint64_t timers, uint64_t delay_ns,
			uint64_t late_bound, uint64_t steal_bound)
{
	uint64_t hlts = 0, worst_late = 0, steal0 = gk_steal_ns(&page), t0 = gk_clock_ns(&page);

	for (uint64_t i = 0; i < timers; i++) {
		unsigned int before = fired;
		uint64_t deadline = gk_clock_ns(&page) + delay_ns;

		if (gk_timer_set(deadline)) {
			check(failures, 0, "timer armed");
			return;
		}
		/* Test and sleep with interrupts off but for the HLT, in STI's shadow. */
		while (fired == before) {
			__asm__ volatile("sti; hlt; cli" ::: "memory");
			hlts++;
		}
		if (fired_at < deadline) {
			say(phase);
			check_val(failures, 0, ": timer event before its deadline, by ns",
				  (int64_t)(deadline - fired_at));
		} else if (fired_at - deadline > worst_late) {
			worst_late = fired_at - deadline;
		}
	}
	say(phase);
	say_num(": HLTs ", (int64_t)hlts);
	say(phase);
	say_num(": worst lateness ns ", (int64_t)worst_late);
	say(phase);
	say_num(": steal ns ", (int64_t)(gk_steal_ns(&page) - steal0));
	say(phase);
	say_num(": slept ns ", (int64_t)(gk_clock_ns(&page) - t0));
	check_val(failures, hlts == timers, "one HLT per timer: the vCPU slept, it did not poll",
		  (int64_t)hlts);
	check_val(failures, worst_late <= late_bound, "timer event within its bound, late by ns",
		  (int64_t)worst_late);
	check_val(failures, gk_steal_ns(&page) - steal0 <= steal_bound,
		  "the sleep is not steal time: steal ns", (int64_t)(gk_steal_ns(&page) - steal0));
}

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t timers = guest_arg(si->cmdline, "timers", 10);
	uint64_t delay_ns = guest_arg(si->cmdline, "delay_us", 2000) * 1000;
	uint64_t alone_ns = guest_arg(si->cmdline, "alone_ms", 300) * 1000000ull;
	uint64_t khz = gk_cpuid_reg(PV_CPUID_LIMITS, 2);
	uint64_t slice_ns = guest_arg(si->cmdline, "slice", 2000000) * 1000000ull / (khz ? khz : 1);
	int failures = 0;

	if (guest_open())
		return 99;
	guest_idt_set(EVENT_VECTOR, sleeper_entry);
	check(&failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check(&failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound");
	/* Beside the busy VM: each wake-up may wait for the rest of its slice. */
	sleep_phase(&failures, "sleeper beside busy", timers, delay_ns, slice_ns + WAKE_BOUND_NS,
		    timers * (slice_ns + WAKE_BOUND_NS));
	while (gk_clock_ns(&page) < alone_ns) { /* asleep until the neighbour is surely done */
		gk_timer_set(alone_ns);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	/* Alone: the CPU itself waits for the deadline; nothing but the wake-up is steal. */
	sleep_phase(&failures, "sleeper alone", timers, delay_ns, WAKE_BOUND_NS,
		    timers * WAKE_BOUND_NS);
	return report(si, failures, 0);
}
