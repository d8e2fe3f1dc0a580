/*
 * VT-x capability discovery: the raw capability MSRs (SDM Vol. 3D appendix A), what they
 * mean, and what Shunt requires of them. The decoding is pure, tested on the host.
 */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include <stdint.h>

#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

#define FEATURE_CONTROL_LOCKED (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* The MSR values as read; zero for an MSR that the CPU does not have. */
struct vmx_msrs {
	uint64_t feature_control;
	uint64_t basic;
	uint64_t pinbased;  /* TRUE_ variant when IA32_VMX_BASIC[55] is set */
	uint64_t procbased; /* likewise */
	uint64_t procbased2;
	uint64_t ept_vpid_cap;
	uint64_t misc;
};

enum vmx_feature_control_state {
	VMX_FC_ENABLED_LOCKED, /* firmware enabled VMX and locked the MSR */
	VMX_FC_UNLOCKED,       /* Shunt may enable and lock it before VMXON */
	VMX_FC_LOCKED_OFF,     /* firmware locked VMX off: nothing software can do */
};

struct vmx_caps {
	uint32_t vmcs_revision;
	int true_controls;
	enum vmx_feature_control_state feature_control;
	int secondary_controls;
	int ept, ept_4level, ept_wb, ept_2m, ept_1g, ept_ad, invept, invept_single, invept_all;
	int vpid, invvpid, invvpid_single, invvpid_all;
	int unrestricted_guest;
	int preemption_timer;
	uint32_t preemption_timer_shift; /* timer ticks every 2^shift TSC ticks */
};

/* Allowed-1 settings live in bits 63:32 of a control capability MSR (SDM Vol. 3D A.3). */
static inline int vmx_ctl_allows(uint64_t cap_msr, unsigned int bit)
{
	return (int)((cap_msr >> (32 + bit)) & 1);
}

void vmx_caps_decode(const struct vmx_msrs *msrs, struct vmx_caps *caps);

/* The first thing Shunt requires that caps lacks, as a phrase; NULL if nothing is missing. */
const char *vmx_caps_missing(const struct vmx_caps *caps);

/*
 * Adjusts a VM-execution/exit/entry control word against its capability MSR (allowed-0
 * settings in bits 31:0 must be 1, allowed-1 settings in bits 63:32 may be 1; SDM Vol. 3D
 * A.3-A.5): *out = required | supported optional bits | bits the CPU forces to 1. Returns
 * 0, or -1 with the lowest required-but-unsupported bit in *missing_bit.
 */
int vmx_ctl_adjust(uint64_t cap_msr, uint32_t required, uint32_t optional, uint32_t *out,
		   unsigned int *missing_bit);

#endif
