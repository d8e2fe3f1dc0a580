/*
 * What WRMSR accepts for the MSRs both vendor backends emulate (Intel SDM Vol. 4, table 2-2;
 * AMD APM Vol. 2 appendix A): a value the CPU would refuse is #GP for the guest and must
 * never reach Shunt's own WRMSR or a VMCB/VMCS field the CPU checks at entry.
 */
#ifndef ARCH_MSR_CHECK_H
#define ARCH_MSR_CHECK_H

#include <arch/x86.h>
#include <hv/types.h>

#define MSR_IA32_TSC 0x010
#define MSR_IA32_APIC_BASE 0x01b
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103

#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
/*
 * IA32_APIC_BASE: the reset address with the global enable bit (11) clear. No local APIC is
 * mapped into a guest, and a CPU whose APIC is disabled this way clears CPUID.01H:EDX.APIC
 * (SDM Vol. 3A 11.4.3), which is what the guest's CPUID shows (cpuid_policy.c).
 */
#define APIC_BASE_DISABLED 0xfee00000ull
#define APIC_BASE_BSP (1ull << 8)

static inline int msr_is_canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* Each PAT entry must be a defined memory type: UC, WC, WT, WP, WB or UC- (SDM Vol. 3A 12.12.2). */
static inline int msr_pat_is_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t type = (uint8_t)(pat >> (8 * i));

		if (type == 2 || type == 3 || type > 7)
			return 0;
	}
	return 1;
}

/* STAR takes anything, SFMASK's bits 63:32 are reserved, the others hold addresses. */
static inline int msr_syscall_value_is_valid(uint32_t msr, uint64_t value)
{
	switch (msr) {
	case MSR_STAR:
		return 1;
	case MSR_SFMASK:
		return (value >> 32) == 0;
	default:
		return msr_is_canonical(value); /* LSTAR, CSTAR, KERNEL_GS_BASE */
	}
}

#endif
