/* SPDX-License-Identifier: MIT */
/*
 * Raw Shunt hypercalls: VMCALL with RAX = call number and arguments in RDI, RSI, RDX, R10,
 * R8, R9 (pv-abi/SPEC.md, "Hypercall convention"). Must be executed at CPL 0. Each returns
 * the call's result: >= 0 on success, a negative PV_E* code on failure.
 */
#ifndef GK_HYPERCALL_H
#define GK_HYPERCALL_H

#include <pvabi/pvabi.h>
#include <stdint.h>

static inline int64_t gk_hypercall0(uint64_t nr)
{
	int64_t ret;

	__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static inline int64_t gk_hypercall1(uint64_t nr, uint64_t a0)
{
	int64_t ret;

	__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a0) : "memory");
	return ret;
}

static inline int64_t gk_hypercall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	int64_t ret;

	__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "memory");
	return ret;
}

static inline int64_t gk_hypercall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	int64_t ret;

	__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "memory");
	return ret;
}

static inline int64_t gk_hypercall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				    uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t ret;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;

	__asm__ volatile("vmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "memory");
	return ret;
}

/* PV_CALL_VERSION: PV_ABI_VERSION(major, minor) of the hypervisor. */
static inline uint32_t gk_version(void)
{
	return (uint32_t)gk_hypercall0(PV_CALL_VERSION);
}

/* PV_CALL_YIELD: lets other vCPUs run before this one continues. Returns 0. */
static inline int64_t gk_yield(void)
{
	return gk_hypercall0(PV_CALL_YIELD);
}

/* PV_CALL_EXIT: stops this VM with code (reported in Shunt's summary). Never returns. */
static inline __attribute__((noreturn)) void gk_exit(int64_t code)
{
	gk_hypercall1(PV_CALL_EXIT, (uint64_t)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
