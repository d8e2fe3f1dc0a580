/*
 * Events: a PV timer event is not delivered while interrupts are masked, is delivered
 * exactly once when they are unmasked, and arrives through the bound vector with the
 * timer bit set. Also: binding before the vCPU page is refused, a bad vector is refused,
 * and an event raised by a hypercall in STI's shadow comes right after the VMCALL (skipping
 * the VMCALL ends the shadow, as executing it would).
 */
#include "guest.h"

#define EVENT_VECTOR 0x40

extern char event_entry[];

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static volatile unsigned int upcalls, timer_events, other_events;
static volatile uint64_t timer_fired_ns; /* the PV clock at the last timer event */
#define SHADOW_EVENT (PV_EVENT_GUEST_FIRST + 4)
static volatile uint64_t progress, progress_at_upcall; /* see the STI shadow check */

/*
 * A timer event never comes before its deadline; it may come late by the other VMs' slices
 * (this scenario runs six VMs), but not by more than this.
 */
#define TIMER_LATE_NS 1000000000ull

static void on_event(unsigned int event, void *context)
{
	(void)context;
	if (event == PV_EVENT_TIMER) {
		timer_events++;
		timer_fired_ns = gk_clock_ns(&page);
	} else {
		other_events++;
		if (event == SHADOW_EVENT)
			progress_at_upcall = progress;
	}
}

/* Called from event_entry (below) with interrupts off, on the interrupted stack. */
void event_upcall(void);
void event_upcall(void)
{
	upcalls++;
	gk_events_dispatch(&page, on_event, 0);
}

GUEST_UPCALL_ENTRY(event_entry, event_upcall);

int64_t guest_main(const struct pv_start_info *si)
{
	int failures = 0;
	uint64_t deadline;

	if (guest_open())
		return 99;
	guest_idt_set(EVENT_VECTOR, event_entry);
	check(&failures, gk_events_bind(EVENT_VECTOR) == PV_EINVAL, "bind before the page");
	check(&failures, gk_timer_set(1) == PV_EINVAL, "timer before the page");
	check(&failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check(&failures, gk_events_bind(8) == PV_EINVAL, "vector below 32 refused");
	check(&failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound");

	/* Masked: the deadline passes, the event is pending, nothing is delivered. */
	deadline = gk_clock_ns(&page) + 200000; /* 0.2 ms */
	check(&failures, gk_timer_set(deadline) == 0, "timer armed");
	while (gk_clock_ns(&page) < deadline + 100000)
		;
	gk_yield(); /* an exit, so Shunt looks at the timer */
	check(&failures, upcalls == 0, "no delivery while interrupts are masked");
	check(&failures, (page.events_pending >> PV_EVENT_TIMER) & 1, "timer event pending");

	/* Unmasked: delivered once, right away. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	check(&failures, upcalls == 1, "one upcall after sti");
	check(&failures, timer_events == 1 && other_events == 0, "timer event dispatched once");
	check(&failures, page.events_pending == 0 && page.upcall_pending == 0, "all acknowledged");

	/* A timer that fires while interrupts are on arrives on its own. */
	deadline = gk_clock_ns(&page) + 100000;
	check(&failures, gk_timer_set(deadline) == 0, "second timer");
	__asm__ volatile("sti" ::: "memory");
	for (uint64_t spin = 0; timer_events < 2 && spin < 100000000ull; spin++)
		__asm__ volatile("pause");
	__asm__ volatile("cli" ::: "memory");
	check(&failures, timer_events == 2 && upcalls == 2, "second timer delivered once");
	check(&failures, timer_fired_ns >= deadline, "second timer not before its deadline");
	check(&failures, timer_fired_ns - deadline <= TIMER_LATE_NS,
	      "second timer within 1 s of its deadline");
	say_num("events: second timer late by (ns) ", (int64_t)(timer_fired_ns - deadline));

	/* ABI 1.1: an event the guest sends itself comes back once, through the same path. */
	check(&failures, gk_event_send(0, 5) == PV_EINVAL, "event below the guest range");
	check(&failures, gk_event_send(1, PV_EVENT_GUEST_FIRST) == PV_EINVAL, "no such vCPU");
	check(&failures, gk_event_send(0, PV_EVENT_GUEST_FIRST + 3) == 0, "event sent");
	__asm__ volatile("sti; nop; cli" ::: "memory");
	check(&failures, other_events == 1 && upcalls == 3, "sent event delivered once");

	/*
	 * EVENT_SEND right after STI, in its one-instruction shadow: Shunt skips the VMCALL and
	 * with it the shadow ends, so the event is delivered before the instruction after the
	 * VMCALL runs (progress still 0), not after it.
	 */
	{
		uint64_t rax = PV_CALL_EVENT_SEND;

		progress = 0;
		__asm__ volatile("sti\n\tvmcall\n\tmovq $1, %[p]\n\tcli"
				 : [p] "=m"(progress), "+a"(rax)
				 : "D"(0ull), "S"((uint64_t)SHADOW_EVENT)
				 : "rdx", "memory");
		check_val(&failures, rax == 0, "event sent in STI's shadow", (int64_t)rax);
		check(&failures, other_events == 2 && upcalls == 4, "shadow event delivered once");
		check_val(&failures, progress_at_upcall == 0,
			  "event delivered right after the VMCALL that ended STI's shadow (1: an "
			  "instruction later)",
			  (int64_t)progress_at_upcall);
	}

	/* Cancelled: nothing more comes. */
	check(&failures, gk_timer_set(gk_clock_ns(&page) + 100000) == 0, "third timer");
	check(&failures, gk_timer_set(0) == 0, "third timer cancelled");
	__asm__ volatile("sti" ::: "memory");
	for (volatile int i = 0; i < 300000; i++)
		;
	gk_yield();
	__asm__ volatile("cli" ::: "memory");
	check(&failures, timer_events == 2 && upcalls == 4, "cancelled timer stays silent");
	say_num("events: upcalls ", upcalls);
	return report(si, failures, 0);
}
