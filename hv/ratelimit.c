/*
 * Token buckets (see hv/ratelimit.h). The refill is exact for any rate up to
 * RATELIMIT_MAX_RATE and any clock: a 128-bit product, and the remainder carried over.
 */
#include <hv/div128.h>
#include <hv/ratelimit.h>

void bucket_init(struct token_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	b->rate = rate > RATELIMIT_MAX_RATE ? RATELIMIT_MAX_RATE : rate;
	b->burst = burst ? burst : 1;
	b->milli = (uint64_t)b->burst * RATELIMIT_MILLI;
	b->frac = 0;
	b->last = now;
}

/*
 * Adds rate tokens per second of elapsed cycles, exactly: the part of a thousandth that the
 * elapsed cycles did not complete is carried in frac (in units of 1/hz thousandth), so that
 * callers asking more often than once per thousandth still refill at the full rate.
 */
static void refill(struct token_bucket *b, uint64_t now, uint64_t hz)
{
	uint64_t cap = (uint64_t)b->burst * RATELIMIT_MILLI;
	uint64_t per_second = (uint64_t)b->rate * RATELIMIT_MILLI;
	unsigned __int128 num;
	uint64_t hi, lo, add;

	if (now <= b->last) {
		b->last = now; /* backwards (or no time): start counting from here */
		return;
	}
	num = (unsigned __int128)(now - b->last) * per_second + b->frac;
	b->last = now;
	hi = (uint64_t)(num >> 64);
	lo = (uint64_t)num;
	if (hi >= hz) {
		add = cap; /* more thousandths than 64 bits hold: full, whatever the rest */
		b->frac = 0;
	} else if (hi == 0) {
		add = lo / hz;
		b->frac = lo % hz;
	} else {
		add = div128(hi, lo, hz, &b->frac);
	}
	if (add >= cap - b->milli) {
		b->milli = cap;
		b->frac = 0; /* a full bucket keeps no partial token */
	} else {
		b->milli += add;
	}
}

int bucket_take_n(struct token_bucket *b, uint64_t now, uint64_t hz, uint32_t n,
		  uint64_t *retry_after_ns)
{
	uint64_t want;

	if (b->rate == 0)
		return 0;
	want = (uint64_t)(n < b->burst ? n : b->burst) * RATELIMIT_MILLI;
	refill(b, now, hz);
	if (b->milli >= want) {
		b->milli -= want;
		return 0;
	}
	/* (missing thousandths) / (thousandths per ns), rounded up to at least 1 ns. */
	*retry_after_ns = ((want - b->milli) * 1000000ull + b->rate - 1) / b->rate;
	return -1;
}

int bucket_take(struct token_bucket *b, uint64_t now, uint64_t hz, uint64_t *retry_after_ns)
{
	return bucket_take_n(b, now, hz, 1, retry_after_ns);
}

uint32_t bucket_take_upto(struct token_bucket *b, uint64_t now, uint64_t hz, uint32_t max)
{
	uint64_t whole;

	if (b->rate == 0)
		return max;
	refill(b, now, hz);
	whole = b->milli / RATELIMIT_MILLI;
	if (whole > max)
		whole = max;
	b->milli -= whole * RATELIMIT_MILLI;
	return (uint32_t)whole;
}
