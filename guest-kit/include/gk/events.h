/* SPDX-License-Identifier: MIT */
/*
 * Events: Shunt sets bits in the vCPU page and raises one interrupt on the vector the
 * guest bound; the guest's handler for that vector calls gk_events_dispatch(), which
 * acknowledges and hands each pending event to a callback exactly once. No EOI is needed.
 * Needs gk_vcpu_page_set() first, and PV_FEATURE_EVENTS.
 */
#ifndef GK_EVENTS_H
#define GK_EVENTS_H

#include <gk/clock.h>

typedef void (*gk_event_handler)(unsigned int event, void *context);

/* Delivers events on vector (32-255; 0 unbinds). Returns 0 or PV_EINVAL. */
static inline int64_t gk_events_bind(uint8_t vector)
{
	return gk_call_event_bind(vector);
}

/*
 * The acknowledge-and-dispatch step, for the bound vector's interrupt handler: clears the
 * upcall flag, takes all pending events at once, and calls handler(event, context) for
 * each, lowest number first. Returns how many events it handled (0 for a spurious upcall).
 */
static inline unsigned int gk_events_dispatch(struct pv_vcpu_page *page, gk_event_handler handler,
					      void *context)
{
	uint64_t pending;
	unsigned int n = 0, e;

	__atomic_store_n(&page->upcall_pending, 0, __ATOMIC_SEQ_CST);
	pending = __atomic_exchange_n(&page->events_pending, 0, __ATOMIC_SEQ_CST);
	for (e = 0; pending; e++, pending >>= 1) {
		if (pending & 1) {
			handler(e, context);
			n++;
		}
	}
	return n;
}

/*
 * Raises guest-defined event (PV_EVENT_GUEST_FIRST..PV_EVENT_GUEST_LAST) on vCPU vcpu of
 * this VM, e.g. to kick another vCPU. ABI 1.1: returns PV_ENOSYS if 1.0 was negotiated.
 */
static inline int64_t gk_event_send(uint32_t vcpu, unsigned int event)
{
	return gk_call_event_send(vcpu, event);
}

/* Raises PV_EVENT_TIMER once the PV clock reaches deadline_ns (0 cancels). 0 or PV_EINVAL. */
static inline int64_t gk_timer_set(uint64_t deadline_ns)
{
	return gk_call_timer_set(deadline_ns);
}

#endif
