/*
 * Token buckets (see hv/ratelimit.h): the generic cell rate algorithm in scaled cycles.
 * bucket_take_fast() is the hot path; the functions here take any number of tokens, say
 * how long to wait, and sort out times that make no sense going forward.
 */
#include <hv/div128.h>
#include <hv/ratelimit.h>

#define NS_PER_SEC 1000000000ull
#define STEP_PRECISION (1ull << 16) /* a token's time is at least this many scaled units */
#define MAX_TIME (1ull << 62)	    /* the most a window may be; further ahead: it wrapped */
#define MAX_HZ (1ull << 47)	    /* clocks up to 140 THz */

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
 * How far ahead of t (now, scaled) the bucket's tat is: 0 when full. A tat further ahead
 * than a whole window can not come from takes: either the clock went backwards (then the
 * bucket counts as empty from now on, so that no token comes of it and no wait is longer
 * than a refill) or it idled so long that the time wrapped (then it is full).
 */
static uint64_t debt(struct token_bucket *b, uint64_t t)
{
	uint64_t ahead = b->tat - t;

	if ((int64_t)ahead < 0 || ahead >= MAX_TIME)
		return 0;
	if (ahead > window_of(b)) {
		b->tat = t + window_of(b);
		return window_of(b);
	}
	return ahead;
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
	uint64_t t = now * b->scale, ahead, need;

	if (b->rate == 0)
		return 0;
	ahead = debt(b, t);
	/* More than the burst counts as the burst: it passes when the bucket is full. */
	need = (unsigned __int128)b->step * (n < b->burst ? n : b->burst) < window_of(b)
		       ? b->step * (n < b->burst ? n : b->burst)
		       : window_of(b);
	if (ahead > window_of(b) - need) {
		*retry_after_ns = time_to_ns(b, ahead - (window_of(b) - need));
		return -1;
	}
	b->tat = t + ahead + need;
	return 0;
}

int bucket_take(struct token_bucket *b, uint64_t now, uint64_t *retry_after_ns)
{
	return bucket_take_n(b, now, 1, retry_after_ns);
}

uint32_t bucket_take_upto(struct token_bucket *b, uint64_t now, uint32_t max)
{
	uint64_t t = now * b->scale, ahead, whole;

	if (b->rate == 0)
		return max;
	ahead = debt(b, t);
	whole = (window_of(b) - ahead) / b->step;
	if (whole > max)
		whole = max;
	b->tat = t + ahead + whole * b->step;
	return (uint32_t)whole;
}
