/*
 * Random numbers for the management plane (hv/net/random.c): lwIP's TCP sequence numbers,
 * ports and DHCP transaction IDs, and anything else that must not be guessed. An mbedTLS
 * HMAC_DRBG seeded from the CPU's generator (arch_random_read) and TSC jitter.
 */
#ifndef HV_NET_RANDOM_H
#define HV_NET_RANDOM_H

#include <hv/types.h>

/* Seeds the generator and prints the boot's "mgmt: random:" line. Before anything asks. */
void random_init(void);
/* len random bytes; the generator seeds itself first if random_init() has not run. */
void random_bytes(void *out, size_t len);
uint32_t random_u32(void);

#endif
