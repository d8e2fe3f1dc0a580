/* SPDX-License-Identifier: MIT */
/*
 * Back-off for rate-limited calls: a call over the VM's limit (or one whose console buffer
 * is full) comes back PV_ETHROTTLED with a retry-after time in RDX. gk_call_backoff() waits
 * that long and tries again, at most max_retries times, so a guest is slowed, never failed,
 * by a limit it can live with. Needs gk_open() for the TSC frequency (Shunt's limits leaf).
 */
#ifndef GK_BACKOFF_H
#define GK_BACKOFF_H

#include <gk/base.h>
#include <gk/detect.h>
#include <gk/hypercall.h>

#define GK_BACKOFF_MAX_WAIT_NS 10000000ull /* never wait longer than 10 ms per retry */

/* Busy-waits ns nanoseconds (at most GK_BACKOFF_MAX_WAIT_NS) on the TSC. */
static inline void gk_wait_ns(uint64_t ns)
{
	uint64_t khz = gk_cpuid_reg(PV_CPUID_LIMITS, 2);
	uint64_t until = gk_rdtsc() + (ns > GK_BACKOFF_MAX_WAIT_NS ? GK_BACKOFF_MAX_WAIT_NS : ns) *
					      khz / 1000000;

	while (gk_rdtsc() < until)
		__asm__ volatile("pause");
}

/*
 * Call nr, waiting out PV_ETHROTTLED up to max_retries times; *throttled (may be NULL)
 * counts the PV_ETHROTTLED answers. Returns the call's result, PV_ETHROTTLED if it gave up.
 */
static inline int64_t gk_call_backoff(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				      unsigned int max_retries, uint64_t *throttled)
{
	unsigned int attempt;

	for (attempt = 0;; attempt++) {
		uint64_t retry_after;
		int64_t r = gk_hypercall6_2(nr, a0, a1, a2, 0, 0, 0, &retry_after);

		if (r != PV_ETHROTTLED)
			return r;
		if (throttled)
			++*throttled;
		if (attempt == max_retries)
			return PV_ETHROTTLED;
		gk_wait_ns(retry_after);
	}
}

#endif
