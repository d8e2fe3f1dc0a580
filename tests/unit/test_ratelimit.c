/*
 * Token buckets (hv/ratelimit.c): a full bucket's burst, refill at the stated rate to the
 * cycle, the retry-after of a refusal, the burst cap, the unlimited rate, the caps
 * bucket_init applies, a clock that goes backwards or wraps, long idle times, clock rates
 * from 1 kHz to 1 THz, the hot paths (bucket_take_fast, _alone) agreeing with bucket_take, and
 * threads taking from one bucket at once (a VM's vCPUs on several CPUs) never granted a
 * token more than the bucket had, nor refused one it had.
 */
#define _POSIX_C_SOURCE 200809L /* pthread barriers */
#include "unit.h"

#include <hv/ratelimit.h>

#include <pthread.h>

#define KHZ 1000ull
#define MHZ (1000ull * KHZ)
#define GHZ (1000ull * MHZ)
#define THZ (1000ull * GHZ)
#define NS_PER_SEC 1000000000ull
#define RETRY_UNSET 0xdeadbeefcafef00dull

static const uint64_t hz_values[] = { 1 * KHZ, 50 * MHZ, 3 * GHZ, 1 * THZ };

static uint64_t retry;

/*
 * One take, with retry reset so that a test sees whether it was written. The hot path
 * (bucket_take_fast) is held to bucket_take on a copy: it never takes a token bucket_take
 * would refuse, and takes it the same way. (It may refuse what bucket_take then takes: a
 * bucket idle so long its time wrapped, which its callers leave to bucket_take.)
 */
static int take(struct token_bucket *b, uint64_t now)
{
	struct token_bucket copy = *b, alone = *b;
	int slow, fast = b->rate ? bucket_take_fast(&copy, now) : 0;

	/* The one-CPU variant (a VM of one vCPU) decides and stores as the shared one. */
	if (b->rate && (bucket_take_fast_alone(&alone, now) != fast || alone.tat != copy.tat))
		fail_msg("bucket_take_fast_alone and bucket_take_fast differ at %llu",
			 (unsigned long long)now);

	retry = RETRY_UNSET;
	slow = bucket_take(b, now, &retry);
	if (fast == 0 && slow != 0)
		fail_msg("bucket_take_fast took a token bucket_take refused at %llu",
			 (unsigned long long)now);
	if (b->rate && fast == 0 && copy.tat != b->tat)
		fail_msg("bucket_take_fast left another time than bucket_take");
	return slow;
}

/* Takes tokens at one instant until a refusal (at most max + 1 tries); returns how many. */
static uint64_t drain(struct token_bucket *b, uint64_t now, uint64_t max)
{
	uint64_t n = 0;

	while (n <= max && take(b, now) == 0)
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
	bucket_init(&b, 1000, 10, 12345, 50 * MHZ);
	assert_int_equal(b.rate, 1000);
	assert_int_equal(b.burst, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(take(&b, 12345), 0);
		assert_u64_equal(retry, RETRY_UNSET); /* only a refusal writes it */
	}
	assert_int_equal(take(&b, 12345), -1);
	/* Empty: one whole token at 1000/s is 1 ms away. */
	assert_u64_equal(retry, 1000000);
	/* Refusals take nothing and stay refusals at the same instant. */
	assert_int_equal(take(&b, 12345), -1);
	assert_u64_equal(retry, 1000000);
}

/* rate 1000/s at 50 MHz: one token per 50000 cycles, and not one cycle sooner. */
static void test_refill_at_rate(void **state)
{
	struct token_bucket b, early;
	const uint64_t t0 = 1000000;

	(void)state;
	bucket_init(&b, 1000, 5, t0, 50 * MHZ);
	assert_u64_equal(drain(&b, t0, 5), 5);

	early = b;
	assert_int_equal(take(&early, t0 + 49999), -1);
	assert_u64_equal(retry, 20); /* one cycle at 50 MHz is missing */

	assert_int_equal(take(&b, t0 + 50000), 0);
	assert_int_equal(take(&b, t0 + 50000), -1);
	assert_u64_equal(retry, 1000000);

	/* Three periods later: exactly three tokens. */
	assert_u64_equal(drain(&b, t0 + 4 * 50000, 5), 3);
}

