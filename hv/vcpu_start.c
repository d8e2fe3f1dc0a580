/*
 * PV_CALL_VCPU_START (ABI 1.5): a Shunt guest starts its vCPUs after the first itself, each
 * once, at an entry point and stack of its choosing, in the mode and address space its first
 * vCPU started in (pv-abi/SPEC.md, "SMP guests"). The caller may run on another CPU than the
 * vCPU it starts: the target is claimed atomically, built by the arch, then made runnable on
 * its own CPU by sched_vcpu_start().
 */
#include <hv/arch.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/sched.h>

/* The stack's top 16 bytes (a call's return address and more) must be RAM. */
#define STACK_MIN_BYTES 16

int64_t hc_vcpu_start(struct vcpu *vcpu, const struct hc_args *args)
{
	struct vm *vm = vcpu->vm;
	uint64_t id = args->arg[0], entry = args->arg[1], stack_top = args->arg[2];
	struct vcpu *target;
	int err;

	if (vm->platform != VM_PLATFORM_SHUNT)
		return PV_EOPNOTSUPP; /* a Linux VM starts its APs through its local APIC */
	if (id >= vm->vcpu_count || id == vcpu->id || (stack_top & 15))
		return PV_EINVAL;
	if (entry >= vm->ram_size || stack_top < STACK_MIN_BYTES || stack_top > vm->ram_size)
		return PV_EFAULT;
	target = &vm->vcpus[id];
	/* Each vCPU is started once: a second call (from any vCPU, on any CPU) finds it taken. */
	if (__atomic_load_n(&target->halted, __ATOMIC_ACQUIRE) != VCPU_DOWN ||
	    __atomic_exchange_n(&target->start_claimed, 1, __ATOMIC_ACQ_REL))
		return PV_EBUSY;
	err = arch_vcpu_start(target, entry, stack_top, args->arg[3]);
	if (err) {
		__atomic_store_n(&target->start_claimed, 0, __ATOMIC_RELEASE); /* may try again */
		log_warn("vm %s: vCPU %u could not be started: %s\n", vm->name, target->id,
			 err == -ENOMEM ? "out of memory" : "its state was refused");
		return err == -ENOMEM ? PV_ENOMEM : PV_EINVAL;
	}
	log_info("vm %s: vCPU %u started by vCPU %u at 0x%llx\n", vm->name, target->id, vcpu->id,
		 (unsigned long long)entry);
	/* Its state is complete before it is runnable: sched_vcpu_start() publishes it. */
	if (sched_vcpu_start(target))
		return PV_EBUSY; /* not down after all: the claim above rules this out */
	return 0;
}
