/*
 * VMCS construction for one vCPU, in the fixed order of SDM Vol. 3C chapter 25: host state,
 * execution controls, guest state, then exit and entry controls. The guest starts in
 * 64-bit long mode on page tables and a GDT that guest_boot.c built in its memory.
 */
#include "vmx.h"
#include "vmx_switch.h"

#include <arch/cpu.h>
#include <arch/x86.h>
#include <hv/log.h>
#include <hv/mm.h>

/* Segment access rights in the VMCS format (SDM Vol. 3C 25.4.1, table 25-2). */
#define AR_CODE64 0xa09b   /* present, DPL 0, code exec/read accessed, L=1, G=1 */
#define AR_DATA 0xc093	   /* present, DPL 0, data read/write accessed, D/B=1, G=1 */
#define AR_TSS_BUSY 0x008b /* present, 64-bit busy TSS */
#define AR_UNUSABLE 0x10000

#define GUEST_SEL_CODE 0x08
#define GUEST_SEL_DATA 0x10

#define CR0_ET (1ull << 4)
#define PAT_DEFAULT 0x0007040600070406ull

extern char vmx_exit_entry[];
/* One host stack for all exits on this CPU: the exit path runs to completion before the next entry. */
extern char boot_stack_top[];

static int write_all(const uint64_t (*fields)[2], unsigned int count)
{
	int err = 0;

	for (unsigned int i = 0; i < count; i++)
		err |= vmwrite(fields[i][0], fields[i][1]);
	return err ? -EIO : 0;
}

/*
 * The host state of the CPU the vCPU runs on, for good (struct vcpu.cpu), which need not be
 * the CPU that builds its VMCS: that CPU's per-CPU data, TSS and GDT; the rest (control
 * registers, IDT, EFER, PAT) is the same on every CPU (smp.c starts them with the boot
 * CPU's).
 */
static int setup_host_state(const struct vcpu *vcpu)
{
	const struct cpu_tables *t = cpu_tables_of(vcpu->cpu);
	struct descriptor_pointer idt;

	if (!t)
		return -EIO; /* placed on a CPU that never came up: placement prevents it */
	__asm__ volatile("sidt %0" : "=m"(idt));
	const uint64_t fields[][2] = {
		{ VMCS_HOST_CR0, read_cr0() },
		{ VMCS_HOST_CR3, read_cr3() },
		{ VMCS_HOST_CR4, read_cr4() },
		{ VMCS_HOST_CS_SEL, SEL_CODE64 },
		{ VMCS_HOST_SS_SEL, SEL_DATA },
		{ VMCS_HOST_DS_SEL, SEL_DATA },
		{ VMCS_HOST_ES_SEL, SEL_DATA },
		{ VMCS_HOST_FS_SEL, 0 },
		{ VMCS_HOST_GS_SEL, 0 },
		{ VMCS_HOST_TR_SEL, SEL_TSS },
		{ VMCS_HOST_FS_BASE, 0 },
		{ VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)t }, /* per-CPU data */
		{ VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&t->tss },
		{ VMCS_HOST_GDTR_BASE, (uint64_t)(uintptr_t)t->gdt },
		{ VMCS_HOST_IDTR_BASE, idt.base },
		{ VMCS_HOST_IA32_SYSENTER_CS, 0 },
		{ VMCS_HOST_SYSENTER_ESP, 0 },
		{ VMCS_HOST_SYSENTER_EIP, 0 },
		{ VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER) },
		{ VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT) },
		{ VMCS_HOST_RSP, (uint64_t)(uintptr_t)boot_stack_top }, /* vmx_run's frame later */
		{ VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry },
	};
	return write_all(fields, ARRAY_SIZE(fields));
}