/*
 * rate 1000/s at 50 MHz: 999 steps of 50 cycles leave the bucket short of its token by the
 * rest (each refusal's retry-after says how much is missing), the 1000th completes it.
 */
static void test_partial_refills_accumulate(void **state)
{
	struct token_bucket b;
	uint64_t now = 7;

	(void)state;
	bucket_init(&b, 1000, 1, now, 50 * MHZ);
	assert_int_equal(take(&b, now), 0);
	for (uint64_t k = 1; k < 1000; k++) {
		now += 50;
		assert_int_equal(take(&b, now), -1);
		assert_u64_equal(retry, (1000 - k) * 1000); /* 1 us per 50 cycles missing */
	}
	now += 50;
	assert_int_equal(take(&b, now), 0);
	assert_int_equal(take(&b, now), -1);

	/* A slow rate: 1 token/s at 1 kHz comes at cycle 1000, not before. */
	bucket_init(&b, 1, 1, 0, 1 * KHZ);
	assert_int_equal(take(&b, 0), 0);
	for (now = 1; now < 1000; now++)
		assert_int_equal(take(&b, now), -1);
	assert_int_equal(take(&b, 1000), 0);
}

/*
 * The retry-after of an empty bucket is the time until the next token, rounded up: positive,
 * enough (a take that many ns later succeeds) and not a nanosecond too long (one ns less,
 * the take is still refused). A token's time is exact to 2^-16 of itself (ratelimit.h): so
 * is the wait, against 1e9 / rate.
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

			bucket_init(&b, rates[r], 1, t0, hz);
			assert_int_equal(take(&b, t0), 0);
			assert_int_equal(take(&b, t0), -1);
			ns = retry;
			assert_true(ns > 0);
			assert_true(ns >= (token_ns_at_1 + rates[r] - 1) / rates[r]);
			assert_true(ns <= token_ns_at_1 / rates[r] +
						  token_ns_at_1 / rates[r] / 65536 + 1);

			later = b;
			assert_int_equal(take(&later, t0 + ns_to_cycles_up(ns, hz)), 0);
			later = b;
			assert_int_equal(take(&later, t0 + ns_to_cycles_down(ns - 1, hz)), -1);
		}
	}
	/* rate 3/s: 333333333.3 ns rounds up to ...334. */
	{
		struct token_bucket b;

		bucket_init(&b, 3, 1, 0, 1 * THZ);
		assert_int_equal(take(&b, 0), 0);
		assert_int_equal(take(&b, 0), -1);
		assert_u64_equal(retry, 333333334);
	}
}

/* A partly refilled bucket: the retry-after is for the missing part only, rounded up. */
static void test_retry_after_partial(void **state)
{
	struct token_bucket b, later;

	(void)state;
	/* rate 3/s at 3 GHz: a token is 1e9 cycles; 4e8 in, 6e8 missing. */
	bucket_init(&b, 3, 1, 0, 3 * GHZ);
	assert_int_equal(take(&b, 0), 0);
	assert_int_equal(take(&b, 400000000), -1);
	assert_u64_equal(retry, 200000000); /* 6e8 cycles at 3 GHz = 0.2 s */
	later = b;
	assert_int_equal(take(&later, 400000000 + 599999999), -1);
	later = b;
	assert_int_equal(take(&later, 400000000 + 600000000), 0);

	/* rate 7/s at 1 THz: 142714285714.3 cycles missing is 142714285.7 ns: ...286. */
	bucket_init(&b, 7, 1, 0, 1 * THZ);
	assert_int_equal(take(&b, 0), 0);
	assert_int_equal(take(&b, 142857143), -1);
	assert_u64_equal(retry, 142714286);
}

