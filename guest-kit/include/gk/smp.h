/* SPDX-License-Identifier: MIT */
/*
 * Guests with several vCPUs (ABI 1.5, pv-abi/SPEC.md "SMP guests"): how many the VM has,
 * which one is running, starting the others (each once, at an entry stub GK_VCPU_ENTRY
 * defines), and the PV IPI: a guest-defined event sent to another vCPU of the VM.
 */
#ifndef GK_SMP_H
#define GK_SMP_H

#include <gk/base.h>
#include <gk/detect.h>
#include <gk/hypercall.h>
#include <pvabi/pvabi.h>
#include <pvabi/start_info.h>
#include <pvabi/types.h>

/*
 * The VM's vCPUs (its vcpus= option), from the start-info page: 1 on a Shunt older than 1.5,
 * which left the field 0. (gk_vm_info() reports the same count, on any 1.3 or later.)
 */
static inline uint32_t gk_vcpu_count(const struct pv_start_info *start)
{
	if (start->abi_version < PV_ABI_VERSION(1, 5) || start->vcpu_count == 0)
		return 1;
	return start->vcpu_count;
}

/* The id of the vCPU that runs this: CPUID.1:EBX bits 31:24 (its initial APIC id), from 0. */
static inline uint32_t gk_vcpu_self(void)
{
	return gk_cpuid_reg(1, 1) >> 24;
}

/*
 * Starts vCPU vcpu of this VM, which has not run yet, at guest-physical entry with RSP =
 * stack_top (16-byte aligned, in RAM) and RDI = arg, in the same 64-bit mode, page tables,
 * GDT and selectors as vCPU 0 started with, interrupts off, no IDT (load one before STI).
 * Use an entry made by GK_VCPU_ENTRY for a C function. It runs on the CPU Shunt placed it
 * on, perhaps at once, beside this one. Returns 0; PV_EINVAL for an id the VM does not have,
 * the caller's own, or a misaligned stack; PV_EFAULT for an entry or stack outside RAM;
 * PV_EBUSY if it was started already; PV_ENOMEM when Shunt is short of memory (try later);
 * PV_EOPNOTSUPP in a Linux VM; PV_ENOSYS if ABI 1.4 or older was negotiated.
 */
static inline int64_t gk_vcpu_start(uint32_t vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg)
{
	return gk_call_vcpu_start(vcpu, entry, stack_top, arg);
}

/*
 * GK_VCPU_ENTRY(name, fn) defines the global code symbol name (declare it `extern char
 * name[];`), an entry for gk_vcpu_start() that calls void fn(uint64_t arg) with the ABI's
 * stack alignment, arg as given to the start. fn (not static) should not return; if it
 * does, the vCPU waits in `sti; hlt` for good (its events still come, if it bound them).
 */
#define GK_VCPU_ENTRY(name, fn)                                                                    \
	__asm__(".text\n.globl " #name "\n" #name ":\n"                                            \
		"  cld\n"                                                                          \
		"  call " #fn "\n"                                                                 \
		"1: sti\n"                                                                         \
		"  hlt\n"                                                                          \
		"  jmp 1b\n")

/*
 * The PV IPI: raises guest-defined event (PV_EVENT_GUEST_FIRST..PV_EVENT_GUEST_LAST) on vCPU
 * vcpu of this VM (another one, or the caller itself), delivered there as any event: its
 * bound vector is injected, and a vCPU halted in `sti; hlt` wakes. Everything the sender
 * stored before the call is visible to the target's handler. 0; PV_EINVAL for another event
 * number, a vCPU the VM does not have, one not started, or one without its vCPU page.
 */
static inline int64_t gk_ipi_send(uint32_t vcpu, unsigned int event)
{
	return gk_call_event_send(vcpu, event);
}

#endif