static int setup_execution_controls(struct vcpu *vcpu)
{
	struct arch_vm *avm = &vcpu->vm->arch;
	uint32_t proc2 = vmx_cpu.proc2;

	if (!vcpu->arch.vpid)
		proc2 &= ~PROC2_ENABLE_VPID;
	const uint64_t fields[][2] = {
		{ VMCS_PIN_BASED_CTLS, vmx_cpu.pin },
		{ VMCS_PROC_BASED_CTLS, vmx_cpu.proc },
		{ VMCS_PROC_BASED_CTLS2, proc2 },
		/*
		 * #DB and #AC are intercepted and reflected: a guest that makes their delivery
		 * raise them again would otherwise loop inside the CPU with no exit at all
		 * (CVE-2015-5307, CVE-2015-8104).
		 */
		{ VMCS_EXCEPTION_BITMAP, (1u << X86_VECTOR_DB) | (1u << X86_VECTOR_AC) },
		{ VMCS_CR3_TARGET_COUNT, 0 },
		{ VMCS_IO_BITMAP_A, avm->io_bitmaps },
		{ VMCS_IO_BITMAP_B, avm->io_bitmaps + PAGE_SIZE },
		{ VMCS_MSR_BITMAP, avm->msr_bitmap },
		{ VMCS_EPT_POINTER, avm->eptp },
		{ VMCS_VPID, vcpu->arch.vpid },
		{ VMCS_TSC_OFFSET, 0 },
		/* The guest owns CR0/CR4 except the bits Shunt keeps; it reads its own values. */
		{ VMCS_CR0_GUEST_HOST_MASK, CR0_HOST_OWNED },
		{ VMCS_CR4_GUEST_HOST_MASK, CR4_GUEST_FORBIDDEN },
	};
	return write_all(fields, ARRAY_SIZE(fields));
}