/* However long the bucket idles, it holds at most burst tokens. */
static void test_burst_caps_refill(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 1000, 4, 0, 50 * MHZ);
	assert_u64_equal(drain(&b, 0, 4), 4);
	assert_u64_equal(drain(&b, 10 * 50 * MHZ, 100), 4); /* 10 s idle */

	/* A full bucket that idles gets nothing on top. */
	bucket_init(&b, 1000, 4, 0, 50 * MHZ);
	assert_u64_equal(drain(&b, 3600 * 50 * MHZ, 100), 4);
	assert_u64_equal(drain(&b, 3600 * 50 * MHZ + 50000, 100), 1);

	/* Half full, then less than a burst's worth but more than the room left: full, no more. */
	bucket_init(&b, 1000, 4, 0, 50 * MHZ);
	assert_int_equal(take(&b, 0), 0);
	assert_int_equal(take(&b, 0), 0);
	assert_u64_equal(drain(&b, 3 * 50000, 100), 4);

	/* burst above rate (10 at 2/s: 5 s to fill), either side of being full again. */
	bucket_init(&b, 2, 10, 0, 1 * GHZ);
	assert_u64_equal(drain(&b, 0, 10), 10);
	assert_u64_equal(drain(&b, 4500 * MHZ, 10), 9);
	bucket_init(&b, 2, 10, 0, 1 * GHZ);
	assert_u64_equal(drain(&b, 0, 10), 10);
	assert_u64_equal(drain(&b, 5 * GHZ, 10), 10);
	bucket_init(&b, 2, 10, 0, 1 * GHZ);
	assert_u64_equal(drain(&b, 0, 10), 10);
	assert_u64_equal(drain(&b, 6 * GHZ - 1, 20), 10);
	bucket_init(&b, 2, 10, 0, 1 * GHZ);
	assert_u64_equal(drain(&b, 0, 10), 10);
	assert_u64_equal(drain(&b, 100 * GHZ, 20), 10);
}

static void test_rate_zero_is_unlimited(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 0, 1, 100, 50 * MHZ);
	assert_int_equal(b.rate, 0);
	for (int i = 0; i < 100000; i++)
		assert_int_equal(take(&b, 100), 0);
	assert_u64_equal(retry, RETRY_UNSET);
	/* Whatever the clock does. */
	assert_int_equal(take(&b, 0), 0);
	assert_int_equal(take(&b, UINT64_MAX), 0);
	assert_int_equal(take(&b, 5), 0);
	assert_u64_equal(bucket_take_upto(&b, 5, 77), 77);
	bucket_init(&b, 0, 0, 0, 1 * GHZ);
	assert_u64_equal(drain(&b, 0, 1000), 1001);
}

static void test_rate_capped(void **state)
{
	static const uint32_t too_fast[] = { RATELIMIT_MAX_RATE + 1, 5000000, UINT32_MAX };
	struct token_bucket b;

	(void)state;
	bucket_init(&b, RATELIMIT_MAX_RATE, 1, 0, 1 * GHZ);
	assert_int_equal(b.rate, RATELIMIT_MAX_RATE);
	for (unsigned int i = 0; i < ARRAY_SIZE(too_fast); i++) {
		bucket_init(&b, too_fast[i], 1, 0, 1 * GHZ);
		assert_int_equal(b.rate, RATELIMIT_MAX_RATE);
		/* It behaves as 1000000/s: 1 us per token. */
		assert_int_equal(take(&b, 0), 0);
		assert_int_equal(take(&b, 0), -1);
		assert_u64_equal(retry, 1000);
		assert_int_equal(take(&b, 999), -1);
		bucket_init(&b, too_fast[i], 1, 0, 1 * GHZ);
		assert_int_equal(take(&b, 0), 0);
		assert_int_equal(take(&b, 1000), 0);
		assert_int_equal(take(&b, 1000), -1);
	}
}

static void test_burst_zero_raised_to_one(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 1000, 0, 0, 50 * MHZ);
	assert_int_equal(b.burst, 1);
	assert_u64_equal(drain(&b, 0, 10), 1);
	/* And refills to one, not zero. */
	assert_u64_equal(drain(&b, 50 * MHZ, 10), 1);
}

/*
 * A clock that goes backwards gives no token: within a window it is as if less time had
 * passed; further back than a burst's worth of time, the bucket counts as empty from the
 * new value on (a wait of at most one refill, never a huge one). A clock that wraps from
 * 2^64 - 1 to 0 has only gone on.
 */
