/*
 * MSR exits. The MSR bitmap traps every access; Shunt emulates the architectural MSRs a
 * 64-bit kernel needs (the VMCS holds some, struct guest_msrs the rest) and injects #GP
 * for anything else, as a CPU without that MSR would.
 */
#include "vmx.h"

#include <arch/msr_check.h>
#include <arch/x86.h>
#include <hv/hv.h>
#include <hv/log.h>

#ifdef SHUNT_BENCH_COUNTERS
/* The counting build's MSRs (vmx_insn.h), in the range CPUs leave to hypervisors. */
#define MSR_SHUNT_BENCH_VMCS_ACCESSES 0x400000f0
#define MSR_SHUNT_BENCH_ENTRY_TSC 0x400000f1
uint64_t vmx_vmcs_accesses;
#endif

/*
 * Only the MSRs whose value changes are written: a WRMSR costs a few hundred cycles, and
 * VMs of one kernel share STAR, LSTAR, CSTAR and SFMASK (and guests that make no system
 * calls leave them all alone).
 */
void vmx_guest_msrs_load_all(const struct guest_msrs *from, const struct guest_msrs *m)
{
	if (!from || from->kernel_gs_base != m->kernel_gs_base)
		wrmsr(MSR_KERNEL_GS_BASE, m->kernel_gs_base);
	if (!from || from->star != m->star)
		wrmsr(MSR_STAR, m->star);
	if (!from || from->lstar != m->lstar)
		wrmsr(MSR_LSTAR, m->lstar);
	if (!from || from->cstar != m->cstar)
		wrmsr(MSR_CSTAR, m->cstar);
	if (!from || from->sfmask != m->sfmask)
		wrmsr(MSR_SFMASK, m->sfmask);
	if ((vmx_cpu.proc2 & PROC2_ENABLE_RDTSCP) && (!from || from->tsc_aux != m->tsc_aux))
		wrmsr(MSR_TSC_AUX, m->tsc_aux);
}

/* The storage of an MSR kept in struct guest_msrs, or NULL. */
static uint64_t *saved_msr(struct guest_msrs *m, uint32_t msr)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE:
		return &m->kernel_gs_base;
	case MSR_STAR:
		return &m->star;
	case MSR_LSTAR:
		return &m->lstar;
	case MSR_CSTAR:
		return &m->cstar;
	case MSR_SFMASK:
		return &m->sfmask;
	default:
		return 0;
	}
}

/* The VMCS field holding an MSR, or 0. */
static uint64_t vmcs_msr_field(uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_CS:
		return VMCS_GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case MSR_IA32_PAT:
		return VMCS_GUEST_IA32_PAT;
	case MSR_FS_BASE:
		return VMCS_GUEST_FS_BASE;
	case MSR_GS_BASE:
		return VMCS_GUEST_GS_BASE;
	case MSR_IA32_EFER:
		return VMCS_GUEST_IA32_EFER;
	default:
		return 0;
	}
}

static int read_msr(struct vcpu *vcpu, uint32_t msr, uint64_t *value)
{
	const struct guest_msrs *m = &vcpu->arch.msrs;

	/* One switch over every MSR read: one jump, wherever the value lives. */
	switch (msr) {
	case MSR_KERNEL_GS_BASE: /* the CPU's: SWAPGS changes it without an exit */
		*value = rdmsr(MSR_KERNEL_GS_BASE);
		return 0;
	case MSR_STAR:
		*value = m->star;
		return 0;
	case MSR_LSTAR:
		*value = m->lstar;
		return 0;
	case MSR_CSTAR:
		*value = m->cstar;
		return 0;
	case MSR_SFMASK:
		*value = m->sfmask;
		return 0;
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_PAT:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_EFER:
		*value = vmread(vmcs_msr_field(msr));
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
	case MSR_TSC_AUX:
		if (!(vmx_cpu.proc2 & PROC2_ENABLE_RDTSCP))
			return -1;
		*value = m->tsc_aux;
		return 0;
#ifdef SHUNT_BENCH_COUNTERS
	case MSR_SHUNT_BENCH_VMCS_ACCESSES:
		*value = vmx_vmcs_accesses;
		return 0;
	case MSR_SHUNT_BENCH_ENTRY_TSC:
		*value = hv_entry_cycles;
		return 0;
#endif
	default:
		return -1;
	}
}

