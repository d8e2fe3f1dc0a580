/* SPDX-License-Identifier: MIT */
/*
 * What every guest-kit header shares: address translation for hypercall arguments, port
 * I/O, the time stamp counter and memory barriers. Hypercalls take guest-physical
 * addresses; a guest kernel that does not run identity-mapped defines
 * GK_VIRT_TO_PHYS(ptr) before including any guest-kit header.
 */
#ifndef GK_BASE_H
#define GK_BASE_H

#include <pvabi/types.h>

/* The null pointer, in C and C++ alike (no <stddef.h> in a kernel build). */
#ifdef __cplusplus
#define GK_NULL nullptr
#else
#define GK_NULL ((void *)0)
#endif

#ifndef GK_VIRT_TO_PHYS
#define GK_VIRT_TO_PHYS(ptr) ((uint64_t)(uintptr_t)(ptr))
#endif

#ifdef GK_MOCK
#ifdef __cplusplus
extern "C"
#endif
	uint64_t
	gk_mock_rdtsc(void);
#endif

/* The time stamp counter, ordered after earlier loads (LFENCE). */
static inline uint64_t gk_rdtsc(void)
{
#ifdef GK_MOCK
	return gk_mock_rdtsc();
#else
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
#endif
}

/* A compiler barrier: x86 keeps loads and stores in order otherwise (TSO). */
static inline void gk_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void gk_outb(uint16_t port, uint8_t v)
{
#ifdef GK_MOCK
	(void)port;
	(void)v;
#else
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
#endif
}

static inline uint8_t gk_inb(uint16_t port)
{
#ifdef GK_MOCK
	(void)port;
	return 0x60; /* a UART that is always ready */
#else
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
#endif
}

#endif