static int setup_guest_state(uint64_t entry, uint64_t stack_top, uint64_t cr3, uint64_t gdt_base,
			     uint16_t gdt_limit)
{
	uint64_t cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	uint64_t cr4 = CR4_PAE;
	const uint64_t fields[][2] = {
		{ VMCS_GUEST_CR0, (cr0 | vmx_cpu.cr0_fixed0) & vmx_cpu.cr0_fixed1 },
		{ VMCS_CR0_READ_SHADOW, cr0 },
		{ VMCS_GUEST_CR3, cr3 },
		{ VMCS_GUEST_CR4, (cr4 | vmx_cpu.cr4_fixed0) & vmx_cpu.cr4_fixed1 },
		{ VMCS_CR4_READ_SHADOW, cr4 },
		{ VMCS_GUEST_IA32_EFER, EFER_LME | EFER_LMA | EFER_NXE },
		{ VMCS_GUEST_IA32_PAT, PAT_DEFAULT },
		{ VMCS_GUEST_IA32_DEBUGCTL, 0 },
		{ VMCS_GUEST_DR7, 0x400 },
		{ VMCS_GUEST_CS_SEL, GUEST_SEL_CODE },
		{ VMCS_GUEST_CS_BASE, 0 },
		{ VMCS_GUEST_CS_LIMIT, 0xffffffff },
		{ VMCS_GUEST_CS_AR, AR_CODE64 },
#define DATA_SEGMENT(seg)                                                                          \
	{ VMCS_GUEST_##seg##_SEL, GUEST_SEL_DATA }, { VMCS_GUEST_##seg##_BASE, 0 },                \
		{ VMCS_GUEST_##seg##_LIMIT, 0xffffffff }, { VMCS_GUEST_##seg##_AR, AR_DATA }
		DATA_SEGMENT(SS),
		DATA_SEGMENT(DS),
		DATA_SEGMENT(ES),
		DATA_SEGMENT(FS),
		DATA_SEGMENT(GS),
#undef DATA_SEGMENT
		/* VM entry needs a usable TR even though the guest never switches tasks. */
		{ VMCS_GUEST_TR_SEL, 0 },
		{ VMCS_GUEST_TR_BASE, 0 },
		{ VMCS_GUEST_TR_LIMIT, 0x67 },
		{ VMCS_GUEST_TR_AR, AR_TSS_BUSY },
		{ VMCS_GUEST_LDTR_SEL, 0 },
		{ VMCS_GUEST_LDTR_BASE, 0 },
		{ VMCS_GUEST_LDTR_LIMIT, 0 },
		{ VMCS_GUEST_LDTR_AR, AR_UNUSABLE },
		{ VMCS_GUEST_GDTR_BASE, gdt_base },
		{ VMCS_GUEST_GDTR_LIMIT, gdt_limit },
		{ VMCS_GUEST_IDTR_BASE, 0 },
		{ VMCS_GUEST_IDTR_LIMIT, 0 }, /* no IDT yet: an early fault is a triple fault */
		{ VMCS_GUEST_SYSENTER_CS, 0 },
		{ VMCS_GUEST_SYSENTER_ESP, 0 },
		{ VMCS_GUEST_SYSENTER_EIP, 0 },
		{ VMCS_GUEST_RSP, stack_top },
		{ VMCS_GUEST_RIP, entry },
		{ VMCS_GUEST_RFLAGS, 0x2 },
		{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
		{ VMCS_GUEST_ACTIVITY_STATE, 0 },
		{ VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0 },
		{ VMCS_LINK_POINTER, ~0ull },
	};
	return write_all(fields, ARRAY_SIZE(fields));
}

static int setup_exit_entry_controls(void)
{
	const uint64_t fields[][2] = {
		{ VMCS_EXIT_CTLS, vmx_cpu.exit }, { VMCS_EXIT_MSR_STORE_COUNT, 0 },
		{ VMCS_EXIT_MSR_LOAD_COUNT, 0 },  { VMCS_ENTRY_CTLS, vmx_cpu.entry },
		{ VMCS_ENTRY_MSR_LOAD_COUNT, 0 }, { VMCS_ENTRY_INTR_INFO, 0 },
	};
	return write_all(fields, ARRAY_SIZE(fields));
}

/*
 * DR0-DR3 and DR6 are switched only for vCPUs that use them: until a vCPU's first MOV to
 * or from a debug register (which exits: MOV-DR exiting) or its first #DB, the CPU's hold
 * another vCPU's values, which it can neither read nor use (its DR7, in the VMCS, enables
 * no breakpoint before it writes it, and that write exits too). Then they are loaded and
 * switched with it from then on, and its MOV DRs run without exits.
 */
void vmx_debug_registers_live(struct vcpu *vcpu)
{
	if (vcpu->arch.dr_live)
		return;
	load_debug_registers(&vcpu->arch.fpu);
	vcpu->arch.dr_live = 1;
	vmx_set_proc_ctls(vcpu, vcpu->arch.proc_ctls & ~PROC_MOV_DR_EXITING);
}

int vmcs_setup(struct vcpu *vcpu, uint64_t entry, uint64_t stack_top, uint64_t arg, uint64_t cr3,
	       uint64_t gdt_base, uint16_t gdt_limit)
{
	hpa_t vmcs;
	int err;

	/*
	 * Building a VMCS makes it current: the one that was (the vCPU this CPU runs, if any) is
	 * made current again by vmx_vcpu_built(), which also clears the new one for its CPU.
	 * Noted first: vmx_vcpu_built() runs after a failed build too.
	 */
	cpu_this()->vmcs_before_build = vmptrst();
	if (mm_alloc_frames(1, PAGE_SIZE, &vmcs))
		return -ENOMEM;
	*(uint32_t *)phys_to_virt(vmcs) = vmx_cpu.caps.vmcs_revision;
	if (vmclear(vmcs) || vmptrld(&vmcs)) {
		mm_free_frames(vmcs, 1);
		return -EIO;
	}
	vcpu->arch.vmcs = vmcs;
	vcpu->arch.launched = 0;
	vcpu->arch.host_rsp = 0; /* vmx_run writes its frame's on the first entry */
	vcpu->arch.proc_ctls = vmx_cpu.proc;
	vcpu->arch.dr_live = 0;
	err = setup_host_state(vcpu);
	err = err ?: setup_execution_controls(vcpu);
	err = err ?: setup_guest_state(entry, stack_top, cr3, gdt_base, gdt_limit);
	err = err ?: setup_exit_entry_controls();
	if (err) {
		log_error("vm %s: VMCS setup failed: VMWRITE error %llu\n", vcpu->vm->name,
			  (unsigned long long)vmread(VMCS_VM_INSTRUCTION_ERROR));
		return err;
	}
	vcpu->arch.regs = (struct guest_gprs){ .rdi = arg };
	/* x87 and SSE at their reset values (FCW 0x37F, MXCSR 0x1F80), debug registers clear. */
	vcpu->arch.fpu = (struct guest_fpu_debug){ .fxsave = { .fcw = 0x37f, .mxcsr = 0x1f80 },
						   .dr6 = 0xffff0ff0 };
	return 0;
}

void vmx_vcpu_built(struct vcpu *vcpu)
{
	hpa_t before = cpu_this()->vmcs_before_build;

	/*
	 * Cleared, it may be made current on its own CPU (VMPTRLD there, then VMLAUNCH: the
	 * launch state is clear), whichever CPU built it (SDM Vol. 3C 25.11.3).
	 */
	if (vcpu->arch.vmcs)
		vmclear(vcpu->arch.vmcs);
	if (before != ~0ull && before != vcpu->arch.vmcs)
		vmptrld(&before);
}