static void test_clock_backwards(void **state)
{
	struct token_bucket b;
	const uint64_t t0 = 1000000000;

	(void)state;
	bucket_init(&b, 1000, 2, t0, 50 * MHZ);
	assert_u64_equal(drain(&b, t0, 2), 2);
	assert_int_equal(take(&b, t0 / 2), -1);
	assert_u64_equal(retry, 1000000); /* empty, and not for longer than a token's time */
	/* 50000 cycles after the new value (still before t0): one token. */
	assert_int_equal(take(&b, t0 / 2 + 50000), 0);
	assert_int_equal(take(&b, t0 / 2 + 50000), -1);

	/* From the top of the clock to 0: six cycles on, not 2^64 back. */
	bucket_init(&b, 1000, 2, UINT64_MAX - 5, 1 * THZ);
	assert_u64_equal(drain(&b, UINT64_MAX - 5, 2), 2);
	assert_int_equal(take(&b, 0), -1);
	assert_u64_equal(retry, 1000000);
	assert_int_equal(take(&b, 1 * GHZ), 0); /* 1 ms after 0 */
	assert_int_equal(take(&b, 1 * GHZ), -1);

	/* Back within the window: as if less time had passed. */
	bucket_init(&b, 1000, 1, 0, 50 * MHZ);
	assert_int_equal(take(&b, 0), 0);
	assert_int_equal(take(&b, 25000), -1); /* half a token */
	assert_u64_equal(retry, 500000);
	assert_int_equal(take(&b, 100), -1);
	assert_u64_equal(retry, 998000); /* 49900 cycles: no token came of going back */
	assert_int_equal(take(&b, 50000), 0);
}

/*
 * Long idle times, up to the bound the bucket's scale gives (2^(62 - shift) cycles, over a
 * year at any rate on clocks from 50 MHz to 100 GHz), at every clock rate: a full bucket, never
 * more than the tokens due (rate * elapsed / hz) nor than the burst, no wrapped product.
 */
static void test_long_idle(void **state)
{
	struct token_bucket b;

	(void)state;
	for (unsigned int h = 0; h < ARRAY_SIZE(hz_values); h++) {
		const uint64_t hz = hz_values[h];

		for (unsigned int shift = 0; shift < 64; shift++) {
			const uint64_t elapsed = 1ull << shift;
			const unsigned __int128 top =
				(unsigned __int128)elapsed * RATELIMIT_MAX_RATE / hz;

			bucket_init(&b, RATELIMIT_MAX_RATE, 3, 0, hz);
			if ((unsigned __int128)elapsed * b.scale < (1ull << 62)) {
				assert_u64_equal(drain(&b, 0, 3), 3);
				assert_u64_equal(drain(&b, elapsed, 10),
						 top < 3 ? (uint64_t)top : 3);
			}
			bucket_init(&b, 1, 1, 0, hz);
			if ((unsigned __int128)elapsed * b.scale < (1ull << 62)) {
				assert_u64_equal(drain(&b, 0, 1), 1);
				assert_u64_equal(drain(&b, elapsed, 10), elapsed >= hz);
			}
		}
		/* The bound is over a year from 50 MHz to 100 GHz, even at the top rate. */
		bucket_init(&b, RATELIMIT_MAX_RATE, 3, 0, hz);
		if (hz >= 50 * MHZ && hz <= 100 * GHZ)
			assert_true((1ull << 62) / b.scale / hz > 365 * 86400ull);
	}
	/* A huge burst at 1/s and 1 THz: the window is capped, and tokens still come at the rate. */
	bucket_init(&b, 1, 5000000, 0, 1 * THZ);
	assert_int_equal(take(&b, 0), 0);
	assert_true(b.slack + b.step <= 1ull << 62);
	assert_u64_equal(bucket_take_upto(&b, 0, 5000000), (b.slack + b.step) / b.step - 1);
	assert_int_equal(take(&b, 0), -1);
	assert_true(retry > 0 && retry <= 1000000000); /* under a token's time: part of it is in */
	assert_int_equal(take(&b, 1 * THZ), 0);
}

