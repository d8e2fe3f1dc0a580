/*
 * The paravirtual services behind pv-abi that live outside the hypercall table: the vCPU
 * page (PV clock, steal time), events and the PV timer, the console ring, and Shunt's CPUID
 * leaves. The architecture calls vcpu_entry_work() before entering a vCPU whose work word
 * is non-zero, and pv_cpuid() for the hypervisor CPUID range.
 */
#ifndef HV_PV_H
#define HV_PV_H

#include <hv/vm.h>

/* Raises event (PV_EVENT_*) on vcpu: sets its bit in the vCPU page, asks for an upcall. */
void vcpu_event_raise(struct vcpu *vcpu, unsigned int event);

/*
 * Before entering vcpu: fires a due PV timer and injects the event vector when events
 * are pending (or arranges for it once the guest can take an interrupt).
 */
void vcpu_entry_work(struct vcpu *vcpu);
/* The event vector Shunt injected was not delivered (an exception came first): inject it again. */
void vcpu_upcall_again(struct vcpu *vcpu);

/* Writes vcpu's steal time into its vCPU page, if it has one. */
void vcpu_publish_steal(struct vcpu *vcpu);

/*
 * Steal-time bookkeeping around the scheduler's slices, at arch_cycles() now: the time a
 * vCPU waited runnable, from when it left the CPU (or woke, or its VM started: sched.c and
 * vm.c set runnable_since then) to when it gets it again. Inline: every VM switch pays them.
 */
static inline void vcpu_account_run_start(struct vcpu *vcpu, uint64_t now)
{
	vcpu->steal_cycles += now - vcpu->runnable_since;
	if (vcpu->page)
		vcpu_publish_steal(vcpu);
}

static inline void vcpu_account_run_end(struct vcpu *vcpu, uint64_t now)
{
	/* A halted vCPU is runnable again from its wake-up on: sched.c says when that was. */
	vcpu->runnable_since = now;
}

/* Values of Shunt's CPUID leaves 0x40000000.. for vcpu: EAX, EBX, ECX, EDX. */
void pv_cpuid(struct vcpu *vcpu, uint32_t leaf, uint32_t out[4]);

/* The PV clock of vm, in nanoseconds since it started. */
uint64_t vm_clock_ns(const struct vm *vm);

#endif
