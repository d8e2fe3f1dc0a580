/*
 * Token buckets (hv/ratelimit.c): a full bucket's burst, refill at the stated rate down to
 * thousandths of a token, the retry-after of a refusal, the burst cap, the unlimited rate,
 * the caps bucket_init applies, a clock that goes backwards, huge elapsed times, and clock
 * rates from 1 kHz to 1 THz.
 */
#include "unit.h"

#include <hv/ratelimit.h>

#define KHZ 1000ull
#define MHZ (1000ull * KHZ)
#define GHZ (1000ull * MHZ)
#define THZ (1000ull * GHZ)
#define NS_PER_SEC 1000000000ull
#define RETRY_UNSET 0xdeadbeefcafef00dull

static const uint64_t hz_values[] = { 1 * KHZ, 50 * MHZ, 3 * GHZ, 1 * THZ };

static uint64_t retry;

/* One bucket_take, with retry reset so that a test sees whether it was written. */
static int take(struct token_bucket *b, uint64_t now, uint64_t hz)
{
	retry = RETRY_UNSET;
	return bucket_take(b, now, hz, &retry);
}

/* Takes tokens at one instant until a refusal (at most max + 1 tries); returns how many. */
static uint64_t drain(struct token_bucket *b, uint64_t now, uint64_t hz, uint64_t max)
{
	uint64_t n = 0;

	while (n <= max && take(b, now, hz) == 0)
		n++;
	return n;
}

/* Cycles of a clock at hz in ns nanoseconds, rounded up (or down). */
static uint64_t ns_to_cycles_up(uint64_t ns, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)ns * hz + NS_PER_SEC - 1) / NS_PER_SEC);
}

static uint64_t ns_to_cycles_down(uint64_t ns, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ns * hz / NS_PER_SEC);
}

static void test_full_bucket_gives_burst(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 1000, 10, 12345);
	assert_int_equal(b.rate, 1000);
	assert_int_equal(b.burst, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(take(&b, 12345, 50 * MHZ), 0);
		assert_u64_equal(retry, RETRY_UNSET); /* only a refusal writes it */
	}
	assert_int_equal(take(&b, 12345, 50 * MHZ), -1);
	/* Empty: one whole token at 1000/s is 1 ms away. */
	assert_u64_equal(retry, 1000000);
	/* Refusals take nothing and stay refusals at the same instant. */
	assert_int_equal(take(&b, 12345, 50 * MHZ), -1);
	assert_u64_equal(retry, 1000000);
}

/* rate 1000/s at 50 MHz: one token per 50000 cycles, and not one cycle sooner. */
static void test_refill_at_rate(void **state)
{
	struct token_bucket b, early;
	const uint64_t t0 = 1000000;

	(void)state;
	bucket_init(&b, 1000, 5, t0);
	assert_u64_equal(drain(&b, t0, 50 * MHZ, 5), 5);

	early = b;
	assert_int_equal(take(&early, t0 + 49999, 50 * MHZ), -1);
	assert_u64_equal(retry, 1000); /* 49999 cycles gave 999 thousandths: 1 us missing */

	assert_int_equal(take(&b, t0 + 50000, 50 * MHZ), 0);
	assert_int_equal(take(&b, t0 + 50000, 50 * MHZ), -1);
	assert_u64_equal(retry, 1000000);

	/* Three periods later: exactly three tokens. */
	assert_u64_equal(drain(&b, t0 + 4 * 50000, 50 * MHZ, 5), 3);
}

/*
 * rate 1000/s at 50 MHz: a thousandth of a token every 50 cycles. 999 steps of 50 cycles
 * leave the bucket 999/1000 full (each refusal's retry-after says how much is missing),
 * the 1000th step completes the token.
 */
static void test_fractional_refills_accumulate(void **state)
{
	struct token_bucket b;
	uint64_t now = 7;

	(void)state;
	bucket_init(&b, 1000, 1, now);
	assert_int_equal(take(&b, now, 50 * MHZ), 0);
	for (uint64_t k = 1; k < 1000; k++) {
		now += 50;
		assert_int_equal(take(&b, now, 50 * MHZ), -1);
		assert_u64_equal(retry, (1000 - k) * 1000); /* 1 us per missing thousandth */
	}
	now += 50;
	assert_int_equal(take(&b, now, 50 * MHZ), 0);
	assert_int_equal(take(&b, now, 50 * MHZ), -1);

	/* A slow rate: 1 token/s at 1 kHz is a thousandth per cycle. */
	bucket_init(&b, 1, 1, 0);
	assert_int_equal(take(&b, 0, 1 * KHZ), 0);
	for (now = 1; now < 1000; now++)
		assert_int_equal(take(&b, now, 1 * KHZ), -1);
	assert_int_equal(take(&b, 1000, 1 * KHZ), 0);
}

