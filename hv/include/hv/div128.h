/*
 * Division of a 128-bit number by a 64-bit one, for the few places that need exact
 * fixed-point arithmetic (PV clock scale, rate-limit refill) in an image without libgcc.
 */
#ifndef HV_DIV128_H
#define HV_DIV128_H

#include <stdint.h>

/*
 * (hi:lo) / d, for hi < d (so that the quotient fits in 64 bits); the remainder goes to
 * *rem when rem is not NULL. Bit by bit: 64 steps, for paths that are not hot.
 */
uint64_t div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem);

#endif
