/* SPDX-License-Identifier: MIT */
/*
 * The per-vCPU shared page (PV_CALL_VCPU_PAGE_SET): a PV clock the guest reads without an
 * exit, the pending-event word, and the vCPU's steal time. Shunt writes it; the guest reads
 * it and clears event bits. Layout is fixed: see pv-abi/SPEC.md, "The vCPU page".
 */
#ifndef PVABI_VCPU_PAGE_H
#define PVABI_VCPU_PAGE_H

#include <pvabi/pvabi.h>
#include <pvabi/types.h>

/*
 * PV clock (the kvmclock protocol): nanoseconds since the VM started =
 *   system_time_ns + scale(rdtsc() - tsc_timestamp), where scale(d) shifts d left by
 *   tsc_shift (right if negative) and then takes (d * tsc_to_system_mul) >> 32.
 * Shunt makes version odd while it updates the fields and even again after; a reader
 * retries while version is odd or changed during its read.
 */
struct pv_clock {
	uint32_t version;
	uint32_t flags; /* PV_CLOCK_* */
	uint64_t tsc_timestamp;
	uint64_t system_time_ns;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t reserved[3];
};

#define PV_CLOCK_TSC_STABLE (1u << 0) /* the TSC is invariant: no re-reads needed per vCPU */

/* Events: bit numbers in events_pending. */
#define PV_EVENT_TIMER 0	/* the deadline of PV_CALL_TIMER_SET passed */
#define PV_EVENT_GUEST_FIRST 32 /* 32-63: raised by the guest itself (PV_CALL_EVENT_SEND, 1.1) */
#define PV_EVENT_GUEST_LAST 63
#define PV_EVENT_COUNT 64

struct pv_vcpu_page {
	struct pv_clock clock;	 /* offset 0 */
	uint64_t events_pending; /* offset 32: Shunt sets bits; the guest clears them */
	uint32_t upcall_pending; /* offset 40: 1 from injection until the guest clears it */
	uint32_t reserved0;	 /* offset 44 */
	uint64_t steal_time_ns;	 /* offset 48: runnable but not running, since VM start */
	uint64_t reserved[505];	 /* up to 4096 bytes; zero */
};

PV_STATIC_ASSERT(sizeof(struct pv_clock) == 32, "pv_clock is 32 bytes");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_clock, tsc_timestamp) == 8, "pv_clock.tsc_timestamp");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_clock, system_time_ns) == 16, "pv_clock.system_time_ns");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_clock, tsc_to_system_mul) == 24, "pv_clock.mul");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_clock, tsc_shift) == 28, "pv_clock.tsc_shift");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_vcpu_page, events_pending) == 32, "events_pending");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_vcpu_page, upcall_pending) == 40, "upcall_pending");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_vcpu_page, steal_time_ns) == 48, "steal_time_ns");
PV_STATIC_ASSERT(sizeof(struct pv_vcpu_page) == 4096, "pv_vcpu_page is one page");

#endif
