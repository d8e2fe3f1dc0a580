/*
 * vmx_vcpu_init_flat32() (arch_vcpu_init_flat32 on VT-x): a vCPU that starts the way the PVH boot ABI (Xen's
 * docs/misc/pvh.pandoc) and multiboot enter a kernel: 32-bit protected mode, paging off,
 * flat 4 GiB segments, a 32-bit TSS, interrupts off, the argument in EBX and the magic in
 * EAX. Paging off needs "unrestricted guest" (SDM Vol. 3C 26.3.1.1), which Shunt requires
 * anyway. The VMCS is built as for every vCPU (vmcs_setup), then its guest state is rewritten
 * for this mode.
 */
#include "vmx.h"

#include <arch/x86.h>
#include <hv/arch.h>

#define AR_CODE32 0xc09b   /* present, DPL 0, code exec/read accessed, D=1, G=1 */
#define AR_DATA32 0xc093   /* present, DPL 0, data read/write accessed, D/B=1, G=1 */
#define AR_TSS32_BUSY 0x8b /* present, 32-bit busy TSS */
#define CR0_ET (1ull << 4)

int vmx_write_unpaged(uint64_t cr0)
{
	const uint64_t fields[][2] = {
		/* PE and PG are exempt from CR0's fixed bits with unrestricted guest. */
		{ VMCS_GUEST_CR0,
		  (cr0 | (vmx_cpu.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_cpu.cr0_fixed1 },
		{ VMCS_CR0_READ_SHADOW, cr0 },
		{ VMCS_GUEST_CR3, 0 },
		{ VMCS_GUEST_CR4, vmx_cpu.cr4_fixed0 & vmx_cpu.cr4_fixed1 },
		{ VMCS_CR4_READ_SHADOW, 0 },
		{ VMCS_GUEST_IA32_EFER, 0 },
		{ VMCS_ENTRY_CTLS, vmx_cpu.entry & ~(uint64_t)ENTRY_IA32E_MODE_GUEST },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		if (vmwrite(fields[i][0], fields[i][1]))
			return -EIO;
	return 0;
}

int vmx_vcpu_init_flat32(struct vcpu *vcpu, uint32_t entry, uint32_t arg, uint32_t magic)
{
	uint64_t cr0 = CR0_PE | CR0_ET;
	int err;

	vcpu->arch.vpid = vmx_vpid_take();
	vmx_cpuid_table_build(vcpu); /* after vm_platform_attach(): the x2APIC and KVM leaves */
	err = vmcs_setup(vcpu, entry, 0, 0, 0, 0, 0);
	if (err)
		return err;
	/* vmcs_setup left this VMCS current. */
	if (vmx_write_unpaged(cr0))
		return -EIO;
	const uint64_t fields[][2] = {
		{ VMCS_GUEST_CS_AR, AR_CODE32 },     { VMCS_GUEST_SS_AR, AR_DATA32 },
		{ VMCS_GUEST_DS_AR, AR_DATA32 },     { VMCS_GUEST_ES_AR, AR_DATA32 },
		{ VMCS_GUEST_FS_AR, AR_DATA32 },     { VMCS_GUEST_GS_AR, AR_DATA32 },
		{ VMCS_GUEST_TR_AR, AR_TSS32_BUSY }, { VMCS_GUEST_GDTR_BASE, 0 },
		{ VMCS_GUEST_GDTR_LIMIT, 0 },	     { VMCS_GUEST_RSP, 0 },
		{ VMCS_GUEST_RIP, entry },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		if (vmwrite(fields[i][0], fields[i][1]))
			return -EIO;
	vcpu->arch.regs = (struct guest_gprs){ .rax = magic, .rbx = arg };
	return 0;
}
