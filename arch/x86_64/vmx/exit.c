/*
 * VM-exit dispatch (ACRN's vmexit.c, Jailhouse's vmx.c): the hypercall tested first, then a
 * table indexed by the basic exit reason, bounds-checked, with a flag for the handlers
 * that take the exit qualification and a counter per reason per vCPU. A reason with no
 * handler, or a failed VM entry, dumps the guest state and stops that VM only. Also the
 * helpers all handlers share.
 */
#include "vmx.h"

#include <arch/apic.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/log.h>
#include <hv/pv.h>
#include <hv/sched.h>

struct exit_entry {
	void (*handler)(struct vcpu *vcpu, uint64_t qualification);
	uint8_t needs_qualification;
	const char *name;
};

/*
 * With no IDT loaded (Shunt starts guests so, SPEC §8) the first exception is a triple fault:
 * most often a kernel built without guest-kit's flags (SSE code is a #UD: CR4.OSFXSR is off).
 */
static void exit_triple_fault(struct vcpu *vcpu, uint64_t q)
{
	int no_idt = vmread(VMCS_GUEST_IDTR_LIMIT) == 0;

	vm_stop(vcpu->vm, VM_STOP_TRIPLE_FAULT, -1, "triple fault at RIP 0x%llx%s",
		(unsigned long long)vmread(VMCS_GUEST_RIP),
		no_idt ? ": an exception with no IDT loaded (built without guest-kit's flags? see "
			 "guest-kit/README.md, \"Building a guest\")"
		       : "");
}

/*
 * Queues an event for the next VM entry (VM-entry interruption information). The CPU
 * clears the field's valid bit on every VM exit, so Shunt need not read it back to know
 * it is in use: event_queued says so until the run loop next enters the guest.
 */
static void queue_entry_event(uint32_t info)
{
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	this_cpu_read(vcpu_loaded)->arch.event_queued = 1;
}

/*
 * An exit in the middle of delivering an event through the guest's IDT (SDM Vol. 3C 28.2.4)
 * must deliver it again on the next entry, or the guest loses it.
 */
static void reinject_interrupted_event(void)
{
	uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);

	if (!(idt & INTR_INFO_VALID))
		return;
	if (idt & INTR_INFO_DELIVER_ERROR_CODE)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE, vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	vmwrite(VMCS_ENTRY_INSTRUCTION_LEN, vmread(VMCS_EXIT_INSTRUCTION_LEN));
	queue_entry_event(idt & ~(1u << 12)); /* bit 12 is undefined here */
}

static void exit_external_interrupt(struct vcpu *vcpu, uint64_t q)
{
	/*
	 * The interrupt sources are the local APIC timer that wakes an idle CPU
	 * (arch_idle_until), whose late firing only needs its EOI, and other CPUs' kicks, the
	 * PICs being masked. This exit acknowledged it (acknowledge interrupt on exit), so the
	 * handler of a kick is called from here.
	 */
	if ((vmread(VMCS_EXIT_INTR_INFO) & 0xff) == APIC_KICK_VECTOR) {
		apic_kick_interrupt(); /* its EOI, and a flush asked for */
		sched_kicked(vcpu);
	} else {
		apic_eoi();
	}
	reinject_interrupted_event();
}

#define INTR_INFO_TYPE(info) (((info) >> 8) & 7)
#define INTR_TYPE_NMI 2
#define INTR_TYPE_PRIV_SW_EXCEPTION 5 /* #DB from INT1 (ICEBP) */
#define DR6_TRAP_BITS 0x600full	      /* B0-B3, BD, BS: what a #DB exit's qualification holds */

/*
 * A guest exception that arrived while an event was being delivered: the exception goes
 * first, as on hardware. An event from the guest's own instruction (INT n, a fault) comes
 * back when the instruction runs again; Shunt's upcall vector is asked for again.
 */
static void exception_during_delivery(struct vcpu *vcpu)
{
	uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);

	if ((idt & INTR_INFO_VALID) && INTR_INFO_TYPE(idt) == INTR_INFO_TYPE(INTR_TYPE_EXTERNAL))
		vcpu_upcall_again(vcpu);
}

