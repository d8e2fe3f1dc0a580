/*
 * A vCPU's CPUID answers (guest_cpuid.c), the same for both vendor backends: worked out
 * once when it is created into a table its CPUID exits only read (the leaves without
 * subleaves), the rest at the exit. The backend says what the policy needs (struct
 * cpuid_context); Shunt's own leaves at 0x40000000 come from the generic pv_cpuid().
 */
#ifndef ARCH_GUEST_CPUID_H
#define ARCH_GUEST_CPUID_H

#include <arch/cpuid_policy.h>
#include <hv/vm.h>

#define GUEST_CPUID_SUBLEAVES ((1u << 4) | (1u << 7)) /* the basic leaves that have subleaves */

/* Fills vcpu->arch's tables for ctx. */
void guest_cpuid_build(struct vcpu *vcpu, const struct cpuid_context *ctx);
/* The answer to CPUID(leaf, subleaf) for a leaf not in the table, into out (EAX..EDX). */
void guest_cpuid_answer(struct vcpu *vcpu, const struct cpuid_context *ctx, uint32_t leaf,
			uint32_t subleaf, uint64_t out[4]);

/* The table's answer to leaf (EAX, EBX, ECX, EDX), or NULL when it must be worked out. */
static inline const uint64_t *guest_cpuid_lookup(const struct arch_vcpu *a, uint32_t leaf)
{
	if (leaf < ARRAY_SIZE(a->cpuid_basic) && !(GUEST_CPUID_SUBLEAVES & (1u << leaf)))
		return a->cpuid_basic[leaf];
	if (leaf - 0x80000000u < ARRAY_SIZE(a->cpuid_extended))
		return a->cpuid_extended[leaf - 0x80000000u];
	return NULL;
}

#endif
