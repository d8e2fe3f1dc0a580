/* SPDX-License-Identifier: MIT */
/*
 * The PV console ring (PV_CALL_CONSOLE_RING_SET): a single-producer byte ring in guest
 * memory. The guest copies bytes to data[producer % size], then advances producer; one
 * PV_CALL_CONSOLE_RING_KICK makes Shunt drain everything up to producer and advance
 * consumer. Both indexes run freely and wrap at 2^32. See pv-abi/SPEC.md, "Console ring".
 */
#ifndef PVABI_CONSOLE_RING_H
#define PVABI_CONSOLE_RING_H

#include <pvabi/pvabi.h>
#include <pvabi/types.h>

#define PV_CONSOLE_RING_MIN 64u	   /* smallest data size */
#define PV_CONSOLE_RING_MAX 65536u /* largest data size; sizes are powers of two */

struct pv_console_ring {
	uint32_t producer; /* written by the guest only */
	uint32_t consumer; /* written by Shunt only */
	uint32_t size;	   /* data bytes, as given to PV_CALL_CONSOLE_RING_SET (read-only) */
	uint32_t reserved;
	/* the size data bytes follow at offset 16 (PV_CONSOLE_RING_DATA) */
};

/* The ring's data bytes, right after its header. */
#define PV_CONSOLE_RING_DATA(ring) ((uint8_t *)((uintptr_t)(ring) + sizeof(struct pv_console_ring)))

PV_STATIC_ASSERT(sizeof(struct pv_console_ring) == 16, "pv_console_ring header is 16 bytes");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_console_ring, consumer) == 4, "consumer");
PV_STATIC_ASSERT(PV_OFFSETOF(struct pv_console_ring, size) == 8, "size");

#endif
