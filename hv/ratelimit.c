/*
 * Token buckets (see hv/ratelimit.h). All arithmetic stays in 64 bits: the refill splits
 * the elapsed cycles into whole seconds and a remainder so that nothing overflows for any
 * rate up to RATELIMIT_MAX_RATE and any clock up to 2^63 cycles.
 */
#include <hv/ratelimit.h>

void bucket_init(struct token_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	b->rate = rate > RATELIMIT_MAX_RATE ? RATELIMIT_MAX_RATE : rate;
	b->burst = burst ? burst : 1;
	b->milli = (uint64_t)b->burst * RATELIMIT_MILLI;
	b->last = now;
}

static void refill(struct token_bucket *b, uint64_t now, uint64_t hz)
{
	uint64_t elapsed, add, cap = (uint64_t)b->burst * RATELIMIT_MILLI;
	uint64_t per_second = (uint64_t)b->rate * RATELIMIT_MILLI;

	if (now <= b->last) {
		b->last = now; /* backwards (or no time): start counting from here */
		return;
	}
	elapsed = now - b->last;
	if (elapsed / hz >= cap / (per_second ? per_second : 1) + 1) {
		b->milli = cap; /* long enough to fill it whatever the remainder */
	} else {
		add = (elapsed / hz) * per_second + (elapsed % hz) * per_second / hz;
		b->milli = b->milli + add > cap ? cap : b->milli + add;
	}
	b->last = now;
}

int bucket_take(struct token_bucket *b, uint64_t now, uint64_t hz, uint64_t *retry_after_ns)
{
	if (b->rate == 0)
		return 0;
	refill(b, now, hz);
	if (b->milli >= RATELIMIT_MILLI) {
		b->milli -= RATELIMIT_MILLI;
		return 0;
	}
	/* (missing thousandths) / (thousandths per ns), rounded up to at least 1 ns. */
	*retry_after_ns = ((RATELIMIT_MILLI - b->milli) * 1000000ull + b->rate - 1) / b->rate;
	return -1;
}
