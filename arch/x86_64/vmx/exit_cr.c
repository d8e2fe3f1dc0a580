/*
 * Control-register exits (qualification: SDM Vol. 3C 28.2.1, table 28-3). The guest owns
 * CR0/CR4 except the bits VMX fixes (CR0.NE, CR4.VMXE): it reads back what it wrote, the
 * CPU runs with the fixed bits forced. CR0.PG changes keep EFER.LMA and the IA-32e entry
 * control in step, as the CPU would on a real mode switch.
 */
#include "vmx.h"

#include <arch/x86.h>

#define CR_ACCESS_MOV_TO 0
#define CR_ACCESS_MOV_FROM 1
#define CR0_TS (1ull << 3)

static uint64_t cr0_fixed0(void)
{
	/* With unrestricted guest, PE and PG may be clear (SDM Vol. 3C 26.3.1.1). */
	return vmx_cpu.cr0_fixed0 & ~(CR0_PE | CR0_PG);
}

static void guest_write_cr0(struct vcpu *vcpu, uint64_t value)
{
	uint64_t efer = vmread(VMCS_GUEST_IA32_EFER);
	uint64_t entry = vmread(VMCS_ENTRY_CTLS);

	/* The #GP conditions of MOV to CR0 (SDM Vol. 2B, MOV CR): reserved bits, PG without
	 * PE, NW without CD, and long mode without PAE. */
	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)) ||
	    ((value & CR0_PG) && (efer & EFER_LME) && !(vmread(VMCS_GUEST_CR4) & CR4_PAE))) {
		vmx_inject_exception(X86_VECTOR_GP, 1, 0);
		return;
	}
	if ((value & CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else if (!(value & CR0_PG)) {
		efer &= ~EFER_LMA;
		entry &= ~ENTRY_IA32E_MODE_GUEST;
	}
	vmwrite(VMCS_GUEST_IA32_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry);
	vmwrite(VMCS_CR0_READ_SHADOW, value);
	vmwrite(VMCS_GUEST_CR0, (value | cr0_fixed0()) & vmx_cpu.cr0_fixed1);
	vmx_skip_instruction();
}

static void guest_write_cr4(struct vcpu *vcpu, uint64_t value)
{
	if (value & CR4_GUEST_FORBIDDEN) { /* features Shunt does not offer (see vmx.h) */
		vmx_inject_exception(X86_VECTOR_GP, 1, 0);
		return;
	}
	vmwrite(VMCS_CR4_READ_SHADOW, value);
	vmwrite(VMCS_GUEST_CR4, (value | vmx_cpu.cr4_fixed0) & vmx_cpu.cr4_fixed1);
	vmx_skip_instruction();
}

void vmx_exit_cr_access(struct vcpu *vcpu, uint64_t q)
{
	unsigned int cr = q & 0xf, access = (q >> 4) & 3, gpr = (q >> 8) & 0xf;

	switch (access) {
	case CR_ACCESS_MOV_TO:
		if (cr == 0)
			guest_write_cr0(vcpu, vmx_gpr_read(vcpu, gpr));
		else if (cr == 4)
			guest_write_cr4(vcpu, vmx_gpr_read(vcpu, gpr));
		else if (cr == 3) {
			/* Only on CPUs without TRUE controls, where CR3 loads must exit. */
			uint64_t cr3 = vmx_gpr_read(vcpu, gpr);

			vmwrite(VMCS_GUEST_CR3, cr3 & ~(1ull << 63)); /* bit 63: PCID no-flush */
			if (vcpu->arch.vpid && !(cr3 >> 63))
				vmx_flush_vpid(vcpu->arch.vpid);
			vmx_skip_instruction();
		} else
			vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED,
					  "MOV to this CR is not emulated");
		return;
	case CR_ACCESS_MOV_FROM:
		if (cr != 3) {
			vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED,
					  "MOV from this CR is not emulated");
			return;
		}
		vmx_gpr_write(vcpu, gpr, vmread(VMCS_GUEST_CR3));
		vmx_skip_instruction();
		return;
	default:
		/* CLTS and LMSW only exit for bits Shunt owns, and it owns none of CR0[3:0]. */
		vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "CLTS/LMSW exit with no owned bit");
		return;
	}
}
