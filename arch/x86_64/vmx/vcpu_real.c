/*
 * A PC VM's application processors on VT-x (arch_vcpu_init_real_mode and
 * arch_vcpu_start_real_mode): a vCPU waiting for a STARTUP IPI, then started in real mode at
 * the vector's page, as INIT and STARTUP leave a CPU (SDM Vol. 3A 9.1.1, table 9-1, and
 * 11.6.1). Real mode needs "unrestricted guest" (SDM Vol. 3C 26.3.1.1, 26.3.1.2: CS type 11,
 * SS DPL 0, TR a busy TSS), which vmx_probe requires.
 */
#include "vmx.h"

#include <arch/percpu.h>
#include <arch/x86.h>
#include <hv/arch.h>

#define AR_REAL_CODE 0x9b /* present, DPL 0, code exec/read accessed, 16-bit, byte limit */
#define AR_REAL_DATA 0x93 /* present, DPL 0, data read/write accessed, 16-bit */
/*
 * TR: a 32-bit busy TSS, not the 16-bit one a 286 would hold: activating IA-32e mode with a
 * 16-bit TSS in TR is a #GP (SDM Vol. 2B, MOV to CR0), and Linux's trampoline does that.
 */
#define AR_TSS32_BUSY 0x8b
#define AR_LDT 0x82
#define CR0_ET (1ull << 4)
#define REAL_LIMIT 0xffff

/* The guest state of real mode at cs:0 on the current VMCS (vcpu's). */
static int write_real_mode(struct vcpu *vcpu, uint16_t cs)
{
	const uint64_t fields[][2] = {
		{ VMCS_ENTRY_INTR_INFO, 0 },
		{ VMCS_GUEST_CS_SEL, cs },
		{ VMCS_GUEST_CS_BASE, (uint64_t)cs << 4 },
		{ VMCS_GUEST_CS_LIMIT, REAL_LIMIT },
		{ VMCS_GUEST_CS_AR, AR_REAL_CODE },
#define REAL_SEGMENT(seg)                                                                          \
	{ VMCS_GUEST_##seg##_SEL, 0 }, { VMCS_GUEST_##seg##_BASE, 0 },                             \
		{ VMCS_GUEST_##seg##_LIMIT, REAL_LIMIT }, { VMCS_GUEST_##seg##_AR, AR_REAL_DATA }
		REAL_SEGMENT(SS),
		REAL_SEGMENT(DS),
		REAL_SEGMENT(ES),
		REAL_SEGMENT(FS),
		REAL_SEGMENT(GS),
#undef REAL_SEGMENT
		{ VMCS_GUEST_TR_SEL, 0 },
		{ VMCS_GUEST_TR_BASE, 0 },
		{ VMCS_GUEST_TR_LIMIT, REAL_LIMIT },
		{ VMCS_GUEST_TR_AR, AR_TSS32_BUSY },
		{ VMCS_GUEST_LDTR_SEL, 0 },
		{ VMCS_GUEST_LDTR_BASE, 0 },
		{ VMCS_GUEST_LDTR_LIMIT, REAL_LIMIT },
		{ VMCS_GUEST_LDTR_AR, AR_LDT },
		{ VMCS_GUEST_GDTR_BASE, 0 },
		{ VMCS_GUEST_GDTR_LIMIT, REAL_LIMIT },
		{ VMCS_GUEST_IDTR_BASE, 0 },
		{ VMCS_GUEST_IDTR_LIMIT, REAL_LIMIT }, /* the real-mode vector table at 0 */
		{ VMCS_GUEST_DR7, 0x400 },
		{ VMCS_GUEST_IA32_DEBUGCTL, 0 },
		{ VMCS_GUEST_RSP, 0 },
		{ VMCS_GUEST_RIP, 0 },
		{ VMCS_GUEST_RFLAGS, 0x2 },
		{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
		{ VMCS_GUEST_ACTIVITY_STATE, 0 },
		{ VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0 },
	};
	if (vmx_write_unpaged(CR0_ET))
		return -EIO;
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
		if (vmwrite(fields[i][0], fields[i][1]))
			return -EIO;
	vcpu->arch.regs = (struct guest_gprs){ 0 };
	vcpu->arch.event_queued = 0;
	return 0;
}

int vmx_vcpu_init_real_mode(struct vcpu *vcpu)
{
	int err;

	vcpu->arch.vpid = vmx_vpid_take();
	vmx_cpuid_table_build(vcpu); /* after vm_platform_attach(): the x2APIC and KVM leaves */
	err = vmcs_setup(vcpu, 0, 0, 0, 0, 0, 0);
	return err ?: write_real_mode(vcpu, 0); /* vmcs_setup left this VMCS current */
}

int vmx_vcpu_start_real_mode(struct vcpu *vcpu, uint16_t cs)
{
	int err;

	if (this_cpu_read(vcpu_loaded) != vcpu)
		return -EIO; /* only its own run loop's entry work, with its VMCS current */
	err = write_real_mode(vcpu, cs);
	if (err)
		return err;
	vmx_set_proc_ctls(vcpu, vcpu->arch.proc_ctls & ~PROC_INTERRUPT_WINDOW_EXITING);
	if (vcpu->arch.vpid) /* what it cached before it stopped (a restart) is gone */
		vmx_flush_vpid(vcpu->arch.vpid);
	return 0;
}
