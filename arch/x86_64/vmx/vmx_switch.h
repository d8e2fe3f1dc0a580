/*
 * What a VM switch moves besides the VMCS: the guest state no VMCS field holds (CR2,
 * x87/SSE, the debug registers of vCPUs that use them, the MSRs of struct guest_msrs).
 * Inline, for vcpu.c's switch, which every VM switch takes, and vmcs.c.
 */
#ifndef VMX_SWITCH_H
#define VMX_SWITCH_H

#include "vmx.h"

#include <arch/x86.h>

/*
 * The guest state no VMCS field switches: CR2, x87/SSE (FXSAVE) and DR0-DR3/DR6 (DR7 is in
 * the VMCS). Saved when a vCPU leaves the CPU, restored when one comes back, so that no VM
 * sees another's registers.
 */
static inline void save_unswitched_state(struct vcpu *vcpu)
{
	struct guest_fpu_debug *f = &vcpu->arch.fpu;

	vcpu->arch.msrs.cr2 = read_cr2();
	vmx_guest_msrs_save(&vcpu->arch.msrs);
	fxsave(&f->fxsave);
	if (!vcpu->arch.dr_live)
		return; /* it never touched them: the CPU's are not its */
	f->dr[0] = read_dr0();
	f->dr[1] = read_dr1();
	f->dr[2] = read_dr2();
	f->dr[3] = read_dr3();
	f->dr6 = read_dr6();
}

static inline void load_debug_registers(const struct guest_fpu_debug *f)
{
	write_dr0(f->dr[0]);
	write_dr1(f->dr[1]);
	write_dr2(f->dr[2]);
	write_dr3(f->dr[3]);
	write_dr6(f->dr6);
}

/* vcpu's state into the CPU, which holds prev's (NULL: anyone's). */
static inline void load_unswitched_state(struct vcpu *vcpu, const struct vcpu *prev)
{
	const struct guest_fpu_debug *f = &vcpu->arch.fpu;

	vmx_guest_msrs_load(prev ? &prev->arch.msrs : NULL, &vcpu->arch.msrs);
	write_cr2(vcpu->arch.msrs.cr2);
	fxrstor(&f->fxsave);
	if (vcpu->arch.dr_live)
		load_debug_registers(f);
}

/*
 * The VM switch: next's VMCS made current and its state loaded in place of prev's, whose
 * VMCS is current (the run loop's vCPU). 0, or -EIO when VMPTRLD failed (prev's stays).
 */
static inline int vmx_vcpu_switch(struct vcpu *prev, struct vcpu *next)
{
	if (next == prev)
		return 0;
	if (vmptrld(&next->arch.vmcs))
		return -EIO;
	save_unswitched_state(prev);
	this_cpu_write(vcpu_loaded, next);
	load_unswitched_state(next, prev);
	return 0;
}

/* Makes vcpu's VMCS current (VMPTRLD) and loads its state, if it is not already. */
static inline int vmx_vcpu_load(struct vcpu *vcpu)
{
	struct vcpu *loaded = this_cpu_read(vcpu_loaded);

	if (loaded)
		return vmx_vcpu_switch(loaded, vcpu);
	if (vmptrld(&vcpu->arch.vmcs))
		return -EIO;
	this_cpu_write(vcpu_loaded, vcpu);
	load_unswitched_state(vcpu, NULL); /* the CPU holds anyone's */
	return 0;
}

#endif
