/*
 * PV clock arithmetic (hv/pvclock.c): the multiplier/shift for TSC frequencies from 1 kHz to
 * 1 THz converts ticks to nanoseconds within 1 ns per second of the exact value, the inverse
 * rounds up, and out-of-range frequencies are refused.
 */
#include "unit.h"

#include <hv/pvclock.h>

static uint64_t exact_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000u / hz);
}

static void test_scales(void **state)
{
	const uint64_t freqs[] = { 1000,	  1193182,	   50000000,   50001000,
				   999999999,	  1000000000,	   1000000001, 2500000000ull,
				   3700000123ull, 1000000000000ull };

	(void)state;
	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		struct pvclock_scale s;
		uint64_t hz = freqs[i];

		assert_int_equal(pvclock_scale_for(hz, &s), 0);
		assert_true(s.mul >= 0x80000000u); /* normalised: full 32 bits of precision */
		for (uint64_t secs = 1; secs <= 1000; secs *= 10) {
			uint64_t ticks = hz * secs, ns = pvclock_ticks_to_ns(ticks, &s);
			uint64_t want = exact_ns(ticks, hz);
			uint64_t diff = ns > want ? ns - want : want - ns;

			if (diff > secs + 1)
				fail_msg("%llu Hz, %llu s: %llu ns, exact %llu",
					 (unsigned long long)hz, (unsigned long long)secs,
					 (unsigned long long)ns, (unsigned long long)want);
		}
		assert_int_equal(pvclock_ticks_to_ns(0, &s), 0);
	}
}

static void test_inverse_rounds_up(void **state)
{
	(void)state;
	assert_u64_equal(pvclock_ns_to_ticks(1000, 50000000), 50);
	assert_u64_equal(pvclock_ns_to_ticks(1001, 50000000), 51); /* at least 1001 ns */
	assert_u64_equal(pvclock_ns_to_ticks(0, 50000000), 0);
	assert_u64_equal(pvclock_ns_to_ticks(1, 3000000000ull), 3);
	assert_u64_equal(pvclock_ns_to_ticks(UINT64_MAX, 3000000000ull), UINT64_MAX);
}

/* A deadline is never early by the guest's own (rounded-down) clock, and barely late. */
static void test_deadline_not_early_by_guest_clock(void **state)
{
	const uint64_t freqs[] = { 1000,      1193182,	     50001000,
				   999999999, 3700000123ull, 1000000000000ull };
	const uint64_t spans[] = {
		1, 999, 1000000, 1000000007, 3600000000000ull, 86400000000000ull
	};

	(void)state;
	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		struct pvclock_scale s;

		assert_int_equal(pvclock_scale_for(freqs[i], &s), 0);
		for (size_t j = 0; j < sizeof(spans) / sizeof(spans[0]); j++) {
			uint64_t exact = pvclock_ns_to_ticks(spans[j], freqs[i]);
			uint64_t d = pvclock_deadline_ticks(spans[j], freqs[i], &s);

			assert_true(pvclock_ticks_to_ns(d, &s) >= spans[j]);
			assert_true(d - exact <= (exact >> 29) + 4 * (freqs[i] / 1000000000 + 1) +
							 (s.shift < 0 ? 1ull << -s.shift : 0));
		}
	}
	assert_u64_equal(
		pvclock_deadline_ticks(UINT64_MAX, 3000000000ull,
				       &(struct pvclock_scale){ .mul = 0x80000000u, .shift = 1 }),
		UINT64_MAX);
}

static void test_bad_frequencies(void **state)
{
	struct pvclock_scale s = { 7, 7 };

	(void)state;
	assert_int_equal(pvclock_scale_for(0, &s), -22);
	assert_int_equal(pvclock_scale_for(999, &s), -22);
	assert_int_equal(pvclock_scale_for(1000000000001ull, &s), -22);
	assert_int_equal(s.mul, 7); /* untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scales),
		cmocka_unit_test(test_inverse_rounds_up),
		cmocka_unit_test(test_deadline_not_early_by_guest_clock),
		cmocka_unit_test(test_bad_frequencies),
	};

	return unit_run(tests);
}
