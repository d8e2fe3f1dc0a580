/*
 * vmx_vcpu_init_long64() (arch_vcpu_init_long64 on VT-x): a vCPU that starts the way Linux's 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol") enters startup_64: long mode,
 * all RAM identity-mapped, __BOOT_CS (0x10) and __BOOT_DS (0x18) flat in the GDT and loaded,
 * interrupts off, the zero page in RSI. The page tables are a Shunt guest's
 * (guest_boot_build_linux64, with the GDT's boot selectors); the VMCS's selectors are
 * rewritten afterwards.
 */
#include "vmx.h"

#include <arch/x86.h>
#include <hv/arch.h>

int vmx_vcpu_init_long64(struct vcpu *vcpu, uint64_t entry, uint64_t arg, gpa_t boot_area,
			 uint64_t boot_area_size)
{
	uint64_t cr3, gdt_base;
	uint16_t gdt_limit;
	int err;

	err = guest_boot_build_linux64(vcpu->vm, boot_area, boot_area_size, &cr3, &gdt_base,
				       &gdt_limit);
	if (err)
		return err;
	vcpu->arch.vpid = vmx_vpid_take();
	vmx_cpuid_table_build(vcpu); /* after vm_platform_attach(): the x2APIC and KVM leaves */
	err = vmcs_setup(vcpu, entry, 0, 0, cr3, gdt_base, gdt_limit);
	if (err)
		return err;
	/* vmcs_setup left this VMCS current, with a Shunt guest's selectors (SDM Vol. 3C
	 * 26.3.1.2: the cached segment state is what counts; the selectors must match it). */
	const uint64_t fields[][2] = {
		{ VMCS_GUEST_CS_SEL, GUEST_BOOT_CS }, { VMCS_GUEST_SS_SEL, GUEST_BOOT_DS },
		{ VMCS_GUEST_DS_SEL, GUEST_BOOT_DS }, { VMCS_GUEST_ES_SEL, GUEST_BOOT_DS },
		{ VMCS_GUEST_FS_SEL, GUEST_BOOT_DS }, { VMCS_GUEST_GS_SEL, GUEST_BOOT_DS },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		if (vmwrite(fields[i][0], fields[i][1]))
			return -EIO;
	vcpu->arch.regs = (struct guest_gprs){ .rsi = arg };
	return 0;
}
