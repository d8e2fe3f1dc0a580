/*
 * CPUID exits: the host's answers filtered by the shared whitelist (cpuid_policy.c), and
 * Shunt's own leaves at 0x40000000, whose contents the generic pv_cpuid() decides.
 */
#include "vmx.h"

#include <arch/cpuid_policy.h>
#include <arch/x86.h>
#include <hv/pv.h>

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

void vmx_exit_cpuid(struct vcpu *vcpu, uint64_t q)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	uint32_t leaf = (uint32_t)g->rax, subleaf = (uint32_t)g->rcx;
	struct cpuid_regs r;

	if ((leaf & 0xf0000000u) == 0x40000000u) {
		uint32_t v[4];

		pv_cpuid(vcpu, leaf, v);
		r = (struct cpuid_regs){ v[0], v[1], v[2], v[3] };
	} else {
		struct cpuid_context ctx = cpuid_context_of(vcpu);

		r = cpuid_policy_filter(leaf, subleaf, cpuid(leaf, subleaf), &ctx);
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vmx_skip_instruction();
}
