/*
 * vmx_probe() for Intel VT-x: reads the capability MSRs (only those CPUID and the other
 * MSRs say exist, so a real CPU never takes a #GP here) and prints the report.
 */
#include "vmx.h"

#include <arch/x86.h>
#include <hv/log.h>

#define CPUID1_ECX_SMX (1u << 6)

static const char *yes(int v)
{
	return v ? "yes" : "no";
}

void vmx_msrs_read(struct vmx_msrs *m)
{
	*m = (struct vmx_msrs){ 0 };
	m->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	if ((m->basic >> 55) & 1) {
		m->pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
	} else {
		m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
		m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	}
	if (!vmx_ctl_allows(m->procbased, 31))
		return;
	m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	/* IA32_VMX_EPT_VPID_CAP exists only if EPT or VPID may be enabled (SDM Vol. 3D A.10). */
	if (vmx_ctl_allows(m->procbased2, 1) || vmx_ctl_allows(m->procbased2, 5))
		m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
}

static const char *feature_control_text(enum vmx_feature_control_state s)
{
	switch (s) {
	case VMX_FC_ENABLED_LOCKED:
		return "locked, VMX outside SMX enabled";
	case VMX_FC_UNLOCKED:
		return "unlocked: Shunt will enable VMX and lock it";
	case VMX_FC_LOCKED_OFF:
		return "locked, VMX disabled by firmware";
	default:
		return "?";
	}
}

static void print_caps(const struct vmx_msrs *m, const struct vmx_caps *c)
{
	log_info("virt: VMX: yes (VMCS revision 0x%x, %s controls)\n", c->vmcs_revision,
		 c->true_controls ? "true" : "default");
	log_info("virt: IA32_FEATURE_CONTROL: 0x%llx (%s)\n",
		 (unsigned long long)m->feature_control, feature_control_text(c->feature_control));
	if (c->ept)
		log_info("virt: EPT: yes (4-level walk %s, WB %s, 2M pages %s, 1G pages %s, A/D "
			 "bits "
			 "%s, INVEPT %s)\n",
			 yes(c->ept_4level), yes(c->ept_wb), yes(c->ept_2m), yes(c->ept_1g),
			 yes(c->ept_ad), yes(c->invept));
	else
		log_info("virt: EPT: no\n");
	log_info("virt: VPID: %s%s\n", yes(c->vpid),
		 c->vpid ? (c->invvpid ? " (INVVPID yes)" : " (INVVPID no)") : "");
	log_info("virt: unrestricted guest: %s\n", yes(c->unrestricted_guest));
	if (c->preemption_timer)
		log_info("virt: VMX preemption timer: yes (one tick per %u TSC cycles)\n",
			 1u << c->preemption_timer_shift);
	else
		log_info("virt: VMX preemption timer: no\n");
	log_info("virt: Shunt requires VMX enabled or unlocked, EPT (4-level, write-back, "
		 "INVEPT), unrestricted guest and the preemption timer; VPID is used when "
		 "present\n");
}

/* Called only on a CPU whose CPUID.1:ECX says VMX (virt.c). */
const char *vmx_probe(void)
{
	struct vmx_msrs *msrs = &vmx_cpu.msrs;
	struct vmx_caps *caps = &vmx_cpu.caps;

	vmx_msrs_read(msrs);
	vmx_caps_decode(msrs, caps);
	print_caps(msrs, caps);
	return vmx_caps_missing(caps);
}
