/*
 * Division of a 128-bit number by a 64-bit one, for the places that need exact fixed-point
 * arithmetic (PV clock, rate limits) in an image without libgcc: the machine's own
 * instruction (arch_div128, inline), and a portable reference the unit tests hold it to.
 */
#ifndef HV_DIV128_H
#define HV_DIV128_H

#include <arch/div128.h>
#include <stdint.h>

/*
 * (hi:lo) / d, for hi < d (so that the quotient fits in 64 bits); the remainder goes to
 * *rem when rem is not NULL. One instruction where the machine has it.
 */
static inline uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	return arch_div128(hi, lo, d, rem);
}

/* The same by shift and subtract, 64 steps: the reference for the unit tests. */
uint64_t div128_reference(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem);

#endif
