/*
 * Token buckets for "done sparingly": each VM has one per rate-limit class of pv-abi
 * (PV_RATE_*), refilled from the cycle counter at `rate` tokens per second up to `burst`.
 * A call takes one token (the console: one per byte) or is refused with the time until
 * they are there. Pure code.
 *
 * Kept as the generic cell rate algorithm (virtual scheduling, ITU-T I.371): one time, tat,
 * at which the bucket would be full again. Each token taken moves it one token's time
 * (step) later; a take is refused when tat is already more than burst - 1 tokens' time
 * ahead. So taking a token is a comparison and an addition: nothing is ever refilled.
 * Times are cycles scaled by 2^shift, the least scale at which a token's time (rounded up:
 * a token is never early) is exact to 2^-16 of itself; they wrap, only their differences
 * to now count, and a bucket may idle for 2^(62 - shift) cycles (over a year at any rate,
 * on clocks from 50 MHz to 100 GHz) before it could be taken for one that is owed time.
 *
 * One VM's vCPUs on several CPUs take from the same buckets at once: tat is the only field
 * a take changes, and it changes by compare-and-swap, so no lock is needed and no token is
 * ever granted twice. The other fields are set by bucket_init() while no one takes (a VM
 * being built, the boot's hw budget): hv/LOCKING.md.
 */
#ifndef HV_RATELIMIT_H
#define HV_RATELIMIT_H

#include <hv/types.h>

#define RATELIMIT_MAX_RATE 1000000u /* tokens per second; 0 means unlimited */

struct token_bucket {
	uint32_t rate;	/* tokens per second; 0 = unlimited */
	uint32_t burst; /* most tokens it holds (>= 1 when limited) */
	uint64_t tat;	/* when it is full again (scaled cycles); at or before now: full */
	uint64_t scale; /* 2^shift: cycles * scale are the times below */
	uint64_t step;	/* one token's time, scaled, rounded up */
	uint64_t slack; /* (burst - 1) tokens' time: how far ahead tat may be for a take */
	uint64_t hz;	/* cycles per second, for the retry-after times */
};

/*
 * A full bucket at cycle count now of a clock of hz cycles per second. rate is capped at
 * RATELIMIT_MAX_RATE, burst raised to at least 1.
 */
void bucket_init(struct token_bucket *b, uint32_t rate, uint32_t burst, uint64_t now, uint64_t hz);

/*
 * The hot path: takes one token at cycle count now if there is one (returns 0) and changes
 * nothing if not (returns -1; bucket_take() then says how long to wait). Only for a
 * limited bucket (rate > 0). Safe against takes on other CPUs: the new time goes in by a
 * compare-and-swap, and if another take came first this one gives up (-1) and leaves the
 * call to bucket_take(), which tries again.
 */
static inline int bucket_take_fast(struct token_bucket *b, uint64_t now)
{
	uint64_t t = now * b->scale, tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);
	uint64_t ahead = tat - t;

	if ((int64_t)ahead < 0)
		ahead = 0; /* full: what came past the burst was not kept */
	if (ahead > b->slack)
		return -1;
	return __atomic_compare_exchange_n(&b->tat, &tat, t + ahead + b->step, 0, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED)
		       ? 0
		       : -1;
}

/*
 * bucket_take_fast() for a bucket that only one CPU ever takes from (a VM of one vCPU): the
 * new time is simply stored, 3 instructions fewer than the compare-and-swap.
 */
static inline int bucket_take_fast_alone(struct token_bucket *b, uint64_t now)
{
	uint64_t t = now * b->scale, ahead = b->tat - t;

	if ((int64_t)ahead < 0)
		ahead = 0;
	if (ahead > b->slack)
		return -1;
	__atomic_store_n(&b->tat, t + ahead + b->step, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Takes one token at cycle count now. Returns 0, or -1 with the nanoseconds until a token
 * will be there in *retry_after_ns (at least 1). A clock that goes backwards gives no
 * token, and never a wait longer than the bucket takes to fill.
 */
int bucket_take(struct token_bucket *b, uint64_t now, uint64_t *retry_after_ns);

/*
 * Takes n tokens at once (n above the burst counts as the whole burst, so that a request
 * larger than the burst passes when the bucket is full). Returns 0, or -1 with the
 * nanoseconds until n tokens will be there in *retry_after_ns; nothing is taken then.
 */
int bucket_take_n(struct token_bucket *b, uint64_t now, uint32_t n, uint64_t *retry_after_ns);

/* Takes as many whole tokens as are there, at most max; returns how many (max if unlimited). */
uint32_t bucket_take_upto(struct token_bucket *b, uint64_t now, uint32_t max);

#endif
