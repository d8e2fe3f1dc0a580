/* SPDX-License-Identifier: MIT */
/*
 * Direct hardware access (ABI 1.2): open a resource Shunt granted this VM, run batches of
 * port I/O on it in one exit, map its memory BARs. Calls over the VM's rate limit come
 * back PV_ETHROTTLED with a retry-after time; the wrappers here wait that long and try
 * again, at most GK_HW_MAX_RETRIES times, then report that they gave up. Refusals are
 * distinct codes (gk_hw_describe): not granted, foreign hardware, DMA that can not be
 * confined, an operation the device does not allow. A driver falls back to the emulated
 * device when it gets one (see tests/guests/hwuart.c). Needs gk_open() first.
 */
#ifndef GK_HW_H
#define GK_HW_H

#include <gk/backoff.h>
#include <gk/base.h>
#include <gk/detect.h>
#include <gk/hypercall.h>
#include <pvabi/hw.h>

#define GK_HW_MAX_RETRIES 16
#define GK_HW_MAX_WAIT_NS GK_BACKOFF_MAX_WAIT_NS

struct gk_hw_stats {
	uint64_t calls;	    /* hypercalls made, retries included */
	uint64_t throttled; /* PV_ETHROTTLED answers */
	uint64_t gave_up;   /* operations abandoned after GK_HW_MAX_RETRIES */
};

/* Busy-waits ns nanoseconds on the TSC, at the frequency Shunt states in its limits leaf. */
static inline void gk_hw_wait_ns(uint64_t ns)
{
	gk_wait_ns(ns);
}

/* One hardware call with back-off (gk/backoff.h). stats may be NULL. */
static inline int64_t gk_hw_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				 struct gk_hw_stats *stats)
{
	uint64_t throttled = 0;
	int64_t r = gk_call_backoff(nr, a0, a1, a2, GK_HW_MAX_RETRIES, &throttled);

	if (stats) {
		stats->calls += throttled + (r != PV_ETHROTTLED);
		stats->throttled += throttled;
		stats->gave_up += r == PV_ETHROTTLED;
	}
	return r;
}

/* The resources granted to this VM (up to max into buf). Count, or PV_EPERM if none. */
static inline int64_t gk_hw_query(struct pv_hw_resource *buf, uint32_t max,
				  struct gk_hw_stats *stats)
{
	return gk_hw_call(PV_CALL_HW_QUERY, GK_VIRT_TO_PHYS(buf), max, 0, stats);
}

/*
 * Finds the resource of kind (PV_HW_KIND_*) whose port base (ports) or bus/device/function
 * (PCI) is which among the n that gk_hw_query() put in all, and copies it to *out. Returns 0
 * if it is usable, else the reason: PV_EACCES (not granted, or Shunt's own) or the grant's
 * verdict (PV_ENODEV foreign, PV_EDMA, PV_EOPNOTSUPP, PV_EBUSY).
 */
static inline int64_t gk_hw_find(const struct pv_hw_resource *all, int64_t n, uint16_t kind,
				 uint32_t which, struct pv_hw_resource *out)
{
	int64_t i;

	for (i = 0; i < n; i++) {
		if (all[i].kind != kind ||
		    (kind == PV_HW_KIND_PORTS ? all[i].port_base : all[i].pci_bdf) != which)
			continue;
		*out = all[i];
		return all[i].verdict;
	}
	return PV_EACCES;
}

/*
 * gk_hw_query() into the caller's buf (max entries), then gk_hw_find(). For kernels whose
 * stacks are not physically contiguous (Linux's are vmapped): pass a buffer that is. Also
 * PV_EPERM when nothing at all is granted to this VM.
 */
static inline int64_t gk_hw_open_in(struct pv_hw_resource *buf, uint32_t max, uint16_t kind,
				    uint32_t which, struct pv_hw_resource *out,
				    struct gk_hw_stats *stats)
{
	int64_t n = gk_hw_query(buf, max, stats);

	if (n < 0)
		return n;
	return gk_hw_find(buf, n < (int64_t)max ? n : (int64_t)max, kind, which, out);
}

/* gk_hw_open_in() with a buffer of 8 entries on the stack (1600 bytes). */
static inline int64_t gk_hw_open(uint16_t kind, uint32_t which, struct pv_hw_resource *out,
				 struct gk_hw_stats *stats)
{
	struct pv_hw_resource all[8];

	return gk_hw_open_in(all, 8, kind, which, out, stats);
}

/* Runs count port operations (checked first: one bad op, none runs). Count done or PV_E*. */
static inline int64_t gk_hw_port_batch(struct pv_port_op *ops, uint32_t count,
				       struct gk_hw_stats *stats)
{
	return gk_hw_call(PV_CALL_HW_PORT_BATCH, GK_VIRT_TO_PHYS(ops), count, 0, stats);
}

/*
 * One attempt at a batch, for kernels that would rather sleep than spin: PV_ETHROTTLED comes
 * back at once with the wait Shunt asked for in *retry_after_ns (a Linux driver sleeps or
 * re-arms a timer for that long). Otherwise as gk_hw_port_batch().
 */
static inline int64_t gk_hw_port_batch_try(struct pv_port_op *ops, uint32_t count,
					   uint64_t *retry_after_ns)
{
	return gk_hypercall6_2(PV_CALL_HW_PORT_BATCH, GK_VIRT_TO_PHYS(ops), count, 0, 0, 0, 0,
			       retry_after_ns);
}

/* Maps BAR bar of resource id at guest-physical gpa (above RAM, page aligned). 0 or PV_E*. */
static inline int64_t gk_hw_mmio_map(uint32_t id, uint32_t bar, uint64_t gpa,
				     struct gk_hw_stats *stats)
{
	return gk_hw_call(PV_CALL_HW_MMIO_MAP, id, bar, gpa, stats);
}

static inline int64_t gk_hw_mmio_unmap(uint64_t gpa, struct gk_hw_stats *stats)
{
	return gk_hw_call(PV_CALL_HW_MMIO_UNMAP, gpa, 0, 0, stats);
}

/* A phrase for why a resource can not be used, distinct per refusal. */
static inline const char *gk_hw_describe(int64_t code)
{
	switch (code) {
	case 0:
		return "usable";
	case PV_EPERM:
		return "no hardware is granted to this VM";
	case PV_EACCES:
		return "not granted to this VM (or it is Shunt's own)";
	case PV_ENODEV:
		return "foreign hardware Shunt can not vouch for (or no such device)";
	case PV_EDMA:
		return "the device can do DMA and Shunt can not confine it";
	case PV_EOPNOTSUPP:
		return "that access is not allowed for this device";
	case PV_EBUSY:
		return "granted to another VM";
	case PV_ETHROTTLED:
		return "rate limited: gave up after retrying";
	default:
		return "refused";
	}
}

#endif
