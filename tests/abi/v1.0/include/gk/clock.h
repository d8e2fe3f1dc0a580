/* SPDX-License-Identifier: MIT */
/*
 * Time: the per-vCPU page and its PV clock, read without an exit (the kvmclock protocol of
 * pv-abi/vcpu_page.h), and the vCPU's steal time. Needs gk_open() and PV_FEATURE_VCPU_PAGE.
 */
#ifndef GK_CLOCK_H
#define GK_CLOCK_H

#include <gk/base.h>
#include <gk/hypercall.h>
#include <pvabi/vcpu_page.h>

/*
 * Registers page (4 KiB aligned, in the guest's RAM) as this vCPU's shared page; Shunt
 * clears it and publishes the clock. Returns 0 or PV_EINVAL (misaligned) / PV_EFAULT.
 */
static inline int64_t gk_vcpu_page_set(struct pv_vcpu_page *page)
{
	return gk_call_vcpu_page_set(page ? GK_VIRT_TO_PHYS(page) : 0);
}

/* Ticks scaled to nanoseconds with the clock's multiplier and shift (no 128-bit math). */
static inline uint64_t gk_clock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (delta >> 32) * mul + (((delta & 0xffffffffu) * mul) >> 32);
}

/* Nanoseconds since this VM started, from the vCPU page's clock. Lock-free, no exit. */
static inline uint64_t gk_clock_ns(const volatile struct pv_vcpu_page *page)
{
	uint32_t version, mul;
	uint64_t stamp, base, tsc;
	int8_t shift;

	do {
		version = page->clock.version;
		gk_barrier();
		stamp = page->clock.tsc_timestamp;
		base = page->clock.system_time_ns;
		mul = page->clock.tsc_to_system_mul;
		shift = page->clock.tsc_shift;
		tsc = gk_rdtsc();
		gk_barrier();
	} while ((version & 1) || version != page->clock.version);
	return base + gk_clock_scale(tsc - stamp, mul, shift);
}

/* Time this vCPU was ready to run but another one had the CPU, in nanoseconds. */
static inline uint64_t gk_steal_ns(const volatile struct pv_vcpu_page *page)
{
	return page->steal_time_ns;
}

#endif