/*
 * The retry-after of an empty bucket is the time until the next token, rounded up: positive,
 * enough (a take that many ns later succeeds) and not a nanosecond too long (one ns less,
 * the take is still refused).
 */
static void test_retry_after_is_time_to_next_token(void **state)
{
	static const uint32_t rates[] = { 1, 3, 7, 1000, 7919, 333333, RATELIMIT_MAX_RATE };

	(void)state;
	for (unsigned int h = 0; h < ARRAY_SIZE(hz_values); h++) {
		for (unsigned int r = 0; r < ARRAY_SIZE(rates); r++) {
			const uint64_t hz = hz_values[h], t0 = 5 * hz;
			/* A token is 1e9 ns at 1/s: ns = ceil(1e9 / rate). */
			const uint64_t token_ns_at_1 = 1000000000ull;
			struct token_bucket b, later;
			uint64_t ns;

			bucket_init(&b, rates[r], 1, t0);
			assert_int_equal(take(&b, t0, hz), 0);
			assert_int_equal(take(&b, t0, hz), -1);
			ns = retry;
			assert_true(ns > 0);
			assert_u64_equal(ns, (token_ns_at_1 + rates[r] - 1) / rates[r]);

			later = b;
			assert_int_equal(take(&later, t0 + ns_to_cycles_up(ns, hz), hz), 0);
			later = b;
			assert_int_equal(take(&later, t0 + ns_to_cycles_down(ns - 1, hz), hz), -1);
		}
	}
	/* rate 3/s: 333333333.3 ns rounds up to ...334. */
	{
		struct token_bucket b;

		bucket_init(&b, 3, 1, 0);
		assert_int_equal(take(&b, 0, 1 * THZ), 0);
		assert_int_equal(take(&b, 0, 1 * THZ), -1);
		assert_u64_equal(retry, 333333334);
	}
}

/* A partly refilled bucket: the retry-after is for the missing part only, rounded up. */
static void test_retry_after_partial(void **state)
{
	struct token_bucket b, later;

	(void)state;
	/* rate 3/s at 3 GHz: 1 thousandth = 1e6 cycles. 400 thousandths in, 600 missing. */
	bucket_init(&b, 3, 1, 0);
	assert_int_equal(take(&b, 0, 3 * GHZ), 0);
	assert_int_equal(take(&b, 400000000, 3 * GHZ), -1);
	assert_u64_equal(retry, 200000000); /* 600 / 3000 per second = 0.2 s */
	later = b;
	assert_int_equal(take(&later, 400000000 + 599999999, 3 * GHZ), -1);
	later = b;
	assert_int_equal(take(&later, 400000000 + 600000000, 3 * GHZ), 0);

	/* rate 7/s: 999 thousandths missing is 142714285.7 ns, reported as ...286. */
	bucket_init(&b, 7, 1, 0);
	assert_int_equal(take(&b, 0, 1 * THZ), 0);
	assert_int_equal(take(&b, 142857143, 1 * THZ), -1); /* 1 thousandth = 142857142.9 cycles */
	assert_u64_equal(retry, 142714286);
}