static void exit_nmi_or_exception(struct vcpu *vcpu, uint64_t q)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	unsigned int vector = info & 0xff;

	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		reinject_interrupted_event();
		__asm__ volatile("int $2"); /* the host's NMI, which arrived while the guest ran */
		return;
	}
	exception_during_delivery(vcpu);
	switch (vector) {
	case X86_VECTOR_DB:
		vmx_debug_registers_live(vcpu); /* DR6 is about to be the guest's */
		/* The exit left DR6 alone; the qualification says what the CPU would have set. */
		write_dr6((read_dr6() & ~DR6_TRAP_BITS) | (q & DR6_TRAP_BITS));
		if (INTR_INFO_TYPE(info) == INTR_TYPE_PRIV_SW_EXCEPTION) {
			/* ICEBP: delivered past the instruction, as INT1 is (SDM Vol. 3C 27.6.1.1). */
			vmwrite(VMCS_ENTRY_INSTRUCTION_LEN, vmread(VMCS_EXIT_INSTRUCTION_LEN));
			queue_entry_event(info & (INTR_INFO_VALID | 0x7ff));
			return;
		}
		vmx_inject_exception(X86_VECTOR_DB, 0, 0);
		return;
	case X86_VECTOR_AC:
		vmx_inject_exception(X86_VECTOR_AC, 1, (uint32_t)vmread(VMCS_EXIT_INTR_ERROR_CODE));
		return;
	default:
		vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "unexpected exception exit");
		return;
	}
}

static void exit_rdpmc(struct vcpu *vcpu, uint64_t q)
{
	vmx_inject_exception(X86_VECTOR_GP, 1, 0); /* no performance counters are offered */
}

static void exit_interrupt_window(struct vcpu *vcpu, uint64_t q)
{
	/* The guest can take an interrupt now: the run loop's entry work injects the pending one. */
	vmx_set_proc_ctls(vcpu, vcpu->arch.proc_ctls & ~PROC_INTERRUPT_WINDOW_EXITING);
	vcpu_attention(vcpu, VCPU_ATTN_WORK);
}

static void exit_hlt(struct vcpu *vcpu, uint64_t q)
{
	if (!(vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF)) {
		vm_stop(vcpu->vm, VM_STOP_HALTED, -1,
			"HLT with interrupts disabled at RIP 0x%llx: nothing can wake it",
			(unsigned long long)vmread(VMCS_GUEST_RIP));
		return;
	}
	/* Past the HLT: the event that wakes it is delivered there, as on a CPU. */
	vmx_skip_instruction();
	sched_halt(vcpu);
}

static void exit_preemption_timer(struct vcpu *vcpu, uint64_t q)
{
	/*
	 * The slice is over, a PV timer is due (the entry work fires it) or host work is (the
	 * run loop does it). Re-armed on the next entry whatever the deadline then is: the
	 * timer counts in units of 2^shift cycles and may fire a little before it.
	 */
	vcpu->arch.timer_expired = 1;
	vcpu_attention(vcpu, VCPU_ATTN_WORK);
}

static void exit_invalid_instruction(struct vcpu *vcpu, uint64_t q)
{
	/* VMX, SMX, XSAVE and MONITOR/MWAIT are not offered (CPUID says so): #UD. */
	vmx_inject_exception(X86_VECTOR_UD, 0, 0);
}

static void exit_dr_access(struct vcpu *vcpu, uint64_t q)
{
	/* The first MOV DR: its registers are loaded, and the instruction runs again, natively. */
	vmx_debug_registers_live(vcpu);
}

static void exit_invd_wbinvd(struct vcpu *vcpu, uint64_t q)
{
	vmx_skip_instruction(); /* caches stay coherent under EPT write-back: a no-op */
}

