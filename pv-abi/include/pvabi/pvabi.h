/* SPDX-License-Identifier: MIT */
/*
 * Shunt paravirtual ABI: detection, the hypercall convention, call numbers and error codes.
 * This header is the guest-facing contract (pv-abi/SPEC.md is its normative text); it
 * depends on nothing but <stdint.h> and is licensed so that guests under any license may
 * include it.
 */
#ifndef PVABI_PVABI_H
#define PVABI_PVABI_H

#include <stdint.h>

/* Layout checks that work in C11 and C++11 alike. */
#ifdef __cplusplus
#define PV_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PV_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#define PV_OFFSETOF(type, member) __builtin_offsetof(type, member)

/* ABI version: a minor bump only adds; anything else bumps the major (see SPEC.md). */
#define PV_ABI_MAJOR 0
#define PV_ABI_MINOR 1
#define PV_ABI_VERSION(major, minor) (((uint32_t)(major) << 16) | (uint32_t)(minor))
#define PV_ABI_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define PV_ABI_VERSION_MINOR(v) ((uint32_t)(v)&0xffffu)

/*
 * Detection (CPUID with EAX = leaf):
 *   PV_CPUID_BASE:      EAX = highest hypervisor leaf, EBX:ECX:EDX = "ShuntShuntHV"
 *   PV_CPUID_INTERFACE: EAX = PV_INTERFACE_SIGNATURE, EBX = PV_ABI_VERSION(major, minor)
 * CPUID.1:ECX bit 31 (hypervisor present) is set in every Shunt guest.
 */
#define PV_CPUID_BASE 0x40000000u
#define PV_CPUID_INTERFACE 0x40000001u
#define PV_CPUID_SIGNATURE_EBX 0x6e756853u /* "Shun" */
#define PV_CPUID_SIGNATURE_ECX 0x75685374u /* "tShu" */
#define PV_CPUID_SIGNATURE_EDX 0x5648746eu /* "ntHV" */
#define PV_INTERFACE_SIGNATURE 0x30765053u /* "SPv0" */

/*
 * Hypercall convention: VMCALL from CPL 0 with RAX = call number and arguments in RDI, RSI,
 * RDX, R10, R8, R9. The result comes back in RAX: >= 0 on success, a negative PV_E* code on
 * failure. All other registers are preserved. Addresses are guest-physical. A VMCALL from
 * CPL > 0 raises #UD in the guest and is not executed.
 */
enum pv_call {
	PV_CALL_VERSION = 0,       /* () -> PV_ABI_VERSION(major, minor). Call 0 forever. */
	PV_CALL_CONSOLE_WRITE = 1, /* (gpa buf, u64 len) -> bytes written */
	PV_CALL_YIELD = 2,         /* () -> 0, after other vCPUs had a chance to run */
	PV_CALL_EXIT = 3,          /* (i64 code) -> does not return: the VM stops */
	PV_CALL_COUNT              /* first unassigned number; never reuse a retired one */
};

/* Most bytes one PV_CALL_CONSOLE_WRITE takes; longer writes get PV_E2BIG. */
#define PV_CONSOLE_WRITE_MAX 4096u

/* Error codes: negative errno values (Linux numbering), returned in RAX. */
#define PV_EPERM (-1)
#define PV_E2BIG (-7)
#define PV_EFAULT (-14)
#define PV_EINVAL (-22)
#define PV_ENOSYS (-38)

#endif
