/*
 * Shunt's CPUID leaves (pv-abi/pvabi.h, "Detection"): signature, interface and version,
 * features, this VM's privileges (the very bits hc_dispatch enforces) and limits.
 */
#include <hv/arch.h>
#include <hv/pv.h>
#include <pvabi/console_ring.h>
#include <pvabi/vcpu_page.h>

#define PV_FEATURES_OFFERED                                                                        \
	(PV_FEATURE_VCPU_PAGE | PV_FEATURE_EVENTS | PV_FEATURE_TIMER | PV_FEATURE_CONSOLE_RING |   \
	 PV_FEATURE_EVENT_SEND | PV_FEATURE_HW)

void pv_cpuid(struct vcpu *vcpu, uint32_t leaf, uint32_t out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	switch (leaf) {
	case PV_CPUID_BASE:
		out[0] = PV_CPUID_MAX_LEAF;
		out[1] = PV_CPUID_SIGNATURE_EBX;
		out[2] = PV_CPUID_SIGNATURE_ECX;
		out[3] = PV_CPUID_SIGNATURE_EDX;
		break;
	case PV_CPUID_INTERFACE:
		out[0] = PV_INTERFACE_SIGNATURE;
		out[1] = PV_ABI_CURRENT;
		break;
	case PV_CPUID_FEATURES:
		/* The backend adds which hypercall instruction its CPU vendor has (ABI 1.4). */
		out[0] = PV_FEATURES_OFFERED | arch_pv_features();
		if (vcpu->vm->platform == VM_PLATFORM_SHUNT)
			out[0] |=
				PV_FEATURE_VCPU_START; /* ABI 1.5: not for Linux VMs (their APIC) */
		break;
	case PV_CPUID_PRIVILEGES:
		out[0] = vcpu->vm->permissions;
		break;
	case PV_CPUID_LIMITS:
		out[0] = PV_CONSOLE_RING_MAX;
		out[1] = PV_CONSOLE_WRITE_MAX;
		out[2] = (uint32_t)(arch_tsc_hz() / 1000);
		out[3] = PV_EVENT_COUNT;
		break;
	default:
		vm_platform_cpuid(vcpu, leaf, out); /* the KVM leaves of a Linux VM */
		break;
	}
}