/* However long the bucket idles, it holds at most burst tokens. */
static void test_burst_caps_refill(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 1000, 4, 0);
	assert_u64_equal(drain(&b, 0, 50 * MHZ, 4), 4);
	assert_u64_equal(drain(&b, 10 * 50 * MHZ, 50 * MHZ, 100), 4); /* 10 s idle */

	/* A full bucket that idles gets nothing on top. */
	bucket_init(&b, 1000, 4, 0);
	assert_u64_equal(drain(&b, 3600 * 50 * MHZ, 50 * MHZ, 100), 4);
	assert_u64_equal(drain(&b, 3600 * 50 * MHZ + 50000, 50 * MHZ, 100), 1);

	/* Half full, then less than a burst's worth but more than the room left: full, no more. */
	bucket_init(&b, 1000, 4, 0);
	assert_int_equal(take(&b, 0, 50 * MHZ), 0);
	assert_int_equal(take(&b, 0, 50 * MHZ), 0);
	assert_u64_equal(drain(&b, 3 * 50000, 50 * MHZ, 100), 4);

	/* burst above rate (10 at 2/s: 5 s to fill), either side of the full-bucket shortcut. */
	bucket_init(&b, 2, 10, 0);
	assert_u64_equal(drain(&b, 0, 1 * GHZ, 10), 10);
	assert_u64_equal(drain(&b, 4500 * MHZ, 1 * GHZ, 10), 9);
	bucket_init(&b, 2, 10, 0);
	assert_u64_equal(drain(&b, 0, 1 * GHZ, 10), 10);
	assert_u64_equal(drain(&b, 5 * GHZ, 1 * GHZ, 10), 10);
	bucket_init(&b, 2, 10, 0);
	assert_u64_equal(drain(&b, 0, 1 * GHZ, 10), 10);
	assert_u64_equal(drain(&b, 6 * GHZ - 1, 1 * GHZ, 20), 10);
	bucket_init(&b, 2, 10, 0);
	assert_u64_equal(drain(&b, 0, 1 * GHZ, 10), 10);
	assert_u64_equal(drain(&b, 100 * GHZ, 1 * GHZ, 20), 10);
}

static void test_rate_zero_is_unlimited(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 0, 1, 100);
	assert_int_equal(b.rate, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(take(&b, 100, 50 * MHZ), 0);
	assert_u64_equal(retry, RETRY_UNSET);
	/* Whatever the clock does. */
	assert_int_equal(take(&b, 0, 1 * KHZ), 0);
	assert_int_equal(take(&b, UINT64_MAX, 1 * THZ), 0);
	assert_int_equal(take(&b, 5, 3 * GHZ), 0);
	bucket_init(&b, 0, 0, 0);
	assert_u64_equal(drain(&b, 0, 1 * GHZ, 1000), 1001);
}

static void test_rate_capped(void **state)
{
	static const uint32_t too_fast[] = { RATELIMIT_MAX_RATE + 1, 5000000, UINT32_MAX };
	struct token_bucket b;

	(void)state;
	bucket_init(&b, RATELIMIT_MAX_RATE, 1, 0);
	assert_int_equal(b.rate, RATELIMIT_MAX_RATE);
	for (unsigned int i = 0; i < ARRAY_SIZE(too_fast); i++) {
		bucket_init(&b, too_fast[i], 1, 0);
		assert_int_equal(b.rate, RATELIMIT_MAX_RATE);
		/* It behaves as 1000000/s: 1 us per token. */
		assert_int_equal(take(&b, 0, 1 * GHZ), 0);
		assert_int_equal(take(&b, 0, 1 * GHZ), -1);
		assert_u64_equal(retry, 1000);
		assert_int_equal(take(&b, 999, 1 * GHZ), -1);
		bucket_init(&b, too_fast[i], 1, 0);
		assert_int_equal(take(&b, 0, 1 * GHZ), 0);
		assert_int_equal(take(&b, 1000, 1 * GHZ), 0);
		assert_int_equal(take(&b, 1000, 1 * GHZ), -1);
	}
}

static void test_burst_zero_raised_to_one(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 1000, 0, 0);
	assert_int_equal(b.burst, 1);
	assert_u64_equal(drain(&b, 0, 50 * MHZ, 10), 1);
	/* And refills to one, not zero. */
	assert_u64_equal(drain(&b, 50 * MHZ, 50 * MHZ, 10), 1);
}

/*
 * A clock that goes backwards refills nothing (no underflow into a huge elapsed time) and
 * counting resumes from the new, lower value.
 */
