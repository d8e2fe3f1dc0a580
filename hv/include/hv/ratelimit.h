/*
 * Token buckets for "done sparingly": each VM has one per rate-limit class of pv-abi
 * (PV_RATE_*), refilled from the cycle counter at `rate` tokens per second up to `burst`.
 * A call takes one token (the console: one per byte) or is refused with the time until
 * they are there. Pure code.
 */
#ifndef HV_RATELIMIT_H
#define HV_RATELIMIT_H

#include <hv/types.h>

#define RATELIMIT_MAX_RATE 1000000u /* tokens per second; 0 means unlimited */
#define RATELIMIT_MILLI 1000u	    /* tokens are kept in thousandths, for slow rates */

struct token_bucket {
	uint32_t rate;	/* tokens per second; 0 = unlimited */
	uint32_t burst; /* most tokens it holds (>= 1 when limited) */
	uint64_t milli; /* tokens now, in thousandths */
	uint64_t frac;	/* and a part of the next thousandth, in 1/hz units */
	uint64_t last;	/* cycle count of the last refill */
};

/* A full bucket. rate is capped at RATELIMIT_MAX_RATE, burst raised to at least 1. */
void bucket_init(struct token_bucket *b, uint32_t rate, uint32_t burst, uint64_t now);

/*
 * Takes one token at cycle count now (hz cycles per second). Returns 0, or -1 with the
 * nanoseconds until a token will be there in *retry_after_ns. A clock that went backwards
 * refills nothing.
 */
int bucket_take(struct token_bucket *b, uint64_t now, uint64_t hz, uint64_t *retry_after_ns);

/*
 * Takes n tokens at once (n above the burst counts as the whole burst, so that a request
 * larger than the burst passes when the bucket is full). Returns 0, or -1 with the
 * nanoseconds until n tokens will be there in *retry_after_ns; nothing is taken then.
 */
int bucket_take_n(struct token_bucket *b, uint64_t now, uint64_t hz, uint32_t n,
		  uint64_t *retry_after_ns);

/* Takes as many whole tokens as are there, at most max; returns how many (max if unlimited). */
uint32_t bucket_take_upto(struct token_bucket *b, uint64_t now, uint64_t hz, uint32_t max);

#endif
