/*
 * MSR exits on AMD-V (AMD APM Vol. 2 15.11). The MSR permission map traps every access;
 * Shunt emulates the architectural MSRs a 64-bit kernel needs, most of them fields of the
 * VMCB's save area (which VMLOAD and VMSAVE move for the syscall MSRs), a Linux VM's
 * platform MSRs (x2APIC, kvmclock), and injects #GP for anything else, as a CPU without
 * that MSR would. The guest never sees EFER.SVME, which its VMCB must hold (15.5.1).
 */
#include "svm.h"

#include <arch/msr_check.h>
#include <arch/x86.h>
#include <hv/log.h>

/* The VMCB field holding an MSR, or NULL. */
static uint64_t *vmcb_msr(struct vmcb_save *s, uint32_t msr)
{
	switch (msr) {
	case MSR_STAR:
		return &s->star;
	case MSR_LSTAR:
		return &s->lstar;
	case MSR_CSTAR:
		return &s->cstar;
	case MSR_SFMASK:
		return &s->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &s->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS:
		return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &s->sysenter_eip;
	case MSR_FS_BASE:
		return &s->fs.base;
	case MSR_GS_BASE:
		return &s->gs.base;
	case MSR_IA32_PAT:
		return &s->g_pat;
	default:
		return NULL;
	}
}

static int read_msr(struct vcpu *vcpu, struct vmcb_save *s, uint32_t msr, uint64_t *value)
{
	uint64_t *field = vmcb_msr(s, msr);

	if (field) {
		*value = *field;
		return 0;
	}
	switch (msr) {
	case MSR_IA32_EFER:
		*value = s->efer & ~EFER_SVME;
		return 0;
	case MSR_IA32_TSC:
		*value = rdtsc();
		return 0;
	case MSR_IA32_APIC_BASE:
		*value = APIC_BASE_DISABLED | (vcpu->id == 0 ? APIC_BASE_BSP : 0);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*value = 1; /* fast strings; nothing else advertised */
		return 0;
	default:
		return -1;
	}
}

static int write_efer(struct vmcb_save *s, uint64_t value)
{
	/* LMA is the CPU's to set; other bits are reserved or not offered. */
	if (value & ~EFER_GUEST_WRITABLE)
		return -1;
	/* LME may not change while paging is on; NXE needs a CPU with NX. */
	if (((value ^ s->efer) & EFER_LME) && (s->cr0 & CR0_PG))
		return -1;
	if ((value & EFER_NXE) && !(cpuid(0x80000001, 0).edx & (1u << 20)))
		return -1;
	s->efer = (value & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
	return 0;
}

static int write_msr(struct vcpu *vcpu, struct vmcb_save *s, uint32_t msr, uint64_t value)
{
	uint64_t *field = vmcb_msr(s, msr);

	switch (msr) {
	case MSR_IA32_EFER:
		return write_efer(s, value);
	case MSR_IA32_PAT:
		if (!msr_pat_is_valid(value))
			return -1; /* as the CPU would: #GP, not a VMRUN that fails */
		break;
	case MSR_IA32_SYSENTER_CS:
		break;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!msr_is_canonical(value))
			return -1;
		break;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
	case MSR_KERNEL_GS_BASE:
		if (!msr_syscall_value_is_valid(msr, value))
			return -1;
		break;
	default:
		/* A Linux VM's platform MSRs (x2APIC, kvmclock, ...); none (#GP) for the rest. */
		return vm_platform_msr_write(vcpu, msr, value) ? -1 : 0;
	}
	*field = value;
	return 0;
}

void svm_exit_msr(struct vcpu *vcpu)
{
	struct vmcb *v = svm_vmcb(vcpu);
	struct guest_gprs *g = &vcpu->arch.regs;
	uint32_t msr = (uint32_t)g->rcx;
	uint64_t value = (g->rdx << 32) | (uint32_t)g->rax, platform_value;
	int r;

	if (v->control.exit_info1) { /* 1: WRMSR (APM 15.11) */
		if (write_msr(vcpu, &v->save, msr, value)) {
			log_debug("vm %s: WRMSR 0x%x <- 0x%llx: not emulated, #GP\n",
				  vcpu->vm->name, msr, (unsigned long long)value);
			svm_inject_exception(vcpu, X86_VECTOR_GP, 1, 0);
			return;
		}
		svm_skip(vcpu, 2); /* 0F 30 */
		return;
	}
	r = read_msr(vcpu, &v->save, msr, &value);
	/* A Linux VM's platform MSRs (x2APIC, its APIC base, kvmclock, ...): none for the rest. */
	if (r != 0 || msr == MSR_IA32_APIC_BASE) {
		int p = vm_platform_msr_read(vcpu, msr, &platform_value);

		if (p != -ENOENT) {
			r = p;
			value = platform_value;
		}
	}
	if (r) {
		log_debug("vm %s: RDMSR 0x%x: not emulated, #GP\n", vcpu->vm->name, msr);
		svm_inject_exception(vcpu, X86_VECTOR_GP, 1, 0);
		return;
	}
	g->rax = (uint32_t)value;
	g->rdx = value >> 32;
	svm_skip(vcpu, 2); /* 0F 32 */
}
