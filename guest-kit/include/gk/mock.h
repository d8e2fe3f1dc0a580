/* SPDX-License-Identifier: MIT */
/*
 * A fake Shunt for host unit tests of guest code built with -DGK_MOCK. It owns the
 * hypervisor's side of the ABI: the calls of ABI 1.0 and 1.1 with the checks and effects of
 * pv-abi/SPEC.md (the hardware calls of 1.2 answer as to a VM granted no hardware), Shunt's
 * CPUID leaves and the TSC, all kept in one struct gk_mock that tests read and set. It runs
 * on an Intel or, with vmmcall set, an AMD CPU (ABI 1.4), and counts which instruction each
 * hypercall would have executed (gk_hypercall_vmmcall: no instruction runs on a host). Host
 * pointers stand for guest-physical addresses (GK_VIRT_TO_PHYS must stay the identity).
 * One translation unit defines GK_MOCK_IMPLEMENTATION before including it; each test calls
 * gk_mock_reset() first. Needs a 64-bit gcc or clang host.
 */
#ifndef GK_MOCK_H
#define GK_MOCK_H

#ifndef GK_MOCK
#error "gk/mock.h is the backend of -DGK_MOCK builds: compile with -DGK_MOCK"
#endif

#include <gk/base.h>
#include <gk/detect.h>
#include <gk/hypercall.h>
#include <pvabi/console_ring.h>
#include <pvabi/pvabi.h>
#include <pvabi/vcpu_page.h>
#include <pvabi/vm_info.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Console bytes the mock keeps; anything beyond is counted in console_dropped. */
#define GK_MOCK_CONSOLE_SIZE 65536

/* One hypercall as the mock received it. */
struct gk_mock_call {
	uint64_t nr;
	uint64_t arg[6]; /* RDI, RSI, RDX, R10, R8, R9 */
	int64_t result;	 /* what RAX returned (not set for an EXIT that stopped the VM) */
};

/*
 * The whole fake: configuration first (gk_mock_reset()'s default after each field; tests may
 * change any of it at any time), then the state the calls leave, then counters. Tests read
 * all of it and may also set the state, e.g. to simulate what an earlier run left behind.
 */
struct gk_mock {
	/* --- Configuration --- */
	uint32_t abi_version;	      /* the ABI Shunt speaks (VERSION, leaf 0x40000001): current */
	uint32_t permissions;	      /* PV_PERM_* this VM holds, enforced and in CPUID: base,
				       * console, time, events (no hardware grant) */
	uint32_t features;	      /* PV_FEATURE_* in CPUID (not enforced): those of the
				       * calls the mock models, all but PV_FEATURE_HW */
	uint64_t tsc;		      /* what RDTSC returns: 0; set it, or advance it with
				       * gk_mock_advance() (only that fires the timer) */
	uint64_t tsc_hz;	      /* TSC frequency, 1 kHz to 10^12 Hz: 1 GHz; takes effect
				       * when the clock is published (page set, publish_clock) */
	uint64_t tsc_start;	      /* TSC when the VM started, i.e. PV clock time 0: 0 */
	uint32_t vcpu_id;	      /* CPUID.1:EBX[31:24], the one vCPU EVENT_SEND may name: 0 */
	bool vmmcall;		      /* Shunt on AMD-V: PV_FEATURE_VMMCALL in CPUID (added to
				       * features) and VMCALLs taken the slow way, counted in
				       * calls_vmcall; false = Intel, where a VMMCALL would be
				       * the guest's #UD and stops the test: false */
	bool hypervisor_bit;	      /* CPUID.1:ECX[31]: true (false = bare metal) */
	uint32_t max_leaf;	      /* CPUID 0x40000000.EAX: PV_CPUID_MAX_LEAF */
	uint32_t signature[3];	      /* CPUID 0x40000000.EBX, ECX, EDX: "ShuntShuntHV" */
	uint32_t interface_signature; /* CPUID 0x40000001.EAX: PV_INTERFACE_SIGNATURE */
	uint64_t ram_start, ram_end;  /* guest RAM as host addresses, [start, end): the x86-64
				       * user half above page 0, [0x1000, 2^47) */
	void (*rdtsc_hook)(void);     /* called by every RDTSC before it reads tsc: NULL */
	uint64_t throttle_until;      /* TSC before which every rate-limited call (rate class
				       * not PV_RATE_NONE) is refused PV_ETHROTTLED with RDX =
				       * the nanoseconds left until then, rounded up: 0 */
	uint32_t vm_id;		      /* VM_INFO's vm_id: 0 */
	char vm_name[PV_VM_NAME_MAX]; /* VM_INFO's name: "mock" */
	jmp_buf *exit_jmp;	      /* gk_exit() and EXIT longjmp here with value 1; NULL
				       * aborts the program */

