/*
 * Undoing things (SPEC.md §4, §6): a refused HELLO leaves an open interface open at the
 * version negotiated before; VCPU_PAGE_SET(0) unregisters the page, unbinds events and
 * cancels the timer (nothing arrives, not even after a new page is registered); EVENT_BIND(0)
 * unbinds (events raised meanwhile are recorded in the page but no upcall is injected, until
 * a vector is bound again).
 */
#include "guest.h"

#define EVENT_VECTOR 0x42

GUEST_UPCALL_ENTRY(lifecycle_entry, lifecycle_upcall);
extern char lifecycle_entry[];

static struct pv_vcpu_page page __attribute__((aligned(4096)));
static volatile unsigned int upcalls;

void lifecycle_upcall(void);
void lifecycle_upcall(void)
{
	upcalls++; /* leaves events_pending alone: the checks read it */
	page.upcall_pending = 0;
}

/* ns nanoseconds with interrupts on, with exits (YIELD) so Shunt looks at timers. */
static void wait_open(uint64_t ns)
{
	uint64_t khz = gk_cpuid_reg(PV_CPUID_LIMITS, 2);
	uint64_t until = gk_rdtsc() + ns * khz / 1000000;

	__asm__ volatile("sti" ::: "memory");
	while (gk_rdtsc() < until)
		gk_yield();
	__asm__ volatile("cli" ::: "memory");
}

static void check_refused_hello(int *failures)
{
	int64_t r;

	/* Open at 1.0, then ask for a major Shunt does not speak. */
	r = gk_call_hello(PV_ABI_VERSION(1, 0), PV_OS_TEST, 1);
	check_val(failures, r == PV_ABI_VERSION(1, 0), "HELLO 1.0 accepted", r);
	r = gk_call_hello(PV_ABI_VERSION(PV_ABI_MAJOR + 1, 0), PV_OS_TEST, 1);
	check_val(failures, r == PV_EPROTONOSUPPORT, "HELLO for the next major refused", r);
	r = gk_call_hello(1ull << 40 | PV_ABI_CURRENT, PV_OS_TEST, 1);
	check_val(failures, r == PV_EPROTONOSUPPORT, "HELLO with bits above 32 refused", r);
	/* Still open (not PV_ENOTCONN), and still at 1.0: EVENT_SEND (1.1) does not exist. */
	r = gk_yield();
	check_val(failures, r == 0, "interface still open after a refused HELLO", r);
	r = gk_console_puts("lifecycle: still open after a refused HELLO\n");
	check_val(failures, r > 0, "console still works after a refused HELLO", r);
	r = gk_hypercall6(PV_CALL_EVENT_SEND, 0, PV_EVENT_GUEST_FIRST, 0, 0, 0, 0);
	check_val(failures, r == PV_ENOSYS, "still at 1.0: EVENT_SEND is PV_ENOSYS", r);
	r = gk_call_hello(PV_ABI_CURRENT, PV_OS_TEST, 1);
	check_val(failures, r == PV_ABI_CURRENT, "HELLO at the current version", r);
}

static void check_page_unset(int *failures)
{
	uint64_t deadline;
	int64_t r;

	check(failures, gk_vcpu_page_set(&page) == 0, "page registered");
	check(failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound");
	deadline = gk_clock_ns(&page) + 3000000; /* 3 ms */
	check(failures, gk_timer_set(deadline) == 0, "timer armed");
	r = gk_vcpu_page_set(0);
	check_val(failures, r == 0, "VCPU_PAGE_SET(0)", r);
	/* Unregistered: calls that need a page say so. */
	r = gk_events_bind(EVENT_VECTOR);
	check_val(failures, r == PV_EINVAL, "EVENT_BIND without a page", r);
	r = gk_timer_set(1);
	check_val(failures, r == PV_EINVAL, "TIMER_SET without a page", r);
	r = gk_event_send(0, PV_EVENT_GUEST_FIRST);
	check_val(failures, r == PV_EINVAL, "EVENT_SEND without a page", r);
	wait_open(5000000); /* past the old deadline */
	check_val(failures, upcalls == 0, "no upcall after VCPU_PAGE_SET(0)", upcalls);
	check_val(failures, page.events_pending == 0, "no event written to the old page",
		  (int64_t)page.events_pending);

	/* A new page: the old timer stays cancelled, and no vector is bound until asked. */
	check(failures, gk_vcpu_page_set(&page) == 0, "page registered again");
	deadline = gk_clock_ns(&page);
	check(failures, gk_timer_set(deadline + 4000000) == 0, "timer armed 4 ms ahead");
	check(failures, gk_vcpu_page_set(0) == 0, "unregistered again");
	check(failures, gk_vcpu_page_set(&page) == 0, "registered a third time");
	check(failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound again");
	wait_open(8000000);
	check_val(failures, upcalls == 0, "a timer armed before VCPU_PAGE_SET(0) never fires",
		  upcalls);
	check_val(failures, page.events_pending == 0, "no timer event after re-registering",
		  (int64_t)page.events_pending);

	/* The vector went with the page: an event on a new page is recorded, not injected. */
	check(failures, gk_vcpu_page_set(0) == 0, "unregistered a third time");
	check(failures, gk_vcpu_page_set(&page) == 0, "registered a fourth time");
	check(failures, gk_event_send(0, PV_EVENT_GUEST_FIRST) == 0, "event sent, no vector bound");
	wait_open(1000000);
	check_val(failures, upcalls == 0, "no upcall after VCPU_PAGE_SET(0) and a new page",
		  upcalls);
	check_val(failures, page.events_pending == 1ull << PV_EVENT_GUEST_FIRST,
		  "the event is recorded in the new page", (int64_t)page.events_pending);
	page.events_pending = 0;
	check(failures, gk_events_bind(EVENT_VECTOR) == 0, "vector bound again");
}

static void check_unbind(int *failures)
{
	int64_t r;

	r = gk_events_bind(0);
	check_val(failures, r == 0, "EVENT_BIND(0)", r);
	r = gk_event_send(0, PV_EVENT_GUEST_FIRST + 1);
	check_val(failures, r == 0, "event sent while unbound", r);
	r = gk_timer_set(1); /* a past deadline: fires at once */
	check_val(failures, r == 0, "past timer while unbound", r);
	wait_open(2000000);
	check_val(failures, upcalls == 0, "no upcall while unbound", upcalls);
	check_val(failures, page.upcall_pending == 0, "upcall_pending stays 0 while unbound",
		  page.upcall_pending);
	check_val(failures,
		  page.events_pending ==
			  (1ull << PV_EVENT_TIMER | 1ull << (PV_EVENT_GUEST_FIRST + 1)),
		  "the events are recorded in the page", (int64_t)page.events_pending);
	/* Bound again: the pending events are announced, once. */
	r = gk_events_bind(EVENT_VECTOR);
	check_val(failures, r == 0, "bound again", r);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	check_val(failures, upcalls == 1, "one upcall once bound again", upcalls);
}

int64_t guest_main(const struct pv_start_info *si)
{
	int failures = 0;

	if (guest_open())
		return 99;
	guest_idt_set(EVENT_VECTOR, lifecycle_entry);
	check_refused_hello(&failures);
	check_page_unset(&failures);
	check_unbind(&failures);
	return report(si, failures, 0);
}
