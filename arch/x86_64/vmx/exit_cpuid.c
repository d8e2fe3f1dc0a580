/*
 * CPUID exits on VT-x: what the shared guest CPUID (guest_cpuid.c) needs to know of this
 * backend, and the leaves its table does not hold.
 */
#include "vmx.h"

#include <arch/guest_cpuid.h>
#include <arch/x86.h>

/* What the policy needs from this backend: CR4 bits a guest may set, enabled instructions. */
static struct cpuid_context cpuid_context_of(const struct vcpu *vcpu)
{
	return (struct cpuid_context){
		.vcpu_id = vcpu->id,
		.host_max_basic = vmx_cpu.cpuid_max_basic,
		.host_max_extended = vmx_cpu.cpuid_max_extended,
		/* A MOV to CR4 setting a bit outside IA32_VMX_CR4_FIXED1 raises #GP. */
		.cr4_settable = vmx_cpu.cr4_fixed1 & ~CR4_GUEST_FORBIDDEN,
		.rdtscp = !!(vmx_cpu.proc2 & PROC2_ENABLE_RDTSCP),
		.invpcid = !!(vmx_cpu.proc2 & PROC2_ENABLE_INVPCID),
		.x2apic = vcpu->vm->platform == VM_PLATFORM_PC,
	};
}

void vmx_cpuid_table_build(struct vcpu *vcpu)
{
	struct cpuid_context ctx = cpuid_context_of(vcpu);

	guest_cpuid_build(vcpu, &ctx);
}

void vmx_exit_cpuid_other(struct vcpu *vcpu)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	struct cpuid_context ctx = cpuid_context_of(vcpu);
	uint64_t r[4];

	guest_cpuid_answer(vcpu, &ctx, (uint32_t)g->rax, (uint32_t)g->rcx, r);
	vmx_cpuid_done(g, r);
}