	/* --- State: what Shunt holds for this VM --- */
	uint32_t negotiated; /* version HELLO agreed on; 0 = interface closed */
	uint32_t os_kind;    /* named in the last successful HELLO */
	uint64_t os_version;
	struct pv_vcpu_page *page;    /* registered vCPU page, or NULL */
	struct pv_clock clock;	      /* the clock last published into the page */
	uint8_t vector;		      /* bound event vector; 0 = none */
	uint64_t timer_deadline;      /* armed deadline in PV clock ns; 0 = none */
	struct pv_console_ring *ring; /* console ring, or NULL */
	uint32_t ring_size;	      /* its data size as set (the header's copy is the guest's) */
	char console[GK_MOCK_CONSOLE_SIZE + 1]; /* bytes received by CONSOLE_WRITE and ring
						 * kicks, raw, always NUL-terminated */
	size_t console_len;
	bool exited; /* the VM stopped: EXIT, or gk_exit() after a refused EXIT */
	int64_t exit_code;

	/* --- Counters --- */
	uint64_t calls[PV_CALL_COUNT]; /* hypercalls made, per call number, refused ones too */
	uint64_t calls_unknown;	       /* hypercalls with a number outside PV_CALL_LIST */
	uint64_t calls_vmcall;	       /* hypercalls made with VMCALL, and with VMMCALL: */
	uint64_t calls_vmmcall;	       /* what gk_hypercall_vmmcall chose at each */
	struct gk_mock_call last;      /* the latest hypercall */
	uint64_t cpuid_reads, rdtsc_reads;
	uint64_t console_dropped; /* console bytes beyond GK_MOCK_CONSOLE_SIZE */
	uint64_t ring_resets;	  /* kicks that found inconsistent indexes */
	uint64_t events_raised;	  /* event bits set in the page */
	uint64_t timer_fired;
	uint64_t throttled; /* PV_ETHROTTLED answers (see throttle_until) */
	uint64_t upcalls;   /* vector injections (upcall_pending set to 1) */

	bool ready; /* set by gk_mock_reset(); the mock refuses to run without it */
};

