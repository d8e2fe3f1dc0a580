/*
 * PV clock scaling (see hv/pvclock.h). Shunt's image has no libgcc, so the 128-by-64-bit
 * divisions go through div128(), the machine's one instruction: TIMER_SET pays for one.
 */
#include <hv/div128.h>
#include <hv/pvclock.h>

#define NS_PER_SEC 1000000000ull

int pvclock_scale_for(uint64_t tsc_hz, struct pvclock_scale *out)
{
	uint64_t a = NS_PER_SEC, b = tsc_hz;
	int shift = 0;

	if (tsc_hz < 1000 || tsc_hz > 1000000000000ull)
		return -EINVAL;
	/* Bring ns-per-tick = a/b into [1/2, 1) by shifting; the shift goes to the ticks. */
	while (a >= b) {
		b <<= 1;
		shift++;
	}
	while (a < b / 2) {
		a <<= 1;
		shift--;
	}
	out->shift = (int8_t)shift;
	out->mul = (uint32_t)div128(a >> 32, a << 32, b, 0);
	return 0;
}

uint64_t pvclock_ticks_to_ns(uint64_t delta, const struct pvclock_scale *s)
{
	if (s->shift < 0)
		delta >>= -s->shift;
	else
		delta <<= s->shift;
	return (uint64_t)(((unsigned __int128)delta * s->mul) >> 32);
}

uint64_t pvclock_ns_to_ticks(uint64_t ns, uint64_t tsc_hz)
{
	unsigned __int128 t = (unsigned __int128)ns * tsc_hz + NS_PER_SEC - 1;
	uint64_t hi = (uint64_t)(t >> 64);

	/* hi < 1e9 is what one 128-by-64 division needs: a quotient that fits in 64 bits. */
	if (hi >= NS_PER_SEC)
		return UINT64_MAX;
	return div128(hi, (uint64_t)t, NS_PER_SEC, 0);
}

uint64_t pvclock_deadline_ticks(uint64_t ns, uint64_t tsc_hz, const struct pvclock_scale *s)
{
	uint64_t ticks = pvclock_ns_to_ticks(ns, tsc_hz);
	/* mul's rounding (under 2^-31 of the value), the final floor, a negative shift's. */
	uint64_t margin = (ticks >> 30) + 2 * (tsc_hz / NS_PER_SEC + 1);

	if (s->shift < 0)
		margin += 1ull << -s->shift;
	return ticks > UINT64_MAX - margin ? UINT64_MAX : ticks + margin;
}
