/* SPDX-License-Identifier: MIT */
/*
 * Shunt paravirtual ABI: version, detection, the hypercall convention, error codes, feature
 * bits and permission classes. This header is the guest-facing contract (pv-abi/SPEC.md is
 * its normative text); it depends on nothing but the integer types <pvabi/types.h> picks and
 * is licensed so that guests under any license may include it. The calls themselves are listed in <pvabi/calls.h>.
 */
#ifndef PVABI_PVABI_H
#define PVABI_PVABI_H

#include <pvabi/types.h>

/* Layout checks for C++11 and later, C11, and (a gcc and clang extension) C99 and gnu89. */
#if defined(__cplusplus)
#define PV_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define PV_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#define PV_STATIC_ASSERT(cond, msg) __extension__ _Static_assert(cond, msg)
#endif
#define PV_OFFSETOF(type, member) __builtin_offsetof(type, member)

/* ABI version: a minor bump only adds; anything else bumps the major (see SPEC.md). */
#define PV_ABI_MAJOR 1
#define PV_ABI_MINOR 5
#define PV_ABI_VERSION(major, minor) (((uint32_t)(major) << 16) | (uint32_t)(minor))
#define PV_ABI_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define PV_ABI_VERSION_MINOR(v) ((uint32_t)(v)&0xffffu)
#define PV_ABI_CURRENT PV_ABI_VERSION(PV_ABI_MAJOR, PV_ABI_MINOR)

/*
 * Detection (CPUID with EAX = leaf); CPUID.1:ECX bit 31 (hypervisor present) is always set.
 *   PV_CPUID_BASE:       EAX = highest hypervisor leaf, EBX:ECX:EDX = "ShuntShuntHV"
 *   PV_CPUID_INTERFACE:  EAX = PV_INTERFACE_SIGNATURE, EBX = PV_ABI_VERSION of the hypervisor
 *   PV_CPUID_FEATURES:   EAX = PV_FEATURE_* bits offered to this VM
 *   PV_CPUID_PRIVILEGES: EAX = PV_PERM_* classes this VM may call (exactly what is enforced)
 *   PV_CPUID_LIMITS:     EAX = largest console ring (bytes), EBX = PV_CONSOLE_WRITE_MAX,
 *                        ECX = TSC frequency in kHz, EDX = number of event bits
 */
#define PV_CPUID_BASE 0x40000000u
#define PV_CPUID_INTERFACE 0x40000001u
#define PV_CPUID_FEATURES 0x40000002u
#define PV_CPUID_PRIVILEGES 0x40000003u
#define PV_CPUID_LIMITS 0x40000004u
#define PV_CPUID_MAX_LEAF PV_CPUID_LIMITS
#define PV_CPUID_SIGNATURE_EBX 0x6e756853u /* "Shun" */
#define PV_CPUID_SIGNATURE_ECX 0x75685374u /* "tShu" */
#define PV_CPUID_SIGNATURE_EDX 0x5648746eu /* "ntHV" */
#define PV_INTERFACE_SIGNATURE 0x56504853u /* "SHPV", every ABI version from 1.0 on */

/* PV_CPUID_FEATURES.EAX */
#define PV_FEATURE_VCPU_PAGE (1u << 0)	  /* per-vCPU page: PV clock, events, steal time */
#define PV_FEATURE_EVENTS (1u << 1)	  /* event vector injection */
#define PV_FEATURE_TIMER (1u << 2)	  /* one-shot timer event */
#define PV_FEATURE_CONSOLE_RING (1u << 3) /* shared-memory console ring */
#define PV_FEATURE_EVENT_SEND (1u << 4)	  /* guest-defined events (ABI 1.1) */
#define PV_FEATURE_HW (1u << 5)		  /* direct hardware calls (ABI 1.2) */
#define PV_FEATURE_VMMCALL (1u << 6)	  /* hypercalls use VMMCALL, not VMCALL (ABI 1.4) */
#define PV_FEATURE_VCPU_START (1u << 7)	  /* vCPUs after the first start by VCPU_START (1.5) */

/* Permission classes: each call belongs to one; PV_CPUID_PRIVILEGES says which a VM holds. */
#define PV_PERM_BASE (1u << 0)	  /* version, hello, yield, exit, vm info, vCPU start */
#define PV_PERM_CONSOLE (1u << 1) /* console write and ring */
#define PV_PERM_TIME (1u << 2)	  /* vCPU page, timer */
#define PV_PERM_EVENTS (1u << 3)  /* event binding */
#define PV_PERM_HW (1u << 4)	  /* direct hardware calls: only VMs granted a resource */

/* Rate-limit classes (token buckets per VM; SPEC.md, "Rate limits"). */
#define PV_RATE_NONE 0
#define PV_RATE_CONSOLE 1
#define PV_RATE_OTHER 2
#define PV_RATE_HW 3

/*
 * Hypercall convention: the CPU vendor's hypercall instruction from CPL 0, VMCALL (0F 01 C1;
 * Intel) or, when PV_CPUID_FEATURES offers PV_FEATURE_VMMCALL, VMMCALL (0F 01 D9; AMD), with
 * RAX = call number and arguments in RDI, RSI, RDX, R10, R8, R9. A guest that has not read
 * the feature bit yet uses VMCALL, as every guest did before ABI 1.4: on AMD it works too,
 * through a #UD that Shunt intercepts, at a higher cost. The result comes back in RAX: >= 0
 * on success, a negative PV_E* code on failure; for PV_ETHROTTLED, RDX holds the retry-after
 * time in nanoseconds. All other registers are preserved. Addresses are guest-physical. A
 * hypercall from CPL > 0 raises #UD in the guest and is not executed.
 */

/* Error codes: negative errno values (Linux numbering), plus three of Shunt's own. */
#define PV_EPERM (-1)		 /* the VM does not hold the call's permission class */
#define PV_ENOMEM (-12)		 /* Shunt has no memory for it now (ABI 1.5: VCPU_START) */
#define PV_EACCES (-13)		 /* not granted to this VM, or Shunt's own */
#define PV_E2BIG (-7)		 /* a length is above the call's maximum */
#define PV_EFAULT (-14)		 /* a buffer is not entirely inside the VM's RAM */
#define PV_EBUSY (-16)		 /* granted to another VM; a vCPU already started (1.5) */
#define PV_ENODEV (-19)		 /* no such resource, or hardware Shunt can not vouch for */
#define PV_EINVAL (-22)		 /* a malformed argument */
#define PV_ENOSYS (-38)		 /* no such call (or newer than the negotiated ABI) */
#define PV_EPROTONOSUPPORT (-93) /* HELLO asked for an ABI major Shunt does not speak */
#define PV_EOPNOTSUPP (-95)	 /* an operation the device's class or grant does not allow */
#define PV_ENOTCONN (-107)	 /* the interface is not open: call HELLO first */
#define PV_ETHROTTLED (-4096)	 /* over the rate limit: retry after RDX nanoseconds */
#define PV_ERETRY (-4097)	 /* partly done: call again with the same arguments */
#define PV_EDMA (-4098)		 /* a DMA-capable device, and Shunt can not confine DMA */

/* Guest OS kinds named in HELLO (for Shunt's logs and quirks only). */
#define PV_OS_OTHER 0
#define PV_OS_TEST 1 /* Shunt's own test guests */
#define PV_OS_LINUX 2
#define PV_OS_BSD 3

/* Most bytes one PV_CALL_CONSOLE_WRITE takes; longer writes get PV_E2BIG. */
#define PV_CONSOLE_WRITE_MAX 4096u

#include <pvabi/calls.h>

#endif