#ifdef __cplusplus
extern "C" {
#endif

extern struct gk_mock gk_mock;

/*
 * Forgets everything and sets the default configuration; the guest's side starts afresh
 * too, as a VM does: gk_hypercall_vmmcall = 0 (VMCALL until detection).
 */
void gk_mock_reset(void);

/*
 * Lets ticks TSC ticks pass. If the armed timer's deadline is reached, it fires once:
 * PV_EVENT_TIMER is raised as by gk_mock_raise().
 */
void gk_mock_advance(uint64_t ticks);

/*
 * Raises event (PV_EVENT_*) as Shunt does: sets its bit in the page's events_pending and,
 * when a vector is bound and upcall_pending is 0, "injects" it: sets upcall_pending and
 * counts an upcall. The test then calls gk_events_dispatch(), as the guest's handler would.
 * Without a page, or for event >= PV_EVENT_COUNT, nothing happens.
 */
void gk_mock_raise(unsigned int event);

/* Publishes the clock again (e.g. after a change of tsc_hz); needs a registered page. */
void gk_mock_publish_clock(void);

/* The PV clock as the published fields give it now, computed exactly. */
uint64_t gk_mock_clock_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* GK_MOCK_H */

/* ------------------------------------------------------------------------------------- */
#if defined(GK_MOCK_IMPLEMENTATION) && !defined(GK_MOCK_IMPLEMENTED)
#define GK_MOCK_IMPLEMENTED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GK_MOCK_NS_PER_SEC 1000000000ull
#define GK_MOCK_PAGE_SIZE 4096u
#define GK_MOCK_FIRST_VECTOR 32u

/* Host-only code: 128-bit products keep the clock arithmetic exact and obvious. */
__extension__ typedef unsigned __int128 gk_mock_u128;

#ifdef __cplusplus
extern "C" {
#endif

struct gk_mock gk_mock;
uint64_t gk_mock_rdx;

/* A test that misuses the mock stops right there, saying why. */
__attribute__((noreturn)) static void gk_mock_fail(const char *why)
{
	fprintf(stderr, "gk/mock.h: %s\n", why);
	abort();
}

static void gk_mock_check_ready(void)
{
	if (!gk_mock.ready)
		gk_mock_fail("call gk_mock_reset() before using the mock");
}

void gk_mock_reset(void)
{
	memset(&gk_mock, 0, sizeof(gk_mock));
	gk_mock.abi_version = PV_ABI_CURRENT;
	gk_mock.permissions = PV_PERM_BASE | PV_PERM_CONSOLE | PV_PERM_TIME | PV_PERM_EVENTS;
	gk_mock.features = PV_FEATURE_VCPU_PAGE | PV_FEATURE_EVENTS | PV_FEATURE_TIMER |
			   PV_FEATURE_CONSOLE_RING | PV_FEATURE_EVENT_SEND;
	gk_mock.tsc_hz = GK_MOCK_NS_PER_SEC;
	gk_mock.hypervisor_bit = true;
	gk_mock.max_leaf = PV_CPUID_MAX_LEAF;
	gk_mock.signature[0] = PV_CPUID_SIGNATURE_EBX;
	gk_mock.signature[1] = PV_CPUID_SIGNATURE_ECX;
	gk_mock.signature[2] = PV_CPUID_SIGNATURE_EDX;
	gk_mock.interface_signature = PV_INTERFACE_SIGNATURE;
	memcpy(gk_mock.vm_name, "mock", 5);
	gk_hypercall_vmmcall = 0;
	gk_mock.ram_start = 0x1000;
	gk_mock.ram_end = 1ull << 47;
	gk_mock.ready = true;
}

/* --- Time --- */

/*
 * The kvmclock scale for hz: ns = ((ticks << shift) * mul) >> 32 with mul in [2^31, 2^32),
 * the most precise 32-bit multiplier (error below 2^-31, half a nanosecond per second).
 */
static void gk_mock_scale_for(uint64_t hz, uint32_t *mul, int8_t *shift)
{
	int s;
	gk_mock_u128 m = 0;

	if (hz < 1000 || hz > 1000000000000ull)
		gk_mock_fail("tsc_hz must be between 1 kHz and 10^12 Hz");
	/* mul(s) = 10^9 * 2^(32 - s) / hz halves as s grows: take the first below 2^32. */
	for (s = -31; s <= 31; s++) {
		m = ((gk_mock_u128)GK_MOCK_NS_PER_SEC << (32 - s)) / hz;
		if (m <= 0xffffffffu)
			break;
	}
	*mul = (uint32_t)m;
	*shift = (int8_t)s;
}

/* The published clock read at tsc, exactly: system_time_ns + scale(tsc - tsc_timestamp). */
static uint64_t gk_mock_clock_at(uint64_t tsc)
{
	const struct pv_clock *c = &gk_mock.clock;
	gk_mock_u128 d = tsc - c->tsc_timestamp;

	d = c->tsc_shift < 0 ? d >> -c->tsc_shift : d << c->tsc_shift;
	return c->system_time_ns + (uint64_t)((d * c->tsc_to_system_mul) >> 32);
}

uint64_t gk_mock_clock_ns(void)
{
	gk_mock_check_ready();
	return gk_mock_clock_at(gk_mock.tsc);
}

/*
 * Stamps the clock at the current TSC with the exact time since tsc_start, under an odd
 * version as Shunt does, into the mock's copy and the page.
 */
void gk_mock_publish_clock(void)
{
	struct pv_clock *c = &gk_mock.clock;
	uint64_t ticks = gk_mock.tsc - gk_mock.tsc_start;

	gk_mock_check_ready();
	if (!gk_mock.page)
		gk_mock_fail("gk_mock_publish_clock() without a vCPU page");
	c->version = gk_mock.page->clock.version + 1;
	gk_mock.page->clock.version = c->version;
	c->flags = PV_CLOCK_TSC_STABLE;
	c->tsc_timestamp = gk_mock.tsc;
	c->system_time_ns = (uint64_t)((gk_mock_u128)ticks * GK_MOCK_NS_PER_SEC / gk_mock.tsc_hz);
	gk_mock_scale_for(gk_mock.tsc_hz, &c->tsc_to_system_mul, &c->tsc_shift);
	c->version++;
	gk_mock.page->clock = *c;
}

/* --- Events and the timer --- */

void gk_mock_raise(unsigned int event)
{
	struct pv_vcpu_page *page = gk_mock.page;

	gk_mock_check_ready();
	if (!page || event >= PV_EVENT_COUNT)
		return;
	page->events_pending |= 1ull << event;
	gk_mock.events_raised++;
	if (gk_mock.vector && !page->upcall_pending) {
		page->upcall_pending = 1;
		gk_mock.upcalls++;
	}
}

/* Fires the armed timer once the PV clock reaches its deadline. */
static void gk_mock_check_timer(void)
{
	if (!gk_mock.page || !gk_mock.timer_deadline ||
	    gk_mock_clock_at(gk_mock.tsc) < gk_mock.timer_deadline)
		return;
	gk_mock.timer_deadline = 0;
	gk_mock.timer_fired++;
	gk_mock_raise(PV_EVENT_TIMER);
}

void gk_mock_advance(uint64_t ticks)
{
	gk_mock_check_ready();
	gk_mock.tsc += ticks;
	gk_mock_check_timer();
}

/* --- The calls, one handler each (SPEC.md §6) --- */

/* Whether [gpa, gpa + len) lies inside the VM's RAM. */
static bool gk_mock_in_ram(uint64_t gpa, uint64_t len)
{
	return gpa >= gk_mock.ram_start && gpa <= gk_mock.ram_end && len <= gk_mock.ram_end - gpa;
}

static void gk_mock_console_put(const char *buf, size_t len)
{
	size_t room = GK_MOCK_CONSOLE_SIZE - gk_mock.console_len;
	size_t n = len < room ? len : room;

	memcpy(gk_mock.console + gk_mock.console_len, buf, n);
	gk_mock.console_len += n;
	gk_mock.console[gk_mock.console_len] = '\0';
	gk_mock.console_dropped += len - n;
}

static int64_t gk_mock_hc_version(const uint64_t *arg)
{
	(void)arg;
	return gk_mock.abi_version;
}

static int64_t gk_mock_hc_console_write(const uint64_t *arg)
{
	uint64_t gpa = arg[0], len = arg[1];

	if (len > PV_CONSOLE_WRITE_MAX)
		return PV_E2BIG;
	if (len == 0)
		return 0;
	if (!gk_mock_in_ram(gpa, len))
		return PV_EFAULT;
	gk_mock_console_put((const char *)(uintptr_t)gpa, (size_t)len);
	return (int64_t)len;
}

static int64_t gk_mock_hc_yield(const uint64_t *arg)
{
	(void)arg;
	return 0;
}

static int64_t gk_mock_hc_exit(const uint64_t *arg)
{
	gk_mock_exit((int64_t)arg[0]); /* the VM is gone: back to the test */
}

/* Negotiation (SPEC.md §4): the guest's major if Shunt speaks it, the smaller minor. */
static int64_t gk_mock_hc_hello(const uint64_t *arg)
{
	uint32_t wanted = (uint32_t)arg[0], minor = PV_ABI_VERSION_MINOR(wanted);

	if (arg[0] > 0xffffffffull ||
	    PV_ABI_VERSION_MAJOR(wanted) != PV_ABI_VERSION_MAJOR(gk_mock.abi_version))
		return PV_EPROTONOSUPPORT; /* an interface opened before stays open */
	if (minor > PV_ABI_VERSION_MINOR(gk_mock.abi_version))
		minor = PV_ABI_VERSION_MINOR(gk_mock.abi_version);
	gk_mock.negotiated = PV_ABI_VERSION(PV_ABI_VERSION_MAJOR(wanted), minor);
	gk_mock.os_kind = (uint32_t)arg[1];
	gk_mock.os_version = arg[2];
	return gk_mock.negotiated;
}

static int64_t gk_mock_hc_vcpu_page_set(const uint64_t *arg)
{
	uint64_t gpa = arg[0];

	if (gpa == 0) {
		gk_mock.page = NULL;
		gk_mock.vector = 0;
		gk_mock.timer_deadline = 0;
		return 0;
	}
	if (gpa & (GK_MOCK_PAGE_SIZE - 1))
		return PV_EINVAL;
	if (!gk_mock_in_ram(gpa, GK_MOCK_PAGE_SIZE))
		return PV_EFAULT;
	gk_mock.page = (struct pv_vcpu_page *)(uintptr_t)gpa;
	memset(gk_mock.page, 0, sizeof(*gk_mock.page));
	gk_mock_publish_clock();
	return 0;
}

static int64_t gk_mock_hc_event_bind(const uint64_t *arg)
{
	uint64_t vector = arg[0];

	if (vector != 0 && (vector < GK_MOCK_FIRST_VECTOR || vector > 255))
		return PV_EINVAL;
	if (!gk_mock.page)
		return PV_EINVAL; /* events are reported in the vCPU page */
	gk_mock.vector = (uint8_t)vector;
	if (vector && gk_mock.page->events_pending && !gk_mock.page->upcall_pending) {
		gk_mock.page->upcall_pending = 1; /* events waiting for a vector get one now */
		gk_mock.upcalls++;
	}
	return 0;
}

static int64_t gk_mock_hc_timer_set(const uint64_t *arg)
{
	if (!gk_mock.page)
		return PV_EINVAL; /* the event has nowhere to land */
	gk_mock.timer_deadline = arg[0];
	gk_mock_check_timer(); /* a deadline in the past fires at once */
	return 0;
}

static int64_t gk_mock_hc_console_ring_set(const uint64_t *arg)
{
	uint64_t gpa = arg[0], size = arg[1];
	struct pv_console_ring *ring;

	if (gpa == 0) {
		gk_mock.ring = NULL;
		gk_mock.ring_size = 0;
		return 0;
	}
	if (size < PV_CONSOLE_RING_MIN || size > PV_CONSOLE_RING_MAX || (size & (size - 1)) ||
	    (gpa & 7))
		return PV_EINVAL;
	if (!gk_mock_in_ram(gpa, sizeof(*ring) + size))
		return PV_EFAULT;
	ring = (struct pv_console_ring *)(uintptr_t)gpa;
	ring->size = (uint32_t)size;
	ring->consumer = ring->producer;
	gk_mock.ring = ring;
	gk_mock.ring_size = (uint32_t)size;
	return 0;
}

/* Drains [consumer, producer) into the console; indexes are the guest's, so checked. */
static int64_t gk_mock_hc_console_ring_kick(const uint64_t *arg)
{
	struct pv_console_ring *ring = gk_mock.ring;
	uint32_t producer, consumer, pending, mask = gk_mock.ring_size - 1;
	const uint8_t *data;

	(void)arg;
	if (!ring)
		return PV_EINVAL;
	data = PV_CONSOLE_RING_DATA(ring);
	producer = __atomic_load_n(&ring->producer, __ATOMIC_ACQUIRE);
	consumer = ring->consumer;
	pending = producer - consumer;
	if (pending > gk_mock.ring_size) {
		__atomic_store_n(&ring->consumer, producer, __ATOMIC_RELEASE);
		gk_mock.ring_resets++;
		return PV_EINVAL;
	}
	for (; consumer != producer; consumer++) {
		char c = (char)data[consumer & mask];

		gk_mock_console_put(&c, 1);
	}
	__atomic_store_n(&ring->consumer, consumer, __ATOMIC_RELEASE);
	return pending;
}

static int64_t gk_mock_hc_event_send(const uint64_t *arg)
{
	uint64_t target = arg[0], event = arg[1];

	if (target != gk_mock.vcpu_id || event < PV_EVENT_GUEST_FIRST ||
	    event > PV_EVENT_GUEST_LAST || !gk_mock.page)
		return PV_EINVAL;
	gk_mock_raise((unsigned int)event);
	return 0;
}

static int64_t gk_mock_hc_vm_info(const uint64_t *arg)
{
	struct pv_vm_info *info = (struct pv_vm_info *)(uintptr_t)arg[0];

	if (!gk_mock_in_ram(arg[0], sizeof(*info)))
		return PV_EFAULT;
	memset(info, 0, sizeof(*info));
	info->vm_id = gk_mock.vm_id;
	info->vcpu_count = 1;
	info->boots = 1;
	memcpy(info->name, gk_mock.vm_name, sizeof(info->name) - 1);
	return 0;
}

/* --- Dispatch (SPEC.md §4, §7): the same order of refusals as Shunt's hc_dispatch --- */

/* Each call's permission class and the version that introduced it, from PV_CALL_LIST. */
struct gk_mock_entry {
	uint64_t nr;
	uint32_t permission;
	uint32_t rate_class;
	uint32_t since;
};

#define GK_MOCK_ENTRY(nr, NAME, name, nargs, args, result, perm, rate, major, minor)               \
	{ nr, perm, rate, PV_ABI_VERSION(major, minor) },
static const struct gk_mock_entry gk_mock_calls[] = { PV_CALL_LIST(GK_MOCK_ENTRY) };
#undef GK_MOCK_ENTRY

static const struct gk_mock_entry *gk_mock_entry_of(uint64_t nr)
{
	for (size_t i = 0; i < sizeof(gk_mock_calls) / sizeof(gk_mock_calls[0]); i++)
		if (gk_mock_calls[i].nr == nr)
			return &gk_mock_calls[i];
	return NULL;
}

/* Calls that work before HELLO: enough to find out, to negotiate, and to give up. */
static bool gk_mock_is_open_before_hello(uint64_t nr)
{
	return nr == PV_CALL_VERSION || nr == PV_CALL_HELLO || nr == PV_CALL_EXIT;
}

/*
 * A call that got past the checks. The mock models the calls of ABI 1.0, 1.1, 1.3 and 1.5 (one
 * vCPU: VCPU_START has nothing to start); 1.2's
 * call is refused by permission (PV_PERM_HW, not held by default) or, if a test grants it,
 * stops the test: a fake answer would be worse than none.
 */
static int64_t gk_mock_handle(uint64_t nr, const uint64_t *arg)
{
	switch (nr) {
	case PV_CALL_VERSION:
		return gk_mock_hc_version(arg);
	case PV_CALL_CONSOLE_WRITE:
		return gk_mock_hc_console_write(arg);
	case PV_CALL_YIELD:
		return gk_mock_hc_yield(arg);
	case PV_CALL_EXIT:
		return gk_mock_hc_exit(arg);
	case PV_CALL_HELLO:
		return gk_mock_hc_hello(arg);
	case PV_CALL_VCPU_PAGE_SET:
		return gk_mock_hc_vcpu_page_set(arg);
	case PV_CALL_EVENT_BIND:
		return gk_mock_hc_event_bind(arg);
	case PV_CALL_TIMER_SET:
		return gk_mock_hc_timer_set(arg);
	case PV_CALL_CONSOLE_RING_SET:
		return gk_mock_hc_console_ring_set(arg);
	case PV_CALL_CONSOLE_RING_KICK:
		return gk_mock_hc_console_ring_kick(arg);
	case PV_CALL_EVENT_SEND:
		return gk_mock_hc_event_send(arg);
	case PV_CALL_VM_INFO:
		return gk_mock_hc_vm_info(arg);
	case PV_CALL_VCPU_START:
		/* The mock VM has one vCPU, the caller (0): any id is itself or beyond the count. */
		return PV_EINVAL;
	default:
		fprintf(stderr, "gk/mock.h: call %llu is not modelled\n", (unsigned long long)nr);
		gk_mock_fail("extend gk_mock_handle() for it");
	}
}

static int64_t gk_mock_dispatch(uint64_t nr, const uint64_t *arg)
{
	const struct gk_mock_entry *e = gk_mock_entry_of(nr);

	if (!e) {
		gk_mock.calls_unknown++;
		return PV_ENOSYS;
	}
	gk_mock.calls[nr]++;
	if (!gk_mock.negotiated && !gk_mock_is_open_before_hello(nr))
		return PV_ENOTCONN;
	if (gk_mock.negotiated && e->since > gk_mock.negotiated)
		return PV_ENOSYS; /* newer than what this guest negotiated */
	if (!(gk_mock.permissions & e->permission))
		return PV_EPERM;
	if (e->rate_class != PV_RATE_NONE && gk_mock.tsc < gk_mock.throttle_until) {
		/* Over the limit (SPEC.md §7): nothing done, RDX = when a retry will pass. */
		gk_mock_u128 ns =
			(gk_mock_u128)(gk_mock.throttle_until - gk_mock.tsc) * GK_MOCK_NS_PER_SEC;

		gk_mock_rdx = (uint64_t)((ns + gk_mock.tsc_hz - 1) / gk_mock.tsc_hz);
		gk_mock.throttled++;
		return PV_ETHROTTLED;
	}
	return gk_mock_handle(nr, arg);
}

int64_t gk_mock_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4, uint64_t a5)
{
	struct gk_mock_call *last = &gk_mock.last;

	gk_mock_check_ready();
	/* The instruction the stub would have executed (gk/hypercall.h) and what the CPU does. */
	if (gk_hypercall_vmmcall) {
		if (!gk_mock.vmmcall)
			gk_mock_fail("a hypercall with VMMCALL on Intel (gk_mock.vmmcall false): "
				     "the CPU raises #UD");
		gk_mock.calls_vmmcall++;
	} else {
		gk_mock.calls_vmcall++; /* on AMD Shunt's #UD path runs it all the same */
	}
	last->nr = nr;
	last->arg[0] = a0;
	last->arg[1] = a1;
	last->arg[2] = a2;
	last->arg[3] = a3;
	last->arg[4] = a4;
	last->arg[5] = a5;
	last->result = 0;
	last->result = gk_mock_dispatch(nr, last->arg);
	return last->result;
}

/* --- CPUID (SPEC.md §2) and RDTSC --- */

void gk_mock_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	gk_mock_check_ready();
	gk_mock.cpuid_reads++;
	*a = *b = *c = *d = 0;
	if (leaf == 1) {
		*b = gk_mock.vcpu_id << 24;
		*c = gk_mock.hypervisor_bit ? 1u << 31 : 0;
		return;
	}
	if (!gk_mock.hypervisor_bit || leaf < PV_CPUID_BASE || leaf > gk_mock.max_leaf)
		return;
	switch (leaf) {
	case PV_CPUID_BASE:
		*a = gk_mock.max_leaf;
		*b = gk_mock.signature[0];
		*c = gk_mock.signature[1];
		*d = gk_mock.signature[2];
		break;
	case PV_CPUID_INTERFACE:
		*a = gk_mock.interface_signature;
		*b = gk_mock.abi_version;
		break;
	case PV_CPUID_FEATURES:
		*a = gk_mock.features | (gk_mock.vmmcall ? PV_FEATURE_VMMCALL : 0);
		break;
	case PV_CPUID_PRIVILEGES:
		*a = gk_mock.permissions;
		break;
	case PV_CPUID_LIMITS:
		*a = PV_CONSOLE_RING_MAX;
		*b = PV_CONSOLE_WRITE_MAX;
		*c = (uint32_t)(gk_mock.tsc_hz / 1000);
		*d = PV_EVENT_COUNT;
		break;
	default:
		break;
	}
}

uint64_t gk_mock_rdtsc(void)
{
	gk_mock_check_ready();
	gk_mock.rdtsc_reads++;
	if (gk_mock.rdtsc_hook)
		gk_mock.rdtsc_hook();
	return gk_mock.tsc;
}

/* The end of gk_exit() and of the EXIT call: back to the test through exit_jmp. */
void gk_mock_exit(int64_t code)
{
	gk_mock.exited = true;
	gk_mock.exit_code = code;
	if (!gk_mock.exit_jmp)
		gk_mock_fail("the guest exited and gk_mock.exit_jmp is not set");
	longjmp(*gk_mock.exit_jmp, 1);
}

#ifdef __cplusplus
}
#endif

#endif /* GK_MOCK_IMPLEMENTATION */
