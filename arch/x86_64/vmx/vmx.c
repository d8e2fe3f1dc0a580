/*
 * VT-x per CPU: capability discovery into struct vmx_cpu, the control words every VMCS
 * uses (each adjusted against its capability MSR, failing loudly on a missing bit), and
 * VMXON with the CR0/CR4 fixed bits and IA32_FEATURE_CONTROL honoured (SDM Vol. 3C 24.7).
 */
#include "vmx.h"

#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/mm.h>

struct vmx_cpu vmx_cpu;

/* The CR0 and CR4 bits VMX operation fixes (SDM Vol. 3D A.7, A.8), as one CPU reads them. */
struct vmx_msrs_fixed {
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

struct control_word {
	const char *name;
	uint64_t cap;
	uint32_t required, optional;
	uint32_t *out;
};

static int adjust_all(void)
{
	const struct vmx_msrs *m = &vmx_cpu.msrs;
	int tc = vmx_cpu.caps.true_controls;
	struct control_word words[] = {
		{ "pin-based", m->pinbased,
		  PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER, 0,
		  &vmx_cpu.pin },
		{ "processor-based", m->procbased,
		  PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
			  PROC_ACTIVATE_SECONDARY | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
			  PROC_RDPMC_EXITING | PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING |
			  PROC_MOV_DR_EXITING,
		  0, &vmx_cpu.proc },
		{ "secondary processor-based", m->procbased2,
		  PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, PROC2_ENABLE_VPID, &vmx_cpu.proc2 },
		{ "VM-exit", rdmsr(tc ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS),
		  EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
			  EXIT_SAVE_DEBUG_CONTROLS | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
			  EXIT_ACK_INTERRUPT_ON_EXIT,
		  EXIT_SAVE_PREEMPTION_TIMER, &vmx_cpu.exit },
		{ "VM-entry", rdmsr(tc ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS),
		  ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT |
			  ENTRY_LOAD_DEBUG_CONTROLS,
		  0, &vmx_cpu.entry },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(words); i++) {
		unsigned int bit;

		if (vmx_ctl_adjust(words[i].cap, words[i].required, words[i].optional, words[i].out,
				   &bit)) {
			log_error("VT-x: %s control bit %u is required but this CPU does not allow "
				  "it (SDM Vol. 3C 25.6-25.8)\n",
				  words[i].name, bit);
			return -ENOTSUP;
		}
	}
	vmx_cpu.save_preemption_timer = !!(vmx_cpu.exit & EXIT_SAVE_PREEMPTION_TIMER);
	vmx_cpu.timer_not_saved = !vmx_cpu.save_preemption_timer;
	return 0;
}

static void enable_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
}

/* Turns this CPU's VMX operation on with the VMXON region at region (vmx_cpu filled). */
static int enter_vmx(hpa_t region, const struct vmx_msrs_fixed *fixed)
{
	enable_feature_control();
	/*
	 * Caching on (CD and NW clear), whatever the firmware left: VM entry never loads CR0.CD
	 * and CR0.NW (SDM Vol. 3C 27.3.2.1), so guests run with the host's, and SPEC §8
	 * promises them CR0 = PE|ET|NE|WP|PG.
	 */
	write_cr0(((read_cr0() & ~(CR0_CD | CR0_NW)) | fixed->cr0_fixed0) & fixed->cr0_fixed1);
	/* FXSAVE/FXRSTOR of guest state need OSFXSR, and no #NM from TS/EM (SDM Vol. 3A 13.1). */
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_TS | CR0_EM));
	write_cr4((read_cr4() | fixed->cr4_fixed0 | CR4_VMXE | CR4_OSFXSR | CR4_OSXMMEXCPT) &
		  fixed->cr4_fixed1);
	*(uint32_t *)phys_to_virt(region) = vmx_cpu.caps.vmcs_revision;
	return vmxon(region) ? -EIO : 0;
}

static void read_fixed(struct vmx_msrs_fixed *fixed)
{
	fixed->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	fixed->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	fixed->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	fixed->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

/*
 * Another CPU than the boot CPU: the same requirements (vmx_caps_missing on its own MSRs),
 * the same VMCS revision (one VMCS layout for all), then VMXON with its own region. What
 * it reads stays local: vmx_cpu is the boot CPU's and every CPU's alike.
 */
int vmx_cpu_enable(hpa_t pages[2], char *why, size_t why_size)
{
	struct vmx_msrs msrs;
	struct vmx_caps caps;
	struct vmx_msrs_fixed fixed;
	const char *missing;

	if (!(cpuid(1, 0).ecx & (1u << 5))) {
		fmt_snprintf(why, why_size, "VT-x: this CPU has no VMX (CPUID.1:ECX[5])");
		return -1;
	}
	vmx_msrs_read(&msrs);
	vmx_caps_decode(&msrs, &caps);
	missing = vmx_caps_missing(&caps);
	if (missing) {
		fmt_snprintf(why, why_size, "VT-x: %s", missing);
		return -1;
	}
	if (caps.vmcs_revision != vmx_cpu.caps.vmcs_revision) {
		fmt_snprintf(why, why_size, "VT-x: VMCS revision 0x%x, the boot CPU's is 0x%x",
			     caps.vmcs_revision, vmx_cpu.caps.vmcs_revision);
		return -1;
	}
	if (mm_alloc_frames(1, PAGE_SIZE, &pages[0])) {
		fmt_snprintf(why, why_size, "VT-x: no memory for a VMXON region");
		return -1;
	}
	read_fixed(&fixed);
	if (enter_vmx(pages[0], &fixed)) {
		fmt_snprintf(why, why_size, "VT-x: VMXON failed (CR0=0x%llx CR4=0x%llx)",
			     (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		return -1;
	}
	if (caps.invept_all)
		invept(INVEPT_ALL_CONTEXTS, 0);
	return 0;
}

int vmx_enable(void)
{
	struct vmx_msrs_fixed fixed;
	hpa_t region;

	/* vendor_probe() already read the MSRs and decided that nothing required is missing. */
	if (mm_alloc_frames(1, PAGE_SIZE, &region))
		return -ENOMEM;
	vmx_cpu.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_cpu.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_cpu.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_cpu.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_cpu.cpuid_max_basic = cpuid(0, 0).eax;
	vmx_cpu.cpuid_max_extended = cpuid(0x80000000, 0).eax;
	if (adjust_all())
		return -ENOTSUP;

	fixed = (struct vmx_msrs_fixed){ vmx_cpu.cr0_fixed0, vmx_cpu.cr0_fixed1, vmx_cpu.cr4_fixed0,
					 vmx_cpu.cr4_fixed1 };
	if (enter_vmx(region, &fixed)) {
		log_error("VT-x: VMXON failed (CR0=0x%llx CR4=0x%llx)\n",
			  (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		return -EIO;
	}
	vmx_cpu.next_vpid = 1; /* VPID 0 is the host's */
	if (vmx_cpu.caps.invept_all)
		invept(INVEPT_ALL_CONTEXTS, 0);
	log_debug("VT-x: VMXON done; controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x "
		  "entry 0x%x\n",
		  vmx_cpu.pin, vmx_cpu.proc, vmx_cpu.proc2, vmx_cpu.exit, vmx_cpu.entry);
	return 0;
}
