/*
 * Token buckets (see hv/ratelimit.h): the generic cell rate algorithm in scaled cycles.
 * bucket_take_fast() is the hot path; the functions here take any number of tokens, say
 * how long to wait, and sort out times that make no sense going forward. Each reads tat
 * once, works on that value and puts its result back with a compare-and-swap, again if
 * another CPU's take came between: a bucket shared by a VM's vCPUs needs no lock.
 */
#include <hv/div128.h>
#include <hv/ratelimit.h>

#define NS_PER_SEC 1000000000ull
#define STEP_PRECISION (1ull << 16) /* a token's time is at least this many scaled units */
#define MAX_TIME (1ull << 62)	    /* the most a window may be; further ahead: it wrapped */
#define MAX_HZ (1ull << 47)	    /* clocks up to 140 THz */
#define STALE_SECONDS_INVERSE 16    /* a take's clock may be 1/16 s behind another CPU's */

void bucket_init(struct token_bucket *b, uint32_t rate, uint32_t burst, uint64_t now, uint64_t hz)
{
	unsigned int shift = 0;

	b->rate = rate > RATELIMIT_MAX_RATE ? RATELIMIT_MAX_RATE : rate;
	b->burst = burst ? burst : 1;
	b->hz = hz ? (hz < MAX_HZ ? hz : MAX_HZ) : 1;
	b->scale = 1;
	b->step = b->slack = 0;
	if (b->rate) {
		/* The least scale that makes a token at least 2^16 units: hz << shift < 2^37. */
		while ((b->hz << shift) / b->rate < STEP_PRECISION)
			shift++;
		b->scale = 1ull << shift;
		b->step = ((b->hz << shift) + b->rate - 1) / b->rate; /* never early */
		if (b->step > MAX_TIME)
			b->step = MAX_TIME;
		b->slack = (unsigned __int128)b->step * b->burst < MAX_TIME
				   ? b->step * (b->burst - 1)
				   : MAX_TIME - b->step; /* a huge burst at a slow rate: capped */
	}
	b->tat = now * b->scale; /* full */
}

/* The tokens' time all of a full bucket stands for: burst tokens, or the cap. */
static uint64_t window_of(const struct token_bucket *b)
{
	return b->slack + b->step;
}

/*
 * How far ahead of t (now, scaled) a bucket whose time is tat is: 0 when full; *base gets
 * the time a take builds on (tat, or t when full). A tat further ahead than a whole window
 * can not come from takes at t: either this take read the clock before another CPU's take
 * at a later time went in (refused: that take had the tokens), or the clock went backwards
 * (when it is behind by more than a CPU's take can be late, STALE_SECONDS: then the bucket
 * counts as empty from now on, *base = t + window, so that no token comes of it and no wait
 * is longer than a refill), or it idled so long that the time wrapped (then it is full).
 */
static uint64_t debt(const struct token_bucket *b, uint64_t tat, uint64_t t, uint64_t *base)
{
	uint64_t ahead = tat - t;

	*base = tat;
	if ((int64_t)ahead < 0 || ahead >= MAX_TIME) {
		*base = t;
		return 0;
	}
	if (ahead > window_of(b)) {
		if (ahead - window_of(b) > b->hz * b->scale / STALE_SECONDS_INVERSE)
			*base = t + window_of(b);
		return window_of(b);
	}
	return ahead;
}

/*
 * Puts next where *tat was seen: 0, or -1 if another take changed the bucket since (then
 * *tat is what it is now, to work out again). Nothing but tat changes while a bucket is
 * shared (hv/LOCKING.md), so tat alone decides.
 */
static int settle(struct token_bucket *b, uint64_t *tat, uint64_t next)
{
	if (next == *tat)
		return 0;
	return __atomic_compare_exchange_n(&b->tat, tat, next, 0, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED)
		       ? 0
		       : -1;
}

/* Scaled cycles as nanoseconds, rounded up, at least 1. */
static uint64_t time_to_ns(const struct token_bucket *b, uint64_t scaled)
{
	/* scaled * 1e9 / (hz * scale), when it fits in 64 bits (then one division will do). */
	unsigned __int128 num = (unsigned __int128)scaled * NS_PER_SEC;
	uint64_t den = b->hz * b->scale, rem, q;

	if ((uint64_t)(num >> 64) >= den)
		return UINT64_MAX; /* centuries: only on absurd clocks */
	q = div128((uint64_t)(num >> 64), (uint64_t)num, den, &rem);
	q += rem != 0;
	return q ? q : 1;
}

int bucket_take_n(struct token_bucket *b, uint64_t now, uint32_t n, uint64_t *retry_after_ns)
{
	uint64_t t = now * b->scale, tat, ahead, need, base;

	if (b->rate == 0)
		return 0;
	/* More than the burst counts as the burst: it passes when the bucket is full. */
	need = (unsigned __int128)b->step * (n < b->burst ? n : b->burst) < window_of(b)
		       ? b->step * (n < b->burst ? n : b->burst)
		       : window_of(b);
	tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);
	for (;;) {
		ahead = debt(b, tat, t, &base);
		if (ahead > window_of(b) - need) {
			if (settle(b, &tat, base)) /* a clock gone back: its new time kept */
				continue;
			*retry_after_ns = time_to_ns(b, ahead - (window_of(b) - need));
			return -1;
		}
		if (!settle(b, &tat, base + need))
			return 0;
	}
}

int bucket_take(struct token_bucket *b, uint64_t now, uint64_t *retry_after_ns)
{
	return bucket_take_n(b, now, 1, retry_after_ns);
}

uint32_t bucket_take_upto(struct token_bucket *b, uint64_t now, uint32_t max)
{
	uint64_t t = now * b->scale, tat, ahead, whole, base;

	if (b->rate == 0)
		return max;
	tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);
	do {
		ahead = debt(b, tat, t, &base);
		whole = (window_of(b) - ahead) / b->step;
		if (whole > max)
			whole = max;
	} while (settle(b, &tat, base + whole * b->step));
	return (uint32_t)whole;
}