static const struct exit_entry exit_table[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = { exit_nmi_or_exception, 1, "exception or NMI" },
	[EXIT_REASON_EXTERNAL_INTERRUPT] = { exit_external_interrupt, 0, "external interrupt" },
	[EXIT_REASON_TRIPLE_FAULT] = { exit_triple_fault, 0, "triple fault" },
	[EXIT_REASON_INTERRUPT_WINDOW] = { exit_interrupt_window, 0, "interrupt window" },
	[EXIT_REASON_CPUID] = { 0, 0, "CPUID" }, /* vmx_exit_fast() */
	[EXIT_REASON_HLT] = { exit_hlt, 0, "HLT" },
	[EXIT_REASON_INVD] = { exit_invd_wbinvd, 0, "INVD" },
	[EXIT_REASON_VMCALL] = { 0, 0, "VMCALL" }, /* vmx_exit_fast() */
	[EXIT_REASON_VMCLEAR] = { exit_invalid_instruction, 0, "VMCLEAR" },
	[EXIT_REASON_VMLAUNCH] = { exit_invalid_instruction, 0, "VMLAUNCH" },
	[EXIT_REASON_VMPTRLD] = { exit_invalid_instruction, 0, "VMPTRLD" },
	[EXIT_REASON_VMPTRST] = { exit_invalid_instruction, 0, "VMPTRST" },
	[EXIT_REASON_VMREAD] = { exit_invalid_instruction, 0, "VMREAD" },
	[EXIT_REASON_VMRESUME] = { exit_invalid_instruction, 0, "VMRESUME" },
	[EXIT_REASON_VMWRITE] = { exit_invalid_instruction, 0, "VMWRITE" },
	[EXIT_REASON_VMXOFF] = { exit_invalid_instruction, 0, "VMXOFF" },
	[EXIT_REASON_VMXON] = { exit_invalid_instruction, 0, "VMXON" },
	[EXIT_REASON_INVEPT] = { exit_invalid_instruction, 0, "INVEPT" },
	[EXIT_REASON_INVVPID] = { exit_invalid_instruction, 0, "INVVPID" },
	[EXIT_REASON_MWAIT] = { exit_invalid_instruction, 0, "MWAIT" },
	[EXIT_REASON_MONITOR] = { exit_invalid_instruction, 0, "MONITOR" },
	[EXIT_REASON_CR_ACCESS] = { vmx_exit_cr_access, 1, "control register access" },
	[EXIT_REASON_DR_ACCESS] = { exit_dr_access, 0, "debug register access" },
	[EXIT_REASON_IO_INSTRUCTION] = { 0, 0, "I/O instruction" }, /* vmx_exit_fast() */
	[EXIT_REASON_RDMSR] = { 0, 0, "RDMSR" },		    /* vmx_exit_fast() */
	[EXIT_REASON_WRMSR] = { 0, 0, "WRMSR" },		    /* vmx_exit_fast() */
	[EXIT_REASON_EPT_VIOLATION] = { vmx_exit_ept_violation, 1, "EPT violation" },
	[EXIT_REASON_EPT_MISCONFIG] = { vmx_exit_ept_misconfig, 0, "EPT misconfiguration" },
	[EXIT_REASON_PREEMPTION_TIMER] = { exit_preemption_timer, 0, "preemption timer" },
	[EXIT_REASON_WBINVD] = { exit_invd_wbinvd, 0, "WBINVD" },
	[EXIT_REASON_INVALID_GUEST_STATE] = { 0, 0, "VM entry: invalid guest state" },
	[EXIT_REASON_MSR_LOADING] = { 0, 0, "VM entry: MSR loading" },
	[EXIT_REASON_MACHINE_CHECK] = { 0, 0, "VM entry: machine check" },
	[EXIT_REASON_XSETBV] = { exit_invalid_instruction, 0, "XSETBV" },
	[EXIT_REASON_GETSEC] = { exit_invalid_instruction, 0, "GETSEC" },
	[EXIT_REASON_RDPMC] = { exit_rdpmc, 0, "RDPMC" },
};

const char *vmx_exit_reason_name(unsigned int reason)
{
	if (reason < EXIT_REASON_MAX && exit_table[reason].name)
		return exit_table[reason].name;
	return "unknown";
}

