/*
 * CPUID exits: the host's answers filtered by the shared whitelist (cpuid_policy.c), and
 * Shunt's own leaves at 0x40000000, whose contents the generic pv_cpuid() decides. What a
 * vCPU is shown is fixed when it is created, so the leaves without subleaves are worked out
 * then, once, into a table the exit only reads.
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

/* The guest's answer to CPUID(leaf, subleaf), worked out. */
static struct cpuid_regs answer(struct vcpu *vcpu, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_context ctx;

	if ((leaf & 0xf0000000u) == 0x40000000u) {
		uint32_t v[4];

		pv_cpuid(vcpu, leaf, v);
		return (struct cpuid_regs){ v[0], v[1], v[2], v[3] };
	}
	ctx = cpuid_context_of(vcpu);
	return cpuid_policy_filter(leaf, subleaf, cpuid(leaf, subleaf), &ctx);
}

static void store(uint64_t out[4], struct cpuid_regs r)
{
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void vmx_cpuid_table_build(struct vcpu *vcpu)
{
	struct arch_vcpu *a = &vcpu->arch;

	for (uint32_t i = 0; i < ARRAY_SIZE(a->cpuid_basic); i++)
		if (!(VMX_CPUID_SUBLEAVES & (1u << i)))
			store(a->cpuid_basic[i], answer(vcpu, i, 0));
	for (uint32_t i = 0; i < ARRAY_SIZE(a->cpuid_extended); i++)
		store(a->cpuid_extended[i], answer(vcpu, 0x80000000u + i, 0));
}

void vmx_exit_cpuid_other(struct vcpu *vcpu)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	uint64_t r[4];

	store(r, answer(vcpu, (uint32_t)g->rax, (uint32_t)g->rcx));
	vmx_cpuid_done(g, r);
}
