/*
 * Control-register exits (qualification: SDM Vol. 3C 28.2.1, table 28-3). The guest owns
 * CR0 and CR4 but for the bits in their guest/host masks (vmcs.c): it reads back what it
 * wrote, the CPU runs with VMX's fixed bits forced. A MOV to CR0 exits only when it changes
 * NE, CD or NW (CR0_HOST_OWNED), and is then emulated whole: the CPU's #GP checks, then PG keeping EFER.LMA and the
 * IA-32e entry control in step as the CPU would. A MOV to CR4 exits only when it sets a bit
 * Shunt forbids: #GP.
 */
#include "vmx.h"

#include <arch/x86.h>

#define CR_ACCESS_MOV_TO 0
#define CR_ACCESS_MOV_FROM 1
#define CR4_PCIDE (1ull << 17)
/* Segment access rights, VMCS format (SDM Vol. 3C 25.4.1): bit 13 is CS.L, 64-bit code. */
#define AR_L (1ull << 13)

static uint64_t cr0_fixed0(void)
{
	/* With unrestricted guest, PE and PG may be clear (SDM Vol. 3C 26.3.1.1). */
	return vmx_cpu.cr0_fixed0 & ~(CR0_PE | CR0_PG);
}

/*
 * The #GP(0) conditions of MOV to CR0 (SDM Vol. 2B, MOV—Move to/from Control Registers,
 * protected, compatibility and 64-bit mode exceptions): bits 63:32 set, PG without PE (so
 * also clearing PE while PG stays set), NW without CD, PG with EFER.LME but without CR4.PAE,
 * clearing PG in 64-bit mode (long mode is left only from compatibility mode), and clearing
 * PG while CR4.PCIDE is set (Vol. 3A 4.10.1).
 */
static int cr0_write_faults(uint64_t value, uint64_t efer)
{
	uint64_t cr4 = vmread(VMCS_GUEST_CR4);

	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)))
		return 1;
	if ((value & CR0_PG) && (efer & EFER_LME) && !(cr4 & CR4_PAE))
		return 1;
	if (!(value & CR0_PG) && (efer & EFER_LMA) && (vmread(VMCS_GUEST_CS_AR) & AR_L))
		return 1;
	return !(value & CR0_PG) && (cr4 & CR4_PCIDE);
}

static void guest_write_cr0(struct vcpu *vcpu, uint64_t value)
{
	uint64_t efer = vmread(VMCS_GUEST_IA32_EFER);
	uint64_t entry = vmread(VMCS_ENTRY_CTLS);

	if (cr0_write_faults(value, efer)) {
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
	/* CD and NW only in the read shadow: the CPU's caches stay on (see CR0_HOST_OWNED). */
	vmwrite(VMCS_GUEST_CR0,
		(value | cr0_fixed0()) & vmx_cpu.cr0_fixed1 & ~(uint64_t)(CR0_CD | CR0_NW));
	vmx_skip_instruction();
}

/*
 * The CR4 mask is CR4_GUEST_FORBIDDEN and the read shadow holds none of those bits, so a
 * MOV to CR4 exits only when it sets one: features Shunt does not offer (see vmx.h).
 */
static void guest_write_cr4(struct vcpu *vcpu, uint64_t value)
{
	vmx_inject_exception(X86_VECTOR_GP, 1, 0);
}

/* MOV to CR3: only on CPUs without TRUE controls, where CR3 loads must exit. */
static void guest_write_cr3(struct vcpu *vcpu, uint64_t cr3)
{
	vmwrite(VMCS_GUEST_CR3, cr3 & ~(1ull << 63)); /* bit 63: PCID "no flush" */
	if (vcpu->arch.vpid && !(cr3 >> 63))
		vmx_flush_vpid(vcpu->arch.vpid);
	vmx_skip_instruction();
}

/* MOV to CR8: the task priority stays the vCPU's own, away from the real local APIC. */
static void guest_write_cr8(struct vcpu *vcpu, uint64_t value)
{
	if (value >> 4) { /* bits 63:4 are reserved */
		vmx_inject_exception(X86_VECTOR_GP, 1, 0);
		return;
	}
	vcpu->arch.tpr = (uint8_t)value;
	vmx_skip_instruction();
}

void vmx_exit_cr_access(struct vcpu *vcpu, uint64_t q)
{
	unsigned int cr = q & 0xf, access = (q >> 4) & 3, gpr = (q >> 8) & 0xf;

	if (access == CR_ACCESS_MOV_TO) {
		uint64_t value = vmx_gpr_read(vcpu, gpr);

		switch (cr) {
		case 0:
			guest_write_cr0(vcpu, value);
			return;
		case 3:
			guest_write_cr3(vcpu, value);
			return;
		case 4:
			guest_write_cr4(vcpu, value);
			return;
		case 8:
			guest_write_cr8(vcpu, value);
			return;
		default:
			break;
		}
	} else if (access == CR_ACCESS_MOV_FROM && (cr == 3 || cr == 8)) {
		vmx_gpr_write(vcpu, gpr, cr == 3 ? vmread(VMCS_GUEST_CR3) : vcpu->arch.tpr);
		vmx_skip_instruction();
		return;
	}
	/* CLTS and LMSW only exit for bits Shunt owns, and it owns none of CR0[3:0]. */
	vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "control register access not emulated");
}
