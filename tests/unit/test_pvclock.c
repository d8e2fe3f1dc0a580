/*
 * PV clock arithmetic (hv/pvclock.c): the multiplier/shift for TSC frequencies from 1 kHz to
 * 1 THz converts ticks to nanoseconds within 1 ns per second of the exact value, the inverse
 * rounds up, and out-of-range frequencies are refused. Also the one-instruction 128-by-64
 * division it uses (hv/div128.h), held to the bit-by-bit reference at the edges of its
 * precondition, and the inverse held to the exact quotient.
 */
#include "unit.h"

#include <hv/div128.h>
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

/* div128 (DIVQ) against div128_reference: quotient and remainder, for hi < d. */
static void test_div128_matches_reference(void **state)
{
	static const uint64_t divisors[] = { 1,
					     2,
					     3,
					     7,
					     1000000000,
					     1000000007,
					     50000000,
					     0x80000000ull,
					     0xffffffffull,
					     0x100000000ull,
					     0x8000000000000000ull,
					     0xfffffffffffffffeull,
					     UINT64_MAX };
	static const uint64_t lows[] = {
		0, 1, 999999999, 0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX
	};

	(void)state;
	for (size_t i = 0; i < sizeof(divisors) / sizeof(divisors[0]); i++) {
		uint64_t d = divisors[i];
		/* The high words allowed: 0, 1, the middle, the largest (d - 1). */
		const uint64_t highs[] = { 0, d > 1 ? 1 : 0, d / 2, d - 1 };

		for (size_t h = 0; h < sizeof(highs) / sizeof(highs[0]); h++) {
			for (size_t l = 0; l < sizeof(lows) / sizeof(lows[0]); l++) {
				uint64_t r1 = 7, r2 = 9;
				uint64_t q1 = div128(highs[h], lows[l], d, &r1);
				uint64_t q2 = div128_reference(highs[h], lows[l], d, &r2);
				unsigned __int128 n = (unsigned __int128)highs[h] << 64 | lows[l];

				if (q1 != q2 || r1 != r2 || q1 != (uint64_t)(n / d) ||
				    r1 != (uint64_t)(n % d))
					fail_msg("0x%llx:%llx / 0x%llx: %llu r %llu, reference "
						 "%llu r "
						 "%llu",
						 (unsigned long long)highs[h],
						 (unsigned long long)lows[l], (unsigned long long)d,
						 (unsigned long long)q1, (unsigned long long)r1,
						 (unsigned long long)q2, (unsigned long long)r2);
			}
		}
	}
	assert_u64_equal(div128(0, 12345, 10, NULL), 1234); /* no remainder wanted */
}

/* The inverse is the exact quotient rounded up, up to the largest that fits, then saturates. */
static void test_inverse_exact(void **state)
{
	static const uint64_t freqs[] = { 1000, 1193182, 50000000, 3700000123ull,
					  1000000000000ull };
	static const uint64_t spans[] = { 0,
					  1,
					  999999999,
					  1000000000,
					  4611686018427387904ull,
					  18446744073ull,
					  UINT64_MAX / 2,
					  UINT64_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		for (size_t j = 0; j < sizeof(spans) / sizeof(spans[0]); j++) {
			unsigned __int128 want =
				((unsigned __int128)spans[j] * freqs[i] + 999999999) / 1000000000;
			uint64_t got = pvclock_ns_to_ticks(spans[j], freqs[i]);

			if (want > UINT64_MAX)
				assert_u64_equal(got, UINT64_MAX);
			else
				assert_u64_equal(got, (uint64_t)want);
		}
	}
	/* The edge of the one-division precondition: hi = 1e9 - 1 divides, 1e9 saturates. */
	assert_u64_equal(pvclock_ns_to_ticks(UINT64_MAX, 1000000000), UINT64_MAX);
	assert_u64_equal(pvclock_ns_to_ticks(UINT64_MAX / 1000000000 * 1000000000, 1000000000),
			 UINT64_MAX / 1000000000 * 1000000000);
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
		cmocka_unit_test(test_div128_matches_reference),
		cmocka_unit_test(test_inverse_exact),
	};

	return unit_run(tests);
}
