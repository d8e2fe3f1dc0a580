/*
 * CPUID for guests: the host's answers filtered by the shared whitelist (cpuid_policy.c),
 * and Shunt's own leaves at 0x40000000, whose contents the generic pv_cpuid() decides. What a
 * vCPU is shown is fixed when it is created, so the leaves without subleaves are worked out
 * then, once, into a table the exit only reads (arch/guest_cpuid.h).
 */
#include <arch/guest_cpuid.h>
#include <arch/x86.h>
#include <hv/pv.h>

static struct cpuid_regs answer(struct vcpu *vcpu, const struct cpuid_context *ctx, uint32_t leaf,
				uint32_t subleaf)
{
	if ((leaf & 0xf0000000u) == 0x40000000u) {
		uint32_t v[4];

		pv_cpuid(vcpu, leaf, v);
		return (struct cpuid_regs){ v[0], v[1], v[2], v[3] };
	}
	return cpuid_policy_filter(leaf, subleaf, cpuid(leaf, subleaf), ctx);
}

static void store(uint64_t out[4], struct cpuid_regs r)
{
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

void guest_cpuid_build(struct vcpu *vcpu, const struct cpuid_context *ctx)
{
	struct arch_vcpu *a = &vcpu->arch;

	for (uint32_t i = 0; i < ARRAY_SIZE(a->cpuid_basic); i++)
		if (!(GUEST_CPUID_SUBLEAVES & (1u << i)))
			store(a->cpuid_basic[i], answer(vcpu, ctx, i, 0));
	for (uint32_t i = 0; i < ARRAY_SIZE(a->cpuid_extended); i++)
		store(a->cpuid_extended[i], answer(vcpu, ctx, 0x80000000u + i, 0));
}

void guest_cpuid_answer(struct vcpu *vcpu, const struct cpuid_context *ctx, uint32_t leaf,
			uint32_t subleaf, uint64_t out[4])
{
	store(out, answer(vcpu, ctx, leaf, subleaf));
}