/* One token per millisecond at 1000/s, whatever the clock rate: 1 ms and 0.5 s of it. */
static void test_hz_values(void **state)
{
	(void)state;
	for (unsigned int h = 0; h < ARRAY_SIZE(hz_values); h++) {
		const uint64_t hz = hz_values[h], ms = hz / 1000, t0 = 42 * hz;
		struct token_bucket b, early;

		bucket_init(&b, 1000, 2000, t0, hz);
		assert_u64_equal(drain(&b, t0, 2000), 2000);
		early = b;
		assert_int_equal(take(&early, t0 + ms - 1), -1);
		assert_u64_equal(drain(&b, t0 + ms, 2000), 1);
		assert_u64_equal(drain(&b, t0 + ms + hz / 2, 2000), 500);
		assert_u64_equal(drain(&b, t0 + ms + hz / 2 + hz, 2000), 1000);
	}
}

/*
 * Callers that ask more often than a token comes are still refilled at the full rate: the
 * time since the last token counts towards the next one. (The refill of commit e893fe8
 * threw it away: at 3 GHz and 1000 tokens/s a guest retrying every 2000 cycles never got
 * another token; retrying every 4500 cycles it got 2/3 of the rate.)
 */
static void test_frequent_polls_refill_at_full_rate(void **state)
{
	struct token_bucket b;
	uint64_t got = 0, now;

	(void)state;
	/* burst 10, emptied: nothing is ever lost to the cap in these 10 ms. */
	bucket_init(&b, 1000, 10, 0, 3 * GHZ);
	assert_u64_equal(drain(&b, 0, 10), 10);
	/* 10 ms of retries every 2000 cycles: 10 tokens are due in that time. */
	for (now = 2000; now <= 30000000; now += 2000)
		got += take(&b, now) == 0;
	assert_u64_equal(got, 10);

	bucket_init(&b, 1000, 10, 0, 3 * GHZ);
	assert_u64_equal(drain(&b, 0, 10), 10);
	got = 0;
	for (now = 4500; now <= 9000000; now += 4500)
		got += take(&b, now) == 0;
	assert_u64_equal(got, 3); /* 3 ms */

	/* Every single cycle at 50 MHz, 1000/s: the token comes at cycle 50000, not before. */
	bucket_init(&b, 1000, 1, 0, 50 * MHZ);
	assert_int_equal(take(&b, 0), 0);
	for (now = 1; now < 50000; now++)
		if (take(&b, now) == 0)
			fail_msg("a token at cycle %llu, before 50000", (unsigned long long)now);
	assert_int_equal(take(&b, 50000), 0);
	assert_int_equal(take(&b, 50000), -1);
}

/* The top rate on a fast clock: no product wraps. */
static void test_no_overflow_at_top_rate_and_fast_clock(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, RATELIMIT_MAX_RATE, RATELIMIT_MAX_RATE, 0, 1 * THZ);
	assert_u64_equal(drain(&b, 0, RATELIMIT_MAX_RATE), RATELIMIT_MAX_RATE);
	assert_u64_equal(drain(&b, 20 * GHZ, RATELIMIT_MAX_RATE), 20000);
	/* 0.9 s later: 900000 tokens, just under the burst. */
	assert_u64_equal(drain(&b, 20 * GHZ + 900 * GHZ, RATELIMIT_MAX_RATE), 900000);
}

/* n at once: all or nothing, a request above the burst passes when full; and up to n. */
static void test_take_n_and_upto(void **state)
{
	struct token_bucket b;

	(void)state;
	bucket_init(&b, 1000, 100, 0, 50 * MHZ);
	assert_int_equal(bucket_take_n(&b, 0, 500, &retry), 0); /* more than the burst: full */
	assert_int_equal(bucket_take_n(&b, 0, 1, &retry), -1);
	assert_u64_equal(retry, 1000000);
	assert_int_equal(bucket_take_n(&b, 50 * MHZ / 10, 60, &retry), 0); /* 100 ms: 100 */
	assert_int_equal(bucket_take_n(&b, 50 * MHZ / 10, 41, &retry), -1);
	assert_u64_equal(retry, 1000000); /* 40 there, one missing */
	assert_u64_equal(bucket_take_upto(&b, 50 * MHZ / 10, 1000), 40);
	assert_u64_equal(bucket_take_upto(&b, 50 * MHZ / 10, 1000), 0);
	assert_u64_equal(bucket_take_upto(&b, 50 * MHZ / 10 + 3 * 50000, 2), 2);
}