static void test_clock_backwards(void **state)
{
	struct token_bucket b;
	const uint64_t t0 = 1000000000;

	(void)state;
	bucket_init(&b, 1000, 2, t0);
	assert_u64_equal(drain(&b, t0, 50 * MHZ, 2), 2);
	assert_int_equal(take(&b, t0 / 2, 50 * MHZ), -1);
	assert_u64_equal(retry, 1000000); /* still empty */
	/* 50000 cycles after the new value (still before t0): one token. */
	assert_int_equal(take(&b, t0 / 2 + 50000, 50 * MHZ), 0);
	assert_int_equal(take(&b, t0 / 2 + 50000, 50 * MHZ), -1);

	/* From the top of the clock to 0. */
	bucket_init(&b, 1000, 2, UINT64_MAX - 5);
	assert_u64_equal(drain(&b, UINT64_MAX - 5, 1 * THZ, 2), 2);
	assert_int_equal(take(&b, 0, 1 * THZ), -1);
	assert_u64_equal(retry, 1000000);
	assert_int_equal(take(&b, 1 * GHZ, 1 * THZ), 0); /* 1 ms after 0 */
	assert_int_equal(take(&b, 1 * GHZ, 1 * THZ), -1);

	/* Backwards with a partly refilled bucket keeps what it had. */
	bucket_init(&b, 1000, 1, 0);
	assert_int_equal(take(&b, 0, 50 * MHZ), 0);
	assert_int_equal(take(&b, 25000, 50 * MHZ), -1); /* half a token */
	assert_u64_equal(retry, 500000);
	assert_int_equal(take(&b, 100, 50 * MHZ), -1);
	assert_u64_equal(retry, 500000);
	assert_int_equal(take(&b, 100 + 25000, 50 * MHZ), 0);
}

/* 2^62 cycles since the last refill, at every clock rate: a full bucket, no overflow. */
static void test_huge_elapsed(void **state)
{
	const uint64_t huge = 1ull << 62;
	struct token_bucket b;

	(void)state;
	for (unsigned int h = 0; h < ARRAY_SIZE(hz_values); h++) {
		bucket_init(&b, 1000, 3, 0);
		assert_u64_equal(drain(&b, 0, hz_values[h], 3), 3);
		assert_u64_equal(drain(&b, huge, hz_values[h], 10), 3);
		bucket_init(&b, RATELIMIT_MAX_RATE, 3, huge);
		assert_u64_equal(drain(&b, huge, hz_values[h], 3), 3);
		assert_u64_equal(drain(&b, 3 * huge - 1, hz_values[h], 10), 3); /* 2^63 - 1 later */
	}
	/* Every power of two of elapsed cycles, at the top rate and at 1/s: never more than the
	 * tokens due (rate * elapsed / hz) nor than the burst, and no wrapped product. */
	for (unsigned int h = 0; h < ARRAY_SIZE(hz_values); h++) {
		for (unsigned int shift = 0; shift < 64; shift++) {
			const uint64_t hz = hz_values[h], elapsed = 1ull << shift;
			const unsigned __int128 top =
				(unsigned __int128)elapsed * RATELIMIT_MAX_RATE / hz;

			bucket_init(&b, RATELIMIT_MAX_RATE, 3, 0);
			assert_u64_equal(drain(&b, 0, hz, 3), 3);
			assert_u64_equal(drain(&b, elapsed, hz, 10), top < 3 ? (uint64_t)top : 3);
			bucket_init(&b, 1, 1, 0);
			assert_u64_equal(drain(&b, 0, hz, 1), 1);
			assert_u64_equal(drain(&b, elapsed, hz, 10), elapsed >= hz);
		}
	}
	/*
	 * Just over 2^64 thousandths due (2^64 + 448384, at 1 kHz and the top rate): still a
	 * full bucket, not the amount modulo 2^64.
	 */
	bucket_init(&b, RATELIMIT_MAX_RATE, RATELIMIT_MAX_RATE, 0);
	assert_u64_equal(drain(&b, 0, 1 * KHZ, RATELIMIT_MAX_RATE), RATELIMIT_MAX_RATE);
	assert_u64_equal(drain(&b, 18446744073710ull, 1 * KHZ, RATELIMIT_MAX_RATE),
			 RATELIMIT_MAX_RATE);
	/*
	 * A bucket too big to fill in 2^62 cycles at 1 THz (4611686.018 s at 1 token/s):
	 * exactly 4611686018 thousandths come in, not a wrapped or capped amount.
	 */
	bucket_init(&b, 1, 5000000, 0);
	b.milli = 0; /* emptied (draining 5000000 tokens one by one adds nothing to the test) */
	assert_int_equal(take(&b, huge, 1 * THZ), 0);
	assert_u64_equal(b.milli, 4611686018ull - 1000);
}

