/*
 * PV clock arithmetic, shared with guests through pv-abi (struct pv_clock): the scale that
 * turns TSC ticks into nanoseconds as a 32-bit multiplier and a power-of-two shift, and
 * the conversions both ways. Pure code, host-tested.
 */
#ifndef HV_PVCLOCK_H
#define HV_PVCLOCK_H

#include <hv/types.h>

struct pvclock_scale {
	uint32_t mul; /* in [2^31, 2^32): ns = ((ticks shifted by shift) * mul) >> 32 */
	int8_t shift;
};

/* The scale for a TSC of tsc_hz ticks per second (1 kHz .. 1 THz). 0 or -EINVAL. */
int pvclock_scale_for(uint64_t tsc_hz, struct pvclock_scale *out);

/* Nanoseconds for delta ticks, exactly as a guest computes them from struct pv_clock. */
uint64_t pvclock_ticks_to_ns(uint64_t delta, const struct pvclock_scale *s);

/* The inverse, rounded up, saturating: ticks that take at least ns nanoseconds. */
uint64_t pvclock_ns_to_ticks(uint64_t ns, uint64_t tsc_hz);

/*
 * The ticks at which a guest reading its clock through s (whose multiplier is rounded
 * down) sees at least ns: pvclock_ns_to_ticks plus a margin for the scale's error, so a
 * timer is never early by the guest's own clock (and late by under 1 ns per second).
 */
uint64_t pvclock_deadline_ticks(uint64_t ns, uint64_t tsc_hz, const struct pvclock_scale *s);

#endif
