/*
 * Decoding of the VT-x capability MSRs and Shunt's requirements on them (see vmx_caps.h).
 * Bit positions are from the Intel SDM Vol. 3C 25.6 (controls) and Vol. 3D A.1-A.10.
 */
#include "vmx_caps.h"

#define PINBASED_PREEMPTION_TIMER 6
#define PROCBASED_ACTIVATE_SECONDARY 31
#define PROCBASED2_ENABLE_EPT 1
#define PROCBASED2_ENABLE_VPID 5
#define PROCBASED2_UNRESTRICTED_GUEST 7

#define EPT_CAP_WALK_4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_1G (1ull << 17)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_AD (1ull << 21)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)
#define VPID_CAP_INVVPID (1ull << 32)
#define VPID_CAP_INVVPID_SINGLE (1ull << 41)
#define VPID_CAP_INVVPID_ALL (1ull << 42)

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
	*c = (struct vmx_caps){ 0 };
	c->vmcs_revision = (uint32_t)(m->basic & 0x7fffffff);
	c->true_controls = (int)((m->basic >> 55) & 1);

	if (!(m->feature_control & FEATURE_CONTROL_LOCKED))
		c->feature_control = VMX_FC_UNLOCKED;
	else if (m->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
		c->feature_control = VMX_FC_ENABLED_LOCKED;
	else
		c->feature_control = VMX_FC_LOCKED_OFF;

	c->preemption_timer = vmx_ctl_allows(m->pinbased, PINBASED_PREEMPTION_TIMER);
	c->preemption_timer_shift = (uint32_t)(m->misc & 0x1f);
	c->secondary_controls = vmx_ctl_allows(m->procbased, PROCBASED_ACTIVATE_SECONDARY);
	if (!c->secondary_controls)
		return;
	c->ept = vmx_ctl_allows(m->procbased2, PROCBASED2_ENABLE_EPT);
	c->vpid = vmx_ctl_allows(m->procbased2, PROCBASED2_ENABLE_VPID);
	c->unrestricted_guest = vmx_ctl_allows(m->procbased2, PROCBASED2_UNRESTRICTED_GUEST);
	if (c->ept) {
		c->ept_4level = !!(m->ept_vpid_cap & EPT_CAP_WALK_4);
		c->ept_wb = !!(m->ept_vpid_cap & EPT_CAP_WB);
		c->ept_2m = !!(m->ept_vpid_cap & EPT_CAP_2M);
		c->ept_1g = !!(m->ept_vpid_cap & EPT_CAP_1G);
		c->ept_ad = !!(m->ept_vpid_cap & EPT_CAP_AD);
		c->invept = !!(m->ept_vpid_cap & EPT_CAP_INVEPT);
		c->invept_single = !!(m->ept_vpid_cap & EPT_CAP_INVEPT_SINGLE);
		c->invept_all = !!(m->ept_vpid_cap & EPT_CAP_INVEPT_ALL);
	}
	if (c->vpid) {
		c->invvpid = !!(m->ept_vpid_cap & VPID_CAP_INVVPID);
		c->invvpid_single = !!(m->ept_vpid_cap & VPID_CAP_INVVPID_SINGLE);
		c->invvpid_all = !!(m->ept_vpid_cap & VPID_CAP_INVVPID_ALL);
	}
}

const char *vmx_caps_missing(const struct vmx_caps *c)
{
	if (c->feature_control == VMX_FC_LOCKED_OFF)
		return "locked off by firmware (IA32_FEATURE_CONTROL): enable VT-x in the firmware "
		       "setup";
	if (!c->secondary_controls)
		return "CPU has no secondary processor-based VM-execution controls";
	if (!c->ept)
		return "CPU has no EPT";
	if (!c->ept_4level || !c->ept_wb)
		return "EPT lacks a 4-level walk or write-back paging structures";
	if (!c->invept || !(c->invept_single || c->invept_all))
		return "CPU has no INVEPT (single- or all-context)";
	if (!c->unrestricted_guest)
		return "CPU has no unrestricted guest";
	if (!c->preemption_timer)
		return "CPU has no VMX preemption timer";
	return 0;
}

int vmx_ctl_adjust(uint64_t cap_msr, uint32_t required, uint32_t optional, uint32_t *out,
		   unsigned int *missing_bit)
{
	uint32_t must_be_one = (uint32_t)cap_msr, may_be_one = (uint32_t)(cap_msr >> 32);
	uint32_t missing = required & ~may_be_one;

	if (missing) {
		*missing_bit = (unsigned int)__builtin_ctz(missing);
		return -1;
	}
	*out = required | (optional & may_be_one) | must_be_one;
	return 0;
}