void vmx_dump_and_stop(struct vcpu *vcpu, int reason_code, const char *what)
{
	uint64_t reason = vmread(VMCS_EXIT_REASON);

	log_error("vm %s: %s: exit reason %llu (%s)%s, qualification 0x%llx\n", vcpu->vm->name,
		  what, (unsigned long long)(reason & 0xffff),
		  vmx_exit_reason_name(reason & 0xffff),
		  (reason & EXIT_REASON_ENTRY_FAILURE) ? " [VM entry failed]" : "",
		  (unsigned long long)vmread(VMCS_EXIT_QUALIFICATION));
	log_error("vm %s:   RIP=0x%llx RSP=0x%llx RFLAGS=0x%llx CR0=0x%llx CR3=0x%llx "
		  "CR4=0x%llx EFER=0x%llx\n",
		  vcpu->vm->name, (unsigned long long)vmread(VMCS_GUEST_RIP),
		  (unsigned long long)vmread(VMCS_GUEST_RSP),
		  (unsigned long long)vmread(VMCS_GUEST_RFLAGS),
		  (unsigned long long)vmread(VMCS_GUEST_CR0),
		  (unsigned long long)vmread(VMCS_GUEST_CR3),
		  (unsigned long long)vmread(VMCS_GUEST_CR4),
		  (unsigned long long)vmread(VMCS_GUEST_IA32_EFER));
	vm_stop(vcpu->vm, reason_code, -1, "%s: exit reason %llu (%s) at RIP 0x%llx", what,
		(unsigned long long)(reason & 0xffff), vmx_exit_reason_name(reason & 0xffff),
		(unsigned long long)vmread(VMCS_GUEST_RIP));
}

/* The table's exits (vmx_exit_fast() takes the common ones). */
static void dispatch(struct vcpu *vcpu, uint32_t reason)
{
	uint32_t basic = reason & 0xffff;
	const struct exit_entry *e;

	if (basic < EXIT_REASON_MAX)
		vcpu->arch.exit_counts[basic]++;
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		vmx_dump_and_stop(vcpu, VM_STOP_ENTRY_FAILED, "VM entry failed");
		return;
	}
	if (basic >= EXIT_REASON_MAX || !exit_table[basic].handler) {
		vmx_dump_and_stop(vcpu, VM_STOP_UNHANDLED, "unhandled VM exit");
		return;
	}
	e = &exit_table[basic];
	e->handler(vcpu, e->needs_qualification ? vmread(VMCS_EXIT_QUALIFICATION) : 0);
}

_Static_assert(EXIT_REASON_MAX <= ARCH_EXIT_REASONS, "exit_counts has a counter per reason");

/*
 * The common exits, each its own function so that each saves only the registers it needs.
 * Each counts its exit before the handler, so that the reason need not be kept across it.
 * The hypercall: vmx_entry.S calls it straight away. When the run loop must look (a YIELD,
 * a deadline passed) it is called from here, with this exit's TSC: the guest's RBP and
 * R12-R15 are still in the CPU then, which is fine, since nothing there looks at a
 * guest's registers, and vmx_entry.S keeps them in regs if another vCPU is to run.
 */
struct guest_gprs *vmx_exit_vmcall_fast(struct guest_gprs *regs)
{
	struct vcpu *vcpu = vmx_vcpu_of(regs);
	/*
	 * One look at the TSC for the call's rate limit and for the deadlines: look_at, read
	 * after the call, is 0 if the call asked for attention; a deadline that the call's own
	 * (bounded) work passes is seen by the next exit.
	 */
	uint64_t now = rdtsc();

	vcpu->arch.exit_counts[EXIT_REASON_VMCALL]++;
	vmx_exit_vmcall(vcpu, now);
	return now >= vcpu->look_at ? vmx_run_loop_at(regs, now) : regs;
}

static __attribute__((noinline)) int fast_io(struct vcpu *vcpu)
{
	vcpu->arch.exit_counts[EXIT_REASON_IO_INSTRUCTION]++;
	return vmx_exit_io(vcpu, vmread(VMCS_EXIT_QUALIFICATION));
}

static __attribute__((noinline)) int fast_cpuid(struct vcpu *vcpu)
{
	vcpu->arch.exit_counts[EXIT_REASON_CPUID]++;
	vmx_exit_cpuid(vcpu);
	return vmx_exit_done(vcpu);
}

