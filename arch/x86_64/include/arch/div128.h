/*
 * The machine's 128-by-64-bit division, for generic code that needs one on a hot path
 * (hv/div128.h): x86-64 has it as one instruction.
 */
#ifndef ARCH_DIV128_H
#define ARCH_DIV128_H

#include <stdint.h>

/*
 * (hi:lo) / d with the remainder in *rem (when rem is not NULL). Only for hi < d: then the
 * quotient fits in 64 bits, which is what DIV needs not to raise #DE (SDM Vol. 2A, DIV).
 */
static inline uint64_t arch_div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	uint64_t q, r;

	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
	if (rem)
		*rem = r;
	return q;
}

#endif