static int write_msr(struct vcpu *vcpu, uint32_t msr, uint64_t value)
{
	uint64_t *saved = saved_msr(&vcpu->arch.msrs, msr);

	switch (msr) {
	case MSR_IA32_EFER:
		/* LMA is the CPU's to set; other bits are reserved or not offered. */
		if (value & ~EFER_GUEST_WRITABLE)
			return -1;
		/* LME may not change while paging is on; NXE needs a CPU with NX. */
		if (((value ^ vmread(VMCS_GUEST_IA32_EFER)) & EFER_LME) &&
		    (vmread(VMCS_GUEST_CR0) & CR0_PG))
			return -1;
		if ((value & EFER_NXE) && !(cpuid(0x80000001, 0).edx & (1u << 20)))
			return -1;
		value = (value & ~EFER_LMA) | (vmread(VMCS_GUEST_IA32_EFER) & EFER_LMA);
		vmwrite(VMCS_GUEST_IA32_EFER, value);
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!msr_is_canonical(value))
			return -1;
		vmwrite(vmcs_msr_field(msr), value);
		return 0;
	case MSR_IA32_PAT:
		if (!msr_pat_is_valid(value))
			return -1; /* as the CPU would: #GP, not a failed VM entry */
		vmwrite(vmcs_msr_field(msr), value);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmwrite(vmcs_msr_field(msr), value);
		return 0;
	case MSR_TSC_AUX:
		if (!(vmx_cpu.proc2 & PROC2_ENABLE_RDTSCP) || (value >> 32))
			return -1;
		vcpu->arch.msrs.tsc_aux = value;
		vcpu->arch.msrs.written = 1; /* compared on every VM switch from now on */
		wrmsr(msr, value);
		return 0;
	default:
		break;
	}
	if (!saved) {
		/* A Linux VM's platform MSRs (x2APIC, kvmclock, ...); none (#GP) for the rest. */
		return vm_platform_msr_write(vcpu, msr, value) ? -1 : 0;
	}
	if (!msr_syscall_value_is_valid(msr, value))
		return -1;
	*saved = value;
	vcpu->arch.msrs.written = 1; /* VM switches compare its MSRs from now on */
	/* Checked above: a value the CPU would refuse must never reach Shunt's own WRMSR. */
	wrmsr(msr, value); /* this vCPU's MSRs are the ones loaded while it runs */
	return 0;
}

void vmx_exit_rdmsr(struct vcpu *vcpu, uint64_t q)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	uint32_t msr = (uint32_t)g->rcx;
	uint64_t value, platform_value;
	int r = read_msr(vcpu, msr, &value);

	/* A Linux VM's platform MSRs (x2APIC, its APIC base, kvmclock, ...): none for the rest. */
	if (__builtin_expect(r != 0 || msr == MSR_IA32_APIC_BASE, 0)) {
		int p = vm_platform_msr_read(vcpu, msr, &platform_value);

		if (p != -ENOENT) {
			r = p;
			value = platform_value;
		}
	}
	if (r) {
		log_debug("vm %s: RDMSR 0x%x: not emulated, #GP\n", vcpu->vm->name,
			  (uint32_t)g->rcx);
		vmx_inject_exception(X86_VECTOR_GP, 1, 0);
		return;
	}
	g->rax = (uint32_t)value;
	g->rdx = value >> 32;
	vmx_skip_instruction();
}

void vmx_exit_wrmsr(struct vcpu *vcpu, uint64_t q)
{
	struct guest_gprs *g = &vcpu->arch.regs;
	uint64_t value = (g->rdx << 32) | (uint32_t)g->rax;

	if (write_msr(vcpu, (uint32_t)g->rcx, value)) {
		log_debug("vm %s: WRMSR 0x%x <- 0x%llx: not emulated, #GP\n", vcpu->vm->name,
			  (uint32_t)g->rcx, (unsigned long long)value);
		vmx_inject_exception(X86_VECTOR_GP, 1, 0);
		return;
	}
	vmx_skip_instruction();
}