static __attribute__((noinline)) int fast_msr(struct vcpu *vcpu, uint32_t reason)
{
	vcpu->arch.exit_counts[reason]++;
	if (reason == EXIT_REASON_RDMSR)
		vmx_exit_rdmsr(vcpu, 0);
	else
		vmx_exit_wrmsr(vcpu, 0);
	return vmx_exit_done(vcpu);
}

/*
 * Called by vmx_entry.S after every VM exit but a VMCALL's, with its basic reason and the
 * guest's RAX, RBX, RCX, RDX, RSI, RDI and R8-R11 in regs; RBP and R12-R15 are still in the
 * CPU. Takes the common exits, whose handlers need no other register: port I/O, CPUID and
 * MSR accesses. Returns VMX_EXIT_RESUME, VMX_EXIT_LOOK (the run loop must look first), or
 * VMX_EXIT_FULL for any other exit: vmx_entry.S then keeps every register and calls
 * vmx_exit_full().
 */
int vmx_exit_fast(struct guest_gprs *regs, uint32_t reason)
{
	struct vcpu *vcpu = vmx_vcpu_of(regs);

	if (reason == EXIT_REASON_IO_INSTRUCTION)
		return fast_io(vcpu);
	if (reason == EXIT_REASON_CPUID)
		return fast_cpuid(vcpu);
	if (reason == EXIT_REASON_RDMSR || reason == EXIT_REASON_WRMSR)
		return fast_msr(vcpu, reason);
	vcpu->arch.exit_reason = reason;
	return VMX_EXIT_FULL;
}

/* Any exit, through the table, with every guest register in regs. */
int vmx_exit_full(struct guest_gprs *regs)
{
	struct vcpu *vcpu = vmx_vcpu_of(regs);

	dispatch(vcpu, vcpu->arch.exit_reason);
	return vmx_exit_done(vcpu);
}

void vmx_set_proc_ctls(struct vcpu *vcpu, uint32_t ctls)
{
	vcpu->arch.proc_ctls = ctls;
	vmwrite(VMCS_PROC_BASED_CTLS, ctls);
}

int vmx_vcpu_inject_vector(struct vcpu *vcpu, uint8_t vector)
{
	uint64_t rflags = vmread(VMCS_GUEST_RFLAGS);
	uint32_t blocking = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);

	/* Blocked by STI or MOV SS (bits 1:0), masked by IF, or an event already queued. */
	if (!(rflags & RFLAGS_IF) || (blocking & 3) || vcpu->arch.event_queued) {
		if (!(vcpu->arch.proc_ctls & PROC_INTERRUPT_WINDOW_EXITING))
			vmx_set_proc_ctls(vcpu,
					  vcpu->arch.proc_ctls | PROC_INTERRUPT_WINDOW_EXITING);
		return -EBUSY;
	}
	queue_entry_event(vector | INTR_TYPE_EXTERNAL | INTR_INFO_VALID);
	return 0;
}

void vmx_inject_exception(unsigned int vector, int has_error_code, uint32_t error_code)
{
	uint32_t info = vector | INTR_TYPE_HW_EXCEPTION | INTR_INFO_VALID;

	if (has_error_code) {
		info |= INTR_INFO_DELIVER_ERROR_CODE;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	queue_entry_event(info);
}

/* General registers by their x86 encoding (0 = RAX ... 15 = R15); RSP lives in the VMCS. */
static uint64_t *gpr_slot(struct vcpu *vcpu, unsigned int index)
{
	struct guest_gprs *r = &vcpu->arch.regs;
	uint64_t *const slots[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, 0,	   &r->rbp,
				      &r->rsi, &r->rdi, &r->r8,	 &r->r9,  &r->r10, &r->r11,
				      &r->r12, &r->r13, &r->r14, &r->r15 };

	return slots[index & 15];
}

uint64_t vmx_gpr_read(struct vcpu *vcpu, unsigned int index)
{
	uint64_t *slot = gpr_slot(vcpu, index);

	return slot ? *slot : vmread(VMCS_GUEST_RSP);
}

void vmx_gpr_write(struct vcpu *vcpu, unsigned int index, uint64_t value)
{
	uint64_t *slot = gpr_slot(vcpu, index);

	if (slot)
		*slot = value;
	else
		vmwrite(VMCS_GUEST_RSP, value);
}
