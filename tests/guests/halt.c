/*
 * HLT as SPEC §10 and the run loop promise it: with interrupts on and an event pending, the
 * VM resumes and the event is delivered; with interrupts on and a timer armed, the VM sleeps
 * until the timer's event (never before its deadline); with interrupts off, the VM is stopped
 * for good (reason halted) at that HLT, whose address it prints first.
 */
#include "guest.h"

#define EVENT_VECTOR 0x41
#define TIMER_DELAY_NS 500000ull
#define TIMER_LATE_NS 1000000000ull

extern char event_entry[], halt_with_interrupts_off[];

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static volatile unsigned int timer_events, guest_events;
static volatile uint64_t timer_fired_ns;

static void on_event(unsigned int event, void *context)
{
	(void)context;
	if (event == PV_EVENT_TIMER) {
		timer_events++;
		timer_fired_ns = gk_clock_ns(&page);
	} else {
		guest_events++;
	}
}

void event_upcall(void);
void event_upcall(void)
{
	gk_events_dispatch(&page, on_event, 0);
}

GUEST_UPCALL_ENTRY(event_entry, event_upcall);

int64_t guest_main(const struct pv_start_info *si)
{
	uint64_t deadline;
	char buf[24];
	int failures = 0;

	if (guest_open())
		return 99;
	guest_idt_set(EVENT_VECTOR, event_entry);
	check(&failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check(&failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound");

	/* An event pending while masked; STI's shadow covers the HLT, which must still resume. */
	check(&failures, gk_event_send(0, PV_EVENT_GUEST_FIRST) == 0, "event sent");
	check(&failures, guest_events == 0, "not delivered while interrupts are off");
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	check(&failures, guest_events == 1,
	      "HLT with interrupts on and an event pending resumed, "
	      "and the event came once");

	/* Sleeping in HLT until a timer: woken by its event, not before the deadline. */
	deadline = gk_clock_ns(&page) + TIMER_DELAY_NS;
	check(&failures, gk_timer_set(deadline) == 0, "timer armed");
	for (int i = 0; i < 100000 && !timer_events; i++)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	check(&failures, timer_events == 1, "HLT with interrupts on woke for the timer");
	check(&failures, timer_fired_ns >= deadline, "timer event not before its deadline");
	check(&failures, timer_fired_ns - deadline <= TIMER_LATE_NS, "timer event within 1 s");

	/* The end: HLT with interrupts off never returns. */
	say("halt: HLT with interrupts off at ");
	say(gk_fmt_hex(buf, (uint64_t)(uintptr_t)halt_with_interrupts_off));
	say("\n");
	report(si, failures, 0);
	__asm__ volatile("cli\n"
			 ".global halt_with_interrupts_off\n"
			 "halt_with_interrupts_off: hlt" ::
				 : "memory");
	say("GUEST-FAIL halt: HLT with interrupts off returned\n");
	return 1;
}