/* One token per millisecond at 1000/s, whatever the clock rate: 1 ms and 0.5 s of it. */
static void test_hz_values(void **state)
{
	(void)state;
	for (unsigned int h = 0; h < ARRAY_SIZE(hz_values); h++) {
		const uint64_t hz = hz_values[h], ms = hz / 1000, t0 = 42 * hz;
		struct token_bucket b, early;

		bucket_init(&b, 1000, 2000, t0);
		assert_u64_equal(drain(&b, t0, hz, 2000), 2000);
		early = b;
		assert_int_equal(take(&early, t0 + ms - 1, hz), -1);
		assert_u64_equal(drain(&b, t0 + ms, hz, 2000), 1);
		assert_u64_equal(drain(&b, t0 + ms + hz / 2, hz, 2000), 500);
		assert_u64_equal(drain(&b, t0 + ms + hz / 2 + hz, hz, 2000), 1000);
	}
}

/*
 * Callers that ask more often than once per thousandth of a token are still refilled at the
 * full rate: the cycles that did not complete a thousandth count towards the next one. (The
 * refill of commit e893fe8 threw them away: at 3 GHz and 1000 tokens/s a thousandth is 3000
 * cycles, and a guest retrying every 2000 cycles never got another token; retrying every
 * 4500 cycles it got 2/3 of the rate.)
 */
static void test_frequent_polls_refill_at_full_rate(void **state)
{
	struct token_bucket b;
	uint64_t got = 0, now;

	(void)state;
	/* burst 10, emptied: nothing is ever lost to the cap in these 10 ms. */
	bucket_init(&b, 1000, 10, 0);
	assert_u64_equal(drain(&b, 0, 3 * GHZ, 10), 10);
	/* 10 ms of retries every 2000 cycles: 10 tokens are due in that time. */
	for (now = 2000; now <= 30000000; now += 2000)
		got += take(&b, now, 3 * GHZ) == 0;
	assert_u64_equal(got, 10);

	bucket_init(&b, 1000, 10, 0);
	assert_u64_equal(drain(&b, 0, 3 * GHZ, 10), 10);
	got = 0;
	for (now = 4500; now <= 9000000; now += 4500)
		got += take(&b, now, 3 * GHZ) == 0;
	assert_u64_equal(got, 3); /* 3 ms */

	/* Every single cycle at 50 MHz, 1000/s: the token comes at cycle 50000, not before. */
	bucket_init(&b, 1000, 1, 0);
	assert_int_equal(take(&b, 0, 50 * MHZ), 0);
	for (now = 1; now < 50000; now++)
		if (take(&b, now, 50 * MHZ) == 0)
			fail_msg("a token at cycle %llu, before 50000", (unsigned long long)now);
	assert_int_equal(take(&b, 50000, 50 * MHZ), 0);
	assert_int_equal(take(&b, 50000, 50 * MHZ), -1);
}

/*
 * The refill's product of elapsed cycles and thousandths per second does not wrap at the
 * top rate on a fast clock. (The refill of commit e893fe8 computed (elapsed % hz) *
 * per_second in 64 bits, which wraps past 1.8e10 cycles at 1000000/s, i.e. for any clock
 * above ~18.4 GHz: at 1 THz, 20 ms after draining, the bucket held 1553 tokens, not 20000.)
 */
static void test_no_overflow_at_top_rate_and_fast_clock(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, RATELIMIT_MAX_RATE, RATELIMIT_MAX_RATE, 0);
	assert_u64_equal(drain(&b, 0, 1 * THZ, RATELIMIT_MAX_RATE), RATELIMIT_MAX_RATE);
	assert_u64_equal(drain(&b, 20 * GHZ, 1 * THZ, RATELIMIT_MAX_RATE), 20000);
	/* 0.9 s later: 900000 tokens, just under the burst. */
	assert_u64_equal(drain(&b, 20 * GHZ + 900 * GHZ, 1 * THZ, RATELIMIT_MAX_RATE), 900000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_bucket_gives_burst),
		cmocka_unit_test(test_refill_at_rate),
		cmocka_unit_test(test_fractional_refills_accumulate),
		cmocka_unit_test(test_retry_after_is_time_to_next_token),
		cmocka_unit_test(test_retry_after_partial),
		cmocka_unit_test(test_burst_caps_refill),
		cmocka_unit_test(test_rate_zero_is_unlimited),
		cmocka_unit_test(test_rate_capped),
		cmocka_unit_test(test_burst_zero_raised_to_one),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_huge_elapsed),
		cmocka_unit_test(test_hz_values),
		cmocka_unit_test(test_frequent_polls_refill_at_full_rate),
		cmocka_unit_test(test_no_overflow_at_top_rate_and_fast_clock),
	};

	return unit_run(tests);
}
