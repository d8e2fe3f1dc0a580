/*
 * 128-by-64-bit division by shift and subtract (see hv/div128.h): the portable reference
 * that the machine's division is tested against.
 */
#include <hv/div128.h>

uint64_t div128_reference(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;

	for (int i = 63; i >= 0; i--) {
		uint64_t carry = hi >> 63;

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= d) {
			hi -= d;
			q |= 1;
		}
	}
	if (rem)
		*rem = hi;
	return q;
}