#define THREADS 4
#define TAKES_PER_THREAD 200000

/* The bucket the threads share, the clock they read, what each was granted. */
static struct token_bucket shared;
static uint64_t shared_clock; /* UINT64_MAX: every take at the same instant, 1 */
static pthread_barrier_t start;

/* As hc_dispatch takes: the fast path, bucket_take() when it gives up; n calls. */
static void *taker(void *arg)
{
	uint64_t granted = 0, wait;

	pthread_barrier_wait(&start);
	for (int i = 0; i < TAKES_PER_THREAD; i++) {
		uint64_t now = shared_clock == UINT64_MAX
				       ? 1
				       : __atomic_fetch_add(&shared_clock, 1, __ATOMIC_RELAXED);
		int n = i % 3 == 2 ? (int)bucket_take_upto(&shared, now, 2)
				   : bucket_take_fast(&shared, now) == 0 ||
					     bucket_take(&shared, now, &wait) == 0;

		granted += (uint64_t)n;
	}
	*(uint64_t *)arg = granted;
	return NULL;
}

static uint64_t race(void)
{
	pthread_t threads[THREADS];
	uint64_t granted[THREADS], total = 0;

	assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, taker, &granted[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		total += granted[i];
	}
	pthread_barrier_destroy(&start);
	return total;
}

/*
 * All at one instant: exactly the burst, whoever wins each race (checked to fail with
 * plain stores for the compare-and-swaps: tokens are granted twice within a few runs).
 */
static void test_threads_at_one_instant_get_the_burst(void **state)
{
	(void)state;
	for (int run = 0; run < 20; run++) {
		bucket_init(&shared, 1000, 50000, 1, 1 * MHZ);
		shared_clock = UINT64_MAX;
		assert_u64_equal(race(), 50000);
	}
}

/*
 * A clock that moves with every take (a tick each, in whatever order the threads read it):
 * never more than the burst and what the rate gave since.
 */
static void test_threads_never_over_granted(void **state)
{
	(void)state;
	for (int run = 0; run < 5; run++) {
		uint64_t total, limit;

		/* A token per 1000 ticks; a take's clock may be late by far more than a run. */
		bucket_init(&shared, 1000000, 100, 1000, 1 * GHZ);
		shared_clock = 1000;
		total = race();
		limit = 100 + (shared_clock - 1000) / 1000 + 1;
		if (total > limit || total < 100)
			fail_msg("%llu tokens granted over %llu ticks: at most %llu",
				 (unsigned long long)total,
				 (unsigned long long)(shared_clock - 1000),
				 (unsigned long long)limit);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_bucket_gives_burst),
		cmocka_unit_test(test_refill_at_rate),
		cmocka_unit_test(test_partial_refills_accumulate),
		cmocka_unit_test(test_retry_after_is_time_to_next_token),
		cmocka_unit_test(test_retry_after_partial),
		cmocka_unit_test(test_burst_caps_refill),
		cmocka_unit_test(test_rate_zero_is_unlimited),
		cmocka_unit_test(test_rate_capped),
		cmocka_unit_test(test_burst_zero_raised_to_one),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_long_idle),
		cmocka_unit_test(test_hz_values),
		cmocka_unit_test(test_frequent_polls_refill_at_full_rate),
		cmocka_unit_test(test_no_overflow_at_top_rate_and_fast_clock),
		cmocka_unit_test(test_take_n_and_upto),
		cmocka_unit_test(test_threads_at_one_instant_get_the_burst),
		cmocka_unit_test(test_threads_never_over_granted),
	};

	return unit_run(tests);
}
