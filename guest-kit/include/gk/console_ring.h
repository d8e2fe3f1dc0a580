/* SPDX-License-Identifier: MIT */
/*
 * The PV console ring: many bytes per exit. The guest owns a struct pv_console_ring
 * followed by its data (a power of two from PV_CONSOLE_RING_MIN to PV_CONSOLE_RING_MAX
 * bytes) in its RAM, fills it with gk_ring_write() and makes Shunt drain it with
 * gk_ring_flush(), which is one hypercall however many bytes are waiting. Needs gk_open()
 * and PV_FEATURE_CONSOLE_RING.
 */
#ifndef GK_CONSOLE_RING_H
#define GK_CONSOLE_RING_H

#include <gk/backoff.h>
#include <gk/base.h>
#include <gk/console.h>
#include <gk/hypercall.h>
#include <pvabi/console_ring.h>

/* Sets up ring (8-byte aligned) with size data bytes after it. 0, PV_EINVAL or PV_EFAULT. */
static inline int64_t gk_ring_init(struct pv_console_ring *ring, uint32_t size)
{
	ring->producer = 0;
	ring->consumer = 0;
	ring->size = size;
	ring->reserved = 0;
	return gk_call_console_ring_set(GK_VIRT_TO_PHYS(ring), size);
}

/*
 * Asks Shunt to take the ring's bytes. It takes what its buffer for this VM has room for
 * (the rest stays in the ring for the next kick); when it has none, the kick waits as told
 * and retries. Returns the bytes taken, or a PV_E* code.
 */
static inline int64_t gk_ring_flush(void)
{
	return gk_call_backoff(PV_CALL_CONSOLE_RING_KICK, 0, 0, 0, GK_CONSOLE_MAX_RETRIES, GK_NULL);
}

/*
 * Copies len bytes into the ring, flushing whenever it is full (so a write longer than the
 * ring still goes through). Returns len, or the first PV_E* code from a flush.
 */
static inline int64_t gk_ring_write(struct pv_console_ring *ring, const char *buf, size_t len)
{
	uint8_t *data = PV_CONSOLE_RING_DATA(ring);
	uint32_t size = ring->size, producer = ring->producer;
	size_t done = 0;

	while (done < len) {
		uint32_t space =
			size - (producer - __atomic_load_n(&ring->consumer, __ATOMIC_ACQUIRE));
		uint32_t at = producer & (size - 1), chunk, i;

		if (space == 0) {
			int64_t r = gk_ring_flush();

			if (r < 0)
				return r;
			continue;
		}
		/* As much as fits before the wrap, in one go, then publish it with one store. */
		chunk = space < size - at ? space : size - at;
		if (chunk > len - done)
			chunk = (uint32_t)(len - done);
		for (i = 0; i < chunk; i++)
			data[at + i] = (uint8_t)buf[done + i];
		done += chunk;
		producer += chunk;
		__atomic_store_n(&ring->producer, producer, __ATOMIC_RELEASE);
	}
	return (int64_t)len;
}

#endif
